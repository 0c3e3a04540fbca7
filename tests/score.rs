//! Proper scores and baselines against closed forms and hand-worked values.
//!
//! Statistical checks use fixed seeds and a tolerance of z = 4 standard
//! errors (a false alarm about 6e-5 per check); KS checks use alpha = 0.001
//! (critical value 1.95/√n).

use brink::rng::{Poisson, trial_rng, uniform};
use brink::score::baseline::{self, BaselineError};
use brink::score::{self, CountPmf, ShiftedPoisson};

const Z: f64 = 4.0;

fn normal_sample(mu: f64, sigma: f64, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = trial_rng(seed, 0);
    (0..n)
        .map(|_| {
            // Box-Muller; 1 - u keeps the log finite.
            let u1 = 1.0 - uniform(&mut rng);
            let u2 = uniform(&mut rng);
            mu + sigma * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        })
        .collect()
}

/// Standard error of the sample CRPS from its first-order influence
/// function `ψ(x) = |x − y| − E|x − X'|` (a V-statistic's Hájek projection):
/// `SE = sd(ψ(X)) / √n`, `ψ` evaluated with the true `E|x − X'|`.
fn influence_se(sample: &[f64], y: f64, e_abs: impl Fn(f64) -> f64) -> f64 {
    let psi: Vec<f64> = sample.iter().map(|&x| (x - y).abs() - e_abs(x)).collect();
    let n = psi.len() as f64;
    let m = psi.iter().sum::<f64>() / n;
    let var = psi.iter().map(|p| (p - m) * (p - m)).sum::<f64>() / (n - 1.0);
    (var / n).sqrt()
}

#[test]
fn sample_crps_of_a_large_normal_sample_matches_the_analytic_crps() {
    let (mu, sigma) = (3.0, 2.0);
    let sample = normal_sample(mu, sigma, 40_000, 11);
    // E|x − X'| for X' ~ N(μ, σ²) is CRPS(N, x) + σ/√π.
    let e_abs = |x: f64| score::crps_normal(mu, sigma, x) + sigma / std::f64::consts::PI.sqrt();
    for y in [mu, mu + sigma, mu - 2.5 * sigma, mu + 4.0 * sigma] {
        let est = score::crps_sample(&sample, y);
        let exact = score::crps_normal(mu, sigma, y);
        let se = influence_se(&sample, y, e_abs);
        assert!(
            (est - exact).abs() < Z * se,
            "y = {y}: sample CRPS {est}, analytic {exact}, {Z} SE = {}",
            Z * se
        );
    }
}

#[test]
fn analytic_normal_crps_at_the_mean_is_sigma_times_a_constant() {
    // z = 0: σ (2φ(0) − 1/√π) = σ (√2 − 1)/√π.
    let want = 2.0 * (std::f64::consts::SQRT_2 - 1.0) / std::f64::consts::PI.sqrt();
    assert!((score::crps_normal(0.0, 2.0, 0.0) - want).abs() < 1e-6);
}

#[test]
fn sorted_crps_equals_the_double_sum_definition() {
    let mut rng = trial_rng(5, 1);
    let mut s: Vec<f64> = (0..57).map(|_| (uniform(&mut rng) * 20.0).floor()).collect();
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    for y in [-3.0, 0.0, 7.5, 12.0, 40.0] {
        let abs: f64 = s.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
        let pair: f64 = s.iter().flat_map(|a| s.iter().map(move |b| (a - b).abs())).sum::<f64>();
        let plain = abs - pair / (2.0 * n * n);
        let fair = abs - pair / (2.0 * n * (n - 1.0));
        assert!((score::crps_sorted(&s, y) - plain).abs() < 1e-9);
        assert!((score::crps_sorted_fair(&s, y) - fair).abs() < 1e-9);
        assert!((score::crps_sample(&s, y) - plain).abs() < 1e-9);
    }
    // Worked by hand: sample {1, 3}, y = 2: E|X − y| = 1, E|X − X'| = 1
    // (plain: pairs (1,3),(3,1) over n² = 4 give 4/4), CRPS = 1 − ½ = 0.5;
    // fair divides 4 by n(n − 1) = 2: 1 − 1 = 0.
    assert!((score::crps_sorted(&[1.0, 3.0], 2.0) - 0.5).abs() < 1e-12);
    assert!(score::crps_sorted_fair(&[1.0, 3.0], 2.0).abs() < 1e-12);
    assert!(score::crps_sorted(&[], 1.0).is_nan());
}

