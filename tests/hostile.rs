//! Hostile input through the binary (issue 9): valid scenarios mutated the
//! way hand-written files go wrong (deleted keys, wrong types, huge and tiny
//! numbers, NaN and infinity, duplicate and dangling ids, deep includes,
//! include cycles, non-UTF-8 bytes), each written to disk and given to
//! `brink check FILE`. Every case must end without a panic, with exit code
//! 0 (the mutation stayed valid) or 2 (bad input), and a bad input's
//! message must name the file and, for an error inside a file's text, its
//! line and column.
//!
//! Cases per property are fixed (proptest's default seed handling makes a
//! failure reproducible from its printed seed); the whole file runs in a
//! few seconds.

use proptest::prelude::*;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_brink");
const SMALL: &str = include_str!("data/small.toml");

/// What `brink check` said.
struct Checked {
    code: i32,
    stderr: String,
}

fn check(file: &Path) -> Checked {
    let out = Command::new(BIN)
        .arg("check")
        .arg(file)
        .env("NO_COLOR", "1")
        .output()
        .expect("run brink");
    Checked {
        // A signal (a crash) has no code: report it as -1.
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// No panic, exit 0 or 2, and a bad input names a file of the case (the
/// file named on the command line or one it includes, all in `file`'s
/// directory), with `FILE:LINE:COL` when `located`.
fn assert_handled(c: &Checked, file: &Path, located: bool) -> Result<(), TestCaseError> {
    prop_assert!(!c.stderr.contains("panicked"), "panic:\n{}", c.stderr);
    prop_assert!(c.code == 0 || c.code == 2, "exit code {}:\n{}", c.code, c.stderr);
    if c.code == 2 {
        let dir = file.parent().expect("in a dir").display().to_string();
        let at = format!("{dir}/");
        prop_assert!(c.stderr.contains(&at), "message names no file of {dir}:\n{}", c.stderr);
        if located {
            let has_line_col = c.stderr.match_indices(&at).any(|(i, _)| {
                let rest = &c.stderr[i + at.len()..];
                let Some(k) = rest.find(".toml:") else {
                    return false;
                };
                if rest[..k].contains(char::is_whitespace) {
                    return false;
                }
                let mut parts = rest[k + 6..].splitn(3, ':');
                let line = parts.next().unwrap_or("");
                let col = parts.next().unwrap_or("");
                !line.is_empty()
                    && line.bytes().all(|b| b.is_ascii_digit())
                    && !col.is_empty()
                    && col.bytes().all(|b| b.is_ascii_digit())
            });
            prop_assert!(has_line_col, "no FILE:LINE:COL in:\n{}", c.stderr);
        }
    }
    Ok(())
}

/// Lines of `SMALL` that hold `key = value`.
fn value_lines() -> Vec<usize> {
    SMALL
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.starts_with('[') && l.contains(" = "))
        .map(|(i, _)| i)
        .collect()
}

/// `SMALL` with line `i`'s value replaced.
fn with_value(i: usize, value: &str) -> String {
    SMALL
        .lines()
        .enumerate()
        .map(|(j, l)| {
            if j == i {
                let key = l.split(" = ").next().unwrap_or(l);
                format!("{key} = {value}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Values that are wrong in type or extreme in size.
const BAD_VALUES: &[&str] = &[
    "nan",
    "+nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "1e308",
    "-1e308",
    "5e-324",
    "-5e-324",
    "1.7976931348623157e308",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967296",
    "65536",
    "0",
    "-0.0",
    "-1",
    "\"text\"",
    "\"\"",
    "true",
    "[1, 2]",
    "[]",
    "{ a = 1 }",
    "1979-05-27",
    "\"b\"",
    "\"zz\"",
    "\"a\"",
];

fn write(dir: &Path, name: &str, text: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(48), ..ProptestConfig::default() })]

    /// Any value replaced by a wrong type, an extreme number, NaN or an
    /// unknown id: handled, located at a line and column.
    #[test]
    fn wrong_types_extreme_numbers_and_dangling_ids(line in prop::sample::select(value_lines()), v in prop::sample::select(BAD_VALUES)) {
        let dir = tempfile::tempdir().expect("tmp");
        let f = write(dir.path(), "m.toml", with_value(line, v).as_bytes());
        assert_handled(&check(&f), &f, true)?;
    }

    /// Any line deleted (a key, or a table header), or duplicated (a
    /// duplicate key or table): handled.
    #[test]
    fn deleted_and_duplicated_lines(line in 0..SMALL.lines().count(), dup in any::<bool>()) {
        let mut lines: Vec<&str> = SMALL.lines().collect();
        if dup {
            lines.insert(line, lines[line]);
        } else {
            lines.remove(line);
        }
        let dir = tempfile::tempdir().expect("tmp");
        let f = write(dir.path(), "m.toml", lines.join("\n").as_bytes());
        let c = check(&f);
        // A deleted header or key can make a whole table missing, which
        // has no line of its own; syntax and duplicates do.
        assert_handled(&c, &f, dup && c.stderr.contains("invalid TOML"))?;
    }

    /// A byte that is not UTF-8 anywhere in the file, or in an included
    /// file: handled, naming the file that holds it.
    #[test]
    fn non_utf8_bytes(at in 0..SMALL.len(), byte in prop::sample::select(vec![0x80u8, 0xc3, 0xff, 0xfe, 0xed]), in_base in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tmp");
        let mut bytes = SMALL.as_bytes().to_vec();
        bytes.insert(at, byte);
        if in_base {
            let base = write(dir.path(), "base.toml", &bytes);
            let f = write(dir.path(), "m.toml", b"include = \"base.toml\"\n");
            let c = check(&f);
            prop_assert_eq!(c.code, 2, "{}", c.stderr);
            prop_assert!(c.stderr.contains(&base.display().to_string()), "{}", c.stderr);
            prop_assert!(c.stderr.contains("not UTF-8"), "{}", c.stderr);
            assert_handled(&c, &f, true)?;
        } else {
            let f = write(dir.path(), "m.toml", &bytes);
            let c = check(&f);
            prop_assert_eq!(c.code, 2, "{}", c.stderr);
            prop_assert!(c.stderr.contains("not UTF-8"), "{}", c.stderr);
            assert_handled(&c, &f, false)?;
        }
    }

    /// A chain of includes of random depth: accepted up to the limit
    /// (MAX_INCLUDE_DEPTH files, the named one included), refused above it; a chain that loops back
    /// anywhere is refused as a cycle, naming the files.
    #[test]
    fn deep_includes_and_cycles(depth in 1usize..40, cycle_to in proptest::option::of(0usize..40)) {
        let dir = tempfile::tempdir().expect("tmp");
        let name = |k: usize| format!("f{k}.toml");
        for k in 0..depth {
            let next = if k + 1 < depth {
                name(k + 1)
            } else {
                match cycle_to {
                    Some(c) => name(c % depth),
                    None => "small.toml".to_string(),
                }
            };
            write(dir.path(), &name(k), format!("include = \"{next}\"\n[scenario]\nname = \"f{k}\"\n").as_bytes());
        }
        write(dir.path(), "small.toml", SMALL.as_bytes());
        let f = dir.path().join(name(0));
        let c = check(&f);
        assert_handled(&c, &f, true)?;
        let files = depth + usize::from(cycle_to.is_none());
        if files > brink::scenario::MAX_INCLUDE_DEPTH {
            prop_assert_eq!(c.code, 2, "{}", c.stderr);
            prop_assert!(c.stderr.contains("includes nest deeper") || c.stderr.contains("include cycle"), "{}", c.stderr);
        } else if cycle_to.is_some() {
            prop_assert_eq!(c.code, 2, "{}", c.stderr);
            prop_assert!(c.stderr.contains("include cycle"), "{}", c.stderr);
        } else {
            prop_assert_eq!(c.code, 0, "{}", c.stderr);
        }
    }
}

/// Entries an including file may try to remove: present, absent, nested,
/// or naming a section whole.
const REMOVALS: &[&str] = &[
    "outcomes.spiral",
    "outcomes.spirl",
    "dyads.a_b",
    "dyads.b_a.response",
    "dyads.b_a.response.delay",
    "ladder.raid",
    "actors.a",
    "actors",
    "nowhere.at.all",
    "",
];

/// Keys written into kinded tables, for kinds that read them or not
/// (issue 20): `table`, then a `key = value` line.
const KIND_KEYS: &[(&str, &str)] = &[
    ("[dyads.b_a.response]", "rule = \"wsls\""),
    ("[dyads.b_a.response]", "four_vector = [1, 0, 0, 1]"),
    ("[dyads.b_a.response]", "level = \"raid\""),
    ("[dyads.b_a.response]", "noise = 0.1"),
    ("[dyads.b_a.hazard]", "stock = \"pressure\""),
    ("[dyads.b_a.hazard]", "decay = 0.5"),
    ("[outcomes.spiral]", "track = \"talks\""),
    ("[outcomes.spiral]", "kind = \"deaths\""),
    ("[triggers.t]", "when = \"step\""),
    ("[triggers.t]", "at = 3"),
    ("[triggers.t]", "do = \"track\""),
    ("[triggers.t]", "duration = 0"),
    ("[triggers.t]", "killed = true"),
    ("[actors.a]", "generosity = 0.2"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `remove` and keys for one kind or another, in any combination:
    /// handled, and a bad one is located.
    #[test]
    fn removals_and_keys_of_other_kinds(
        removal in prop::sample::select(REMOVALS),
        keys in prop::collection::vec(prop::sample::select(KIND_KEYS), 0..5),
    ) {
        let dir = tempfile::tempdir().expect("tmp");
        write(dir.path(), "base.toml", SMALL.as_bytes());
        let mut text = format!("include = \"base.toml\"\nremove = [\"{removal}\"]\n");
        for (table, kv) in &keys {
            text.push_str(&format!("{table}\n{kv}\n"));
        }
        let f = write(dir.path(), "m.toml", text.as_bytes());
        let c = check(&f);
        // A duplicated table header is a TOML error; everything else is
        // located at its key too.
        assert_handled(&c, &f, true)?;
    }
}

/// The named mutations, once each, with their exact outcome: a count of
/// distinct bad-input cases for `docs/reliability.md`.
#[test]
fn every_value_line_with_every_bad_value_is_handled() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cases = 0;
    let mut rejected = 0;
    // One file per case, checked in one process each: about 30 lines x 28
    // values would be slow, so sample every value on a spread of lines.
    let lines = value_lines();
    for (n, v) in BAD_VALUES.iter().enumerate() {
        let line = lines[(n * 7) % lines.len()];
        let f = write(dir.path(), &format!("c{n}.toml"), with_value(line, v).as_bytes());
        let c = check(&f);
        assert_handled(&c, &f, true).unwrap_or_else(|e| panic!("line {line} = {v}: {e}"));
        cases += 1;
        rejected += usize::from(c.code == 2);
    }
    assert_eq!(cases, BAD_VALUES.len());
    assert!(
        rejected * 2 > cases,
        "most of these values are invalid: {rejected}/{cases}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(256), ..ProptestConfig::default() })]

    /// Mangled text straight to `scenario::parse` (no process): random
    /// byte edits of a valid file, lossily decoded, never panic; an error
    /// names the file.
    #[test]
    fn mangled_text_never_panics_the_library(edits in prop::collection::vec((0usize..2000, any::<u8>(), 0u8..3), 1..12)) {
        let mut bytes = SMALL.as_bytes().to_vec();
        for (at, b, op) in edits {
            let at = at % (bytes.len() + 1);
            match op {
                0 => bytes.insert(at, b),
                1 if at < bytes.len() => { bytes.remove(at); }
                _ if at < bytes.len() => bytes[at] = b,
                _ => {}
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = brink::scenario::parse(&text, "m.toml", &[], &brink::scenario::BuiltinResolver) {
            prop_assert!(e.to_string().contains("m.toml"), "{e}");
        }
    }
}

/// The include limit at its edge: a chain of exactly MAX_INCLUDE_DEPTH
/// files loads; one more is refused with the depth named.
#[test]
fn include_chain_at_the_limit() {
    let max = brink::scenario::MAX_INCLUDE_DEPTH;
    for (files, ok) in [(max, true), (max + 1, false)] {
        let dir = tempfile::tempdir().expect("tmp");
        // f0 .. f(files-2) include the next; the last file is small.toml.
        for k in 0..files - 1 {
            let next = if k + 2 < files {
                format!("f{}.toml", k + 1)
            } else {
                "small.toml".into()
            };
            write(
                dir.path(),
                &format!("f{k}.toml"),
                format!("include = \"{next}\"\n").as_bytes(),
            );
        }
        write(dir.path(), "small.toml", SMALL.as_bytes());
        let c = check(&dir.path().join("f0.toml"));
        if ok {
            assert_eq!(c.code, 0, "{files} files: {}", c.stderr);
        } else {
            assert_eq!(c.code, 2, "{files} files: {}", c.stderr);
            assert!(c.stderr.contains("includes nest deeper than 16 files"), "{}", c.stderr);
        }
    }
}

// --- branch `windows`: [metrics], milestones, [phases] ----------------------

/// The keys `windows` added, mutated the ways files go wrong: each case is
/// handled (exit 0 or 2, never a panic), and a bad value names the file,
/// line and column.
#[test]
fn windowed_metrics_milestones_and_phases_hostile_values() {
    let extra = |body: &str| format!("{SMALL}\n{body}\n");
    let metric = |m: &str, sel: &str, window: &str| format!("[metrics.w]\nmetric = {m}\n{sel}\nwindow = {window}\n");
    let phase = "[outcomes.deal]\nkind = \"deaths\"\nactor = \"b\"\nterminal = false\n";
    let cases: Vec<(String, bool)> = vec![
        (extra(&metric("\"events\"", "dyads = [\"a_b\"]", "[0, 49]")), true),
        (extra(&metric("\"events\"", "dyads = [\"a_b\"]", "[0, 50]")), false),
        (extra(&metric("\"events\"", "dyads = [\"a_b\"]", "[-1, 5]")), false),
        (
            extra(&metric("\"events\"", "dyads = [\"a_b\"]", "[9223372036854775807, 5]")),
            false,
        ),
        (extra(&metric("\"events\"", "dyads = [\"a_b\"]", "[0, nan]")), false),
        (extra(&metric("\"events\"", "dyads = [\"a_b\"]", "[]")), false),
        (extra(&metric("\"events\"", "dyads = [\"a_b\"]", "\"0..5\"")), false),
        (
            extra(&metric("\"events\"", "dyads = [\"a_b\"]", "[2024-01-01, 2024-01-05]")),
            false,
        ),
        (extra(&metric("\"events\"", "dyads = []", "[0, 5]")), false),
        (extra(&metric("\"events\"", "dyads = [\"zz\"]", "[0, 5]")), false),
        (extra(&metric("\"events\"", "actors = [\"a\"]", "[0, 5]")), false),
        (extra(&metric("\"killed\"", "actors = [\"a\", \"a\"]", "[0, 5]")), false),
        (extra(&metric("\"track_status\"", "track = \"none\"", "[0, 5]")), false),
        (extra(&metric("42", "dyads = [\"a_b\"]", "[0, 5]")), false),
        (extra(&metric("\"bogus\"", "dyads = [\"a_b\"]", "[0, 5]")), false),
        (
            extra("[metrics.W]\nmetric = \"events\"\ndyads = [\"a_b\"]\nwindow = [0, 1]\n"),
            false,
        ),
        (
            extra("[metrics.events_a_b]\nmetric = \"events\"\ndyads = [\"a_b\"]\nwindow = [0, 1]\n"),
            false,
        ),
        (
            extra("[metrics.w]\nmetric = \"events\"\ndyads = [\"a_b\"]\nwindow = [0, 1]\nwhen = 3\n"),
            false,
        ),
        (
            extra("[outcomes.deal]\nkind = \"deaths\"\nactor = \"b\"\nterminal = \"no\"\n"),
            false,
        ),
        (
            extra("[outcomes.deal]\nkind = \"deaths\"\nactor = \"b\"\nterminal = false\n"),
            true,
        ),
        (extra(&format!("{phase}[phases.p]\nduration = 3\n")), false),
        (extra(&format!("{phase}[phases.p]\ntrack = \"t\"\n")), false),
        (
            extra(&format!(
                "{phase}[outcomes.done]\nkind = \"implemented\"\nphase = \"nope\"\n"
            )),
            false,
        ),
        (
            extra(&format!("{phase}[outcomes.done]\nkind = \"implemented\"\n")),
            false,
        ),
        (
            extra(&format!("{phase}[outcomes.done]\nkind = \"broken\"\nphase = 3\n")),
            false,
        ),
    ];
    let dir = tempfile::tempdir().expect("tmp");
    for (i, (text, ok)) in cases.iter().enumerate() {
        let file = write(dir.path(), &format!("w{i}.toml"), text.as_bytes());
        let c = check(&file);
        assert!(!c.stderr.contains("panicked"), "case {i} panicked:\n{}", c.stderr);
        assert_eq!(c.code, if *ok { 0 } else { 2 }, "case {i}:\n{text}\n{}", c.stderr);
        if !ok {
            let at = format!("w{i}.toml:");
            assert!(c.stderr.contains(&at), "case {i} names no file:\n{}", c.stderr);
        }
    }
}
