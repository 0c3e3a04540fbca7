//! `brink params` on regimes: a regime's response key that the regime
//! leaves out is listed under the regime, marked as inherited from the
//! dyad's path, with the value the regime runs; a drawn source says
//! whether the regime draws it per trial (no `response` table of its own)
//! or takes its median at load (its own table, merged once). Keys the
//! regime sets are listed once, as before, and every line keeps the
//! `path = value  # meaning` form `--set` takes back.

use assert_cmd::Command;

/// Dyad a -> b answers with three response keys (pi drawn per trial);
/// regime `calm` sets one of them (threshold), `hot` none and `cold` a
/// different rule (`alld`, which reads none of the graded keys). b -> a
/// answers too but declares no regime.
const SCENARIO: &str = include_str!("data/regime_inherit.toml");

fn params(dir: &std::path::Path, sets: &[&str]) -> String {
    let file = dir.join("inherit.toml");
    std::fs::write(&file, SCENARIO).expect("scenario written");
    let mut c = Command::cargo_bin("brink").expect("binary built");
    c.arg("params").arg(&file);
    for s in sets {
        c.args(["--set", s]);
    }
    let out = c.output().expect("brink params");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn line<'a>(text: &'a str, path: &str) -> &'a str {
    let head = format!("{path} = ");
    let mut found = text.lines().filter(|l| l.starts_with(&head));
    let l = found.next().unwrap_or_else(|| panic!("no line for {path}:\n{text}"));
    assert!(found.next().is_none(), "{path} listed twice");
    l
}

#[test]
fn a_regime_lists_what_it_keeps_from_its_dyad() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = params(tmp.path(), &[]);
    let calm = "dyads.a_b.regimes.calm.response";
    // What calm changes: its own line, not marked.
    assert_eq!(
        line(&text, &format!("{calm}.threshold")),
        "dyads.a_b.regimes.calm.response.threshold = 5.0  # regime's response: theta"
    );
    // What it keeps, with where it comes from.
    assert_eq!(
        line(&text, &format!("{calm}.delay")),
        "dyads.a_b.regimes.calm.response.delay = 3  # inherited from dyads.a_b.response.delay; \
         regime's response: delay (>= 1)"
    );
    assert!(line(&text, &format!("{calm}.rule")).contains("# inherited from dyads.a_b.response.rule;"));
    // A drawn key calm leaves out: drawn per trial in calm too
    // (regimedraw; tests/regime_draws.rs checks it through the engine).
    let calm_pi = line(&text, &format!("{calm}.proportionality"));
    assert!(
        calm_pi.starts_with(
            "dyads.a_b.regimes.calm.response.proportionality = 1.0  # inherited from \
             dyads.a_b.response.proportionality, drawn per trial: uniform:lower=0.5,upper=1.5 (mean 1, 5-95% [0.55, 1.45]); "
        ),
        "{calm_pi}"
    );
    // hot has no response table: it keeps everything, drawn per trial.
    let hot = line(&text, "dyads.a_b.regimes.hot.response.proportionality");
    assert!(
        hot.starts_with(
            "dyads.a_b.regimes.hot.response.proportionality = 1.0  # inherited from \
             dyads.a_b.response.proportionality, drawn per trial: uniform:lower=0.5,upper=1.5 (mean 1, 5-95% [0.55, 1.45]); "
        ),
        "{hot}"
    );
    assert!(
        line(&text, "dyads.a_b.regimes.hot.response.threshold").starts_with(
            "dyads.a_b.regimes.hot.response.threshold = 2.0  # inherited from dyads.a_b.response.threshold;"
        )
    );
    // cold's rule (alld) reads none of the graded keys: it inherits only
    // those it reads (its own `level` is set).
    let cold: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("dyads.a_b.regimes.cold.response.") && l.contains("# inherited"))
        .map(|l| l.split(" = ").next().unwrap())
        .collect();
    assert_eq!(
        cold,
        [
            "dyads.a_b.regimes.cold.response.delay",
            "dyads.a_b.regimes.cold.response.refractory",
            "dyads.a_b.regimes.cold.response.max_level"
        ]
    );
    // A dyad that declares no regime (its one regime is implicit) lists
    // none.
    assert!(text.contains("dyads.b_a.response.delay = 2  # "));
    assert!(!text.contains("dyads.b_a.regimes."), "{text}");
    // The inherited lines sit right after the regime's own keys.
    let lines: Vec<&str> = text.lines().collect();
    let rate = lines
        .iter()
        .position(|l| l.starts_with("dyads.a_b.regimes.hot.respond = "))
        .unwrap();
    assert!(
        lines[rate + 1].starts_with("dyads.a_b.regimes.hot.response."),
        "{}",
        lines[rate + 1]
    );
}

#[test]
fn every_inherited_line_can_be_set_back() {
    // Each line, inherited ones included, is `path = value  # meaning`,
    // and --set takes each path with its printed value.
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = params(tmp.path(), &[]);
    let file = tmp.path().join("inherit.toml");
    let mut c = Command::cargo_bin("brink").expect("binary built");
    c.arg("check").arg(&file);
    let mut inherited = 0;
    for l in text.lines() {
        let (assign, doc) = l.split_once("  # ").expect("a meaning");
        assert!(!doc.trim().is_empty(), "{l}");
        inherited += usize::from(doc.starts_with("inherited from "));
        let (path, value) = assign.split_once(" = ").expect("path = value");
        c.args(["--set", &format!("{path}={value}")]);
    }
    assert!(inherited >= 8, "{inherited} inherited lines:\n{text}");
    c.assert().success();
}

#[test]
fn a_set_override_on_the_dyad_reaches_the_inherited_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = params(tmp.path(), &["dyads.a_b.response.delay=4"]);
    assert!(
        line(&text, "dyads.a_b.regimes.calm.response.delay")
            .starts_with("dyads.a_b.regimes.calm.response.delay = 4  # inherited")
    );
    // Once the regime sets it, it is its own.
    let text = params(tmp.path(), &["dyads.a_b.regimes.calm.response.delay=2"]);
    assert_eq!(
        line(&text, "dyads.a_b.regimes.calm.response.delay"),
        "dyads.a_b.regimes.calm.response.delay = 2  # regime's response: delay (>= 1)"
    );
}
