//! The flagship's priors (issue 14, part 6): every judgement (`[J]`) in
//! `scenarios/us_iraq_2024.toml` and its backtest is a distribution, every
//! distribution parses, and each one's median is today's point value
//! unless the file argues otherwise (a posterior from few events, whose
//! mean is the old point value), so that `--point` reproduces the point
//! forecast.
//!
//! The `[J]` rule, checked line by line: a key line whose comment carries
//! `[J]` holds a distribution (for a table of values such as
//! `generosity = { ... }`, at least one entry); a comment line carrying
//! `[J]` qualifies the first key line after its comment block, which must
//! hold one. Only the file's opening comment (before the first table) may
//! mention `[J]` without a value.
//!
//! The point forecast survives: `brink run --point`, with the few
//! posteriors whose median moved set back to their old point values,
//! writes byte for byte `tests/golden/flagship_point_*.csv`. For the first
//! structure these were the golden files of the flagship before the
//! priors (copied from `flagship_*.csv` at 9a99f64); the revised
//! structure (issue 15 part 7) never had a forecast before its priors, so
//! its point files were blessed from this very run (`BLESS=1`) when it
//! became the forecast of record, and pin the point forecast from then on.

use brink::dist::{Dist, toml_is_dist};

const FILES: [&str; 2] = ["scenarios/us_iraq_2024.toml", "scenarios/us_iraq_2023_backtest.toml"];

/// What a distribution's centre is pinned to.
#[derive(Debug, Clone, Copy)]
enum Centre {
    /// Its median is today's point value (relative error 1e-12).
    Median(f64),
    /// A posterior whose mean is the old point value (relative error
    /// 1e-12); its median is lower (Jensen).
    Mean(f64),
    /// A number new in the revised structure, judged on a skewed range:
    /// its most likely value (a triangular's mode) is given, and the
    /// median `--point` runs lies strictly between that mode and the mean.
    Skewed(f64),
    /// Neither: the file argues the centre moved from the old point
    /// value; the median lies within the stated range.
    Moved { old: f64, lo: f64, hi: f64 },
}

use Centre::*;

