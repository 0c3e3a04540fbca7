//! `brink calibrate` and `brink run --posterior` end to end (issue 16):
//! the conjugate oracle through the command, resume and thread-count
//! determinism of the outputs' bytes, and posterior draws.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_brink");

/// One dyad whose daily attack count is Poisson(λ), λ ~ Gamma(shape 2,
/// scale 0.25); 20 steps.
const POISSON: &str = r#"
[scenario]
name = "conjugate"
horizon = 20
trials = 1000
seed = 3
[ladder.none]
severity = 0
[ladder.shot]
severity = 1
[actors.a]
[actors.b]
[dyads.b_a]
from = "b"
to = "a"
initiative = { rate = { gamma = { shape = 2, scale = 0.25 } }, levels = { shot = 1.0 } }
"#;

/// 14 events over steps 0..=19.
const RECORD: &str = r#"
[record]
scenario = "conjugate"
[quantities.shots]
metric = "events"
dyads = ["b_a"]
observations = [{ step = 19, value = 14 }]
"#;

const SHAPE: f64 = 2.0;
const SCALE: f64 = 0.25;
const STEPS: f64 = 20.0;
const Y: f64 = 14.0;

fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let s = dir.join("poisson.toml");
    let r = dir.join("record.toml");
    std::fs::write(&s, POISSON).unwrap();
    std::fs::write(&r, RECORD).unwrap();
    (s, r)
}

fn brink(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("brink runs")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn calibrate(scen: &Path, record: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "calibrate",
        scen.to_str().unwrap(),
        "--observed",
        record.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    brink(&args)
}

/// (weights, values) of a one-parameter posterior.csv.
fn posterior(path: &Path) -> (Vec<f64>, Vec<f64>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut w = Vec::new();
    let mut x = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<f64> = line.split(',').map(|s| s.parse().unwrap()).collect();
        w.push(c[1]);
        x.push(c[2]);
    }
    (w, x)
}

