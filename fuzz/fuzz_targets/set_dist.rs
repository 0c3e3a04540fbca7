//! Fuzzes the `--set` distribution syntax (`lognormal:median=1.5,p95=3`):
//! `Dist::parse_str` on each line; for a distribution that parses, its
//! summary, its `Display` (which must parse back to the same text), a
//! support check against every domain, and a few draws. Then the lines
//! as `--set PATH=<dist>` on a small scenario, and one short trial when it
//! loads: a bad distribution is an error, never a panic.
#![no_main]

use brink::dist::{Dist, Domain, param_rng};
use brink::engine::MetricLayout;
use brink::scenario::{self, BuiltinResolver};
use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../../tests/data/small.toml");
const PATHS: &[&str] = &[
    "dyads.a_b.initiative.rate",
    "dyads.a_b.initiative.levels.shot",
    "ladder.raid.kill",
    "scenario.horizon",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().take(8).collect();
    for line in &lines {
        let Ok(d) = Dist::parse_str(line) else { continue };
        let _ = d.summary();
        let back = Dist::parse_str(&d.to_string()).expect("Display parses back");
        assert_eq!(back.to_string(), d.to_string());
        for dom in [
            Domain::Real,
            Domain::Probability,
            Domain::NonNegative,
            Domain::Positive,
            Domain::UnitOpen,
            Domain::count(),
        ] {
            let _ = d.check_support(&dom);
        }
        let mut rng = param_rng(1, 0);
        for _ in 0..4 {
            let _ = d.sample(&mut rng);
        }
    }
    let sets: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}={l}", PATHS[i % PATHS.len()]))
        .collect();
    if let Ok(loaded) = scenario::parse(BASE, "small.toml", &sets, &BuiltinResolver) {
        let s = &loaded.scenario;
        let layout = MetricLayout::new(s);
        let _ = brink::runner::one(s, &layout, 1, 0);
    }
});
