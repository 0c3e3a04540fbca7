//! Distributions in scenarios (issue 14): extraction to medians, per-trial
//! draws in their own streams, parameter columns, `--point`, nested
//! sampling, and the gamma-Poisson mixture against the negative binomial.

mod common;
use assert_cmd::Command;
use brink::engine::MetricLayout;
use brink::scenario::{self, BuiltinResolver};
use common::*;
use std::path::Path;

/// Dyad b -> a attacks with a Poisson rate per step; no response.
fn dyad(rate: &str) -> String {
    format!("{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.initiative]\nrate = {rate}\n")
}

fn load(text: &str, sets: &[&str]) -> brink::scenario::Loaded {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::parse(text, "test.toml", &sets, &BuiltinResolver).unwrap_or_else(|e| panic!("{e}"))
}

fn load_err(text: &str, sets: &[&str]) -> brink::scenario::ScenarioError {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match scenario::parse(text, "test.toml", &sets, &BuiltinResolver) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn a_distribution_becomes_its_median_and_a_column() {
    let l = load(&dyad("{ uniform = { lower = 0.5, upper = 1.5 } }"), &[]);
    let s = &l.scenario;
    assert_eq!(s.dyads[0].initiative.as_ref().unwrap().rate, 1.0, "the median");
    assert_eq!(s.uncertainty.paths(), ["dyads.b_a.initiative.rate"]);
    let layout = MetricLayout::new(s);
    assert_eq!(layout.names.last().unwrap(), "dyads.b_a.initiative.rate");
    assert_eq!(layout.param_columns().len(), 1);
    let mut seen = Vec::new();
    for i in 0..50 {
        let (_, row) = brink::runner::one(s, &layout, 7, i);
        let x = row[layout.param_columns().start];
        assert!((0.5..=1.5).contains(&x), "{x}");
        seen.push(x);
    }
    seen.sort_by(f64::total_cmp);
    seen.dedup();
    assert_eq!(seen.len(), 50, "each trial draws its own value");
}

#[test]
fn set_takes_a_distribution_and_a_point_value_replaces_one() {
    let text = dyad("1.0");
    let l = load(&text, &["dyads.b_a.initiative.rate=lognormal:median=2,p95=4"]);
    assert_eq!(l.scenario.uncertainty.len(), 1);
    assert!((l.scenario.dyads[0].initiative.as_ref().unwrap().rate - 2.0).abs() < 1e-12);
    let text = dyad("{ gamma = { shape = 2, rate = 1 } }");
    let l = load(&text, &["dyads.b_a.initiative.rate=0.5"]);
    assert!(
        l.scenario.uncertainty.is_empty(),
        "a point value overrides the distribution"
    );
    let l = load(
        &dyad("1.0"),
        &["dyads.b_a.initiative.rate={ gamma = { shape = 2, rate = 1 } }"],
    );
    assert_eq!(l.scenario.uncertainty.len(), 1, "the TOML form works in --set too");
    let l = load(&text, &["dyads.b_a.initiative.rate=point:0.25"]);
    assert!(l.scenario.uncertainty.is_empty());
    assert_eq!(l.scenario.dyads[0].initiative.as_ref().unwrap().rate, 0.25);
}

#[test]
fn one_parameter_made_uncertain_leaves_the_others_draws_alone() {
    // The rate's draws are the same whether or not the memory is uncertain.
    let one = dyad("{ uniform = { lower = 0.5, upper = 1.5 } }");
    let both = format!("{one}memory = {{ uniform = {{ lower = 0.1, upper = 0.9 }} }}\n");
    let (a, b) = (load(&one, &[]).scenario, load(&both, &[]).scenario);
    let (la, lb) = (MetricLayout::new(&a), MetricLayout::new(&b));
    assert_eq!(lb.param_columns().len(), 2);
    for i in 0..20 {
        let ra = brink::runner::one(&a, &la, 3, i).1;
        let rb = brink::runner::one(&b, &lb, 3, i).1;
        let rate_b = rb[lb.index("dyads.b_a.initiative.rate").unwrap()];
        assert_eq!(ra[la.param_columns().start], rate_b, "trial {i}");
    }
}

#[test]
fn nested_sampling_shares_a_draw_across_k_trials() {
    let mut l = load(&dyad("{ uniform = { lower = 0.5, upper = 1.5 } }"), &[]);
    l.per_draw(4);
    let s = &l.scenario;
    let layout = MetricLayout::new(s);
    let col = layout.param_columns().start;
    let x: Vec<f64> = (0..12).map(|i| brink::runner::one(s, &layout, 1, i).1[col]).collect();
    for k in 0..3 {
        assert!(x[4 * k..4 * k + 4].iter().all(|v| *v == x[4 * k]), "{x:?}");
    }
    assert!(x[0] != x[4] && x[4] != x[8]);
}

/// Events over T steps at a rate λ ~ Gamma(shape r, scale θ) per step are
/// negative binomial: given λ the count is Poisson(Tλ), and the mixture
/// has mean rTθ and variance rTθ + r(Tθ)². Here r = 2, θ = 1, T = 10:
/// mean 20, variance 220. Checked with z = 4 on the mean (se √(220/n)) and
/// the variance (se √((μ4 - σ⁴)/n), μ4 from the NB pmf summed).
#[test]
fn gamma_poisson_events_are_negative_binomial() {
    let text = dyad("{ gamma = { shape = 2, rate = 1 } }");
    let s = load(&text, &["scenario.horizon=10"]).scenario;
    let layout = MetricLayout::new(&s);
    let col = layout.index("events_b_a").unwrap();
    let n = 20_000u64;
    let xs: Vec<f64> = (0..n)
        .map(|i| brink::runner::one(&s, &layout, 2024, i).1[col])
        .collect();
    let nf = n as f64;
    let mean = xs.iter().sum::<f64>() / nf;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0);
    let (r, t_theta) = (2.0, 10.0);
    let (m, v) = (r * t_theta, r * t_theta + r * t_theta * t_theta);
    // NB(r, p) with p = 1/(1 + Tθ): P(x) = (x+1) p² (1-p)^x for r = 2.
    let p = 1.0 / (1.0 + t_theta);
    let mut mu4 = 0.0;
    let mut pk = p * p;
    for x in 0..5000 {
        let d = x as f64 - m;
        mu4 += pk * (x as f64 + 1.0) * d * d * d * d;
        pk *= 1.0 - p;
    }
    let z = 4.0;
    assert!((mean - m).abs() < z * (v / nf).sqrt(), "mean {mean}, expected {m}");
    let se_var = ((mu4 - v * v) / nf).sqrt();
    assert!(
        (var - v).abs() < z * se_var,
        "variance {var}, expected {v} (se {se_var})"
    );
}

