//! ABC-SMC against an exact posterior, and its promises: the same result
//! for any thread count, a resumed run identical to an uninterrupted one,
//! clear refusals of bad settings and foreign checkpoints, and outputs that
//! read back.
//!
//! Statistical checks: z = 4 standard errors (false alarm about 6e-5 per
//! check), fixed seeds.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use brink::calibrate::output::{CalibrationRecord, PosteriorError, read_posterior, write_posterior};
use brink::calibrate::{self, CalibrateError, Checkpoint, ParamPrior, Settings, StopReason, Uniform};
use brink::rng::{Poisson, TrialRng, trial_rng, uniform};

const Z: f64 = 4.0;

/// Gamma(shape, rate) by Marsaglia & Tsang (2000), shape >= 1: a prior the
/// library does not ship, plugged in through the trait.
struct Gamma {
    shape: f64,
    rate: f64,
}

impl ParamPrior for Gamma {
    fn sample(&self, rng: &mut TrialRng) -> f64 {
        let d = self.shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let u1 = 1.0 - uniform(rng);
            let u2 = uniform(rng);
            let x = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = 1.0 - uniform(rng);
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v / self.rate;
            }
        }
    }
    fn ln_density(&self, x: f64) -> f64 {
        if x > 0.0 {
            (self.shape - 1.0) * x.ln() - self.rate * x
        } else {
            f64::NEG_INFINITY
        }
    }
}

/// Observed: five periods' counts 3, 5, 4, 6, 2 (sum 20) of a Poisson rate
/// λ. The summary is the sum, which is sufficient for λ.
const COUNTS: [u64; 5] = [3, 5, 4, 6, 2];

fn poisson_sum(theta: &[f64], seed: u64) -> Vec<f64> {
    let p = Poisson::new(theta[0]);
    let mut rng = trial_rng(seed, 0);
    vec![(0..COUNTS.len()).map(|_| f64::from(p.sample(&mut rng))).sum()]
}

fn observed() -> Vec<f64> {
    vec![COUNTS.iter().sum::<u64>() as f64]
}

fn oracle_settings(population: usize, replicates: u32) -> Settings {
    Settings {
        population,
        replicates,
        batch: 512,
        seed: 2024,
        min_tolerance: 0.0,
        min_acceptance: 0.001,
        max_simulations: 5_000_000,
        max_generations: 30,
        ..Settings::default()
    }
}

