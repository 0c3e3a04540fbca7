//! `timeline.csv` / `timeline.parquet` columns for issue 15's risk stocks
//! and actions: `risk_<a>` against the stock's closed form, `actions_<a>_<x>`
//! (taken this step) and `cum_actions_<a>_<x>` against hand-worked steps;
//! the same bytes for any thread count; Parquet types and values equal to
//! the CSV's; and no new column for a scenario without risk or actions.

mod common;
use assert_cmd::Command;
use brink::output::parquet::{ColType, ParquetFile, Values};
use common::BASE;
use std::path::Path;

/// b shoots a every step from step 1 (alld answers a's standing
/// defection); each shot adds 2 to a's risk, which keeps 0.9 of itself a
/// step: after step t, K_t = 20·(1 - 0.9^t) (2, 3.8, 5.42 at t = 1, 2, 3).
/// `always` acts while K_t >= 5 (steps 3 on, every step); `spaced` too,
/// but never within 2 steps of its last action (steps 3, 6, 9, ...).
fn hand_worked() -> String {
    format!(
        "{BASE}[actors.a.risk]\ndecay = 0.9\ninputs.hits = {{ from = \"b\", weight = 2.0 }}\n\
         [actors.b.pressure]\ndecay = 0.5\n\
         [actors.a.actions.always]\ndo = \"protest\"\ntarget = \"b\"\nstock = \"risk\"\npolicy = \"threshold\"\nthreshold = 5\n\
         [actors.a.actions.spaced]\ndo = \"protest\"\ntarget = \"b\"\nstock = \"risk\"\npolicy = \"threshold\"\nthreshold = 5\nrefractory = 2\n\
         [dyads.b_a]\nfrom = \"b\"\nto = \"a\"\nresponse = {{ rule = \"alld\", level = \"shot\" }}\n"
    )
}

/// The same with a logistic hazard on the risk stock: stochastic, for
/// the thread-count check.
fn stochastic() -> String {
    hand_worked().replace(
        "policy = \"threshold\"\nthreshold = 5\nrefractory = 2\n",
        "policy = \"hazard\"\nintercept = -3\nslope = 0.3\nrefractory = 2\n",
    )
}

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").expect("binary built");
    c.env("NO_COLOR", "1");
    c
}

/// Runs `text` with `--timeline`; returns the output directory.
fn run(dir: &Path, text: &str, args: &[&str]) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    let file = dir.join("s.toml");
    std::fs::write(&file, text).expect("scenario written");
    let out = dir.join("out");
    brink()
        .arg("run")
        .arg(&file)
        .args(["--quiet", "--seed", "7"])
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

/// (header, rows) of a CSV file.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let h = r.headers().expect("header").iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.expect("record").iter().map(str::to_string).collect())
        .collect();
    (h, rows)
}

#[test]
fn risk_and_actions_follow_the_hand_worked_trajectory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run(
        tmp.path(),
        &hand_worked(),
        &["--trials", "2", "--timeline", "2", "--set", "scenario.horizon=30"],
    );
    let (h, rows) = read_csv(&out.join("timeline.csv"));
    // The new columns come last, in this order.
    let tail: Vec<&str> = h[h.len() - 5..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "risk_a",
            "actions_a_always",
            "actions_a_spaced",
            "cum_actions_a_always",
            "cum_actions_a_spaced"
        ]
    );
    let col = |name: &str| h.iter().position(|c| c == name).expect(name);
    let (risk, always, spaced) = (col("risk_a"), col("actions_a_always"), col("actions_a_spaced"));
    let (cum_always, cum_spaced) = (col("cum_actions_a_always"), col("cum_actions_a_spaced"));
    assert_eq!(rows.len(), 60, "two trials of 30 steps");
    for row in &rows {
        let t: i32 = row[1].parse().expect("step");
        let k: f64 = row[risk].parse().expect("risk");
        let want = 20.0 * (1.0 - 0.9f64.powi(t));
        assert!((k - want).abs() < 1e-9, "step {t}: risk {k}, closed form {want}");
        let (a, s) = (t >= 3, t >= 3 && (t - 3) % 3 == 0);
        assert_eq!(row[always], if a { "1" } else { "0" }, "step {t}");
        assert_eq!(row[spaced], if s { "1" } else { "0" }, "step {t}");
        // Counts so far: always took it on steps 3..=t; spaced on 3, 6, ...
        let n_always = (t - 2).max(0);
        let n_spaced = if t >= 3 { (t - 3) / 3 + 1 } else { 0 };
        assert_eq!(row[cum_always], n_always.to_string(), "step {t}");
        assert_eq!(row[cum_spaced], n_spaced.to_string(), "step {t}");
    }
    // Trial 1 starts again from nothing: the per-step column is not the
    // difference from trial 0's last count.
    let second: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "1").collect();
    assert_eq!((second[0][always].as_str(), second[0][cum_always].as_str()), ("0", "0"));
    assert_eq!(second[3][always], "1");
    // The final counts agree with trials.csv's.
    let (th, trows) = read_csv(&out.join("trials.csv"));
    let tcol = |name: &str| th.iter().position(|c| c == name).expect(name);
    assert_eq!(trows[0][tcol("actions_a_always")], rows[29][cum_always]);
    assert_eq!(trows[0][tcol("actions_a_spaced")], rows[29][cum_spaced]);
    assert_eq!(
        trows[0][tcol("risk_a")].parse::<f64>().unwrap(),
        rows[29][risk].parse::<f64>().unwrap()
    );
}

