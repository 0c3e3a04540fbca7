//! Naive baselines defined by the observed record itself, scored exactly
//! like the model so that skill against them means something (the ViEWS
//! prediction challenge's lesson: a "no change" forecast beat every model
//! under an improper score, so always report the baseline, under proper
//! scores).
//!
//! A record is a cumulative count at dated points, `(day, count)` with days
//! strictly increasing and counts non-decreasing. Its last point is the
//! forecast origin `(d_n, c_n)`; a forecast is of the cumulative count at a
//! later day `d`, `h = d − d_n` days ahead.
//!
//! * **Persistence**: the last observed rate `r = (c_n − c_{n−1}) /
//!   (d_n − d_{n−1})` continued as a Poisson process:
//!   `Y = c_n + N`, `N ~ Poisson(r h)`. Scored in closed form
//!   ([`ShiftedPoisson`]: exact pmf sums).
//! * **Bootstrap of the record's history**: each of the `h` days ahead
//!   takes the daily rate of a day of the record's history drawn uniformly
//!   with replacement (a day in interval `j` has rate
//!   `(c_j − c_{j−1}) / (d_j − d_{j−1})`, so intervals are drawn in
//!   proportion to their length); the draws' rates sum to `Λ` and the count
//!   is `c_n + Poisson(Λ)`. `B` such draws form a sample, scored like the
//!   model's. Draw `b` uses the ChaCha stream `(seed, b)`, so the sample is
//!   fixed by the seed. Resampling daily rates keeps the history's quiet
//!   spells (a truce) and surges in proportion; the Poisson step turns rates
//!   into whole counts.

use crate::rng::{Poisson, below, trial_rng};

use super::ShiftedPoisson;

/// A record that cannot define a baseline.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// Fewer than two points: no rate can be measured.
    #[error("a baseline needs at least two dated observations to measure a rate, found {found}")]
    TooShort {
        /// Points in the record.
        found: usize,
    },
    /// Days not strictly increasing or counts decreasing.
    #[error(
        "record point {index} (day {day}, count {count}) does not follow the one before (days must increase, cumulative counts must not fall)"
    )]
    NotMonotone {
        /// 0-based index of the offending point.
        index: usize,
        /// Its day.
        day: i64,
        /// Its count.
        count: u64,
    },
    /// The target day is not after the origin.
    #[error("the forecast day {target} is not after the record's last day {origin}")]
    TargetNotAhead {
        /// Requested day.
        target: i64,
        /// The record's last day.
        origin: i64,
    },
}

fn check(history: &[(i64, u64)], target: i64) -> Result<(), BaselineError> {
    if history.len() < 2 {
        return Err(BaselineError::TooShort { found: history.len() });
    }
    for (i, w) in history.windows(2).enumerate() {
        if w[1].0 <= w[0].0 || w[1].1 < w[0].1 {
            return Err(BaselineError::NotMonotone {
                index: i + 1,
                day: w[1].0,
                count: w[1].1,
            });
        }
    }
    let origin = history[history.len() - 1].0;
    if target <= origin {
        return Err(BaselineError::TargetNotAhead { target, origin });
    }
    Ok(())
}

/// The persistence forecast of the cumulative count at day `target`.
pub fn persistence(history: &[(i64, u64)], target: i64) -> Result<ShiftedPoisson, BaselineError> {
    check(history, target)?;
    let (d1, c1) = history[history.len() - 1];
    let (d0, c0) = history[history.len() - 2];
    let rate = (c1 - c0) as f64 / (d1 - d0) as f64;
    Ok(ShiftedPoisson {
        offset: c1,
        lambda: rate * (target - d1) as f64,
    })
}

/// `draws` bootstrap forecasts of the cumulative count at day `target`,
/// fixed by `seed` (see the module docs).
pub fn bootstrap(history: &[(i64, u64)], target: i64, draws: u32, seed: u64) -> Result<Vec<u64>, BaselineError> {
    check(history, target)?;
    let first = history[0].0;
    let (origin, base) = history[history.len() - 1];
    let total_days = u32::try_from(origin - first).unwrap_or(u32::MAX);
    // Cumulative day ends of each interval, and its daily rate.
    let ends: Vec<u32> = history[1..].iter().map(|p| (p.0 - first) as u32).collect();
    let rates: Vec<f64> = history
        .windows(2)
        .map(|w| (w[1].1 - w[0].1) as f64 / (w[1].0 - w[0].0) as f64)
        .collect();
    let h = target - origin;
    let mut out = Vec::with_capacity(draws as usize);
    for b in 0..draws {
        let mut rng = trial_rng(seed, u64::from(b));
        let mut lambda = 0.0;
        for _ in 0..h {
            let day = below(&mut rng, total_days);
            let j = ends.partition_point(|&e| e <= day);
            lambda += rates[j.min(rates.len() - 1)];
        }
        out.push(base + u64::from(Poisson::new(lambda).sample(&mut rng)));
    }
    Ok(out)
}

/// One count observation scored for the model and both baselines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// The model's sample.
    pub model: super::CountScores,
    /// Persistence.
    pub persistence: super::CountScores,
    /// The bootstrap of the history.
    pub bootstrap: super::CountScores,
}

impl Comparison {
    /// CRPS skill of the model against persistence, `1 − CRPS_model /
    /// CRPS_persistence` (for one observation; average the CRPS over
    /// observations before taking the skill of a set).
    pub fn skill_vs_persistence(&self) -> f64 {
        super::skill(self.model.crps, self.persistence.crps)
    }
    /// CRPS skill of the model against the bootstrap.
    pub fn skill_vs_bootstrap(&self) -> f64 {
        super::skill(self.model.crps, self.bootstrap.crps)
    }
}

/// Scores the model's sample of a cumulative count at day `target` beside
/// both baselines built from `history` (the record up to the forecast
/// origin), all against the observed `y`. The bootstrap takes `draws`
/// draws; the three PIT draws come from the streams `(seed, 2^63)`,
/// `(seed, 2^63 + 1)`, `(seed, 2^63 + 2)`, apart from the bootstrap's.
pub fn compare(
    model: &[u64],
    y: u64,
    history: &[(i64, u64)],
    target: i64,
    draws: u32,
    seed: u64,
) -> Result<Comparison, BaselineError> {
    let persistence = persistence(history, target)?;
    let boot = bootstrap(history, target, draws, seed)?;
    let pit = |k: u64| trial_rng(seed, (1 << 63) + k);
    Ok(Comparison {
        model: super::score_counts(model, y, &mut pit(0)),
        persistence: persistence.scores(y as i64, &mut pit(1)),
        bootstrap: super::score_counts(&boot, y, &mut pit(2)),
    })
}
