//! Engine benchmarks: the flagship's cost per trial, trials per second on
//! 1 and 2 threads, and the cost of only the random words a flagship trial
//! consumes (its RNG-bound limit). `BENCHMARKS.md` reports the figures.
//!
//!     cargo bench --bench engine

use brink::engine::{MetricLayout, NoObserver, TrialState, run_trial};
use brink::rng::trial_rng;
use brink::runner::{self, Plan, RunError};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand::RngCore;
use std::hint::black_box;
use std::sync::atomic::AtomicBool;

const BATCH: u64 = 2000;
const SEED: u64 = 20240124;

fn flagship() -> brink::model::Scenario {
    brink::scenario::parse_builtin("us_iraq_2024", &[])
        .expect("flagship loads")
        .scenario
}

/// Words (u32) of the ChaCha stream each of trials 0..n consumes.
fn words_per_trial(s: &brink::model::Scenario, n: u64) -> Vec<u128> {
    let layout = MetricLayout::new(s);
    let mut st = TrialState::new(s);
    let mut row = vec![0.0; layout.len()];
    (0..n)
        .map(|i| {
            let mut rng = trial_rng(SEED, i);
            run_trial(s, &layout, &mut st, &mut rng, &mut row, &mut NoObserver);
            rng.get_word_pos()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let s = flagship();
    let layout = MetricLayout::new(&s);

    let mut g = c.benchmark_group("flagship");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(20);
    g.bench_function("trials_serial_no_io", |b| {
        let mut st = TrialState::new(&s);
        let mut row = vec![0.0; layout.len()];
        b.iter(|| {
            for i in 0..BATCH {
                let mut rng = trial_rng(SEED, i);
                black_box(run_trial(&s, &layout, &mut st, &mut rng, &mut row, &mut NoObserver));
            }
        })
    });
    for threads in [1usize, 2] {
        g.bench_function(format!("runner_{threads}_thread"), |b| {
            let plan = Plan {
                seed: SEED,
                trials: 0..BATCH,
                threads,
            };
            b.iter(|| {
                let mut n = 0u64;
                runner::run(
                    &s,
                    &layout,
                    &plan,
                    &AtomicBool::new(false),
                    |_| {},
                    |_, r, _| {
                        n += u64::from(r.end_step);
                        Ok::<(), RunError>(())
                    },
                )
                .expect("runs");
                black_box(n)
            })
        });
    }
    let words = words_per_trial(&s, BATCH);
    let total: u128 = words.iter().sum();
    eprintln!(
        "flagship: {:.0} random words (u32) per trial on average over {BATCH} trials",
        total as f64 / BATCH as f64
    );
    g.bench_function("draws_only", |b| {
        b.iter_batched(
            || words.clone(),
            |words| {
                let mut acc = 0u32;
                for (i, &w) in words.iter().enumerate() {
                    let mut rng = trial_rng(SEED, i as u64);
                    for _ in 0..w {
                        acc ^= rng.next_u32();
                    }
                }
                black_box(acc)
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// `--set` text making the flagship's value at `path` uncertain around
/// itself, within the key's domain; `None` for a key that cannot be drawn
/// or whose value gives no natural spread.
fn spread_around(path: &str, value: &toml::Value) -> Option<String> {
    use brink::dist::Domain;
    use brink::scenario::domains::{Drawable, drawable};
    let segs: Vec<&str> = path.split('.').collect();
    let pattern = brink::scenario::paths::DOCS.iter().map(|(p, _)| *p).find(|p| {
        let ps: Vec<&str> = p.split('.').collect();
        ps.len() == segs.len() && ps.iter().zip(&segs).all(|(a, b)| *a == "*" || *a == "+" || a == b)
    })?;
    let x = value.as_float().or_else(|| value.as_integer().map(|i| i as f64))?;
    let d = match drawable(pattern)? {
        Drawable::Number(Domain::Probability | Domain::UnitOpen) if x > 0.0 && x < 1.0 => {
            format!("beta:mean={x},sd={}", 0.2 * (x * (1.0 - x)).sqrt())
        }
        Drawable::Number(Domain::NonNegative | Domain::Positive) if x > 0.0 => {
            format!("lognormal:median={x},p95={}", 1.5 * x)
        }
        Drawable::Number(Domain::Real) if x != 0.0 => format!("normal:mean={x},sd={}", 0.1 * x.abs()),
        Drawable::Number(Domain::Integer { min, .. }) if x as i64 > min => {
            format!("choice:{},{},{}", x as i64 - 1, x as i64, x as i64 + 1)
        }
        _ => return None,
    };
    Some(format!("{path}={d}"))
}

/// The flagship with `n` of its numeric parameters uncertain (the first
/// `n` in file order that take a spread around their value): the cost of
/// drawing and applying about as many parameters as it has judgements.
fn flagship_uncertain(n: usize) -> brink::model::Scenario {
    let base = brink::scenario::parse_builtin("us_iraq_2024", &[]).expect("flagship loads");
    let mut sets: Vec<String> = Vec::new();
    for (path, value) in base.params() {
        if sets.len() == n {
            break;
        }
        let Some(set) = spread_around(&path, &value) else {
            continue;
        };
        let mut trial = sets.clone();
        trial.push(set.clone());
        if brink::scenario::parse_builtin("us_iraq_2024", &trial).is_ok() {
            sets = trial;
        }
    }
    let l = brink::scenario::parse_builtin("us_iraq_2024", &sets).expect("uncertain flagship loads");
    assert_eq!(
        l.scenario.uncertainty.len(),
        n,
        "{} parameters made uncertain",
        l.scenario.uncertainty.len()
    );
    l.scenario
}

/// Issue 14's speed target: the flagship with 45 uncertain parameters runs
/// at >= 85 % of the point flagship's trials per second (same runner, one
/// thread, same trials), and what the draws alone cost.
fn bench_uncertainty(c: &mut Criterion) {
    const N: usize = 45;
    let point = flagship();
    let uncertain = flagship_uncertain(N);
    let mut g = c.benchmark_group("uncertainty");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(10);
    for (name, s) in [("flagship_point", &point), ("flagship_45_uncertain", &uncertain)] {
        let layout = MetricLayout::new(s);
        let plan = Plan {
            seed: SEED,
            trials: 0..BATCH,
            threads: 1,
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0u64;
                runner::run(
                    s,
                    &layout,
                    &plan,
                    &AtomicBool::new(false),
                    |_| {},
                    |_, r, _| {
                        n += u64::from(r.end_step);
                        Ok::<(), RunError>(())
                    },
                )
                .expect("runs");
                black_box(n)
            })
        });
    }
    g.bench_function("draw_and_apply_45", |b| {
        let u = &uncertain.uncertainty;
        let key = brink::dist::ParamKey::new(SEED);
        let mut own = uncertain.clone();
        let mut values = vec![0.0; u.len()];
        let mut scratch = u.scratch();
        b.iter(|| {
            for i in 0..BATCH {
                u.draw(&key, i, &mut values);
                u.apply(&mut own, &values, &mut scratch);
            }
            black_box(values[0])
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_group!(uncertainty, bench_uncertainty);
criterion_main!(benches, uncertainty);