/// Every distribution in the two files, with the point value it had
/// before it became uncertain (the forecast `--point` must reproduce).
const PRIORS: &[(&str, &str, Centre)] = &[
    ("us_iraq_2024", "ladder.harass.wound", Mean(0.04)),
    ("us_iraq_2024", "ladder.harass.wounded", Median(3.0)),
    ("us_iraq_2024", "ladder.harass.kill", Mean(0.002)),
    ("us_iraq_2024", "ladder.harass.killed", Median(1.5)),
    ("us_iraq_2024", "ladder.limited.wound", Median(0.2)),
    ("us_iraq_2024", "ladder.limited.kill", Median(0.4)),
    ("us_iraq_2024", "ladder.heavy.wound", Mean(0.25)),
    ("us_iraq_2024", "ladder.heavy.kill", Mean(0.02)),
    ("us_iraq_2024", "ladder.strike.wound", Median(0.3)),
    ("us_iraq_2024", "ladder.strike.kill", Median(0.3)),
    ("us_iraq_2024", "ladder.major.killed", Median(15.0)),
    ("us_iraq_2024", "actors.us.pressure.decay", Median(0.97)),
    ("us_iraq_2024", "actors.us.pressure.inputs.deaths.weight", Median(10.0)),
    ("us_iraq_2024", "actors.iraq.pressure.initial", Median(25.0)),
    ("us_iraq_2024", "actors.iraq.pressure.decay", Median(0.98)),
    ("us_iraq_2024", "actors.iraq.pressure.relief.hmc.progress", Median(30.0)),
    ("us_iraq_2024", "actors.iraq.pressure.relief.hmc.active", Median(0.05)),
    ("us_iraq_2024", "actors.kh.obey", Median(0.8)),
    ("us_iraq_2024", "actors.nujaba.obey", Median(0.25)),
    ("us_iraq_2024", "drivers.gaza_war.end_hazard", Median(0.0055)),
    ("us_iraq_2024", "dyads.kh_us.regimes.restraint.rate", Median(0.2)),
    ("us_iraq_2024", "dyads.kh_us.initiative.rate", Median(0.80)),
    ("us_iraq_2024", "dyads.kh_us.initiative.levels.heavy", Median(0.08)),
    ("us_iraq_2024", "dyads.kh_us.initiative.beta", Median(-0.01)),
    ("us_iraq_2024", "dyads.kh_us.initiative.memory", Median(0.9)),
    (
        "us_iraq_2024",
        "dyads.kh_us.initiative.drivers.gaza_war.inactive",
        Median(0.1),
    ),
    ("us_iraq_2024", "dyads.kh_us.response.proportionality", Median(0.75)),
    ("us_iraq_2024", "dyads.kh_us.response.generosity.strike", Median(0.5)),
    ("us_iraq_2024", "dyads.kh_us.response.generosity.leader", Median(0.2)),
    ("us_iraq_2024", "dyads.kh_us.response.generosity.major", Median(0.1)),
    ("us_iraq_2024", "dyads.kh_us.noise.execution", Median(0.02)),
    ("us_iraq_2024", "dyads.kh_us.noise.perception", Median(0.02)),
    ("us_iraq_2024", "dyads.nujaba_us.regimes.restraint.rate", Median(0.2)),
    ("us_iraq_2024", "dyads.nujaba_us.initiative.rate", Median(0.34)),
    ("us_iraq_2024", "dyads.nujaba_us.initiative.levels.heavy", Median(0.1)),
    ("us_iraq_2024", "dyads.nujaba_us.initiative.beta", Median(-0.01)),
    ("us_iraq_2024", "dyads.nujaba_us.initiative.memory", Median(0.9)),
    (
        "us_iraq_2024",
        "dyads.nujaba_us.initiative.drivers.gaza_war.inactive",
        Median(0.2),
    ),
    ("us_iraq_2024", "dyads.nujaba_us.response.proportionality", Median(0.75)),
    (
        "us_iraq_2024",
        "dyads.nujaba_us.response.generosity.strike",
        Median(0.3),
    ),
    ("us_iraq_2024", "dyads.nujaba_us.noise.execution", Median(0.02)),
    ("us_iraq_2024", "dyads.nujaba_us.noise.perception", Median(0.02)),
    ("us_iraq_2024", "dyads.us_kh.response.generosity.harass", Median(0.99)),
    ("us_iraq_2024", "dyads.us_kh.response.generosity.heavy", Median(0.9)),
    (
        "us_iraq_2024",
        "dyads.us_kh.response.generosity_if_wounded",
        Moved {
            old: 0.33,
            lo: 0.33,
            hi: 0.36,
        },
    ),
    ("us_iraq_2024", "dyads.us_kh.response.refractory", Median(5.0)),
    ("us_iraq_2024", "dyads.us_kh.hazard.decay", Median(0.95)),
    ("us_iraq_2024", "dyads.us_kh.hazard.intercept", Median(-5.5)),
    ("us_iraq_2024", "dyads.us_kh.noise.perception", Median(0.02)),
    (
        "us_iraq_2024",
        "dyads.us_nujaba.response.generosity.harass",
        Median(0.99),
    ),
    ("us_iraq_2024", "dyads.us_nujaba.response.generosity.heavy", Median(0.9)),
    (
        "us_iraq_2024",
        "dyads.us_nujaba.response.generosity_if_wounded",
        Moved {
            old: 0.33,
            lo: 0.33,
            hi: 0.36,
        },
    ),
    ("us_iraq_2024", "dyads.us_nujaba.response.refractory", Median(5.0)),
    ("us_iraq_2024", "dyads.us_nujaba.hazard.decay", Median(0.95)),
    ("us_iraq_2024", "dyads.us_nujaba.hazard.intercept", Median(-5.5)),
    ("us_iraq_2024", "dyads.us_nujaba.noise.perception", Median(0.02)),
    ("us_iraq_2024", "tracks.hmc.progress.rate", Median(0.00833)),
    ("us_iraq_2024", "tracks.hmc.progress.violence", Median(0.05)),
    ("us_iraq_2024", "tracks.hmc.pause.steps", Median(14.0)),
    ("us_iraq_2024", "tracks.hmc.collapse.hazard", Median(0.0003)),
    ("us_iraq_2024", "tracks.hmc.collapse.violence", Median(0.00002)),
    ("us_iraq_2024", "tracks.hmc.signing.calm", Median(14.0)),
    ("us_iraq_2024", "tracks.hmc.effects.kh_us.active", Median(0.9)),
    ("us_iraq_2024", "triggers.us_red_line.delay", Median(3.0)),
    // The revision (issue 15 part 7): numbers new to the flagship. They
    // replaced no point value; each median is the judgement's most likely
    // value (a symmetric range), where `--point` runs it.
    (
        "us_iraq_2024",
        "actors.iraq.pressure.relief.hmc.agreement",
        Median(20.0),
    ),
    (
        "us_iraq_2024",
        "actors.iraq.actions.restrain_pmf.duration",
        Median(30.0),
    ),
    (
        "us_iraq_2024",
        "actors.iraq.actions.restrain_pmf.comply.kh",
        Skewed(0.25),
    ),
    (
        "us_iraq_2024",
        "actors.iraq.actions.restrain_pmf.comply.nujaba",
        Skewed(0.03),
    ),
    (
        "us_iraq_2024",
        "actors.iraq.actions.restrain_pmf.intercept",
        Median(-7.0),
    ),
    ("us_iraq_2024", "actors.iraq.actions.restrain_pmf.slope", Median(0.08)),
    ("us_iraq_2024", "actors.iraq.actions.restrain_pmf.relief", Median(3.0)),
    ("us_iraq_2024", "actors.iraq.actions.hurry_talks.factor", Skewed(1.5)),
    (
        "us_iraq_2024",
        "actors.iraq.actions.hurry_talks.threshold",
        Median(35.0),
    ),
    // The first structure's exit threshold, now the threshold of Iraq's
    // own choice to demand withdrawal (same prior).
    (
        "us_iraq_2024",
        "actors.iraq.actions.demand_withdrawal.threshold",
        Median(50.0),
    ),
    ("us_iraq_2024", "actors.iran.risk.decay", Median(0.95)),
    (
        "us_iraq_2024",
        "actors.iran.risk.inputs.strikes_in_syria.weight",
        Median(0.5),
    ),
    ("us_iraq_2024", "actors.iran.risk.inputs.us_deaths.weight", Median(5.0)),
    // The first structure's trigger `iran_restrains`, now Iran's choice.
    (
        "us_iraq_2024",
        "actors.iran.actions.restrain_proxies.duration",
        Median(60.0),
    ),
    (
        "us_iraq_2024",
        "actors.iran.actions.restrain_proxies.intercept",
        Median(-8.0),
    ),
    (
        "us_iraq_2024",
        "actors.iran.actions.restrain_proxies.slope",
        Median(0.45),
    ),
    ("us_iraq_2024", "dyads.nujaba_us.regimes.spoil.rate", Median(1.3)),
    ("us_iraq_2024", "dyads.us_kh.misattribution.p", Median(0.1)),
    ("us_iraq_2024", "dyads.us_nujaba.misattribution.p", Median(0.1)),
    ("us_iraq_2024", "tracks.hmc.bargaining.ripeness", Median(0.02)),
    (
        "us_iraq_2024",
        "tracks.hmc.bargaining.concession.intercept",
        Median(-7.5),
    ),
    (
        "us_iraq_2024",
        "tracks.hmc.bargaining.concession.ripeness",
        Median(0.03),
    ),
    (
        "us_iraq_2024",
        "tracks.hmc.bargaining.concession.learning",
        Median(0.003),
    ),
    ("us_iraq_2024", "tracks.hmc.effects.kh_us.agreement", Median(0.4)),
    ("us_iraq_2024", "triggers.us_red_line.refractory", Median(7.0)),
    ("us_iraq_2024", "phases.withdrawal.duration", Median(365.0)),
    ("us_iraq_2024", "phases.withdrawal.slip", Median(0.005)),
    ("us_iraq_2024", "phases.withdrawal.setback", Median(30.0)),
    ("us_iraq_2024", "phases.withdrawal.break", Median(0.0003)),
    ("us_iraq_2024", "outcomes.spiral.threshold", Median(100.0)),
    (
        "us_iraq_2023_backtest",
        "actors.iraq.pressure.initial",
        Moved {
            old: 0.0,
            lo: 2.0,
            hi: 4.0,
        },
    ),
];

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn stem(path: &str) -> &str {
    path.rsplit('/').next().unwrap().trim_end_matches(".toml")
}

