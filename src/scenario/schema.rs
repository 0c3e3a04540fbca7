//! Which keys each table of a scenario may hold, read from the one list of
//! keys ([`super::paths::DOCS`]). The merged tree is checked against it
//! before it is deserialised, so an unknown key is reported as what it is
//! (an [`ErrorKind::UnknownKey`] with the keys allowed where it was
//! written) rather than recovered from a serde message.
//!
//! In a pattern, `*` is an id and `+` a free key (a level or place weight):
//! a table at such a position accepts any key.
//!
//! Some tables choose a kind with one key (`when`, `do`, `kind`, `rule`,
//! `stock`); their other keys each mean something for some kinds only
//! ([`KINDED`]). A key given for a kind that does not read it is an error
//! ([`ErrorKind::KeyNotForKind`]) that names the kinds it belongs to, and
//! `brink params` lists, for each entry, the keys its kind reads.

use super::ErrorKind;
use super::kinds::{ChoiceName, ChoicePolicyName, Do, Named, OutcomeName, StockName, When};
use super::paths::{DOCS, closest};
use super::validate::Problem;
use crate::policy::RuleName;
use toml::{Table, Value};

/// The keys allowed in the table at `path` (segments of concrete keys), in
/// the order of [`DOCS`]; `None` if any key is allowed there.
pub fn allowed_keys(path: &[&str]) -> Option<Vec<&'static str>> {
    let mut out: Vec<&'static str> = Vec::new();
    for (pat, _) in DOCS {
        // No allocation per pattern (issue 18: this runs per table per parse).
        let mut p = pat.split('.');
        if !path
            .iter()
            .all(|b| p.next().is_some_and(|a| matches!(a, "*" | "+") || a == *b))
        {
            continue;
        }
        let Some(next) = p.next() else { continue };
        if matches!(next, "*" | "+") {
            return None;
        }
        if !out.contains(&next) {
            out.push(next);
        }
    }
    Some(out)
}

/// The first key of `tree` (in file order, depth first) that the file
/// format does not have where it is written.
pub fn check(tree: &Table) -> Result<(), Problem> {
    walk(tree, &mut Vec::new())
}

fn walk<'a>(t: &'a Table, path: &mut Vec<&'a str>) -> Result<(), Problem> {
    let allowed = allowed_keys(path);
    for (k, v) in t {
        if let Some(allowed) = &allowed
            && !allowed.contains(&k.as_str())
        {
            return Err(unknown(path, k, allowed));
        }
        if let Value::Table(sub) = v {
            path.push(k);
            walk(sub, path)?;
            path.pop();
        }
    }
    Ok(())
}

fn unknown(path: &[&str], name: &str, allowed: &[&str]) -> Problem {
    let key = path.iter().copied().chain([name]).collect::<Vec<_>>().join(".");
    let list = allowed.join(", ");
    let home = belongs_in(name, path);
    let help = match (closest(name, allowed.iter().copied()), home) {
        (_, Some(t)) => format!("`{name}` belongs in {t}, not here; keys allowed here: {list}"),
        (Some(c), None) => format!("did you mean `{c}`? keys allowed here: {list}"),
        (None, None) => format!("keys allowed here: {list}"),
    };
    Problem {
        kind: ErrorKind::UnknownKey,
        key,
        message: format!("unknown key `{name}`"),
        help: Some(help),
    }
}

/// One key that chooses a kind, and the keys each kind reads.
pub struct Selector {
    /// The key (`when`).
    pub key: &'static str,
    /// Its value when absent (`None`: the key is required).
    pub default: Option<&'static str>,
    /// For each kind, the keys it reads (besides the selector).
    pub reads: &'static [(&'static str, &'static [&'static str])],
}

/// A table whose keys depend on kinds: the pattern of its path, the keys
/// every kind reads, and one or two selectors (a trigger has `when` and
/// `do`; a key is meaningful if either reads it).
pub struct Kinded {
    /// Pattern of the table's path (`triggers.*`).
    pub table: &'static str,
    /// Keys read whatever the kind.
    pub common: &'static [&'static str],
    /// The selectors.
    pub selectors: &'static [Selector],
}

