//! Game mode against the axelrod library (issue 6): 200-round matches with
//! execution noise 0.05, one thread, reported as matches per second
//! (`Throughput::Elements`). `benches/axelrod_bench.py` times the same
//! pairs in axelrod; BENCHMARKS.md ("Games vs axelrod") has the figures.
//!
//!     cargo bench --bench games
//!
//! With `GAMES_COUNT=N` it instead plays N matches per pair once and prints
//! the mean row payoff: a fixed workload for callgrind instruction counts,
//!
//!     GAMES_COUNT=10000 valgrind --tool=callgrind target/release/deps/games-*
//!
//! Per pair: `--dump-before='*games::pair*'` writes one file per pair (the
//! pair's scenario parse included: subtract the same dumps at
//! `GAMES_COUNT=0`). Each pair reuses one `TrialState`, so its compiled
//! match is cached, and its seed's key kept (`rng::Streams`), as in a worker
//! of `brink run` or `brink tournament`.

use brink::engine::{MetricLayout, NoObserver, TrialState, run_trial};
use brink::rng::Streams;
use brink::scenario::parse_builtin;
use criterion::{Criterion, Throughput, criterion_group};
use std::hint::black_box;

/// The pairs timed here and in `axelrod_bench.py`.
const PAIRS: &[(&str, &str)] = &[("tft", "tft"), ("wsls", "gtft"), ("ctft", "random")];

/// Matches per measured iteration.
const MATCHES: u64 = 1000;

fn games(c: &mut Criterion) {
    let mut g = c.benchmark_group("ipd_200_rounds_noise_0.05");
    g.throughput(Throughput::Elements(MATCHES));
    for &(a, b) in PAIRS {
        let s = pair(a, b);
        let layout = MetricLayout::new(&s);
        let mut st = TrialState::new(&s);
        let mut row = vec![0.0; layout.len()];
        let streams = Streams::new(1);
        let mut next = 0u64;
        g.bench_function(format!("{a}_vs_{b}"), |bench| {
            bench.iter(|| {
                let mut total = 0.0;
                for _ in 0..MATCHES {
                    let mut rng = streams.trial(next);
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

/// The scenario of one pair.
fn pair(a: &str, b: &str) -> brink::model::Scenario {
    let sets = [
        format!("actors.row.strategy={a}"),
        format!("actors.col.strategy={b}"),
        "game.noise=0.05".to_string(),
        "game.rounds=200".to_string(),
    ];
    parse_builtin("ipd", &sets).expect("ipd scenario").scenario
}

/// Fixed workload: `n` matches per pair, seeds 0..n.
fn count(n: u64) {
    for &(a, b) in PAIRS {
        let s = pair(a, b);
        let layout = MetricLayout::new(&s);
        let mut st = TrialState::new(&s);
        let mut row = vec![0.0; layout.len()];
        let streams = Streams::new(1);
        let mut total = 0.0;
        for i in 0..n {
            let mut rng = streams.trial(i);
            run_trial(&s, &layout, &mut st, &mut rng, &mut row, &mut NoObserver);
            total += row[0];
        }
        println!("{a}_vs_{b}: {n} matches, mean row payoff {:.4}", total / n as f64);
    }
}

criterion_group!(benches, games);

fn main() {
    match std::env::var("GAMES_COUNT").ok().and_then(|v| v.parse().ok()) {
        Some(n) => count(n),
        None => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
