//! The Sobol' low-discrepancy sequence (Sobol' 1967), unscrambled, in the
//! Gray-code form of Antonov and Saleev (1979), with the direction numbers
//! of Joe and Kuo (2008, file `new-joe-kuo-6.21201`) for the first
//! [`MAX_DIM`] dimensions.
//!
//! Point `n` is `x_j(n) = (⊕_{b : g(n)_b = 1} v_{j,b}) / 2^32`, where
//! `g(n) = n ^ (n >> 1)` is the Gray code of `n` and `v_{j,b}` the direction
//! numbers of dimension `j`: `v_{j,b} = m_{j,b} · 2^(32-b)` for the
//! `b <= s_j` initial numbers, then the recurrence of the primitive
//! polynomial of degree `s_j` with coefficients `a_j`. Dimension 0 is the
//! van der Corput sequence in base 2. The points are those of SciPy's
//! `qmc.Sobol(d, scramble=False)`, which uses the same numbers.

/// Bits per coordinate.
const BITS: usize = 32;

/// Dimensions supported (the Saltelli scheme uses `2 × parameters`, so up
/// to 10 swept parameters).
pub const MAX_DIM: usize = 21;

/// Joe-Kuo `(s, a, m_1..m_s)` for dimensions 2..=21 (dimension 1 is all
/// ones).
const JOE_KUO: [(u32, u32, &[u32]); MAX_DIM - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
];

/// A `d`-dimensional Sobol' sequence.
#[derive(Debug, Clone)]
pub struct Sobol {
    v: Vec<[u32; BITS]>,
}

impl Sobol {
    /// The sequence in `d` dimensions, or `None` if `d` is 0 or above
    /// [`MAX_DIM`].
    pub fn new(d: usize) -> Option<Sobol> {
        if d == 0 || d > MAX_DIM {
            return None;
        }
        let mut v = Vec::with_capacity(d);
        let mut first = [0u32; BITS];
        for (b, x) in first.iter_mut().enumerate() {
            *x = 1u32 << (BITS - 1 - b);
        }
        v.push(first);
        for &(s, a, m) in JOE_KUO.iter().take(d - 1) {
            let s = s as usize;
            let mut dir = [0u32; BITS];
            for b in 0..BITS {
                if b < s {
                    dir[b] = m[b] << (BITS - 1 - b);
                } else {
                    let mut x = dir[b - s] ^ (dir[b - s] >> s);
                    for k in 1..s {
                        if (a >> (s - 1 - k)) & 1 == 1 {
                            x ^= dir[b - k];
                        }
                    }
                    dir[b] = x;
                }
            }
            v.push(dir);
        }
        Some(Sobol { v })
    }

    /// Dimensions.
    pub fn dim(&self) -> usize {
        self.v.len()
    }

    /// Point `n` (0-based; point 0 is the origin), each coordinate in
    /// `[0, 1)`.
    pub fn point(&self, n: u32) -> Vec<f64> {
        let g = n ^ (n >> 1);
        self.v
            .iter()
            .map(|dir| {
                let mut x = 0u32;
                for (b, &d) in dir.iter().enumerate() {
                    if (g >> b) & 1 == 1 {
                        x ^= d;
                    }
                }
                f64::from(x) / 4_294_967_296.0
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first points of SciPy 1.x `qmc.Sobol(4, scramble=False)`.
    #[test]
    fn value_stability() {
        let s = Sobol::new(4).expect("4 dims");
        assert_eq!(s.point(0), vec![0.0, 0.0, 0.0, 0.0]);
        assert_eq!(s.point(1), vec![0.5, 0.5, 0.5, 0.5]);
        assert_eq!(s.point(2), vec![0.75, 0.25, 0.25, 0.25]);
        assert_eq!(s.point(3), vec![0.25, 0.75, 0.75, 0.75]);
        assert_eq!(s.point(4), vec![0.375, 0.375, 0.625, 0.875]);
        // Checked equal to SciPy over all 21 dimensions and 4096 points.
        let last = Sobol::new(MAX_DIM).expect("21 dims").point(4095);
        assert_eq!(last[18..], [3331.0 / 4096.0, 2135.0 / 4096.0, 925.0 / 4096.0]);
    }

    #[test]
    fn one_dimensional_stratification() {
        // Any 2^k consecutive points from 0 hit each of the 2^k strata once.
        let s = Sobol::new(MAX_DIM).expect("max dims");
        for j in 0..MAX_DIM {
            let mut seen = [false; 64];
            for n in 0..4096 {
                let x = s.point(n)[j];
                seen[(x * 64.0) as usize] = true;
            }
            assert!(seen.iter().all(|&b| b), "dimension {j}");
        }
    }
}