const GRADED_KEYS: &[&str] = &[
    "proportionality",
    "threshold",
    "generosity",
    "generosity_if_wounded",
    "generosity_if_killed",
    "severity_if_wounded",
    "severity_if_killed",
    "min_level",
    "max_level",
];
const TFT_KEYS: &[&str] = &[
    "proportionality",
    "threshold",
    "severity_if_wounded",
    "severity_if_killed",
    "min_level",
    "max_level",
];
const TWO_ACTION_KEYS: &[&str] = &["level", "max_level"];
const RULE_READS: &[(&str, &[&str])] = &[
    ("graded", GRADED_KEYS),
    ("tft", TFT_KEYS),
    ("gtft", GRADED_KEYS),
    ("ctft", TWO_ACTION_KEYS),
    ("tf2t", TWO_ACTION_KEYS),
    ("grim", TWO_ACTION_KEYS),
    ("wsls", TWO_ACTION_KEYS),
    ("allc", TWO_ACTION_KEYS),
    ("alld", TWO_ACTION_KEYS),
    ("random", TWO_ACTION_KEYS),
    ("memory_one", &["level", "max_level", "four_vector"]),
];

/// What each condition kind (`when`) reads, at a trigger's top level and
/// in its `all` and `any` tables.
const WHEN_READS: &[(&str, &[&str])] = &[
    ("event", &["from", "to", "min_level", "killed", "wounded", "within"]),
    ("step", &["at", "until"]),
    ("pressure", &["actor", "above"]),
    ("track", &["track", "status"]),
    ("driver", &["driver", "active"]),
    ("regime", &["dyad", "regime"]),
    ("action", &["actor", "action", "within"]),
];

/// The condition's selector in a combined trigger's tables.
const WHEN_SELECTOR: &[Selector] = &[Selector {
    key: "when",
    default: None,
    reads: WHEN_READS,
}];

/// One condition of a combined trigger (`triggers.*.all.*`, `.any.*`).
const fn condition_table(table: &'static str) -> Kinded {
    Kinded {
        table,
        common: &["when"],
        selectors: WHEN_SELECTOR,
    }
}

/// Every table whose keys depend on a kind. Each kind's name must be in its
/// enum's table of names (tested).
pub const KINDED: &[Kinded] = &[
    Kinded {
        table: "triggers.*",
        common: &["when", "do", "once", "probability", "refractory", "all", "any"],
        selectors: &[
            Selector {
                key: "when",
                default: None,
                reads: WHEN_READS,
            },
            Selector {
                key: "do",
                default: None,
                reads: &[
                    (
                        "act",
                        &["dyad", "level", "delay", "place", "force_killed", "force_wounded"],
                    ),
                    ("regime", &["dyad", "regime", "duration"]),
                    ("restrain", &["patron", "regime", "duration"]),
                    ("driver", &["driver", "active"]),
                    ("track", &["track", "status", "duration"]),
                    ("mark", &[]),
                ],
            },
        ],
    },
    Kinded {
        table: "outcomes.*",
        common: &["kind", "terminal"],
        selectors: &[Selector {
            key: "kind",
            default: None,
            reads: &[
                ("agreement", &["track"]),
                ("collapse", &["track"]),
                ("pressure", &["actor", "threshold"]),
                ("spiral", &["window", "threshold", "min_step"]),
                ("deaths", &["actor", "threshold"]),
                ("implemented", &["phase"]),
                ("broken", &["phase"]),
                ("action", &["actor", "action"]),
            ],
        }],
    },
    Kinded {
        table: "metrics.*",
        common: &["metric", "window", "description"],
        selectors: &[Selector {
            key: "metric",
            default: None,
            reads: &[
                ("events", &["dyads"]),
                ("responses", &["dyads"]),
                ("killed", &["actors"]),
                ("wounded", &["actors"]),
                ("first_event", &["dyads"]),
                ("first_death", &["actors"]),
                ("track_status", &["track"]),
            ],
        }],
    },
    Kinded {
        table: "dyads.*.response",
        common: &["rule", "delay", "refractory", "places"],
        selectors: &[Selector {
            key: "rule",
            default: Some("graded"),
            reads: RULE_READS,
        }],
    },
    condition_table("triggers.*.all.*"),
    condition_table("triggers.*.any.*"),
    Kinded {
        table: "dyads.*.regimes.*.response",
        common: &["rule", "delay", "refractory", "places"],
        selectors: &[Selector {
            // absent: the dyad's rule, whose keys are not known here
            key: "rule",
            default: None,
            reads: RULE_READS,
        }],
    },
    Kinded {
        table: "dyads.*.hazard",
        common: &["stock", "intercept", "slope", "level", "refractory", "places"],
        selectors: &[Selector {
            key: "stock",
            default: Some("grievance"),
            reads: &[("grievance", &["decay"]), ("pressure", &[])],
        }],
    },
    Kinded {
        table: "actors.*.actions.*",
        common: &["do", "policy", "stock", "refractory", "max", "relief"],
        selectors: &[
            Selector {
                key: "do",
                default: None,
                reads: &[
                    ("restrain", &["regime", "comply", "duration"]),
                    ("pause", &["track", "duration"]),
                    ("hurry", &["track", "factor", "duration"]),
                    ("harden", &["track", "factor", "duration"]),
                    ("walk_out", &["track"]),
                    ("demand_withdrawal", &["target", "weight"]),
                    ("protest", &["target", "weight"]),
                ],
            },
            Selector {
                key: "policy",
                default: Some("hazard"),
                reads: &[
                    ("hazard", &["intercept", "slope"]),
                    ("threshold", &["threshold", "noise_sd"]),
                ],
            },
        ],
    },
];

