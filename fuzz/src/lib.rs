//! The fuzz targets' bodies, one function per target, shared by the
//! libFuzzer binaries under `fuzz_targets/` (`cargo +nightly fuzz run
//! NAME`) and by `tests/hostile.rs`, which includes this file with
//! `#[path]` and runs each body on its seed corpus plus a few hundred
//! deterministic mutations ([`mutate`]) on stable Rust, so every target
//! compiles and runs in CI even where cargo-fuzz cannot be installed.
//!
//! Each body returns whether the input was accepted (parsed, validated),
//! so a replay can check that both paths are reached.
//!
//! The contract each body checks is the project's promise about bad input
//! (docs/reliability.md): a parser returns `Err` with a located message,
//! never panics, and what it accepts the engine runs. A body panics (the
//! fuzzer's "crash") only when that promise, or an invariant written here
//! as an `assert!`, is broken.
//!
//! Only `brink::` paths are used, so the file compiles both as the
//! `brink-fuzz` library and as a module of a root integration test.

use std::sync::OnceLock;

use brink::calibrate::output::{read_posterior, write_posterior};
use brink::calibrate::prior::Uniform;
use brink::dist::{Dist, Domain, param_rng};
use brink::engine::MetricLayout;
use brink::model::Scenario;
use brink::observed::{self, Value};
use brink::scenario::{self, BuiltinResolver, Resolver, paths};

/// A small valid scenario the `--set` targets edit.
const SMALL: &str = include_str!("../../tests/data/small.toml");
/// The scenario the observed-record target checks records against.
const OBSERVED_SCENARIO: &str = include_str!("../../tests/data/observed/scenario.toml");

/// One short trial of a scenario that validated (validation promises the
/// engine cannot fail on what it accepts); skipped when it would be slow.
fn one_trial(s: &Scenario) {
    if u64::from(s.horizon) * (s.actors.len() as u64 + 1) <= 20_000 {
        let layout = MetricLayout::new(s);
        let _ = brink::runner::one(s, &layout, 1, 0);
    }
}

/// Includes served from memory by the `scenario_parse` target.
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

/// `scenario_parse`: `scenario::parse` with includes served from memory,
/// `--set` arguments, and one short trial when the scenario validates.
///
/// Input: parts separated by a NUL byte. Part 0 is `main.toml`, part 1
/// `a.toml`, part 2 `b.toml`; further parts are `--set` arguments. Other
/// include names fall back to the built-in scenarios.
pub fn scenario_parse(data: &[u8]) -> bool {
    let mut parts = data.split(|&b| b == 0).map(String::from_utf8_lossy);
    let main = parts.next().unwrap_or_default();
    let a = parts.next().unwrap_or_default();
    let b = parts.next().unwrap_or_default();
    let sets: Vec<String> = parts.take(8).map(|s| s.into_owned()).collect();
    let res = Mem { a: &a, b: &b };
    let Ok(loaded) = scenario::parse(&main, "main.toml", &sets, &res) else {
        return false;
    };
    one_trial(&loaded.scenario);
    let _ = loaded.params();
    let _ = loaded.hash();
    true
}

/// `set_paths`: `paths::parse_set` on each line, then the lines applied to
/// a small valid scenario through `scenario::parse` (path check, apply,
/// re-validation), then one short trial when the result validates.
pub fn set_paths(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let sets: Vec<String> = text.lines().take(16).map(str::to_string).collect();
    for s in &sets {
        if let Ok(o) = paths::parse_set(s) {
            let _ = paths::doc_for(&o.path);
        }
    }
    let Ok(loaded) = scenario::parse(SMALL, "small.toml", &sets, &BuiltinResolver) else {
        return false;
    };
    one_trial(&loaded.scenario);
    true
}

/// Paths the `set_dist` target sets distributions on.
const DIST_PATHS: &[&str] = &[
    "dyads.a_b.initiative.rate",
    "dyads.a_b.initiative.levels.shot",
    "ladder.raid.kill",
    "scenario.horizon",
];

/// `set_dist`: the `--set` distribution syntax (`lognormal:median=1.5,p95=3`).
/// `Dist::parse_str` on each line; for a distribution that parses, its
/// summary, its `Display` (which must parse back to the same text), a
/// support check against every domain and a few draws. Then the lines as
/// `--set PATH=<dist>` on a small scenario, and one short trial when it
/// loads.
pub fn set_dist(data: &[u8]) -> bool {
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
        .map(|(i, l)| format!("{}={l}", DIST_PATHS[i % DIST_PATHS.len()]))
        .collect();
    let Ok(loaded) = scenario::parse(SMALL, "small.toml", &sets, &BuiltinResolver) else {
        return false;
    };
    one_trial(&loaded.scenario);
    true
}

/// `observed`: an observed-record file (`brink score --observed`,
/// `src/observed/`) checked against tests/data/observed/scenario.toml.
/// An error names the file; a record that parses keeps the documented
/// invariants: each quantity observed at least once, steps strictly
/// increasing and below the horizon, cumulative counts never falling, a
/// first event once `true` staying `true`.
pub fn observed(data: &[u8]) -> bool {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    let s = SCENARIO.get_or_init(|| {
        scenario::parse(OBSERVED_SCENARIO, "scenario.toml", &[], &BuiltinResolver)
            .expect("tests/data/observed/scenario.toml validates")
            .scenario
    });
    let text = String::from_utf8_lossy(data);
    match observed::parse(&text, "record.toml", s) {
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("record.toml"), "error without the file name: {msg}");
            false
        }
        Ok(rec) => {
            assert!(!rec.quantities.is_empty(), "a record that observes nothing parsed");
            for q in &rec.quantities {
                assert!(!q.observations.is_empty(), "quantity `{}` has no observation", q.id);
                for w in q.observations.windows(2) {
                    assert!(w[0].step < w[1].step, "`{}`: steps not increasing", q.id);
                    match (w[0].value, w[1].value) {
                        (Value::Count(x), Value::Count(y)) => assert!(x <= y, "`{}`: count fell", q.id),
                        (Value::Happened(x), Value::Happened(y)) => {
                            assert!(!x || y, "`{}`: a first event un-happened", q.id)
                        }
                        _ => {}
                    }
                }
                for o in &q.observations {
                    assert!(o.step < s.horizon, "`{}`: step {} past the horizon", q.id, o.step);
                    let w = q.window(o);
                    assert_eq!((w.from, w.to), (0, o.step));
                }
                let _ = q.count_series();
            }
            true
        }
    }
}

