//! The special functions the distributions need, written here so that
//! draws and summaries do not depend on the platform's libm (the policy of
//! [`crate::math`]): only `+ - * /` and `sqrt` (correctly rounded by IEEE
//! 754 on every platform) and [`crate::math::exp`].
//!
//! * [`ln`]: argument reduction `x = 2^k·m`, `m ∈ (√½, √2]`, then
//!   `ln m = 2 atanh s`, `s = (m-1)/(m+1)`, summed as in fdlibm's `e_log.c`
//!   (`ln(1+f) = f - (f²/2 - s(f²/2 + R))`) with the Taylor series of
//!   `R = Σ 2 s^(2j)/(2j+1)` to j = 12 (truncation below 1e-21).
//! * [`norm_cdf`]: Φ by the series `Φ(x) = ½ + φ(x) Σ x^(2n+1)/(2n+1)!!`
//!   (Marsaglia 2004, "Evaluating the normal distribution", J. Stat. Softw.
//!   11(4)) for x ≥ -3, and Laplace's continued fraction for the Mills ratio
//!   below (evaluated by the modified Lentz method).
//! * [`norm_quantile`]: Φ⁻¹ by Wichura's (1988) algorithm AS 241, PPND16,
//!   relative accuracy about 1e-16.
//! * [`ln_gamma`]: Lanczos (1964) approximation, g = 7, nine terms.
//! * [`gamma_p`], [`beta_i`]: regularized incomplete gamma and beta
//!   functions by their series and continued fractions (Press et al.,
//!   *Numerical Recipes*, 3rd ed., §6.2 and §6.4); their inverses by
//!   bisection to full precision (cold path: summaries only).

use crate::math::exp;

const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// Natural logarithm. NaN below 0, -∞ at 0, ∞ at ∞. Within 1 ulp of the
/// correctly rounded result in tests against `f64::ln`.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let mut bits = x.to_bits();
    let mut k: i64 = 0;
    if bits < (1u64 << 52) {
        // Subnormal: scale by 2^54 first.
        bits = (x * f64::from_bits(0x4350_0000_0000_0000)).to_bits();
        k -= 54;
    }
    k += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        k += 1;
    }
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    // R = Σ_{j=1..12} 2 z^j / (2j+1), by Horner's rule.
    let mut r = 2.0 / 25.0;
    for j in (1..12).rev() {
        r = r * z + 2.0 / f64::from(2 * j + 1);
    }
    let r = r * z;
    let hfsq = 0.5 * f * f;
    let dk = k as f64;
    dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f)
}

/// `x^y` for `x > 0`, as `exp(y ln x)`.
pub fn powf(x: f64, y: f64) -> f64 {
    exp(y * ln(x))
}

/// 1/√(2π).
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Standard normal density φ(x).
pub fn norm_pdf(x: f64) -> f64 {
    INV_SQRT_2PI * exp(-0.5 * x * x)
}

/// Standard normal distribution function Φ(x), relative error below 1e-12
/// (tested against reference values), exactly 0 and 1 at ∓∞.
pub fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < -40.0 {
        return 0.0;
    }
    if x > 9.0 {
        return 1.0;
    }
    if x >= -3.0 {
        // Marsaglia's series: every term has the sign of x.
        let x2 = x * x;
        let mut term = x;
        let mut sum = x;
        let mut n = 1.0;
        loop {
            n += 2.0;
            term *= x2 / n;
            let next = sum + term;
            if next == sum {
                break;
            }
            sum = next;
        }
        0.5 + norm_pdf(x) * sum
    } else {
        norm_pdf(x) * mills(-x)
    }
}

/// Φ(-x) = 1 - Φ(x), accurate in the upper tail.
pub fn norm_sf(x: f64) -> f64 {
    norm_cdf(-x)
}