/// A key that a trigger's top-level condition `when` and its action `do`
/// would both read (`dyad` for when = "regime", do = "act"), if any.
pub fn shared_trigger_key(when: &str, action: &str) -> Option<&'static str> {
    let sels = KINDED[0].selectors;
    let reads = |sel: &Selector, name: &str| sel.reads.iter().find(|(n, _)| *n == name).map(|(_, k)| *k);
    let w = reads(&sels[0], when)?;
    let d = reads(&sels[1], action)?;
    w.iter().copied().find(|k| d.contains(k))
}

/// The names each selector's kinds come from, to test [`KINDED`] against.
pub fn selector_names(table: &str, key: &str) -> &'static [&'static str] {
    match (table, key) {
        ("triggers.*" | "triggers.*.all.*" | "triggers.*.any.*", "when") => When::NAMES,
        ("triggers.*", "do") => Do::NAMES,
        ("outcomes.*", "kind") => OutcomeName::NAMES,
        ("metrics.*", "metric") => &crate::model::window::MEASURES,
        ("dyads.*.response" | "dyads.*.regimes.*.response", "rule") => RuleName::NAMES,
        ("dyads.*.hazard", "stock") => StockName::NAMES,
        ("actors.*.actions.*", "do") => ChoiceName::NAMES,
        ("actors.*.actions.*", "policy") => ChoicePolicyName::NAMES,
        _ => &[],
    }
}

/// Whether `key` of the table at `path` (concrete segments) is read,
/// given the table's own values (`None` if the table has no kinds or a
/// selector's kind is unknown, so nothing can be said).
pub fn reads(path: &[&str], table: &Table, key: &str) -> Option<bool> {
    let k = KINDED.iter().find(|k| matches_pattern(k.table, path))?;
    if k.common.contains(&key) {
        return Some(true);
    }
    let mut any = false;
    for sel in k.selectors {
        let chosen = match table.get(sel.key) {
            Some(Value::String(v)) => v.as_str(),
            Some(_) => return None,
            None => sel.default?,
        };
        let (_, keys) = sel.reads.iter().find(|(n, _)| *n == chosen)?;
        any |= keys.contains(&key);
    }
    Some(any)
}

fn matches_pattern(pat: &str, path: &[&str]) -> bool {
    let p: Vec<&str> = pat.split('.').collect();
    p.len() == path.len() && p.iter().zip(path).all(|(a, b)| *a == "*" || a == b)
}

/// The first key of a kinded table that its kind does not read.
pub fn check_kinds(tree: &Table) -> Result<(), Problem> {
    for k in KINDED {
        let pat: Vec<&str> = k.table.split('.').collect();
        let mut found = Vec::new();
        tables_at(tree, &pat, &mut Vec::new(), &mut found);
        for (path, t) in found {
            for key in t.keys() {
                if reads(&path, t, key) == Some(false) {
                    return Err(not_for_kind(k, &path, t, key));
                }
            }
        }
    }
    Ok(())
}

/// Every table in `tree` whose path matches `pat`.
fn tables_at<'a>(t: &'a Table, pat: &[&str], path: &mut Vec<&'a str>, out: &mut Vec<(Vec<&'a str>, &'a Table)>) {
    let Some((head, rest)) = pat.split_first() else {
        return;
    };
    for (k, v) in t {
        if (*head == "*" || head == k)
            && let Value::Table(sub) = v
        {
            path.push(k);
            if rest.is_empty() {
                out.push((path.clone(), sub));
            } else {
                tables_at(sub, rest, path, out);
            }
            path.pop();
        }
    }
}