/// Modified Bessel function of the first kind, order 0 or 1, by its power
/// series (converges for every x; used here for x <= 60).
fn bessel_i(order: u32, x: f64) -> f64 {
    let h = x / 2.0;
    let mut term = if order == 0 { 1.0 } else { h };
    let mut sum = term;
    for k in 1..400 {
        let k = k as f64;
        term *= h * h / (k * (k + f64::from(order)));
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[test]
fn poisson_crps_sum_matches_the_closed_form_of_wei_and_held() {
    // Wei & Held (2014), as in scoringRules' crps_pois:
    // (y − λ)(2F(y) − 1) + 2λ f(y) − λ e^{−2λ} (I0(2λ) + I1(2λ)).
    for lambda in [0.3, 1.0, 4.5, 12.0, 25.0] {
        for y in [0u64, 1, 3, 10, 30, 60] {
            let p = ShiftedPoisson { offset: 0, lambda };
            let f_y = p.cdf(y as i64) - p.cdf(y as i64 - 1);
            let closed = (y as f64 - lambda) * (2.0 * p.cdf(y as i64) - 1.0) + 2.0 * lambda * f_y
                - lambda * (-2.0 * lambda).exp() * (bessel_i(0, 2.0 * lambda) + bessel_i(1, 2.0 * lambda));
            let sum = score::crps_poisson(lambda, y);
            assert!(
                (sum - closed).abs() < 1e-8 * (1.0 + closed),
                "λ {lambda} y {y}: {sum} vs {closed}"
            );
        }
    }
    // λ = 0 is a point mass at 0: CRPS = |y|.
    assert_eq!(score::crps_poisson(0.0, 4), 4.0);
}

#[test]
fn sample_crps_of_a_poisson_sample_matches_the_exact_sum() {
    let lambda = 6.5;
    let sampler = Poisson::new(lambda);
    let mut rng = trial_rng(17, 0);
    let sample: Vec<u64> = (0..30_000).map(|_| u64::from(sampler.sample(&mut rng))).collect();
    let as_f: Vec<f64> = sample.iter().map(|&x| x as f64).collect();
    let law = ShiftedPoisson { offset: 0, lambda };
    // E|x − X'| = Σ_k |x − k| f(k).
    let pmf: Vec<f64> = (0..80).map(|k| law.cdf(k) - law.cdf(k - 1)).collect();
    let e_abs = |x: f64| {
        pmf.iter()
            .enumerate()
            .map(|(k, f)| (x - k as f64).abs() * f)
            .sum::<f64>()
    };
    for y in [0u64, 4, 6, 9, 15] {
        let est = score::crps_counts(&sample, y);
        let exact = score::crps_poisson(lambda, y);
        let se = influence_se(&as_f, y as f64, e_abs);
        assert!((est - exact).abs() < Z * se, "y {y}: {est} vs {exact} ± {}", Z * se);
    }
}

#[test]
fn shifted_poisson_below_its_offset_pays_the_gap() {
    let p = ShiftedPoisson {
        offset: 10,
        lambda: 2.0,
    };
    // y = 7: three counts (7, 8, 9) with F = 0 and indicator 1, then the
    // law's own CRPS at 0.
    let want = 3.0 + score::crps_poisson(2.0, 0);
    assert!((p.crps(7) - want).abs() < 1e-12);
    assert!((p.crps(13) - score::crps_poisson(2.0, 3)).abs() < 1e-12);
    assert_eq!(p.log_score(7), f64::INFINITY);
    // −ln(e^{−2} 2³/3!) at y = 13.
    let want = 2.0 - 3.0 * 2f64.ln() + 6f64.ln();
    assert!((p.log_score(13) - want).abs() < 1e-9);
    // P(N > 0) = 1 − e^{−2} after the offset; P(offset + N > 12) = 1 − F(2).
    let q = ShiftedPoisson { offset: 0, lambda: 2.0 };
    assert!((q.prob_exceeds(0) - (1.0 - (-2f64).exp())).abs() < 1e-12);
    let f2 = (-2f64).exp() * (1.0 + 2.0 + 2.0);
    assert!((p.prob_exceeds(12) - (1.0 - f2)).abs() < 1e-12);
}

#[test]
fn brier_scores_worked_by_hand() {
    assert!((score::brier(0.7, true) - 0.09).abs() < 1e-12);
    assert!((score::brier(0.7, false) - 0.49).abs() < 1e-12);
    assert_eq!(score::brier(1.0, true), 0.0);
    // Two of five trials had the event: p = 0.4; it happened: 0.6² = 0.36.
    let s = [true, false, true, false, false];
    assert!((score::brier_sample(&s, true) - 0.36).abs() < 1e-12);
    assert!((score::brier_sample(&s, false) - 0.16).abs() < 1e-12);
    assert!(score::brier_sample(&[], true).is_nan());
}

#[test]
fn randomized_pit_worked_by_hand() {
    let sorted = [0u64, 1, 1, 2, 5];
    // y = 1: F(0) = 1/5, F(1) = 3/5, so u = 0.2 + 0.4 v with v the rng's
    // next uniform.
    let mut rng = trial_rng(3, 9);
    let v = uniform(&mut rng.clone());
    let u = score::pit_counts(&sorted, 1, &mut rng);
    assert!((u - (0.2 + 0.4 * v)).abs() < 1e-12, "{u} vs v {v}");
    // y = 3 is not in the sample: F(2) = F(3) = 4/5, so u = 0.8 for any v.
    assert!((score::pit_counts(&sorted, 3, &mut rng) - 0.8).abs() < 1e-12);
    // y = 9 above everything: 1; y = 0: F(−1) = 0, F(0) = 0.2.
    assert_eq!(score::pit_counts(&sorted, 9, &mut rng), 1.0);
    let v = uniform(&mut rng.clone());
    assert!((score::pit_counts(&sorted, 0, &mut rng) - 0.2 * v).abs() < 1e-12);
    // Poisson: F(y − 1) + v f(y) at y = 0 is v e^{−λ}.
    let p = ShiftedPoisson { offset: 0, lambda: 1.0 };
    let v = uniform(&mut rng.clone());
    assert!((p.pit(0, &mut rng) - v * (-1f64).exp()).abs() < 1e-12);
}

/// Kolmogorov-Smirnov distance of `u` from U(0, 1).
fn ks_uniform(mut u: Vec<f64>) -> f64 {
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    u.iter()
        .enumerate()
        .map(|(i, &x)| ((i as f64 + 1.0) / n - x).max(x - i as f64 / n))
        .fold(0.0, f64::max)
}

#[test]
fn randomized_pit_of_a_calibrated_count_forecast_is_uniform() {
    // Observations drawn from the forecast law itself, λ = 2.5: a
    // non-randomized PIT would be lumpy; the randomized one is U(0, 1).
    let law = ShiftedPoisson { offset: 0, lambda: 2.5 };
    let sampler = Poisson::new(2.5);
    let mut obs_rng = trial_rng(21, 0);
    let mut pit_rng = trial_rng(21, 1);
    let n = 4000;
    let u: Vec<f64> = (0..n)
        .map(|_| law.pit(i64::from(sampler.sample(&mut obs_rng)), &mut pit_rng))
        .collect();
    let d = ks_uniform(u);
    assert!(d < 1.95 / (n as f64).sqrt(), "KS distance {d}");
}

#[test]
fn interval_coverage_worked_by_hand() {
    let s: Vec<f64> = (1..=10).map(f64::from).collect();
    // Type 7: Q(p) = x_(1 + 9p): Q(.25) = 3.25, Q(.75) = 7.75, Q(.05) = 1.45,
    // Q(.95) = 9.55.
    assert!((score::quantile_sorted(&s, 0.25) - 3.25).abs() < 1e-12);
    assert!((score::quantile_sorted(&s, 0.95) - 9.55).abs() < 1e-12);
    let c = |y| score::coverage_sorted(&s, y);
    assert_eq!((c(3.0).in50, c(3.0).in90), (false, true));
    assert_eq!((c(5.0).in50, c(5.0).in90), (true, true));
    assert_eq!((c(1.45).in50, c(1.45).in90), (false, true));
    assert_eq!((c(10.0).in50, c(10.0).in90), (false, false));
    // Poisson(4): quantiles are min{k : F(k) ≥ p}: F(2) = 0.238, F(3) =
    // 0.433, F(5) = 0.785, F(7) = 0.949, F(8) = 0.979, F(0) = 0.018,
    // F(1) = 0.092: 50 % interval [3, 5], 90 % interval [1, 8].
    let p = ShiftedPoisson {
        offset: 100,
        lambda: 4.0,
    };
    assert_eq!((p.quantile(0.25), p.quantile(0.75)), (103, 105));
    assert_eq!((p.quantile(0.05), p.quantile(0.95)), (101, 108));
    assert_eq!((p.coverage(102).in50, p.coverage(102).in90), (false, true));
    assert_eq!((p.coverage(109).in50, p.coverage(109).in90), (false, false));
}

#[test]
fn smoothed_log_score_worked_by_hand_and_its_pmf_sums_to_one() {
    let s = [2u64, 2, 3];
    // Mean 7/3, geometric mean m = 7/3 + 1/2 = 17/6, θ = m/(1 + m) = 17/23;
    // p(2) = (2 + (6/23)(17/23)²) / (3 + 1).
    let theta: f64 = 17.0 / 23.0;
    let want = (2.0 + (1.0 - theta) * theta * theta) / 4.0;
    let pmf = CountPmf::new(&s);
    assert!((pmf.pmf(2) - want).abs() < 1e-12);
    assert!((score::log_score_counts(&s, 2) + want.ln()).abs() < 1e-12);
    // An unseen count keeps a positive probability: p(7) = q(7)/4.
    assert!((pmf.pmf(7) - (1.0 - theta) * theta.powi(7) / 4.0).abs() < 1e-15);
    let total: f64 = (0..2000).map(|k| pmf.pmf(k)).sum();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
}

#[test]
fn smoothed_log_score_is_lowest_in_expectation_for_the_true_law() {
    // Properness, checked on one case: observations from Poisson(3); the
    // smoothed pmf of a Poisson(3) sample scores better on average than that
    // of a Poisson(5) sample. Exact expectation over y by pmf sums.
    let draw = |lambda: f64, seed| {
        let p = Poisson::new(lambda);
        let mut rng = trial_rng(seed, 0);
        let mut v: Vec<u64> = (0..2000).map(|_| u64::from(p.sample(&mut rng))).collect();
        v.sort_unstable();
        v
    };
    let truth = ShiftedPoisson { offset: 0, lambda: 3.0 };
    let expected = |sample: &[u64]| {
        let pmf = CountPmf::new(sample);
        (0..60)
            .map(|y| (truth.cdf(y) - truth.cdf(y - 1)) * pmf.log_score(y as u64))
            .sum::<f64>()
    };
    assert!(expected(&draw(3.0, 1)) < expected(&draw(5.0, 2)));
}

#[test]
fn score_counts_bundles_every_score() {
    let sample = [4u64, 1, 3, 2, 5, 3];
    let mut rng = trial_rng(1, 1);
    let s = score::score_counts(&sample, 3, &mut rng);
    let mut sorted = sample;
    sorted.sort_unstable();
    let f: Vec<f64> = sorted.iter().map(|&x| x as f64).collect();
    assert!((s.crps - score::crps_sorted(&f, 3.0)).abs() < 1e-12);
    assert!((s.log_score - score::log_score_counts(&sorted, 3)).abs() < 1e-12);
    assert!(s.in50 && s.in90);
    assert!((2.0 / 6.0..=4.0 / 6.0).contains(&s.pit));
}

#[test]
fn skill_against_a_baseline() {
    assert_eq!(score::skill(1.0, 2.0), 0.5);
    assert_eq!(score::skill(3.0, 2.0), -0.5);
    assert!(score::skill(1.0, 0.0).is_nan());
}

#[test]
fn persistence_continues_the_last_rate_as_a_poisson_process() {
    // Last interval: 10 events in 10 days, rate 1 a day; 5 days ahead.
    let h = [(0, 0), (10, 20), (20, 30)];
    let p = baseline::persistence(&h, 25).unwrap();
    assert_eq!(
        p,
        ShiftedPoisson {
            offset: 30,
            lambda: 5.0
        }
    );
    assert!((p.crps(33) - score::crps_poisson(5.0, 3)).abs() < 1e-12);
}

#[test]
fn bootstrap_is_fixed_by_its_seed_and_centred_on_the_history_rate() {
    // History: 30 events in 20 days (rates 2 then 1 a day); 5 days ahead the
    // expected count is 30 + 5 × 1.5 = 37.5.
    let h = [(0, 0), (10, 20), (20, 30)];
    let a = baseline::bootstrap(&h, 25, 4000, 9).unwrap();
    assert_eq!(a, baseline::bootstrap(&h, 25, 4000, 9).unwrap());
    assert_ne!(a, baseline::bootstrap(&h, 25, 4000, 10).unwrap());
    assert!(a.iter().all(|&x| x >= 30));
    let n = a.len() as f64;
    let mean = a.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = a.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!((mean - 37.5).abs() < Z * (var / n).sqrt(), "mean {mean}");
    // A history with a quiet spell: rates 0 half the days, so some draws
    // add far fewer events than others (spread above Poisson's).
    assert!(var > 7.5, "variance {var} should exceed the Poisson variance 7.5");
}

#[test]
fn baselines_refuse_records_that_define_no_rate() {
    assert_eq!(
        baseline::persistence(&[(0, 3)], 5),
        Err(BaselineError::TooShort { found: 1 })
    );
    assert_eq!(
        baseline::persistence(&[(0, 3), (4, 2)], 5),
        Err(BaselineError::NotMonotone {
            index: 1,
            day: 4,
            count: 2
        })
    );
    assert_eq!(
        baseline::bootstrap(&[(0, 3), (4, 5)], 4, 10, 1),
        Err(BaselineError::TargetNotAhead { target: 4, origin: 4 })
    );
    assert!(baseline::persistence(&[(0, 3), (0, 5)], 9).is_err(), "repeated day");
}

#[test]
fn compare_scores_the_model_beside_both_baselines() {
    let h = [(0, 0), (10, 20), (20, 30)];
    // A model sample centred on the truth beats persistence here.
    let model: Vec<u64> = (0..1000).map(|i| 34 + (i % 5)).collect();
    let c = baseline::compare(&model, 36, &h, 25, 2000, 3).unwrap();
    let p = baseline::persistence(&h, 25).unwrap();
    assert!((c.persistence.crps - p.crps(36)).abs() < 1e-12);
    let boot = baseline::bootstrap(&h, 25, 2000, 3).unwrap();
    assert!((c.bootstrap.crps - score::crps_counts(&boot, 36)).abs() < 1e-12);
    assert!((c.model.crps - score::crps_counts(&model, 36)).abs() < 1e-12);
    assert!((c.skill_vs_persistence() - (1.0 - c.model.crps / c.persistence.crps)).abs() < 1e-12);
    assert!(c.skill_vs_persistence() > 0.0 && c.skill_vs_bootstrap() > 0.0);
    assert_eq!(c, baseline::compare(&model, 36, &h, 25, 2000, 3).unwrap());
}

// --- end to end: `brink score` (branch `windows`) ---------------------------

mod end_to_end {
    use brink::job::Quiet;
    use brink::job::run::RunSpec;
    use brink::job::score::{ScoreReport, ScoreSpec};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::AtomicBool;

    /// b attacks a at Poisson rate 0.5 per step and nothing else happens,
    /// so the count through step t is Poisson(0.5 (t + 1)).
    const POISSON: &str = r#"
[scenario]
name = "poisson"
start_date = 2024-01-01
horizon = 40
trials = 4000
seed = 7
[ladder.none]
severity = 0
[ladder.shot]
severity = 1
[actors.a]
[actors.b]
[dyads.b_a]
from = "b"
to = "a"
initiative = { rate = 0.5, levels = { shot = 1.0 } }
"#;

    /// Observations: 5 attacks through step 9, 10 through step 19 (the
    /// median of Poisson(10)), 15 through step 29; an event on day 0.
    const RECORD: &str = r#"
[quantities.attacks]
metric = "events"
dyads = ["b_a"]
observations = [
  { step = 9, value = 5 },
  { date = 2024-01-20, value = 10 },
  { step = 29, value = 15 },
]
[quantities.first]
metric = "first_event"
dyads = ["b_a"]
observations = [{ step = 0, value = true }]
"#;

    fn run(dir: &Path, extra: &str) -> PathBuf {
        let scen = dir.join("poisson.toml");
        std::fs::write(&scen, format!("{POISSON}{extra}")).unwrap();
        let out = dir.join("run");
        let job = RunSpec {
            scenario: Some(scen.display().to_string()),
            threads: Some(2),
            out: Some(out.clone()),
            ..RunSpec::default()
        }
        .validate()
        .unwrap();
        job.write_files(serde_json::json!(["test"]), &AtomicBool::new(false), &mut Quiet)
            .unwrap();
        std::fs::write(dir.join("record.toml"), RECORD).unwrap();
        out
    }

    #[allow(clippy::result_large_err)] // the job layer's error type, as the CLI gets it
    fn score(dir: &Path, run: &Path) -> Result<ScoreReport, brink::job::JobError> {
        ScoreSpec {
            run: run.to_path_buf(),
            observed: dir.join("record.toml"),
            threads: Some(2),
            out: None,
        }
        .validate()?
        .write(&AtomicBool::new(false), &mut Quiet)
    }

    /// The sample CRPS of 4,000 Poisson(10) draws at y = 10 against the
    /// exact Poisson CRPS: its standard error is about sd|X − y|/sqrt(n)
    /// (the spread term's error is smaller), estimated from the sample;
    /// z = 4. The median is inside the central 50 % interval. The Brier
    /// score of "an event on day 0" is (1 − p̂)² exactly, p̂ the share of
    /// trials with one, and p̂ is within z = 4 standard errors of
    /// 1 − e^(−0.5). Persistence at step 29 continues the rate between
    /// steps 9 and 19, (10 − 5)/10 = 0.5, so its mean is 10 + 0.5 × 10 = 15.
    #[test]
    fn a_poisson_scenario_scores_as_worked_by_hand() {
        let tmp = tempfile::tempdir().unwrap();
        let run = run(tmp.path(), "");
        let r = score(tmp.path(), &run).unwrap();
        assert!(r.resimulated, "no declared column: the run is simulated again");
        assert_eq!(r.rows.len(), 4);
        let median = &r.rows[1];
        assert_eq!((median.step, median.observed.as_str()), (19, "10"));
        let m = median.scores[0];
        let exact = brink::score::crps_poisson(10.0, 10);
        // sd of |X − 10| for X ~ Poisson(10) is about 1.9.
        let se = 1.9 / (4000f64).sqrt();
        assert!((m.crps - exact).abs() < 4.0 * se, "crps {} vs exact {exact}", m.crps);
        assert_eq!(m.in50, 1.0);
        assert_eq!(m.in90, 1.0);
        assert!((m.mean - 10.0).abs() < 4.0 * (10.0f64 / 4000.0).sqrt(), "{}", m.mean);
        assert!(m.pit > 0.0 && m.pit < 1.0);
        // No history before the first observation: no baseline.
        assert!(r.rows[0].scores[1].crps.is_nan());
        // Persistence and its exact CRPS at step 29.
        let last = &r.rows[2];
        assert_eq!(last.scores[1].mean, 15.0);
        assert_eq!(last.scores[1].crps, brink::score::crps_poisson(5.0, 5));
        // Brier by hand.
        let first = &r.rows[3];
        let p = first.scores[0].mean;
        assert_eq!(first.scores[0].brier, (1.0 - p) * (1.0 - p));
        let p0 = 1.0 - (-0.5f64).exp();
        assert!((p - p0).abs() < 4.0 * (p0 * (1.0 - p0) / 4000.0).sqrt(), "{p} vs {p0}");
        // Only step 29 has two earlier points for a baseline.
        assert_eq!(r.skill[0].n, 1);
        let skill = 1.0 - last.scores[0].crps / last.scores[1].crps;
        assert_eq!(r.skill[0].skill, skill);
        // score.csv: a header, one row per scored forecaster, two skill rows.
        let text = std::fs::read_to_string(run.join("score.csv")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], brink::job::score::COLUMNS.join(","));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("attacks,events,19,2024-01-20,10,model,"))
        );
        assert!(lines.last().unwrap().starts_with("*,,,,"));
    }

    /// Declaring the observed windows as [metrics] makes `score` read them
    /// from trials.csv instead: the same trials, so the same scores.
    #[test]
    fn declared_columns_give_the_scores_of_a_re_simulation() {
        let tmp = tempfile::tempdir().unwrap();
        let a = score(tmp.path(), &run(tmp.path(), "")).unwrap();
        let tmp2 = tempfile::tempdir().unwrap();
        let declared = "[metrics.w9]\nmetric = \"events\"\ndyads = [\"b_a\"]\nwindow = [0, 9]\n[metrics.w19]\nmetric = \"events\"\ndyads = [\"b_a\"]\nwindow = [0, 19]\n[metrics.w29]\nmetric = \"events\"\ndyads = [\"b_a\"]\nwindow = [0, 29]\n[metrics.day0]\nmetric = \"first_event\"\ndyads = [\"b_a\"]\nwindow = [0, 0]\n";
        let b = score(tmp2.path(), &run(tmp2.path(), declared)).unwrap();
        assert!(!b.resimulated);
        let bits = |r: &brink::job::score::Row| {
            r.scores
                .iter()
                .flat_map(|s| [s.mean, s.crps, s.log_score, s.pit, s.in50, s.in90, s.brier])
                .map(f64::to_bits)
                .collect::<Vec<_>>()
        };
        for (x, y) in a.rows.iter().zip(&b.rows) {
            assert_eq!(bits(x), bits(y), "{}", x.quantity);
        }
    }

    #[test]
    fn bad_input_gets_a_clear_error_and_no_score_file() {
        let tmp = tempfile::tempdir().unwrap();
        let run = run(tmp.path(), "");
        // Unknown dyad: file:line:col.
        std::fs::write(
            tmp.path().join("record.toml"),
            "[quantities.x]\nmetric = \"events\"\ndyads = [\"a_b\"]\nobservations = [{ step = 1, value = 0 }]\n",
        )
        .unwrap();
        let e = score(tmp.path(), &run).err().unwrap();
        assert!(e.to_string().contains("record.toml:3:10: unknown dyad `a_b`"), "{e}");
        assert_eq!(e.exit_code(), 2);
        // A date past the horizon.
        std::fs::write(
            tmp.path().join("record.toml"),
            "[quantities.x]\nmetric = \"events\"\ndyads = [\"b_a\"]\nobservations = [{ date = 2024-03-01, value = 0 }]\n",
        )
        .unwrap();
        let e = score(tmp.path(), &run).err().unwrap();
        assert!(e.to_string().contains("past the scenario's horizon"), "{e}");
        assert!(!run.join("score.csv").exists());
        // No run.json.
        let e = score(tmp.path(), tmp.path()).err().unwrap();
        assert!(e.to_string().contains("not a run directory"), "{e}");
        // The scenario changed since the run.
        std::fs::write(tmp.path().join("record.toml"), RECORD).unwrap();
        std::fs::write(tmp.path().join("poisson.toml"), POISSON.replace("0.5", "0.6")).unwrap();
        let e = score(tmp.path(), &run).err().unwrap();
        assert!(e.to_string().contains("the scenario changed since the run"), "{e}");
        assert!(!run.join("score.csv").exists());
    }
}
