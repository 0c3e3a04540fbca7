//! Which keys each table of a scenario may hold, read from the one list of
//! keys ([`super::paths::DOCS`]). The merged tree is checked against it
//! before it is deserialised, so an unknown key is reported as what it is
//! (an [`ErrorKind::UnknownKey`] with the keys allowed where it was
//! written) rather than recovered from a serde message.
//!
//! In a pattern, `*` is an id and `+` a free key (a level or place weight):
//! a table at such a position accepts any key.

use super::ErrorKind;
use super::paths::{DOCS, closest};
use super::validate::Problem;
use toml::{Table, Value};

/// The keys allowed in the table at `path` (segments of concrete keys), in
/// the order of [`DOCS`]; `None` if any key is allowed there.
pub fn allowed_keys(path: &[&str]) -> Option<Vec<&'static str>> {
    let mut out: Vec<&'static str> = Vec::new();
    for (pat, _) in DOCS {
        let p: Vec<&'static str> = pat.split('.').collect();
        if p.len() <= path.len() || !p.iter().zip(path).all(|(a, b)| matches!(*a, "*" | "+") || a == b) {
            continue;
        }
        let next = p[path.len()];
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
    let help = match closest(name, allowed.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? keys allowed here: {list}"),
        None => format!("keys allowed here: {list}"),
    };
    Problem {
        kind: ErrorKind::UnknownKey,
        key,
        message: format!("unknown key `{name}`"),
        help: Some(help),
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
        assert_eq!(root[..3], ["include", "scenario", "places"]);
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