fn not_for_kind(k: &Kinded, path: &[&str], t: &Table, key: &str) -> Problem {
    let chosen: Vec<String> = k
        .selectors
        .iter()
        .map(|s| {
            let v = t.get(s.key).and_then(Value::as_str).or(s.default).unwrap_or("");
            format!("{} = \"{v}\"", s.key)
        })
        .collect();
    let owners: Vec<String> = k
        .selectors
        .iter()
        .flat_map(|s| {
            s.reads
                .iter()
                .filter(|(_, keys)| keys.contains(&key))
                .map(move |(n, _)| format!("{} = \"{n}\"", s.key))
        })
        .collect();
    let full = path.iter().copied().chain([key]).collect::<Vec<_>>().join(".");
    Problem {
        kind: ErrorKind::KeyNotForKind,
        key: full,
        message: format!("`{key}` means nothing for {}", chosen.join(", ")),
        help: Some(if owners.is_empty() {
            format!("remove `{key}`")
        } else {
            format!("`{key}` is read by {}; remove it here", owners.join(", "))
        }),
    }
}

/// The tables (`[dyads.<id>]`, ...) where `name` is a key, if it is one
/// somewhere else than at `path`.
fn belongs_in(name: &str, path: &[&str]) -> Option<String> {
    let mut homes: Vec<String> = Vec::new();
    for (pat, _) in DOCS {
        let p: Vec<&str> = pat.split('.').collect();
        for i in 0..p.len() {
            if p[i] != name {
                continue;
            }
            let here = i == path.len() && p[..i].iter().zip(path).all(|(a, b)| *a == "*" || a == b);
            if here {
                return None;
            }
            let t: Vec<&str> = p[..i].iter().map(|s| if *s == "*" { "<id>" } else { s }).collect();
            let t = if t.is_empty() {
                "the top level".to_string()
            } else {
                format!("[{}]", t.join("."))
            };
            if !homes.contains(&t) {
                homes.push(t);
            }
        }
    }
    match homes.len() {
        0 => None,
        _ => Some(homes.join(" or ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_allow_their_documented_keys() {
        let init = allowed_keys(&["dyads", "a_b", "initiative"]).expect("a fixed table");
        assert_eq!(init.first(), Some(&"rate"));
        assert!(init.contains(&"drivers"));
        assert_eq!(allowed_keys(&["dyads", "a_b", "initiative", "levels"]), None);
        assert_eq!(allowed_keys(&["actors"]), None);
        let root = allowed_keys(&[]).expect("root");
        assert_eq!(root[..4], ["include", "remove", "scenario", "places"]);
    }

    #[test]
    fn every_kind_is_a_name_of_its_enum_and_every_key_is_documented() {
        for k in KINDED {
            for sel in k.selectors {
                let names = selector_names(k.table, sel.key);
                let listed: Vec<&str> = sel.reads.iter().map(|(n, _)| *n).collect();
                assert_eq!(listed, names, "{}.{}", k.table, sel.key);
                let path: Vec<&str> = k.table.split('.').collect();
                let allowed = allowed_keys(&path).expect("a fixed table");
                for key in k.common.iter().chain(sel.reads.iter().flat_map(|(_, ks)| ks.iter())) {
                    assert!(allowed.contains(key), "{}.{key} is not in DOCS", k.table);
                }
            }
        }
    }

    #[test]
    fn a_key_for_another_kind_names_the_kinds_that_read_it() {
        let tree: Table =
            toml::from_str("[triggers.t]\nwhen = \"step\"\nat = 3\ndo = \"mark\"\nabove = 2.0\n").unwrap();
        let p = check_kinds(&tree).unwrap_err();
        assert_eq!(p.kind, ErrorKind::KeyNotForKind);
        assert_eq!(p.key, "triggers.t.above");
        assert_eq!(p.message, "`above` means nothing for when = \"step\", do = \"mark\"");
        assert_eq!(
            p.help.unwrap(),
            "`above` is read by when = \"pressure\"; remove it here"
        );
    }

    #[test]
    fn a_key_in_the_wrong_table_says_where_it_belongs() {
        let tree: Table = toml::from_str("[dyads.a_b.response]\nnoise = 0.1\n").unwrap();
        let p = check(&tree).unwrap_err();
        assert!(
            p.help
                .unwrap()
                .starts_with("`noise` belongs in [dyads.<id>] or [game], not here")
        );
    }

    #[test]
    fn an_unknown_key_names_its_path_and_the_allowed_keys() {
        let tree: Table = toml::from_str("[dyads.a_b.initiative]\nrat = 1.0\n").unwrap();
        let p = check(&tree).unwrap_err();
        assert_eq!(p.kind, ErrorKind::UnknownKey);
        assert_eq!(p.key, "dyads.a_b.initiative.rat");
        assert!(p.help.unwrap().starts_with("did you mean `rate`?"));
    }
}