/// The gamma prior is conjugate to the Poisson count: the exact posterior
/// of λ after y events in T steps is Gamma(a + y, scale θ / (1 + T θ)) =
/// Gamma(16, scale 1/24): mean 2/3, variance 1/36. A count summary
/// reaches tolerance 0 (exact matching), where ABC's target is the exact
/// posterior. The weighted particle mean must lie within z = 4 standard
/// errors sqrt(var / ESS) of the exact mean (ESS = (Σw)²/Σw², Kish), and
/// the weighted variance within z = 4 of its standard error
/// var · sqrt((2 + κ) / ESS), κ = 6 / 16 the gamma's excess kurtosis.
#[test]
fn conjugate_poisson_gamma_posterior_is_recovered_by_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, r) = setup(tmp.path());
    let out = tmp.path().join("cal");
    let o = calibrate(&s, &r, &out, &["--population", "2000", "--seed", "11", "-j", "2"]);
    ok(&o);
    let (w, x) = posterior(&out.join("posterior.csv"));
    let sw: f64 = w.iter().sum();
    let ess = sw * sw / w.iter().map(|v| v * v).sum::<f64>();
    let mean = w.iter().zip(&x).map(|(w, x)| w * x).sum::<f64>() / sw;
    let var = w.iter().zip(&x).map(|(w, x)| w * (x - mean).powi(2)).sum::<f64>() / sw;
    let shape = SHAPE + Y;
    let scale = SCALE / (1.0 + STEPS * SCALE);
    let (m0, v0) = (shape * scale, shape * scale * scale);
    let z = 4.0;
    let se_m = (v0 / ess).sqrt();
    let se_v = v0 * ((2.0 + 6.0 / shape) / ess).sqrt();
    assert!(ess > 500.0, "ESS {ess}");
    assert!(
        (mean - m0).abs() < z * se_m,
        "mean {mean} vs {m0} (SE {se_m}, ESS {ess})"
    );
    assert!(
        (var - v0).abs() < z * se_v,
        "variance {var} vs {v0} (SE {se_v}, ESS {ess})"
    );
    let cal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("calibration.json")).unwrap()).unwrap();
    assert_eq!(cal["stop"], "tolerance", "{cal}");
    let last = cal["generations"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["tolerance"].as_f64(), Some(0.0));
    // The prior is recorded with its family and parameters.
    let p = &cal["priors"][0];
    assert_eq!(p["path"], "dyads.b_a.initiative.rate");
    assert_eq!(p["family"], "gamma");
    assert_eq!(p["parameters"]["shape"].as_f64(), Some(2.0));
    assert!((p["prior"]["mean"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!((p["posterior"]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert_eq!(cal["hashes"]["scenario"].as_str().unwrap().len(), 64);
    // Posterior predictive: exact matching leaves Y inside the central 50 %.
    let pred = std::fs::read_to_string(out.join("predictive.csv")).unwrap();
    let row: Vec<&str> = pred.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(&row[..5], &["shots", "events", "19", "", "14"]);
    assert_eq!(row[10], "1", "in50: {pred}");
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const OUTPUTS: [&str; 3] = ["posterior.csv", "calibration.json", "predictive.csv"];

/// Interrupted by its budget after generation 1, then resumed with a
/// larger budget: the same bytes as an uninterrupted run. And the same
/// bytes with 1 and 2 threads.
#[test]
fn resume_and_thread_count_give_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, r) = setup(tmp.path());
    let base = [
        "--population",
        "300",
        "--seed",
        "5",
        "--max-generations",
        "5",
        "--predictive",
        "300",
    ];
    let whole = tmp.path().join("whole");
    let mut a: Vec<&str> = base.to_vec();
    a.extend(["-j", "2", "--max-simulations", "100000"]);
    ok(&calibrate(&s, &r, &whole, &a));
    // Generation 0 costs 300 simulations and generation 1 at most a few
    // 700 more (acceptance about 40 %); a budget of 1,500 stops inside
    // generation 2.
    let part = tmp.path().join("part");
    let mut b: Vec<&str> = base.to_vec();
    b.extend(["-j", "2", "--max-simulations", "1500"]);
    ok(&calibrate(&s, &r, &part, &b));
    let cal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(part.join("calibration.json")).unwrap()).unwrap();
    assert_eq!(cal["stop"], "budget");
    let done = cal["generations"].as_array().unwrap().len();
    assert!((2..5).contains(&done), "{done} generations before the budget");
    let mut c: Vec<&str> = base.to_vec();
    c.extend(["-j", "1", "--max-simulations", "100000", "--resume"]);
    let o = calibrate(&s, &r, &part, &c);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("resumed after generation"));
    for f in OUTPUTS {
        assert!(
            read(&whole.join(f)) == read(&part.join(f)),
            "{f} differs after resuming"
        );
    }
    let one = tmp.path().join("one");
    let mut d: Vec<&str> = base.to_vec();
    d.extend(["-j", "1", "--max-simulations", "100000"]);
    ok(&calibrate(&s, &r, &one, &d));
    for f in OUTPUTS {
        assert!(
            read(&whole.join(f)) == read(&one.join(f)),
            "{f} differs between 1 and 2 threads"
        );
    }
    // Resuming with another setting is refused, and changes nothing.
    let before = read(&part.join("posterior.csv"));
    let mut e: Vec<&str> = base.to_vec();
    e[3] = "6";
    e.push("--resume");
    let o = calibrate(&s, &r, &part, &e);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cannot resume"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(read(&part.join("posterior.csv")) == before);
}

/// `run --posterior`: each trial's drawn rate is one of the particles;
/// the same bytes for 1 and 2 threads; `[posterior] file` in the scenario
/// gives the same trials; run.json records the file's hash.
#[test]
fn run_from_a_posterior_resamples_particles_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, r) = setup(tmp.path());
    let cal = tmp.path().join("cal");
    ok(&calibrate(
        &s,
        &r,
        &cal,
        &["--population", "200", "--max-generations", "3", "--predictive", "50"],
    ));
    let post = cal.join("posterior.csv");
    let (_, particles) = posterior(&post);
    let run = |dir: &str, threads: &str| {
        let out = tmp.path().join(dir);
        ok(&brink(&[
            "run",
            s.to_str().unwrap(),
            "--posterior",
            post.to_str().unwrap(),
            "-n",
            "500",
            "-j",
            threads,
            "-o",
            out.to_str().unwrap(),
            "-q",
        ]));
        out
    };
    let a = run("a", "1");
    let b = run("b", "2");
    assert!(read(&a.join("trials.csv")) == read(&b.join("trials.csv")));
    let text = std::fs::read_to_string(a.join("trials.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "dyads.b_a.initiative.rate").unwrap();
    let mut distinct = std::collections::BTreeSet::new();
    for l in lines {
        let v: f64 = l.split(',').nth(col).unwrap().parse().unwrap();
        assert!(
            particles.iter().any(|p| (p - v).abs() <= 1e-12 * p.abs()),
            "{v} is no particle"
        );
        distinct.insert(v.to_bits());
    }
    assert!(
        distinct.len() > 50,
        "{} distinct particles in 500 trials",
        distinct.len()
    );
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(a.join("run.json")).unwrap()).unwrap();
    let p = &meta["parameters"]["posterior"];
    assert_eq!(p["sha256"].as_str().unwrap().len(), 64, "{meta}");
    assert_eq!(p["paths"][0], "dyads.b_a.initiative.rate");
    // The scenario key: the file relative to the scenario.
    let keyed = tmp.path().join("keyed.toml");
    std::fs::write(
        &keyed,
        format!("{POISSON}\n[posterior]\nfile = \"cal/posterior.csv\"\n"),
    )
    .unwrap();
    let c = tmp.path().join("c");
    ok(&brink(&[
        "run",
        keyed.to_str().unwrap(),
        "-n",
        "500",
        "-o",
        c.to_str().unwrap(),
        "-q",
    ]));
    let strip = |p: &Path| {
        // the scenario's name is the same; compare the parameter column.
        let t = std::fs::read_to_string(p).unwrap();
        t.lines()
            .map(|l| l.split(',').nth(col).unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a.join("trials.csv")), strip(&c.join("trials.csv")));
}

