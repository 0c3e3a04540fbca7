//! The tutorial in docs/scenario.md (issue 20): every step's file in
//! docs/tutorial/ is valid and runs; the page shows what each file holds and
//! quotes the pinned error messages exactly; and `params` lists every
//! parameter the engine reads, for the flagship and for a minimal scenario.

use brink::engine::MetricLayout;
use brink::scenario::{self, Loaded, Resolver, paths, schema};
use std::path::Path;
use toml::Value;

/// Reads includes from disk, relative to the including file.
struct Disk;

impl Resolver for Disk {
    fn resolve(&self, from: &str, include: &str) -> Result<(String, String), String> {
        let p = Path::new(from).parent().unwrap_or(Path::new(".")).join(include);
        let name = p.to_string_lossy().into_owned();
        std::fs::read_to_string(&p)
            .map(|t| (name, t))
            .map_err(|e| e.to_string())
    }
}

fn load(file: &str) -> Loaded {
    let text = std::fs::read_to_string(file).unwrap();
    scenario::parse(&text, file, &[], &Disk).unwrap_or_else(|e| panic!("{file}: {e}"))
}

const STEPS: usize = 6;

#[test]
fn every_step_is_valid_and_runs() {
    for i in 1..=STEPS {
        let file = format!("docs/tutorial/step{i}.toml");
        let l = load(&file);
        let s = &l.scenario;
        let layout = MetricLayout::new(s);
        for trial in 0..50 {
            let (r, _) = brink::runner::one(s, &layout, s.seed, trial);
            assert!(r.end_step <= s.horizon, "{file}: trial {trial} ran past the horizon");
        }
        assert!(l.warnings.is_empty(), "{file}: {:?}", l.warnings);
    }
    // Step 6 removed the hazard of step 5 and kept the rest.
    let five = load("docs/tutorial/step5.toml").scenario;
    let six = load("docs/tutorial/step6.toml").scenario;
    let sn = |s: &brink::model::Scenario| s.dyads.iter().position(|d| d.id == "south_north").unwrap();
    assert!(five.dyads[sn(&five)].hazard.is_some());
    assert!(six.dyads[sn(&six)].hazard.is_none());
    assert_eq!(five.triggers.len(), six.triggers.len());
}

/// The fenced blocks of `doc` of a language, with their lines.
fn blocks<'a>(doc: &'a str, lang: &str) -> Vec<Vec<&'a str>> {
    let fence = format!("```{lang}");
    let mut out = Vec::new();
    let mut cur: Option<Vec<&str>> = None;
    for line in doc.lines() {
        let t = line.trim();
        match &mut cur {
            None if t == fence => cur = Some(Vec::new()),
            Some(_) if t == "```" => out.push(cur.take().expect("open block")),
            Some(b) => b.push(t),
            None => {}
        }
    }
    out
}