/// Mills ratio `(1 - Φ(t)) / φ(t)` for `t >= 3`, by the continued fraction
/// `1/(t+ 1/(t+ 2/(t+ 3/(t+ ...))))` (modified Lentz).
fn mills(t: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut f = t;
    let mut c = t;
    let mut d = 0.0;
    for k in 1..5000 {
        let a = f64::from(k);
        d = t + a * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = t + a / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    1.0 / f
}

/// P(a ≤ Z ≤ b) for a standard normal Z, accurate in either tail.
pub fn norm_interval(a: f64, b: f64) -> f64 {
    if a > 0.0 {
        norm_sf(a) - norm_sf(b)
    } else {
        norm_cdf(b) - norm_cdf(a)
    }
}

/// Standard normal quantile Φ⁻¹(p) by Wichura's AS 241 (PPND16); -∞ at 0,
/// ∞ at 1, NaN outside [0, 1].
#[allow(clippy::excessive_precision)]
pub fn norm_quantile(p: f64) -> f64 {
    // Coefficients as published (Wichura 1988, Appl. Statist. 37(3)).
    const A: [f64; 8] = [
        3.387_132_872_796_366_608_0,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083_0e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061_0e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561_0e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_90,
        5.769_497_221_460_691_405_50,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_70e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_40e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_40,
        6.897_673_349_851_000_045_50e-1,
        1.481_039_764_274_800_745_90e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946_00e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_20,
        5.463_784_911_164_114_369_90,
        1.784_826_539_917_291_335_80,
        2.965_605_718_285_048_912_30e-1,
        2.653_218_952_657_612_309_30e-2,
        1.242_660_947_388_078_438_60e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_90e-1,
        1.369_298_809_227_358_053_10e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591_00e-4,
        1.846_318_317_510_054_681_80e-5,
        1.421_511_758_316_445_888_70e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    fn horner(c: &[f64; 8], x: f64) -> f64 {
        let mut v = c[7];
        for k in (0..7).rev() {
            v = v * x + c[k];
        }
        v
    }
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * horner(&A, r) / horner(&B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-ln(r)).sqrt();
    let v = if r <= 5.0 {
        let r = r - 1.6;
        horner(&C, r) / horner(&D, r)
    } else {
        let r = r - 5.0;
        horner(&E, r) / horner(&F, r)
    };
    if q < 0.0 { -v } else { v }
}

/// ln Γ(x) for x > 0 by the Lanczos approximation (g = 7, n = 9), relative
/// error about 1e-15; below 0.5 through Γ(x) = Γ(x+1)/x.
#[allow(clippy::excessive_precision)]
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_93,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_13,
        -176.615_029_162_140_59,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_571_6e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return ln_gamma(x + 1.0) - ln(x);
    }
    let x = x - 1.0;
    let mut a = COEF[0];
    for (i, c) in COEF.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    // 0.5 ln(2π)
    0.918_938_533_204_672_7 + (x + 0.5) * ln(t) - t + ln(a)
}

const EPS: f64 = 1e-16;
const FPMIN: f64 = 1e-300;

/// Regularized lower incomplete gamma function P(a, x), a > 0, x ≥ 0.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    let front = exp(-x + a * ln(x) - ln_gamma(a));
    if x < a + 1.0 {
        let mut ap = a;
        let mut del = 1.0 / a;
        let mut sum = del;
        for _ in 0..100_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * EPS {
                break;
            }
        }
        (sum * front).min(1.0)
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / FPMIN;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < FPMIN {
                d = FPMIN;
            }
            c = b + an / c;
            if c.abs() < FPMIN {
                c = FPMIN;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        (1.0 - front * h).max(0.0)
    }
}