#[test]
fn a_level_can_be_drawn_among_ids() {
    let text = format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.hazard]\nintercept = -1.0\nlevel = {{ choice = [\"shot\", \"strike\"] }}\n"
    );
    let s = load(&text, &[]).scenario;
    let layout = MetricLayout::new(&s);
    let col = layout.param_columns().start;
    let mut seen = [0; 4];
    for i in 0..200 {
        let (_, row) = brink::runner::one(&s, &layout, 5, i);
        seen[row[col] as usize] += 1;
    }
    assert_eq!(seen[0] + seen[2], 0, "{seen:?}");
    assert!(seen[1] > 50 && seen[3] > 50, "{seen:?}");
    // The column holds the level's index; run.json maps each code to its id.
    let set = s.uncertainty.set.as_ref().expect("drawn");
    let codes = set.dists()[0].codes().expect("a choice among ids");
    assert_eq!(codes, vec![(1, "shot".to_string()), (3, "strike".to_string())]);
}

/// run.json names the id behind each integer code of a drawn level's
/// column (issue 14: the column holds a documented code, not a bare index).
#[test]
fn run_json_maps_a_drawn_levels_codes_to_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("levels.toml");
    let text = format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.hazard]\nintercept = -1.0\nlevel = {{ choice = [\"strike\", \"shot\"] }}\n"
    );
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    brink(&out, &file, &["--trials", "50"]).success();
    let meta: serde_json::Value = serde_json::from_str(&read(&out, "run.json")).unwrap();
    let d = &meta["parameters"]["draws"][0];
    assert_eq!(d["path"], "dyads.b_a.hazard.level", "{d}");
    assert_eq!(d["codes"], serde_json::json!({"1": "shot", "3": "strike"}), "{d}");
    let trials = read(&out, "trials.csv");
    let header: Vec<&str> = trials.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "dyads.b_a.hazard.level").unwrap();
    for line in trials.lines().skip(1) {
        let v = line.split(',').nth(col).unwrap();
        assert!(v == "1" || v == "3", "{line}");
    }
}

