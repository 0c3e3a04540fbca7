//! Game mode against the axelrod library (issue 6): 200-round matches with
//! execution noise 0.05, one thread, reported as matches per second
//! (`Throughput::Elements`). `benches/axelrod_bench.py` times the same
//! pairs in axelrod; BENCHMARKS.md ("Games vs axelrod") has the figures.
//!
//!     cargo bench --bench games

use brink::engine::{MetricLayout, NoObserver, TrialState, run_trial};
use brink::rng::trial_rng;
use brink::scenario::parse_builtin;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// The pairs timed here and in `axelrod_bench.py`.
const PAIRS: &[(&str, &str)] = &[("tft", "tft"), ("wsls", "gtft"), ("ctft", "random")];

/// Matches per measured iteration.
const MATCHES: u64 = 1000;

fn games(c: &mut Criterion) {
    let mut g = c.benchmark_group("ipd_200_rounds_noise_0.05");
    g.throughput(Throughput::Elements(MATCHES));
    for &(a, b) in PAIRS {
        let sets = [
            format!("actors.row.strategy={a}"),
            format!("actors.col.strategy={b}"),
            "game.noise=0.05".to_string(),
            "game.rounds=200".to_string(),
        ];
        let s = parse_builtin("ipd", &sets).expect("ipd scenario").scenario;
        let layout = MetricLayout::new(&s);
        let mut st = TrialState::new(&s);
        let mut row = vec![0.0; layout.len()];
        let mut next = 0u64;
        g.bench_function(format!("{a}_vs_{b}"), |bench| {
            bench.iter(|| {
                let mut total = 0.0;
                for _ in 0..MATCHES {
                    let mut rng = trial_rng(1, next);
                    next += 1;
                    run_trial(&s, &layout, &mut st, &mut rng, &mut row, &mut NoObserver);
                    total += row[0];
                }
                black_box(total)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, games);
criterion_main!(benches);