/// Bad input: a clear error, exit code 2, and no output directory.
#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, r) = setup(tmp.path());
    let other = tmp.path().join("other.toml");
    std::fs::write(&other, RECORD.replace("conjugate", "another_one")).unwrap();
    let point = tmp.path().join("point.toml");
    std::fs::write(
        &point,
        POISSON.replace("{ gamma = { shape = 2, scale = 0.25 } }", "0.5"),
    )
    .unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--params".into(), "dyads.b_a.nothing".into()],
            "no uncertain path matches",
        ),
        (vec!["--params".into(), "scenario.trials".into()], "not uncertain"),
        (vec!["--population".into(), "0".into()], "--population"),
        (vec!["--quantile".into(), "1.5".into()], "--quantile"),
        (vec!["--replicates".into(), "0".into()], "--replicates"),
        (vec!["--resume".into()], "--resume"),
    ];
    for (i, (extra, want)) in cases.iter().enumerate() {
        let out = tmp.path().join(format!("o{i}"));
        let e: Vec<&str> = extra.iter().map(String::as_str).collect();
        let o = calibrate(&s, &r, &out, &e);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {err}");
        assert!(!out.exists(), "{extra:?} wrote {}", out.display());
    }
    let out = tmp.path().join("x");
    let o = calibrate(&s, &other, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("another_one"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = calibrate(&point, &r, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no uncertain parameter"));
    assert!(!out.exists());
    // Corrupt posteriors.
    let bad = |name: &str, text: &str, want: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        let o = brink(&[
            "run",
            s.to_str().unwrap(),
            "--posterior",
            p.to_str().unwrap(),
            "-n",
            "10",
            "-o",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(want), "{name}: {err}");
        assert!(!out.exists());
    };
    bad(
        "cols.csv",
        "particle,weight,dyads.b_a.initiative.memory\n0,1,0.5\n",
        "not an uncertain parameter",
    );
    bad(
        "zero.csv",
        "particle,weight,dyads.b_a.initiative.rate\n0,0,0.5\n1,0,0.6\n",
        "weights sum to 0",
    );
    bad(
        "neg.csv",
        "particle,weight,dyads.b_a.initiative.rate\n0,1,-0.5\n",
        "outside the prior's support",
    );
    bad(
        "text.csv",
        "particle,weight,dyads.b_a.initiative.rate\n0,1,abc\n",
        "expected a finite number",
    );
    bad("head.csv", "a,b\n1,2\n", "expected the header");
    bad(
        "dup.csv",
        "particle,weight,dyads.b_a.initiative.rate,dyads.b_a.initiative.rate\n0,1,0.5,0.5\n",
        "appears twice",
    );
    let o = brink(&[
        "run",
        s.to_str().unwrap(),
        "--posterior",
        "no/such/posterior.csv",
        "-n",
        "10",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read the posterior"));
    assert!(!out.exists());
}