/// Every distribution leaf of a TOML value, with its dotted path.
fn leaves(prefix: &str, v: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    if toml_is_dist(v) {
        out.push((prefix.to_string(), v.clone()));
        return;
    }
    if let toml::Value::Table(t) = v {
        for (k, x) in t {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            leaves(&p, x, out);
        }
    }
}

fn distributions(text: &str, name: &str) -> Vec<(String, Dist)> {
    let doc: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = Vec::new();
    leaves("", &doc, &mut out);
    out.into_iter()
        .map(|(p, v)| {
            let d = Dist::parse_toml(&v).unwrap_or_else(|e| panic!("{name}: {p}: {e}"));
            (p, d)
        })
        .collect()
}

/// The code part of a line and its comment (a `#` outside a string).
fn split_comment(line: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' => return (&line[..i], &line[i..]),
                _ => {}
            },
        }
    }
    (line, "")
}

/// Whether a key line (`key = value`, one line in TOML) holds a
/// distribution, at any depth of an inline table.
fn holds_distribution(code: &str) -> bool {
    let Ok(v) = toml::from_str::<toml::Value>(code) else {
        return false;
    };
    let mut out = Vec::new();
    leaves("", &v, &mut out);
    !out.is_empty()
}

/// The `[J]` rule: one message per line that breaks it (1-based lines).
fn judgements_without_prior(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut bad = Vec::new();
    let mut in_header = true;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            in_header = false;
        }
        let (code, comment) = split_comment(line);
        if !comment.contains("[J]") {
            continue;
        }
        if !code.trim().is_empty() {
            if !holds_distribution(code) {
                bad.push(format!("line {}: a [J] value without a distribution: {line}", i + 1));
            }
            continue;
        }
        if in_header {
            continue;
        }
        // A comment line: the first key line after its comment block.
        let next = lines[i + 1..]
            .iter()
            .enumerate()
            .map(|(k, l)| (i + 2 + k, l.trim()))
            .find(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        match next {
            Some((_, l)) if !l.starts_with('[') && holds_distribution(split_comment(l).0) => {}
            Some((n, l)) => bad.push(format!(
                "line {}: a [J] comment, but the value it qualifies (line {n}) is not a distribution: {l}",
                i + 1
            )),
            None => bad.push(format!("line {}: a [J] comment with no value after it", i + 1)),
        }
    }
    bad
}