/// Regularized incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1.
pub fn beta_i(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = exp(ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * ln(x) + b * ln(1.0 - x));
    if x < (a + 1.0) / (a + b + 2.0) {
        (front * beta_cf(a, b, x) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - front * beta_cf(b, a, 1.0 - x) / b).clamp(0.0, 1.0)
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < FPMIN {
        d = FPMIN;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..100_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The x in `[lo, hi]` where the non-decreasing `cdf` crosses `p`, by
/// bisection until the interval cannot shrink (full precision).
pub fn invert(cdf: impl Fn(f64) -> f64, p: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..2_000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{trial_rng, uniform};

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn ln_matches_std_within_one_ulp() {
        let mut rng = trial_rng(11, 0);
        let mut worst = 0;
        for _ in 0..200_000 {
            // Log-uniform over the whole positive range, then near 1.
            let x = exp(-744.0 + 1453.0 * uniform(&mut rng));
            worst = worst.max(ulps(ln(x), x.ln()));
            let y = 0.5 + 1.5 * uniform(&mut rng);
            worst = worst.max(ulps(ln(y), y.ln()));
        }
        assert!(worst <= 1, "worst error {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ulps(ln(5e-324), (5e-324f64).ln()) <= 1);
    }

    /// Reference values from Python's `0.5 * math.erfc(-x / math.sqrt(2))`.
    #[test]
    fn norm_cdf_reference_values() {
        let cases = [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_542_9),
            (-1.959_963_984_540_054, 0.025_000_000_000_000_02),
            (-1.0, 0.158_655_253_931_457_07),
            (2.5, 0.993_790_334_674_223_8),
            (-3.0, 0.001_349_898_031_630_095_7),
            (-3.5, 0.000_232_629_079_035_525_04),
            (-5.0, 2.866_515_718_791_946e-7),
            (-10.0, 7.619_853_024_160_593e-24),
            (-30.0, 4.906_713_927_148_764e-198),
        ];
        for (x, want) in cases {
            let got = norm_cdf(x);
            assert!(((got - want) / want).abs() < 1e-12, "Φ({x}) = {got}, want {want}");
        }
    }

    #[test]
    fn norm_quantile_inverts_cdf() {
        for &p in &[
            1e-300,
            1e-20,
            1e-8,
            0.001,
            0.025,
            0.05,
            0.3,
            0.5,
            0.7,
            0.95,
            0.999,
            1.0 - 1e-12,
        ] {
            let x = norm_quantile(p);
            let back = norm_cdf(x);
            assert!(((back - p) / p).abs() < 1e-12, "p={p}: Φ(Φ⁻¹(p)) = {back}");
        }
        assert!((norm_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-15);
        assert_eq!(norm_quantile(0.0), f64::NEG_INFINITY);
        assert!(norm_quantile(1.5).is_nan());
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut fact = 0.0f64;
        for n in 1..40u32 {
            // ln Γ(n) = ln (n-1)!
            assert!((ln_gamma(f64::from(n)) - fact).abs() < 1e-12 * fact.max(1.0), "n={n}");
            fact += f64::from(n).ln();
        }
        let half = 0.5 * std::f64::consts::PI.ln();
        assert!((ln_gamma(0.5) - half).abs() < 1e-14);
        // Γ(0.1) = 9.513507698668731836...
        assert!((ln_gamma(0.1) - 9.513_507_698_668_732f64.ln()).abs() < 1e-13);
    }

    #[test]
    fn incomplete_functions_reference_values() {
        // P(1, x) = 1 - e^-x; P(a, x) for integer a is a Poisson tail.
        assert!((gamma_p(1.0, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-14);
        let p3 = 1.0 - (-5.0f64).exp() * (1.0 + 5.0 + 12.5);
        assert!((gamma_p(3.0, 5.0) - p3).abs() < 1e-14);
        assert!((gamma_p(3.0, 1.0) - (1.0 - (-1.0f64).exp() * 2.5)).abs() < 1e-14);
        // I_x(1, b) = 1 - (1-x)^b; I_x(a, 1) = x^a; I_0.5(a, a) = 0.5.
        assert!((beta_i(0.3, 1.0, 4.0) - (1.0 - 0.7f64.powi(4))).abs() < 1e-14);
        assert!((beta_i(0.3, 2.5, 1.0) - 0.3f64.powf(2.5)).abs() < 1e-14);
        assert!((beta_i(0.5, 7.3, 7.3) - 0.5).abs() < 1e-14);
        assert!((beta_i(0.9, 2.0, 3.0) - (1.0 - beta_i(0.1, 3.0, 2.0))).abs() < 1e-14);
    }

    #[test]
    fn invert_finds_the_crossing() {
        let x = invert(|x| gamma_p(2.0, x), 0.5, 0.0, 50.0);
        assert!((gamma_p(2.0, x) - 0.5).abs() < 1e-14);
        // Median of Gamma(2, 1) = 1.678346990016661...
        assert!((x - 1.678_346_990_016_661).abs() < 1e-12);
    }
}