/// Gamma(a, b) prior and Poisson counts: the posterior is
/// Gamma(a + Σy, b + m). The summary is a whole number, so once the
/// tolerance reaches 0 ABC accepts exact matches of the sufficient
/// statistic and its target *is* the posterior: the only error allowed is
/// Monte Carlo, z = 4 standard errors at the weights' effective sample size
/// (Kish's ESS standing in for n): the mean within z·σ/√ESS, the variance
/// within z·σ²·√((2 + 6/k)/ESS), k the posterior shape (Var(s²) ≈
/// (μ4 − σ⁴)/n and a Gamma's excess kurtosis is 6/k).
fn check_conjugate(replicates: u32) {
    let (a, b) = (2.0, 1.0);
    let prior = [Gamma { shape: a, rate: b }];
    let settings = oracle_settings(2000, replicates);
    let cal = calibrate::run(&poisson_sum, &prior, &observed(), &settings, None, |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(cal.stop, StopReason::Tolerance, "{:?}", cal.records);
    assert_eq!(cal.records.last().unwrap().tolerance, Some(0.0));
    let k = a + 20.0;
    let rate = b + COUNTS.len() as f64;
    let (mean, var) = (k / rate, k / (rate * rate));
    let pop = &cal.population;
    let ess = pop.ess();
    assert!(ess > 500.0, "ESS {ess}");
    let m = pop.mean(0);
    let v = pop.covariance()[0];
    let se_mean = var.sqrt() / ess.sqrt();
    let se_var = var * ((2.0 + 6.0 / k) / ess).sqrt();
    eprintln!(
        "R={replicates}: mean {m:.4} (exact {mean:.4} ± {:.4}), var {v:.4} (exact {var:.4} ± {:.4}), ESS {ess:.0}, {} generations, {} simulations",
        Z * se_mean,
        Z * se_var,
        cal.records.len(),
        cal.simulations
    );
    assert!(
        (m - mean).abs() < Z * se_mean,
        "R={replicates}: mean {m} vs {mean} ± {}",
        Z * se_mean
    );
    assert!(
        (v - var).abs() < Z * se_var,
        "R={replicates}: var {v} vs {var} ± {}",
        Z * se_var
    );
    // The schedule never rises and the weights are normalised.
    let eps: Vec<f64> = cal.records.iter().filter_map(|r| r.tolerance).collect();
    assert!(eps.windows(2).all(|w| w[1] <= w[0]), "{eps:?}");
    assert!((pop.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn recovers_the_gamma_posterior_of_a_poisson_rate() {
    check_conjugate(1);
}

#[test]
fn replicates_weigh_by_the_share_within_tolerance_without_moving_the_target() {
    check_conjugate(3);
}

/// Two parameters, two summaries on different scales: a quick problem for
/// the determinism and resume tests.
fn two_param(theta: &[f64], seed: u64) -> Vec<f64> {
    let mut rng = trial_rng(seed, 0);
    let a = theta[0] + 0.5 * (uniform(&mut rng) - 0.5);
    let b = 100.0 * theta[1] + 20.0 * (uniform(&mut rng) - 0.5);
    vec![a, b]
}

fn quick_settings() -> Settings {
    Settings {
        population: 300,
        replicates: 2,
        batch: 64,
        seed: 77,
        max_generations: 5,
        max_simulations: 1_000_000,
        ..Settings::default()
    }
}

fn uniform_prior() -> [Uniform; 2] {
    [Uniform { lo: 0.0, hi: 4.0 }, Uniform { lo: -1.0, hi: 1.0 }]
}

fn quick_run(resume: Option<Checkpoint>, stop_after: Option<u32>) -> (calibrate::Calibration, Vec<String>) {
    let mut saved = Vec::new();
    let cal = calibrate::run(
        &two_param,
        &uniform_prior(),
        &[1.5, 20.0],
        &quick_settings(),
        resume,
        |c| {
            saved.push(c.to_json());
            if Some(c.generation) == stop_after {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )
    .unwrap();
    (cal, saved)
}

#[test]
fn the_same_seed_gives_the_same_posterior_whatever_the_thread_count() {
    let run_on = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| quick_run(None, None).0)
    };
    let one = run_on(1);
    let four = run_on(4);
    assert_eq!(one.stop, StopReason::Generations);
    assert_eq!(one.records.len(), 5);
    assert_eq!(one, four, "bit-identical populations, records and scales");
}

#[test]
fn a_resumed_calibration_continues_exactly_as_an_uninterrupted_one() {
    let (whole, _) = quick_run(None, None);
    let (cut, saved) = quick_run(None, Some(2));
    assert_eq!(cut.stop, StopReason::Interrupted);
    assert_eq!(cut.records.len(), 3);
    let checkpoint = Checkpoint::from_json(saved.last().unwrap()).unwrap();
    assert_eq!(checkpoint.generation, 2);
    let (resumed, _) = quick_run(Some(checkpoint), None);
    assert_eq!(resumed, whole);
}

#[test]
fn resuming_with_other_settings_or_data_is_refused() {
    let (_, saved) = quick_run(None, Some(1));
    let checkpoint = Checkpoint::from_json(&saved[1]).unwrap();
    let other = Settings {
        seed: 78,
        ..quick_settings()
    };
    let err = calibrate::run(
        &two_param,
        &uniform_prior(),
        &[1.5, 20.0],
        &other,
        Some(checkpoint.clone()),
        |_| ControlFlow::Continue(()),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot resume: the checkpoint has seed = 77, this calibration has 78"
    );
    let err = calibrate::run(
        &two_param,
        &uniform_prior(),
        &[1.5, 21.0],
        &quick_settings(),
        Some(checkpoint.clone()),
        |_| ControlFlow::Continue(()),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            CalibrateError::ResumeMismatch {
                field: "observed summaries",
                ..
            }
        ),
        "{err}"
    );
    // Stopping rules may change: a longer budget resumes.
    let more = Settings {
        max_generations: 6,
        ..quick_settings()
    };
    let cal = calibrate::run(
        &two_param,
        &uniform_prior(),
        &[1.5, 20.0],
        &more,
        Some(checkpoint),
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert_eq!(cal.records.len(), 6);
    assert!(matches!(
        Checkpoint::from_json("{\"format\": 1}"),
        Err(CalibrateError::BadCheckpoint(_))
    ));
}

#[test]
fn the_simulation_budget_stops_before_an_unfinished_generation() {
    let settings = Settings {
        max_simulations: 1500,
        max_generations: 50,
        ..quick_settings()
    };
    let cal = calibrate::run(&two_param, &uniform_prior(), &[1.5, 20.0], &settings, None, |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(cal.stop, StopReason::Budget);
    assert!(cal.simulations <= 1500, "{}", cal.simulations);
    assert_eq!(cal.simulations, cal.records.iter().map(|r| r.simulations).sum::<u64>());
    assert_eq!(cal.population.len(), 300);
}

#[test]
fn the_acceptance_rule_stops_a_calibration_that_no_longer_moves() {
    let settings = Settings {
        min_acceptance: 0.9,
        ..quick_settings()
    };
    let cal = calibrate::run(&two_param, &uniform_prior(), &[1.5, 20.0], &settings, None, |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(cal.stop, StopReason::Acceptance);
    assert!(cal.records.last().unwrap().acceptance_rate < 0.9);
}

#[test]
fn bad_settings_and_simulators_get_clear_errors() {
    let run = |s: &Settings| {
        calibrate::run(&two_param, &uniform_prior(), &[1.5, 20.0], s, None, |_| {
            ControlFlow::Continue(())
        })
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        run(&Settings {
            quantile: 1.0,
            ..quick_settings()
        }),
        "calibration setting `quantile`: expected a number in (0, 1), found 1"
    );
    assert_eq!(
        run(&Settings {
            population: 1,
            ..quick_settings()
        }),
        "calibration setting `population`: expected at least 2, found 1"
    );
    let short = |_: &[f64], _: u64| vec![1.0];
    let err = calibrate::run(&short, &uniform_prior(), &[1.5, 20.0], &quick_settings(), None, |_| {
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the simulator returned 1 summaries, expected 2 (one per observed summary)"
    );
    let err = calibrate::run(
        &two_param,
        &uniform_prior(),
        &[f64::NAN, 20.0],
        &quick_settings(),
        None,
        |_| ControlFlow::Continue(()),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "observed summary 0 is NaN, expected a finite number");
    struct Liar;
    impl ParamPrior for Liar {
        fn sample(&self, _: &mut TrialRng) -> f64 {
            -1.0
        }
        fn ln_density(&self, x: f64) -> f64 {
            if x > 0.0 { 0.0 } else { f64::NEG_INFINITY }
        }
    }
    let err = calibrate::run(&two_param, &[Liar, Liar], &[1.5, 20.0], &quick_settings(), None, |_| {
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter 0's prior drew -1, where its own density is 0"
    );
}

#[test]
fn posterior_csv_round_trips_and_refuses_bad_files() {
    let (cal, _) = quick_run(None, None);
    let names = ["dyads.a_b.initiative.rate", "dyads.a_b.beta"];
    let mut buf = Vec::new();
    write_posterior(&mut buf, &names, &cal.population).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(text.starts_with("particle,weight,dyads.a_b.initiative.rate,dyads.a_b.beta\n0,"));
    let back = read_posterior(&text, "posterior.csv", &names, &uniform_prior()).unwrap();
    assert_eq!(back.particles, cal.population.particles);
    assert_eq!(back.weights.len(), 300);
    for (w, v) in back.weights.iter().zip(&cal.population.weights) {
        assert!((w - v).abs() < 1e-15);
    }

    let err = |t: &str| read_posterior(t, "p.csv", &names, &uniform_prior()).unwrap_err();
    assert!(matches!(err("particle,weight,x,y\n"), PosteriorError::Header { .. }));
    let h = "particle,weight,dyads.a_b.initiative.rate,dyads.a_b.beta\n";
    assert_eq!(
        err(&format!("{h}0,0.5,1.0,0.2\n1,abc,1.0,0.2\n")).to_string(),
        "p.csv:3:2: `weight`: expected a number, found `abc`"
    );
    assert_eq!(
        err(&format!("{h}0,0.5,9.0,0.2\n")).to_string(),
        "p.csv:2: particle outside the prior's support: `dyads.a_b.initiative.rate` = 9"
    );
    assert_eq!(
        err(&format!("{h}0,0,1.0,0.2\n1,0,2.0,0.1\n")).to_string(),
        "p.csv: the weights sum to 0, expected a positive number"
    );
    assert_eq!(
        err(&format!("{h}0,-1,1.0,0.2\n")).to_string(),
        "p.csv:2:2: `weight`: expected a finite weight >= 0, found `-1`"
    );
}

#[test]
fn calibration_json_records_the_schedule() {
    let (cal, _) = quick_run(None, None);
    let mut hashes = BTreeMap::new();
    hashes.insert("scenario".to_string(), "abc123".to_string());
    let rec = CalibrationRecord::new(&cal, &quick_settings(), &["x", "y"], &[1.5, 20.0], hashes);
    let json: serde_json::Value = serde_json::from_str(&rec.to_json()).unwrap();
    assert_eq!(json["settings"]["seed"], 77);
    assert_eq!(json["generations"].as_array().unwrap().len(), 5);
    assert!(json["generations"][0]["tolerance"].is_null());
    assert!(json["generations"][1]["tolerance"].as_f64().unwrap() > 0.0);
    assert!(json["generations"][4]["ess"].as_f64().unwrap() > 1.0);
    assert_eq!(json["stop"], "generations");
    assert_eq!(json["hashes"]["scenario"], "abc123");
}

/// The engine as the simulator: `tests/data/small.toml`'s `a → b` events
/// are a Poisson process of rate μ per step over 50 steps (no deterrence,
/// excitation or noise; the spiral outcome is switched off so every trial
/// runs its 50 steps), so with a Uniform(0, 2) prior and 23 observed
/// events the posterior is Gamma(24, 50) truncated at 2 (the cut loses
/// less than 1e-30 of its mass). Same tolerances as the conjugate oracle:
/// z = 4 standard errors at the ESS, no tolerance bias (exact matching).
#[test]
fn calibrates_a_scenario_rate_through_the_engine() {
    use brink::engine::MetricLayout;
    use brink::{runner, scenario};
    let text = std::fs::read_to_string("tests/data/small.toml").expect("small.toml");
    let sim = |theta: &[f64], seed: u64| {
        let sets = vec![
            format!("dyads.a_b.initiative.rate={}", theta[0]),
            "outcomes.spiral.threshold=1000000".to_string(),
        ];
        let loaded = scenario::parse(&text, "tests/data/small.toml", &sets, &scenario::BuiltinResolver)
            .expect("a rate inside the prior is valid");
        let layout = MetricLayout::new(&loaded.scenario);
        let (_, row) = runner::one(&loaded.scenario, &layout, seed, 0);
        vec![row[layout.index("events_a_b").expect("column")]]
    };
    let settings = Settings {
        population: 800,
        batch: 256,
        seed: 5,
        min_tolerance: 0.0,
        min_acceptance: 0.001,
        max_generations: 30,
        max_simulations: 2_000_000,
        ..Settings::default()
    };
    let prior = [Uniform { lo: 0.0, hi: 2.0 }];
    let cal = calibrate::run(&sim, &prior, &[23.0], &settings, None, |_| ControlFlow::Continue(())).unwrap();
    assert_eq!(cal.stop, StopReason::Tolerance);
    let (k, rate) = (24.0, 50.0);
    let (mean, var): (f64, f64) = (k / rate, k / (rate * rate));
    let pop = &cal.population;
    let ess = pop.ess();
    let (m, v) = (pop.mean(0), pop.covariance()[0]);
    let se_mean = var.sqrt() / ess.sqrt();
    let se_var = var * ((2.0 + 6.0 / k) / ess).sqrt();
    eprintln!(
        "engine: mean {m:.4} (exact {mean:.4} ± {:.4}), var {v:.5} (exact {var:.5} ± {:.5}), ESS {ess:.0}, {} simulations",
        Z * se_mean,
        Z * se_var,
        cal.simulations
    );
    assert!((m - mean).abs() < Z * se_mean, "mean {m} vs {mean}");
    assert!((v - var).abs() < Z * se_var, "var {v} vs {var}");
}

#[test]
fn a_kernel_that_never_lands_in_the_support_still_stops() {
    // A prior on two atoms: every perturbed proposal has zero density and
    // costs no simulation, so only the proposal count can end the
    // generation.
    struct Atoms;
    impl ParamPrior for Atoms {
        fn sample(&self, rng: &mut TrialRng) -> f64 {
            if uniform(rng) < 0.5 { 0.25 } else { 0.75 }
        }
        fn ln_density(&self, x: f64) -> f64 {
            if x == 0.25 || x == 0.75 { 0.0 } else { f64::NEG_INFINITY }
        }
    }
    let settings = Settings {
        max_simulations: 5000,
        ..quick_settings()
    };
    let cal = calibrate::run(&two_param, &[Atoms, Atoms], &[0.25, 50.0], &settings, None, |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(cal.stop, StopReason::Budget);
    assert_eq!(cal.records.len(), 1, "only generation 0 completed");
}
