//! Engine benchmarks: the flagship's cost per trial, trials per second on
//! 1 and 2 threads, and the cost of only the random words a flagship trial
//! consumes (its RNG-bound limit); the flagship under its priors against
//! `--point` per simulated step (issue 14). `BENCHMARKS.md` reports the
//! figures.
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

/// Steps simulated by trials `0..BATCH` of `s` (each trial runs to its
/// `end_step`): the work the throughput of [`bench_priors`] counts.
fn steps(s: &brink::model::Scenario) -> u64 {
    let layout = MetricLayout::new(s);
    let plan = Plan {
        seed: SEED,
        trials: 0..BATCH,
        threads: 1,
    };
    let mut n = 0u64;
    runner::run(
        s,
        &layout,
        &plan,
        &AtomicBool::new(false),
        |_| {},
        |_, r, _| {
            n += u64::from(r.end_step) + 1;
            Ok::<(), RunError>(())
        },
    )
    .expect("runs");
    n
}

/// Issue 14's Done-when, on the flagship as shipped: its priors (every
/// `[J]` and few-event rate drawn per trial, one draw per trial: the most
/// draws) against `--point` (every distribution at its median), at EQUAL
/// work: trials under the priors end sooner, so the throughput counted is
/// simulated steps (Σ (end_step + 1) over the batch), not trials. The
/// target is priors >= 85 % of the point's steps per second. Also the
/// draw-and-apply cost alone, per trial.
fn bench_priors(c: &mut Criterion) {
    let mut point = brink::scenario::parse_builtin("us_iraq_2024", &[]).expect("flagship loads");
    let priors = point.scenario.clone();
    point.point();
    let point = point.scenario;
    assert!(point.uncertainty.is_empty() && !priors.uncertainty.is_empty());
    let mut g = c.benchmark_group("priors");
    g.sample_size(10);
    for (name, s) in [("flagship_point_steps", &point), ("flagship_priors_steps", &priors)] {
        let layout = MetricLayout::new(s);
        let plan = Plan {
            seed: SEED,
            trials: 0..BATCH,
            threads: 1,
        };
        let n = steps(s);
        eprintln!(
            "{name}: {n} steps in {BATCH} trials ({:.1} per trial)",
            n as f64 / BATCH as f64
        );
        g.throughput(Throughput::Elements(n));
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
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function(format!("draw_and_apply_{}_priors", priors.uncertainty.len()), |b| {
        let u = &priors.uncertainty;
        let key = brink::dist::ParamKey::new(SEED);
        let mut own = priors.clone();
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
criterion_group!(priors, bench_priors);
criterion_main!(benches, priors);
