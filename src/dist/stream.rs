//! The per-trial parameter stream, kept apart from the event stream.
//!
//! Trial `i`'s events come from [`crate::rng::trial_rng`] (ChaCha8 keyed by
//! `seed_from_u64(seed)`, stream `i`). Its parameters come from another
//! ChaCha8 key, `SHA-256("brink/param/v1" ‖ seed)`, stream `i`
//! ([`param_rng`]), so drawing parameters never shifts the events.
//!
//! Within that stream each uncertain parameter reads from its own region:
//! parameter `p` starts at word `(h(p) mod 2^36)·2^32`, where `h(p)` is the
//! first 8 bytes (little-endian) of `SHA-256(p)` for its dotted path `p`.
//! A parameter's draw in trial `i` is therefore a function of (seed, i, its
//! path, its distribution) alone: making another parameter uncertain, or
//! removing one, or reordering the file, leaves it unchanged (common random
//! numbers survive edits). Each region holds 2^32 words, far more than a
//! rejection sampler uses; two paths whose regions coincide (probability
//! about 2^-36 per pair) are refused by [`ParamSet::new`].

use super::{Dist, DistError};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// The key of every trial's parameter stream for one master seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamKey([u8; 32]);

impl ParamKey {
    /// `SHA-256("brink/param/v1" ‖ seed as 8 little-endian bytes)`.
    pub fn new(seed: u64) -> ParamKey {
        let mut h = Sha256::new();
        h.update(b"brink/param/v1");
        h.update(seed.to_le_bytes());
        ParamKey(h.finalize().into())
    }

    /// Trial `trial`'s parameter stream.
    pub fn rng(&self, trial: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.0);
        rng.set_stream(trial);
        rng
    }
}

/// Trial `trial`'s parameter stream for master seed `seed` (compute the
/// [`ParamKey`] once per run where speed matters).
pub fn param_rng(seed: u64, trial: u64) -> ChaCha8Rng {
    ParamKey::new(seed).rng(trial)
}

/// The word at which the parameter with dotted path `path` starts reading.
pub fn path_offset(path: &str) -> u128 {
    let d = Sha256::digest(path.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    let h = u64::from_le_bytes(b);
    u128::from(h & ((1u64 << 36) - 1)) << 32
}

/// The uncertain parameters of a scenario, in the order given (which is
/// the order of their columns in `trials.csv`), ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSet {
    paths: Vec<String>,
    dists: Vec<Dist>,
    offsets: Vec<u128>,
    medians: Vec<f64>,
}

impl ParamSet {
    /// A set of `(dotted path, distribution)` pairs. Errors on a path given
    /// twice or (never seen in practice) two paths sharing a stream region.
    pub fn new(params: Vec<(String, Dist)>) -> Result<ParamSet, DistError> {
        let mut paths = Vec::with_capacity(params.len());
        let mut dists = Vec::with_capacity(params.len());
        let mut offsets: Vec<u128> = Vec::with_capacity(params.len());
        for (p, d) in params {
            let off = path_offset(&p);
            if let Some(j) = offsets.iter().position(|o| *o == off) {
                let message = if paths[j] == p {
                    format!("`{p}` is given two distributions; keep one")
                } else {
                    format!(
                        "`{}` and `{p}` share a random stream region; rename one of them",
                        paths[j]
                    )
                };
                return Err(DistError::BadForm {
                    family: "parameter set",
                    expected: "each path once",
                    found: message,
                });
            }
            paths.push(p);
            dists.push(d);
            offsets.push(off);
        }
        let medians = dists.iter().map(Dist::median).collect();
        Ok(ParamSet {
            paths,
            dists,
            offsets,
            medians,
        })
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The dotted paths, in order.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// The distributions, in order.
    pub fn dists(&self) -> &[Dist] {
        &self.dists
    }

    /// Draws every parameter into `out` (length [`ParamSet::len`]) from a
    /// trial's parameter stream. Allocates nothing.
    pub fn draw(&self, rng: &mut ChaCha8Rng, out: &mut [f64]) {
        assert_eq!(out.len(), self.len(), "one slot per parameter");
        for (j, slot) in out.iter_mut().enumerate() {
            let d = &self.dists[j];
            if d.is_point() {
                *slot = self.medians[j];
                continue;
            }
            let off = &self.offsets[j];
            rng.set_word_pos(*off);
            *slot = d.sample(rng);
        }
    }

    /// Draws trial `trial`'s parameters with the run's key.
    pub fn draw_trial(&self, key: &ParamKey, trial: u64, out: &mut [f64]) {
        let mut rng = key.rng(trial);
        self.draw(&mut rng, out);
    }

    /// Every parameter at its median (the `--point` run), computed once.
    pub fn medians(&self) -> &[f64] {
        &self.medians
    }
}