#[test]
fn every_distribution_in_the_flagship_files_parses() {
    for f in FILES {
        let ds = distributions(&read(f), f);
        assert!(!ds.is_empty(), "{f} holds no distribution");
        for (p, d) in &ds {
            let s = d.summary();
            assert!(
                s.p5.is_finite() && s.p95.is_finite() && s.p5 <= s.median && s.median <= s.p95,
                "{f}: {p}: {s:?}"
            );
        }
    }
}

#[test]
fn every_judgement_in_the_flagship_files_carries_a_distribution() {
    for f in FILES {
        let bad = judgements_without_prior(&read(f));
        assert!(bad.is_empty(), "{f}:\n{}", bad.join("\n"));
    }
}

/// The rule itself fails where it should: a `[J]` on a point value, a
/// `[J]` comment over a point value, and over a table header.
#[test]
fn the_judgement_rule_catches_a_judgement_without_a_prior() {
    let good = "# header [J]\n[a]\n# [J] why\n\nx = { triangular = { lower = 0, mode = 1, upper = 2 } }\n\
                y = { strike = { beta = { a = 1, b = 2 } }, leader = 0.0 }   # [J]\nname = \"a # [J] in a string\"\n";
    assert!(
        judgements_without_prior(good).is_empty(),
        "{:?}",
        judgements_without_prior(good)
    );
    let bad =
        "[a]\nx = 0.5   # [J] a point\n# [J] over a point\ny = 2\n# [J] over a header\n[b]\nz = 1\n# [J] at the end\n";
    let found = judgements_without_prior(bad);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].starts_with("line 2:"), "{}", found[0]);
    assert!(found[1].contains("(line 4)"), "{}", found[1]);
    assert!(found[2].contains("(line 6)"), "{}", found[2]);
    assert!(found[3].contains("no value after it"), "{}", found[3]);
}