#[test]
fn bad_distributions_are_refused_where_they_were_written() {
    // support outside the domain
    let e = load_err(
        &dyad("0.5\n[dyads.b_a.noise]\nexecution = { normal = { mean = 0.1, sd = 0.1 } }"),
        &[],
    );
    assert_eq!(e.file(), Some("test.toml"));
    assert!(e.line().is_some() && e.column().is_some(), "{e}");
    assert!(e.to_string().contains("probability"), "{e}");
    // a negative scale
    let e = load_err(&dyad("{ normal = { mean = 1, sd = -1 } }"), &[]);
    assert!(e.to_string().contains("sd"), "{e}");
    // bounds in the wrong order
    let e = load_err(&dyad("{ uniform = { lower = 2, upper = 1 } }"), &[]);
    assert!(e.to_string().contains("lower"), "{e}");
    // an unknown family
    let e = load_err(&dyad("{ lognorml = { median = 1, p95 = 2 } }"), &[]);
    assert!(e.to_string().contains("did you mean `lognormal`"), "{e}");
    // a continuous distribution where only whole numbers make sense
    let e = load_err(
        &format!("{BASE}\n[drivers.war]\nstart = {{ uniform = {{ lower = 0, upper = 5 }} }}\n"),
        &[],
    );
    assert!(e.to_string().contains("whole number"), "{e}");
    // a key that is not a number
    let e = load_err(&dyad("1.0"), &["scenario.horizon=uniform:lower=10,upper=20"]);
    assert!(e.to_string().contains("cannot be a distribution"), "{e}");
    // a --set distribution that does not parse
    let e = load_err(&dyad("1.0"), &["dyads.b_a.initiative.rate=gamma:shape=2"]);
    assert_eq!(e.file(), Some("--set"), "{e}");
}

fn brink(dir: &Path, file: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("brink")
        .unwrap()
        .args(["run", "-q", "--out"])
        .arg(dir)
        .arg(file)
        .args(args)
        .assert()
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

#[test]
fn files_with_draws_are_identical_across_threads_and_point_reproduces_the_medians() {
    let tmp = tempfile::tempdir().unwrap();
    let uncertain = tmp.path().join("u.toml");
    let fixed = tmp.path().join("f.toml");
    std::fs::write(&uncertain, dyad("{ lognormal = { median = 0.3, p95 = 0.6 } }")).unwrap();
    std::fs::write(&fixed, dyad(&format!("{}", 0.3f64))).unwrap();
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    brink(dirs[0].path(), &uncertain, &["--trials", "5000", "--threads", "1"]).success();
    brink(dirs[1].path(), &uncertain, &["--trials", "5000", "--threads", "3"]).success();
    let a = read(dirs[0].path(), "trials.csv");
    assert_eq!(a, read(dirs[1].path(), "trials.csv"));
    assert!(a.lines().next().unwrap().ends_with(",dyads.b_a.initiative.rate"));
    let meta = read(dirs[0].path(), "run.json");
    assert!(meta.contains("lognormal:median=0.3,p95=0.6"), "{meta}");
    brink(dirs[2].path(), &uncertain, &["--trials", "300", "--point"]).success();
    brink(dirs[3].path(), &fixed, &["--trials", "300"]).success();
    for f in ["trials.csv", "summary.csv"] {
        assert_eq!(read(dirs[2].path(), f), read(dirs[3].path(), f), "{f}");
    }
}

#[test]
fn a_bad_distribution_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        dyad("{ beta = { a = 2, b = 3 } }\n[dyads.b_a.response]\ndelay = { uniform = { lower = 1, upper = 3 } }"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    brink(&out, &file, &[]).failure().code(2);
    assert!(!out.exists(), "nothing written on error");
}

/// One run is a sensitivity sample: the event count over 100 steps at a
/// rate λ ~ U(0.1, 5) has first-order index on λ of
/// `100²·Var(λ) / (100²·Var(λ) + 100·E[λ]) ≈ 0.987`; the execution noise,
/// which moves levels but never the count, has index 0. Checked within
/// z = 4 standard errors (the reported ones), on the numbers in
/// `sensitivity.csv`.
#[test]
fn one_run_finds_the_parameter_that_drives_the_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    let text = format!(
        "{}[dyads.b_a.noise]\nexecution = {{ beta = {{ a = 2, b = 20 }} }}\n[dyads.b_a.response]\nmin_level = \"shot\"\nmax_level = \"strike\"\n",
        dyad("{ uniform = { lower = 0.1, upper = 5.0 } }")
    );
    std::fs::write(&file, text).unwrap();
    let out = tmp.path().join("out");
    brink(&out, &file, &["--trials", "4000"]).success();
    let csv = read(&out, "sensitivity.csv");
    let row = |output: &str, param: &str| -> (f64, f64) {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("{output},{param},")))
            .unwrap_or_else(|| panic!("no {output},{param} in\n{csv}"));
        let c: Vec<&str> = line.split(',').collect();
        (c[2].parse().unwrap(), c[3].parse().unwrap())
    };
    let (var_l, mean_l) = (4.9f64 * 4.9 / 12.0, 2.55);
    let want = 1e4 * var_l / (1e4 * var_l + 100.0 * mean_l);
    let (s_rate, se_rate) = row("events_b_a", "dyads.b_a.initiative.rate");
    assert!(
        (s_rate - want).abs() < 4.0 * se_rate + 0.01,
        "{s_rate} ± {se_rate}, expected {want}"
    );
    let (s_noise, se_noise) = row("events_b_a", "dyads.b_a.noise.execution");
    assert!(s_noise.abs() < 4.0 * se_noise, "{s_noise} ± {se_noise}, expected 0");
}

