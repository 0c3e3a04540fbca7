//! Fuzzes the scenario loader: `scenario::parse` with includes served from
//! memory, `--set` arguments, and, when the scenario validates, one short
//! trial (validation promises the engine cannot fail on what it accepts).
//!
//! Input layout: parts separated by a NUL byte. Part 0 is `main.toml`,
//! part 1 `a.toml`, part 2 `b.toml`; any further parts are `--set`
//! arguments. Other include names fall back to the built-in scenarios.
#![no_main]

use brink::engine::MetricLayout;
use brink::scenario::{self, BuiltinResolver, Resolver};
use libfuzzer_sys::fuzz_target;

struct Mem<'a> {
    a: &'a str,
    b: &'a str,
}

impl Resolver for Mem<'_> {
    fn resolve(&self, from: &str, include: &str) -> Result<(String, String), String> {
        match include {
            "a.toml" => Ok(("a.toml".into(), self.a.into())),
            "b.toml" => Ok(("b.toml".into(), self.b.into())),
            "main.toml" => Err(format!("{from}: refuses to serve main.toml")),
            other => BuiltinResolver.resolve(from, other),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0).map(String::from_utf8_lossy);
    let main = parts.next().unwrap_or_default();
    let a = parts.next().unwrap_or_default();
    let b = parts.next().unwrap_or_default();
    let sets: Vec<String> = parts.take(8).map(|s| s.into_owned()).collect();
    let res = Mem { a: &a, b: &b };
    if let Ok(loaded) = scenario::parse(&main, "main.toml", &sets, &res) {
        let s = &loaded.scenario;
        // One trial, kept short so the fuzzer stays fast.
        if u64::from(s.horizon) * (s.actors.len() as u64 + 1) <= 20_000 {
            let layout = MetricLayout::new(s);
            let _ = brink::runner::one(s, &layout, 1, 0);
        }
        let _ = loaded.params();
        let _ = loaded.hash();
    }
});
