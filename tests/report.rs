//! `brink report`: the numbers the page shows are those of `summary.csv`
//! and `trials.csv`; every figure is named for screen readers and scales;
//! the page loads nothing; bad input gets a file:line:col message.
//!
//! The browser half (console errors, network requests, screenshots) is in
//! `ci/report.sh`, which opens these pages in headless Chromium.

use assert_cmd::Command;
use std::collections::HashMap;
use std::path::Path;

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").expect("binary built");
    c.env("NO_COLOR", "1");
    c
}

/// summary.csv rows keyed by (prefix cells..., kind, name, category) ->
/// column -> text.
fn summary(dir: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).expect("summary.csv");
    let h: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            h.iter().cloned().zip(rec.iter().map(str::to_string)).collect()
        })
        .collect()
}

/// The `<tr>` whose attributes contain `attrs`, as text.
fn row<'a>(html: &'a str, attrs: &str) -> &'a str {
    let at = html
        .find(&format!("<tr {attrs}>"))
        .unwrap_or_else(|| panic!("no row <tr {attrs}>"));
    let end = html[at..].find("</tr>").expect("row ends") + at;
    &html[at..end]
}

/// (data-value, shown text) of each numeric cell of a row.
fn cells(row: &str) -> Vec<(String, String)> {
    row.split("data-value=\"")
        .skip(1)
        .map(|s| {
            let (v, rest) = s.split_once('"').expect("attribute ends");
            let shown = rest[1..].split('<').next().expect("cell text");
            (v.to_string(), shown.to_string())
        })
        .collect()
}

/// Parses a percentage as the page shows it (`76.0%`), as a share.
fn shown_pct(s: &str) -> f64 {
    s.trim_end_matches('%').parse::<f64>().expect("a percentage") / 100.0
}

fn run_report(dir: &Path, args: &[&str]) -> String {
    brink()
        .args(["run", "--quiet", "--report", "--out"])
        .arg(dir)
        .args(args)
        .assert()
        .success();
    std::fs::read_to_string(dir.join("report.html")).expect("report.html written")
}

#[test]
fn a_runs_report_shows_the_numbers_of_summary_csv() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("run");
    let html = run_report(&dir, &["--trials", "1500", "--seed", "3", "--timeline", "30"]);
    let rows = summary(&dir);
    let mut outcomes = 0;
    for r in rows.iter().filter(|r| r["kind"] != "metric") {
        let attrs = if r["kind"] == "outcome" {
            outcomes += 1;
            format!("data-kind=\"outcome\" data-name=\"{}\"", r["name"])
        } else {
            format!(
                "data-kind=\"status\" data-name=\"{}\" data-category=\"{}\"",
                r["name"], r["category"]
            )
        };
        let c = cells(row(&html, &attrs));
        assert_eq!(c.len(), 4, "{attrs}: trials, share, low, high");
        for ((value, shown), col) in c.iter().zip(["count", "probability", "ci_low", "ci_high"]) {
            let csv: f64 = r[col].parse().expect("number");
            assert_eq!(value.parse::<f64>().expect("data-value"), csv, "{attrs} {col}");
            if col == "count" {
                assert_eq!(shown.replace('\u{2009}', "").parse::<f64>().expect("count"), csv);
            } else {
                // Shown to 0.1 percentage point: within half of that.
                assert!(
                    (shown_pct(shown) - csv).abs() <= 0.0005 + 1e-12,
                    "{attrs} {col}: {shown} vs {csv}"
                );
            }
        }
    }
    assert_eq!(
        outcomes, 6,
        "the flagship's six terminal outcomes (the agreement is a milestone)"
    );
    // The cumulative incidence at the last step is each outcome's share.
    for r in rows.iter().filter(|r| r["kind"] == "outcome") {
        let c = cells(row(
            &html,
            &format!("data-kind=\"incidence\" data-name=\"{}\"", r["name"]),
        ));
        let last = c.last().expect("a last column");
        let p: f64 = r["probability"].parse().expect("number");
        assert!(
            (last.0.parse::<f64>().expect("value") - p).abs() < 1e-12,
            "{}: {last:?} vs {p}",
            r["name"]
        );
    }
    // Every metric's numbers, exactly.
    for r in rows.iter().filter(|r| r["kind"] == "metric") {
        let c = cells(row(&html, &format!("data-kind=\"metric\" data-name=\"{}\"", r["name"])));
        let cols = ["count", "mean", "sd", "min", "p5", "p25", "p50", "p75", "p95", "max"];
        assert_eq!(c.len(), cols.len());
        for ((value, _), col) in c.iter().zip(cols) {
            match r[col].as_str() {
                "" => assert_eq!(value, "", "{} {col}", r["name"]),
                t => assert_eq!(value.parse::<f64>().ok(), t.parse::<f64>().ok(), "{} {col}", r["name"]),
            }
        }
    }
    for section in [
        "Outcome probabilities",
        "Time to each outcome",
        "Trajectories over time",
        "Distributions of the metrics",
        "Provenance",
    ] {
        assert!(html.contains(&format!(">{section}</h2>")), "section {section}");
    }
    // Provenance: seed and scenario hash from run.json.
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).expect("run.json")).expect("json");
    assert!(row(&html, "data-key=\"seed\"").contains(">3<"));
    let sha = meta["scenario"]["sha256"].as_str().expect("sha256");
    assert!(row(&html, "data-key=\"scenario.sha256\"").contains(sha));
    assert_self_contained(&html, 10);
}