#[test]
fn the_timeline_is_the_same_for_any_thread_count() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let args = |th: &'static str| {
        [
            "--trials",
            "60",
            "--timeline",
            "40",
            "--format",
            "both",
            "--threads",
            th,
        ]
    };
    let one = run(&tmp.path().join("1"), &stochastic(), &args("1"));
    let two = run(&tmp.path().join("2"), &stochastic(), &args("2"));
    for f in ["timeline.csv", "timeline.parquet"] {
        let (a, b) = (std::fs::read(one.join(f)).unwrap(), std::fs::read(two.join(f)).unwrap());
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    // The hazard does vary across trials: some trial took `spaced` at a
    // step where another did not (else the check above proves little).
    let (h, rows) = read_csv(&one.join("timeline.csv"));
    let c = h.iter().position(|x| x == "actions_a_spaced").unwrap();
    let at = |t: &str, v: &str| rows.iter().any(|r| r[1] == t && r[c] == v);
    assert!((3..30).any(|t| at(&t.to_string(), "1") && at(&t.to_string(), "0")));
}

#[test]
fn timeline_parquet_types_and_values_match_the_csv() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run(
        tmp.path(),
        &stochastic(),
        &["--trials", "20", "--timeline", "10", "--format", "both"],
    );
    let f = ParquetFile::open(&out.join("timeline.parquet")).expect("timeline.parquet");
    let (h, rows) = read_csv(&out.join("timeline.csv"));
    let names: Vec<String> = f.specs().iter().map(|c| c.name.clone()).collect();
    assert_eq!(names, h);
    let ty = |n: &str| f.specs()[names.iter().position(|c| c == n).expect(n)].ty;
    assert_eq!(ty("risk_a"), ColType::Real);
    assert_eq!(ty("actions_a_spaced"), ColType::Int);
    assert_eq!(ty("cum_actions_a_always"), ColType::Int);
    assert!(f.specs().iter().all(|c| !c.optional));
    let mut r = 0;
    for g in 0..f.row_groups() {
        let ch = f.read_all(g).expect("row group");
        let n = match &ch[0].values {
            Values::Int(v) => v.len(),
            _ => panic!("trial is INT64"),
        };
        for i in 0..n {
            for (c, cell) in ch.iter().zip(&rows[r]) {
                let ok = match &c.values {
                    Values::Int(v) => v[i].to_string() == *cell,
                    Values::Real(v) => cell.parse::<f64>().expect("a number") == v[i],
                    Values::Text(v) => v[i].data() == cell.as_bytes(),
                    Values::Bool(v) => (if v[i] { "1" } else { "0" }) == cell,
                    Values::Date(_) => true,
                };
                assert!(ok, "row {r}: csv `{cell}`");
            }
            r += 1;
        }
    }
    assert_eq!(r, rows.len());
}

#[test]
fn a_scenario_without_risk_or_actions_gets_no_new_column() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text =
        format!("{BASE}[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\nresponse = {{ rule = \"alld\", level = \"shot\" }}\n");
    let out = run(tmp.path(), &text, &["--trials", "1", "--timeline", "1"]);
    let (h, _) = read_csv(&out.join("timeline.csv"));
    assert_eq!(
        h,
        [
            "trial",
            "step",
            "events_b_a",
            "cum_events_b_a",
            "cum_killed_a",
            "cum_wounded_a"
        ]
    );
}