/// `--point` runs each distribution at its median: the table above lists
/// every distribution with the point value it replaced, and each median
/// (or, for a posterior, its mean) is that value.
#[test]
fn every_prior_is_centred_on_the_point_value_it_replaced() {
    let mut listed: Vec<(&str, &str)> = PRIORS.iter().map(|(f, p, _)| (*f, *p)).collect();
    for (i, x) in listed.iter().enumerate() {
        assert!(!listed[..i].contains(x), "PRIORS lists {x:?} twice");
    }
    for f in FILES {
        let name = stem(f);
        for (p, d) in distributions(&read(f), f) {
            let Some(&(_, _, centre)) = PRIORS.iter().find(|(n, q, _)| *n == name && *q == p) else {
                panic!("{f}: {p} = {d} is not in PRIORS: add it with the point value it replaced");
            };
            listed.retain(|x| *x != (name, p.as_str()));
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
            match centre {
                Median(x) => assert!(close(d.median(), x), "{f}: {p} = {d}: median {} != {x}", d.median()),
                Mean(x) => {
                    assert!(close(d.mean(), x), "{f}: {p} = {d}: mean {} != {x}", d.mean());
                    assert!(
                        d.median() < x,
                        "{f}: {p}: a posterior from few events has its median below its mean"
                    );
                }
                Skewed(mode) => {
                    let (m, mean) = (d.median(), d.mean());
                    assert!(
                        (mode < m && m < mean) || (mean < m && m < mode),
                        "{f}: {p} = {d}: median {m} not between mode {mode} and mean {mean}"
                    );
                }
                Moved { old, lo, hi } => {
                    let m = d.median();
                    assert!(m >= lo && m <= hi, "{f}: {p} = {d}: median {m} outside [{lo}, {hi}]");
                    assert!(
                        !close(m, old),
                        "{f}: {p}: listed as moved from {old}, but it did not move"
                    );
                }
            }
        }
    }
    assert!(
        listed.is_empty(),
        "PRIORS lists paths the files no longer hold: {listed:?}"
    );
}

/// `--point` runs every distribution at its median; with the posteriors
/// whose median is not the old point value set back to it (`--set`), the
/// run is the pre-priors flagship, byte for byte.
#[test]
fn point_run_reproduces_the_forecast_before_the_priors() {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "run",
        "-q",
        "--point",
        "--trials",
        "40",
        "--seed",
        "2024",
        "--timeline",
        "1",
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(dir.path().display().to_string());
    for (file, path, centre) in PRIORS {
        let old = match centre {
            Median(_) | Skewed(_) => continue,
            Mean(x) => *x,
            Moved { old, .. } => *old,
        };
        if *file == "us_iraq_2024" {
            args.push("--set".into());
            args.push(format!("{path}={old}"));
        }
    }
    assert_cmd::Command::cargo_bin("brink")
        .unwrap()
        .args(&args)
        .assert()
        .success();
    for f in ["trials.csv", "summary.csv", "timeline.csv"] {
        let got = std::fs::read(dir.path().join(f)).unwrap();
        let path = format!("tests/golden/flagship_point_{f}");
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read(&path).unwrap();
        assert!(
            got == want,
            "--point {f} differs from tests/golden/flagship_point_{f}: the point forecast moved"
        );
    }
}

/// The loader draws exactly the distributions listed above (each checked
/// against its key's domain on the way), for the flagship and for the
/// backtest, which includes it.
#[test]
fn the_loader_draws_every_prior() {
    for f in FILES {
        let name = stem(f);
        let l = brink::scenario::parse_builtin(name, &[]).unwrap_or_else(|e| panic!("{e}"));
        let mut got: Vec<&str> = l.scenario.uncertainty.paths().iter().map(String::as_str).collect();
        got.sort_unstable();
        let mut want: Vec<&str> = PRIORS
            .iter()
            .filter(|(file, path, _)| {
                *file == name
                    || (*file == "us_iraq_2024"
                        && !PRIORS.iter().any(|(g, q, _)| *g == name && q == path)
                        && !(name == "us_iraq_2023_backtest" && *path == "drivers.gaza_war.end_hazard"))
            })
            .map(|(_, p, _)| *p)
            .collect();
        want.sort_unstable();
        assert_eq!(got, want, "{f}");
    }
}