/// A sweep point's value for a path replaces that path's distribution;
/// the other distributions are still drawn, one column each.
#[test]
fn a_sweep_point_overrides_a_distribution() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    let text = format!(
        "{}memory = {{ uniform = {{ lower = 0.1, upper = 0.9 }} }}\n",
        dyad("{ uniform = { lower = 0.5, upper = 1.5 } }")
    );
    std::fs::write(&file, text).unwrap();
    let out = tmp.path().join("out");
    Command::cargo_bin("brink")
        .unwrap()
        .args([
            "sweep",
            "-q",
            "--trials",
            "20",
            "--grid",
            "dyads.b_a.initiative.rate=0.2,0.4",
            "--out",
        ])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let csv = read(&out, "trials.csv");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header.iter().filter(|h| **h == "dyads.b_a.initiative.rate").count(),
        1,
        "{header:?}"
    );
    assert_eq!(header.last(), Some(&"dyads.b_a.initiative.memory"), "{header:?}");
    assert_eq!(csv.lines().count(), 41);
}

// ---------------------------------------------------------------------------
// flagship (issue 15 part 7): issue 15's keys get slots.

/// a's pressure decays 10 -> 9 before its first choice; with a sharp
/// threshold θ ~ U(2, 16) drawn per trial, a protests (ending the trial,
/// an `action` outcome) at step 0 exactly when θ <= 9, and never
/// otherwise (the stock only decays). Each trial's drawn column decides
/// its outcome.
#[test]
fn a_drawn_action_threshold_decides_the_outcome_trial_by_trial() {
    let text = format!(
        "{BASE}[actors.a.pressure]\ninitial = 10\ndecay = 0.9\n[actors.b.pressure]\ninitial = 0\ndecay = 0.5\n\
         [actors.a.actions.x]\ndo = \"protest\"\ntarget = \"b\"\npolicy = \"threshold\"\nthreshold = {{ uniform = {{ lower = 2, upper = 16 }} }}\n\
         [outcomes.demand]\nkind = \"action\"\nactor = \"a\"\naction = \"x\"\n"
    );
    let l = load(&text, &[]);
    let s = &l.scenario;
    assert_eq!(s.uncertainty.paths(), ["actors.a.actions.x.threshold"]);
    let layout = MetricLayout::new(s);
    let col = layout.param_columns().start;
    let (mut early, mut never) = (0, 0);
    for i in 0..200 {
        let (r, row) = brink::runner::one(s, &layout, 3, i);
        let theta = row[col];
        assert!((2.0..=16.0).contains(&theta), "{theta}");
        let name = s.outcome_names()[r.outcome as usize];
        if theta <= 9.0 {
            assert_eq!((name, r.end_step), ("demand", 0), "θ = {theta}");
            early += 1;
        } else {
            assert_eq!(name, "horizon", "θ = {theta}");
            never += 1;
        }
    }
    assert!(early > 50 && never > 50, "{early} / {never}");
}