/// The parameters and priors the `posterior` target reads against.
const POSTERIOR_NAMES: [&str; 2] = ["dyads.a_b.initiative.rate", "ladder.raid.kill"];
const POSTERIOR_PRIOR: [Uniform; 2] = [Uniform { lo: 0.0, hi: 5.0 }, Uniform { lo: 0.0, hi: 1.0 }];

/// `posterior`: `calibrate::output::read_posterior`, the `posterior.csv`
/// reader behind `--posterior`. An error names the file; a population it
/// accepts has normalised weights and particles inside the prior's
/// support, and written back with `write_posterior` reads back to the same
/// bits.
pub fn posterior(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    match read_posterior(&text, "posterior.csv", &POSTERIOR_NAMES, &POSTERIOR_PRIOR) {
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("posterior.csv"), "error without the file name: {msg}");
            false
        }
        Ok(pop) => {
            assert_eq!(pop.dim, POSTERIOR_NAMES.len());
            assert_eq!(pop.particles.len(), pop.weights.len() * pop.dim);
            let sum: f64 = pop.weights.iter().sum();
            assert!((sum - 1.0).abs() < 1e-9, "weights sum to {sum}");
            for i in 0..pop.len() {
                for (k, p) in pop.particle(i).iter().enumerate() {
                    let u = POSTERIOR_PRIOR[k];
                    assert!((u.lo..=u.hi).contains(p), "particle {i} outside the prior: {p}");
                }
            }
            let mut out = Vec::new();
            write_posterior(&mut out, &POSTERIOR_NAMES, &pop).expect("writes to memory");
            let again = read_posterior(
                std::str::from_utf8(&out).expect("CSV written as UTF-8"),
                "posterior.csv",
                &POSTERIOR_NAMES,
                &POSTERIOR_PRIOR,
            )
            .expect("what was written reads back");
            assert_eq!(again.particles, pop.particles);
            // Normalising again divides by a sum within rounding of 1.
            for (a, b) in again.weights.iter().zip(&pop.weights) {
                assert!((a - b).abs() <= 1e-12 * b.abs(), "weight {a} read back as {b}");
            }
            true
        }
    }
}

/// Deterministic mutations of `seed` for running the bodies without
/// libFuzzer: `n` variants from a splitmix64 stream (`key`), each one to
/// four edits among byte flips, deletions, duplications of a slice,
/// insertions of a `dict` token, and truncation.
pub fn mutate(seed: &[u8], dict: &[&[u8]], key: u64, n: usize) -> Vec<Vec<u8>> {
    let mut state = key;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut v = seed.to_vec();
        for _ in 0..1 + next() % 4 {
            let at = |r: u64, len: usize| (r % (len as u64 + 1)) as usize;
            match next() % 6 {
                0 if !v.is_empty() => {
                    let i = at(next(), v.len() - 1);
                    v[i] ^= 1 << (next() % 8);
                }
                1 if !v.is_empty() => {
                    let i = at(next(), v.len() - 1);
                    let len = 1 + (next() % 16) as usize;
                    v.drain(i..(i + len).min(v.len()));
                }
                2 if !v.is_empty() => {
                    let i = at(next(), v.len() - 1);
                    let j = (i + 1 + (next() % 32) as usize).min(v.len());
                    let slice = v[i..j].to_vec();
                    let k = at(next(), v.len());
                    v.splice(k..k, slice);
                }
                3 | 4 if !dict.is_empty() => {
                    let tok = dict[(next() % dict.len() as u64) as usize];
                    let k = at(next(), v.len());
                    v.splice(k..k, tok.iter().copied());
                }
                _ => {
                    let k = at(next(), v.len());
                    v.truncate(k);
                }
            }
        }
        out.push(v);
    }
    out
}

/// The tokens of a libFuzzer dictionary file (`"..."` lines; `\xNN`,
/// `\"` and `\\` escapes), for [`mutate`].
pub fn dict_tokens(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let (Some(start), Some(end)) = (line.find('"'), line.rfind('"')) else {
            continue;
        };
        if line.starts_with('#') || end <= start {
            continue;
        }
        let body = &line.as_bytes()[start + 1..end];
        let mut tok = Vec::new();
        let mut i = 0;
        while i < body.len() {
            if body[i] == b'\\' && i + 1 < body.len() {
                if body[i + 1] == b'x' && i + 3 < body.len() {
                    let hex = std::str::from_utf8(&body[i + 2..i + 4]).unwrap_or("");
                    if let Ok(b) = u8::from_str_radix(hex, 16) {
                        tok.push(b);
                        i += 4;
                        continue;
                    }
                }
                tok.push(body[i + 1]);
                i += 2;
            } else {
                tok.push(body[i]);
                i += 1;
            }
        }
        out.push(tok);
    }
    out
}
