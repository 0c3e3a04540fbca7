//! Fuzzes `--set`: `paths::parse_set` on each line, then the lines applied
//! to a small valid scenario through `scenario::parse` (path check, apply,
//! re-validation), then one short trial when the result validates.
#![no_main]

use brink::engine::MetricLayout;
use brink::scenario::{self, BuiltinResolver, paths};
use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../../tests/data/small.toml");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let sets: Vec<String> = text.lines().take(16).map(str::to_string).collect();
    for s in &sets {
        if let Ok(o) = paths::parse_set(s) {
            let _ = paths::doc_for(&o.path);
        }
    }
    if let Ok(loaded) = scenario::parse(BASE, "small.toml", &sets, &BuiltinResolver) {
        let s = &loaded.scenario;
        if u64::from(s.horizon) * (s.actors.len() as u64 + 1) <= 20_000 {
            let layout = MetricLayout::new(s);
            let _ = brink::runner::one(s, &layout, 1, 0);
        }
    }
});