/// A phase's drawn duration D: the talks agree at once (a concession
/// hazard of logit 40 completing the deal), the phase starts that step
/// and, with no slips, completes D steps later, ending the trial.
#[test]
fn a_drawn_phase_duration_sets_the_completion_step() {
    let text = format!(
        "{BASE}[tracks.t]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\n\
         [tracks.t.bargaining.concession]\nintercept = 40\njump = 1\n\
         [outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\nterminal = false\n\
         [phases.p]\ntrack = \"t\"\nduration = {{ choice = [5, 10, 20] }}\n\
         [outcomes.done]\nkind = \"implemented\"\nphase = \"p\"\n"
    );
    let l = load(&text, &[]);
    let s = &l.scenario;
    let layout = MetricLayout::new(s);
    let col = layout.param_columns().start;
    let mut seen = std::collections::BTreeSet::new();
    let deal = layout.index("milestone_deal_step").expect("milestone column");
    for i in 0..60 {
        let (r, row) = brink::runner::one(s, &layout, 5, i);
        let d = row[col];
        assert_eq!(
            f64::from(r.end_step) - row[deal],
            d,
            "completes D steps after the agreement"
        );
        seen.insert(d as u32);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [5, 10, 20]);
}

/// Every number of issue 15's tables takes a distribution through
/// `--set`, and each gets its column (the structural exceptions are
/// listed in `scenario::domains`).
#[test]
fn every_number_of_issue_15s_tables_can_be_drawn() {
    let text = format!(
        "{BASE}[actors.c]\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\nregime = \"on\"\n[dyads.b_a.regimes.on]\n[dyads.b_a.regimes.off]\nrate = 0.1\n\
         [dyads.b_a.initiative]\nrate = 0.5\n[dyads.b_c]\nfrom = \"b\"\nto = \"c\"\n\
         [dyads.b_a.misattribution]\np = 0.1\nto = {{ c = 1.0 }}\n\
         [drivers.war]\nstart = 0\n\
         [actors.a.pressure]\ninitial = 5\ndecay = 0.9\n[actors.a.pressure.inputs.hits]\nto = \"a\"\nweight = 1\n\
         [actors.b.pressure]\ninitial = 0\ndecay = 0.9\n\
         [actors.a.risk]\ninitial = 1\ndecay = 0.9\n[actors.a.risk.inputs.hits]\nto = \"a\"\nweight = 1\n\
         [actors.a.actions.calm]\ndo = \"restrain\"\nregime = \"off\"\nduration = 10\ncomply = {{ b = 0.5 }}\nstock = \"risk\"\nintercept = -3\nslope = 0.1\nrefractory = 5\nmax = 3\nrelief = 1\n\
         [actors.a.actions.push]\ndo = \"hurry\"\ntrack = \"t\"\nfactor = 2\nduration = 5\npolicy = \"threshold\"\nthreshold = 4\nnoise_sd = 1\n\
         [actors.a.actions.slow]\ndo = \"harden\"\ntrack = \"t\"\nfactor = 0.5\nduration = 5\n\
         [actors.a.actions.demand]\ndo = \"demand_withdrawal\"\ntarget = \"b\"\nweight = 5\n\
         [tracks.t]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\n\
         [tracks.t.bargaining]\nripeness = 0.1\nhurt = {{ a = 1.0, b = 1.0 }}\n[tracks.t.bargaining.drivers.war]\nactive = 0.8\ninactive = 1.0\n\
         [tracks.t.bargaining.concession]\nintercept = -5\nripeness = 0.1\nlearning = 0.01\njump = 0.5\n\
         [triggers.r]\nwhen = \"event\"\nto = \"a\"\nwithin = 3\ndo = \"mark\"\nonce = false\nrefractory = 4\n\
         [triggers.r.all.p]\nwhen = \"pressure\"\nactor = \"a\"\nabove = 2\n\
         [triggers.r.any.s]\nwhen = \"step\"\nat = 5\nuntil = 50\n\
         [triggers.r.any.took]\nwhen = \"action\"\nactor = \"a\"\naction = \"demand\"\nwithin = 2\n\
         [outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\nterminal = false\n\
         [phases.p]\ntrack = \"t\"\nduration = 30\nslip = 0.1\nsetback = 2\nbreak = 0.01\n"
    );
    let sets = [
        "dyads.b_a.misattribution.p=uniform:lower=0,upper=0.2",
        "dyads.b_a.misattribution.to.c=uniform:lower=0.5,upper=1.5",
        "actors.a.risk.initial=uniform:lower=0,upper=2",
        "actors.a.risk.decay=uniform:lower=0.8,upper=0.95",
        "actors.a.risk.inputs.hits.weight=uniform:lower=0.5,upper=1.5",
        "actors.a.actions.calm.intercept=normal:mean=-3,sd=0.5",
        "actors.a.actions.calm.slope=uniform:lower=0,upper=0.2",
        "actors.a.actions.calm.refractory=choice:3,5,7",
        "actors.a.actions.calm.max=choice:2,3",
        "actors.a.actions.calm.relief=uniform:lower=0,upper=2",
        "actors.a.actions.calm.duration=choice:5,10",
        "actors.a.actions.calm.comply.b=uniform:lower=0.2,upper=0.8",
        "actors.a.actions.push.threshold=uniform:lower=2,upper=6",
        "actors.a.actions.push.noise_sd=uniform:lower=0.5,upper=1.5",
        "actors.a.actions.push.factor=uniform:lower=1.5,upper=2.5",
        "actors.a.actions.push.duration=choice:3,5",
        "actors.a.actions.slow.factor=uniform:lower=0.3,upper=0.7",
        "actors.a.actions.demand.weight=uniform:lower=3,upper=7",
        "tracks.t.bargaining.ripeness=uniform:lower=0,upper=0.2",
        "tracks.t.bargaining.hurt.b=uniform:lower=0.5,upper=1.5",
        "tracks.t.bargaining.drivers.war.active=uniform:lower=0.6,upper=1",
        "tracks.t.bargaining.drivers.war.inactive=uniform:lower=0.9,upper=1.1",
        "tracks.t.bargaining.concession.intercept=normal:mean=-5,sd=1",
        "tracks.t.bargaining.concession.ripeness=uniform:lower=0,upper=0.2",
        "tracks.t.bargaining.concession.learning=uniform:lower=0,upper=0.02",
        "tracks.t.bargaining.concession.jump=uniform:lower=0.3,upper=0.7",
        "triggers.r.refractory=choice:2,4,6",
        "triggers.r.within=choice:2,3,4",
        "triggers.r.all.p.above=uniform:lower=1,upper=3",
        "triggers.r.any.s.at=choice:3,5,7",
        "triggers.r.any.took.within=choice:1,2,3",
        "phases.p.duration=choice:20,30,40",
        "phases.p.slip=uniform:lower=0,upper=0.2",
        "phases.p.setback=choice:1,2,3",
        "phases.p.break=uniform:lower=0,upper=0.02",
    ];
    let l = load(&text, &sets);
    let s = &l.scenario;
    let paths: Vec<&str> = sets.iter().map(|x| x.split('=').next().unwrap()).collect();
    assert_eq!(s.uncertainty.paths().len(), sets.len());
    for p in &paths {
        assert!(s.uncertainty.paths().iter().any(|x| x == p), "{p} is not drawn");
    }
    // Drawing writes each slot: a trial's drawn values stay in range and
    // two runs give the same rows.
    let layout = MetricLayout::new(s);
    for i in 0..20 {
        let (_, a) = brink::runner::one(s, &layout, 9, i);
        let (_, b) = brink::runner::one(s, &layout, 9, i);
        assert_eq!(
            a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
    // Kind-specific ranges: a hurry factor below 1 is refused.
    let e = load_err(&text, &["actors.a.actions.push.factor=uniform:lower=0.5,upper=2"]);
    assert!(e.to_string().contains("actors.a.actions.push.factor"), "{e}");
    // A structural key says why it stays fixed.
    let e = load_err(&text, &["triggers.r.any.s.until=choice:40,50"]);
    assert!(e.to_string().contains("stays fixed"), "{e}");
}