#[test]
fn the_page_shows_what_each_step_file_holds() {
    let doc = std::fs::read_to_string("docs/scenario.md").unwrap();
    let mut seen = 0;
    for b in blocks(&doc, "toml") {
        let Some(file) = b
            .first()
            .and_then(|l| l.strip_prefix("# "))
            .filter(|f| f.starts_with("docs/tutorial/"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for l in &b[1..] {
            assert!(
                lines.contains(l),
                "docs/scenario.md shows `{l}`, which {file} does not hold"
            );
        }
        seen += 1;
    }
    assert_eq!(seen, STEPS, "one block per step");
}

#[test]
fn the_page_quotes_the_pinned_messages() {
    let doc = std::fs::read_to_string("docs/scenario.md").unwrap();
    let mistakes = &doc[doc.find("### Common mistakes").expect("a mistakes section")..];
    let mut seen = 0;
    for b in blocks(mistakes, "text") {
        let first = b[0];
        let toml = &first[..first
            .find(".toml:")
            .or_else(|| first.find(".toml"))
            .expect("names a file")
            + 5];
        let stderr = std::fs::read_to_string(Path::new(toml).with_extension("stderr")).unwrap();
        let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
        for l in &b {
            let pinned = lines.iter().any(|x| x.strip_prefix("x ") == Some(l) || x == l);
            assert!(pinned, "{toml}: the page quotes `{l}`, which its .stderr does not hold");
        }
        seen += 1;
    }
    assert!(seen >= 10, "expected the common mistakes, found {seen}");
}

/// Every documented key of every entry present, which the entry's kind
/// reads, and which is not optional (absent = none), is in `params`.
fn assert_params_complete(l: &Loaded, what: &str) {
    let listed: Vec<String> = l.params().into_iter().map(|(p, _)| p).collect();
    let tree = match Value::try_from(&l.raw).unwrap() {
        Value::Table(t) => t,
        _ => unreachable!("a scenario is a table"),
    };
    let mut checked = 0;
    for (pat, _) in paths::DOCS {
        if pat.contains('+') || (l.scenario.game.is_none() && is_game_key(pat)) {
            continue;
        }
        for path in expand(&tree, pat) {
            let segs: Vec<&str> = path.split('.').collect();
            if skipped(&tree, &segs) {
                continue;
            }
            assert!(listed.contains(&path), "{what}: `brink params` does not list {path}");
            checked += 1;
        }
    }
    assert!(checked > 20, "{what}: only {checked} paths checked");
}

fn is_game_key(pat: &str) -> bool {
    pat.starts_with("game")
        || ["strategy", "generosity", "p", "four_vector", "first"]
            .iter()
            .any(|k| *pat == format!("actors.*.{k}"))
}

/// Paths of `pat` over the ids present in `tree`.
fn expand(tree: &toml::Table, pat: &str) -> Vec<String> {
    let mut out = vec![(String::new(), Some(tree))];
    for seg in pat.split('.') {
        let mut next = Vec::new();
        for (prefix, node) in out {
            let join = |k: &str| {
                if prefix.is_empty() {
                    k.to_string()
                } else {
                    format!("{prefix}.{k}")
                }
            };
            if seg == "*" {
                for (k, v) in node.into_iter().flatten() {
                    next.push((join(k), v.as_table()));
                }
            } else {
                next.push((join(seg), node.and_then(|n| n.get(seg)).and_then(Value::as_table)));
            }
        }
        out = next;
    }
    out.into_iter().map(|(p, _)| p).collect()
}

/// Whether `segs` is under an absent optional table, is optional itself,
/// or is not read by its entry's kind.
fn skipped(tree: &toml::Table, segs: &[&str]) -> bool {
    for n in 1..=segs.len() {
        let pat: Vec<String> = segs[..n]
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let generic = scenario::params::OPTIONAL.iter().any(|o| {
                    let os: Vec<&str> = o.split('.').collect();
                    os.len() == n && os[i] == "*"
                });
                if generic { "*".to_string() } else { s.to_string() }
            })
            .collect();
        if scenario::params::OPTIONAL.contains(&pat.join(".").as_str()) && get(tree, &segs[..n]).is_none() {
            return true;
        }
    }
    for k in schema::KINDED {
        let n = k.table.split('.').count();
        if segs.len() > n
            && let Some(Value::Table(t)) = get(tree, &segs[..n])
            && schema::reads(&segs[..n], t, segs[n]) == Some(false)
        {
            return true;
        }
    }
    false
}

fn get<'a>(tree: &'a toml::Table, segs: &[&str]) -> Option<&'a Value> {
    let (last, init) = segs.split_last()?;
    let mut t = tree;
    for s in init {
        t = t.get(*s)?.as_table()?;
    }
    t.get(*last)
}

#[test]
fn params_lists_every_parameter_the_engine_reads() {
    assert_params_complete(&scenario::parse_builtin("us_iraq_2024", &[]).unwrap(), "flagship");
    assert_params_complete(&load("docs/tutorial/step1.toml"), "tutorial step 1");
    assert_params_complete(&load("docs/tutorial/step5.toml"), "tutorial step 5");
}