/// Every figure is an inline SVG that scales (viewBox, no fixed size) and
/// has a title and a description; nothing is loaded from anywhere.
fn assert_self_contained(html: &str, min_figures: usize) {
    let figures = html.matches("<figure ").count();
    assert!(
        figures >= min_figures,
        "{figures} figures, expected at least {min_figures}"
    );
    let svgs: Vec<&str> = html.split("<svg ").skip(1).collect();
    assert!(svgs.len() >= figures);
    for s in &svgs {
        let tag = s.split('>').next().expect("tag");
        assert!(tag.contains("viewBox=\"0 0 "), "{tag}");
        assert!(
            tag.contains("role=\"img\"") && tag.contains("aria-labelledby="),
            "{tag}"
        );
        assert!(
            !tag.contains(" width=") && !tag.contains(" height="),
            "fixed size: {tag}"
        );
        assert!(s.contains("<title id=") && s.contains("<desc id="), "title and desc");
        let desc = s.split("<desc").nth(1).expect("desc");
        assert!(
            desc.split('>').nth(1).is_some_and(|d| d.len() > 20),
            "a desc with content"
        );
    }
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "@import",
        "url(",
        "href=\"http",
    ] {
        assert!(!lower.contains(bad), "the page must load nothing, found `{bad}`");
    }
    // The only absolute URL is the SVG namespace, which is never fetched.
    assert_eq!(
        lower.matches("http").count(),
        lower.matches("http://www.w3.org/2000/svg").count() + lower.matches("http-equiv").count()
    );
}

#[test]
fn the_same_files_give_the_same_page() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("run");
    let first = run_report(&dir, &["--trials", "300", "--seed", "5"]);
    let page = brink::output::report::render(&dir).expect("renders");
    assert_eq!(page.html, first);
    assert_eq!(page.figures, first.matches("<figure ").count());
}

#[test]
fn a_sweeps_report_shows_each_outcome_against_the_parameter() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("sweep");
    let path = "dyads.us_kh.response.proportionality";
    brink()
        .args(["sweep", "--quiet", "--trials", "200", "--grid"])
        .arg(format!("{path}=0.5,1,2"))
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    brink().arg("report").arg(&dir).assert().success();
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains(&format!("Outcomes against {path}")));
    let rows = summary(&dir);
    let outcomes: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for r in rows.iter().filter(|r| r["kind"] == "outcome") {
            if !v.contains(&r["name"].as_str()) {
                v.push(&r["name"]);
            }
        }
        v
    };
    for point in ["0", "1", "2"] {
        let c = cells(row(&html, &format!("data-kind=\"point\" data-point=\"{point}\"")));
        assert_eq!(c.len(), outcomes.len());
        for ((value, shown), o) in c.iter().zip(&outcomes) {
            let r = rows
                .iter()
                .find(|r| r["point"] == point && r["kind"] == "outcome" && r["name"] == *o)
                .expect("summary row");
            let p: f64 = r["probability"].parse().expect("number");
            assert_eq!(value.parse::<f64>().expect("value"), p);
            let first = shown.split(' ').next().expect("share");
            assert!((shown_pct(first) - p).abs() <= 0.0005 + 1e-12);
        }
    }
    assert_self_contained(&html, 1);
}

#[test]
fn a_calibrations_files_are_rendered_from_their_headers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    for f in ["sensitivity.csv", "score.csv", "posterior.csv", "calibration.json"] {
        std::fs::copy(Path::new("tests/data/report/calibration").join(f), dir.join(f)).expect("copy fixture");
    }
    brink().arg("report").arg(dir).assert().success();
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    for section in [
        "Sensitivity: what drives each answer",
        "Calibration scores against baselines",
        "Posterior of the calibrated parameters",
        "Provenance",
    ] {
        assert!(html.contains(&format!(">{section}</h2>")), "section {section}");
    }
    // sensitivity.csv: one figure for `index` with its interval columns;
    // its description gives each row's estimate and interval.
    assert!(html.contains("Column index of sensitivity.csv by parameter · target, with its interval."));
    assert!(html.contains("dyads.kh_us.initiative.rate · agreement: 0.42 (0.38 to 0.46)"));
    // score.csv: the model, both baselines and both skills, by quantity and score.
    for col in [
        "model",
        "baseline_history",
        "baseline_poisson",
        "skill_history",
        "skill_poisson",
    ] {
        assert!(
            html.contains(&format!("Column {col} of score.csv by quantity · score.")),
            "{col}"
        );
    }
    // posterior.csv has no text column: weighted histograms of the parameters.
    assert!(
        html.contains("Histogram of column tracks.hmc.progress.rate of posterior.csv, weighted by its weight column.")
    );
    assert!(!html.contains("Histogram of column weight"));
    // Tables keep the exact text of each cell.
    assert!(html.contains("data-value=\"-2.31\""));
    // calibration.json, flattened.
    assert!(row(&html, "data-key=\"seed\"").contains(">11<"));
    assert_self_contained(&html, 8);
}

