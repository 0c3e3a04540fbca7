//! `exp`, written here so that results do not depend on the platform's
//! libm (whose last bit may differ between systems and versions) and so
//! that it is cheap in the trial loop.
//!
//! Cody-Waite range reduction `x = k·ln 2 + r`, |r| <= ln2/2, then a
//! degree-13 Taylor polynomial for `e^r` (truncation error below
//! 0.3466^14/14! = 4e-18), evaluated by Horner's rule with plain multiply
//! and add (no fused multiply-add, so every platform rounds the same way),
//! and `2^k` built from the exponent bits. Accuracy: within 2 ulp of the
//! correctly rounded result on [-708, 709] (tested against `f64::exp`).

const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INV_LN2: f64 = std::f64::consts::LOG2_E;

/// Taylor coefficients 1/n!, n = 13 down to 2.
const C: [f64; 12] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
];

/// e^x. NaN for NaN, 0 below -745.1, infinity above 709.8.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.782_712_893_384 {
        return f64::INFINITY;
    }
    if x < -745.133_219_101_941_1 {
        return 0.0;
    }
    // Round to nearest by the 1.5 * 2^52 trick: no call to libm's `round`
    // on CPUs without SSE4.1.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let k = (x * INV_LN2 + SHIFT) - SHIFT;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = C[0];
    for c in &C[1..] {
        p = p * r + c;
    }
    let er = 1.0 + r + r * r * p;
    let k = k as i64;
    if k < -1021 {
        // Subnormal results: scale in two steps.
        return er * f64::from_bits(((k + 1000 + 1023) as u64) << 52) * f64::from_bits(((1023 - 1000) as u64) << 52);
    }
    if k > 1023 {
        return er * 2.0 * f64::from_bits(((k - 1 + 1023) as u64) << 52);
    }
    er * f64::from_bits(((k + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{trial_rng, uniform};

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn matches_std_within_two_ulp() {
        let mut rng = trial_rng(1, 0);
        let mut worst = 0;
        for _ in 0..200_000 {
            let x = -708.0 + 1417.0 * uniform(&mut rng);
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        for _ in 0..200_000 {
            let x = -20.0 + 40.0 * uniform(&mut rng);
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 2, "worst error {worst} ulp");
    }

    #[test]
    fn edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(1.0), std::f64::consts::E);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert!(exp(-740.0) > 0.0 && exp(-740.0) < 1e-300);
        assert!(ulps(exp(-740.0), (-740.0f64).exp()) <= 2);
        assert!(ulps(exp(709.5), 709.5f64.exp()) <= 2);
    }
}