#[test]
fn bad_input_gets_a_clear_message_not_a_panic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nope");
    let out = brink().arg("report").arg(&missing).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a directory"), "{err}");

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = brink().arg("report").arg(&empty).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no run files"));

    let bad = tmp.path().join("bad");
    std::fs::create_dir(&bad).expect("mkdir");
    let header = "kind,name,category,count,probability,ci_low,ci_high,mean,sd,min,p5,p25,p50,p75,p95,max\n";
    std::fs::write(
        bad.join("summary.csv"),
        format!("{header}outcome,a,,3,0.3,0.1,0.6,,,,,,,,,\noutcome,b,,7,seven,0.4,0.9,,,,,,,,,\n"),
    )
    .expect("write");
    let out = brink().arg("report").arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("summary.csv:3:14: expected a number in column `probability`, found `seven`"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert!(!bad.join("report.html").exists(), "nothing half-written");

    std::fs::write(bad.join("summary.csv"), "kind,name\noutcome,a\n").expect("write");
    let err = String::from_utf8_lossy(&brink().arg("report").arg(&bad).output().expect("runs").stderr).into_owned();
    assert!(err.contains("summary.csv:1:10: expected the columns"), "{err}");

    std::fs::write(
        bad.join("summary.csv"),
        format!("{header}outcome,a,,3,0.3,0.1,0.6,,,,,,,,,\n"),
    )
    .expect("write");
    std::fs::write(bad.join("trials.csv"), "trial,outcome,end_step\n0,a,4\n1,zzz,5\n").expect("write");
    let err = String::from_utf8_lossy(&brink().arg("report").arg(&bad).output().expect("runs").stderr).into_owned();
    assert!(
        err.contains("trials.csv:3:3: expected an outcome of summary.csv (a), found `zzz`"),
        "{err}"
    );
    std::fs::write(bad.join("trials.csv"), "trial,outcome,end_step\n0,a,-4\n").expect("write");
    let err = String::from_utf8_lossy(&brink().arg("report").arg(&bad).output().expect("runs").stderr).into_owned();
    assert!(err.contains("trials.csv:2:5: expected a step"), "{err}");
}

// ---- parquet (issue 19): sensitivity.csv ranked, whatever its columns ----

#[test]
fn sensitivity_rows_are_ranked_by_size_within_each_answer() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // Unsorted, with a negative effect and a missing value.
    std::fs::write(
        dir.join("sensitivity.csv"),
        "parameter,output,effect,effect_low,effect_high\n\
         a.small,agreement,0.05,0.01,0.09\n\
         b.negative,agreement,-0.30,-0.35,-0.25\n\
         c.missing,agreement,,,\n\
         d.big,agreement,0.20,0.15,0.25\n\
         e.first,spiral,0.01,0.0,0.02\n\
         f.second,spiral,0.40,0.30,0.50\n",
    )
    .expect("write");
    brink().arg("report").arg(dir).assert().success();
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("Rows are ranked by |effect| within each output, largest first."));
    // The figure's text alternative lists rows in ranked order, with the
    // numbers of the CSV.
    let want = [
        "b.negative · agreement: \u{2212}0.3 (\u{2212}0.35 to \u{2212}0.25)",
        "d.big · agreement: 0.2 (0.15 to 0.25)",
        "a.small · agreement: 0.05 (0.01 to 0.09)",
        "f.second · spiral: 0.4 (0.3 to 0.5)",
        "e.first · spiral: 0.01 (0 to 0.02)",
    ];
    let at: Vec<usize> = want
        .iter()
        .map(|w| html.find(w).unwrap_or_else(|| panic!("`{w}` not in the page")))
        .collect();
    assert!(at.windows(2).all(|p| p[0] < p[1]), "not ranked: {at:?}");
    // The table too: exact cell text, in ranked order, the missing value last.
    let cells: Vec<usize> = ["b.negative", "d.big", "a.small", "c.missing", "f.second", "e.first"]
        .iter()
        .map(|p| {
            html.rfind(&format!(">{p}<"))
                .unwrap_or_else(|| panic!("{p} not in the table"))
        })
        .collect();
    assert!(cells.windows(2).all(|p| p[0] < p[1]), "table not ranked: {cells:?}");
    assert!(html.contains("data-value=\"-0.30\""), "the CSV's text is kept");
}
