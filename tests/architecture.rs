//! The layers of `docs/architecture.md` hold: no module imports a layer
//! below its own, and the front ends go through `job`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Layer of each top-level module, as `docs/architecture.md` lists them.
const LAYERS: &[(&str, u8)] = &[
    ("math", 0),
    ("rng", 0),
    ("stats", 0),
    ("date", 0),
    ("text", 0),
    ("dist", 0),
    ("sensitivity", 0),
    ("score", 0),
    ("calibrate", 0),
    ("scenario", 1),
    ("observed", 1),
    ("model", 1),
    ("policy", 1),
    ("engine", 2),
    ("design", 3),
    ("runner", 3),
    ("output", 4),
    ("job", 5),
    ("cli", 6),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a file names as `prefix::<module>`, outside
/// comments (doc links are not imports).
fn imports(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            rest = after;
        }
        // `use crate::{a, b::c}` names several modules at once.
        if let Some(at) = code.find(&format!("{prefix}{{")) {
            let inner = code[at + prefix.len() + 1..].split('}').next().unwrap_or("");
            for part in inner.split(',') {
                let name = part.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() {
                    found.insert(name.to_string());
                }
            }
        }
    }
    found
}

/// Every import that goes down the table, as `file: uses module`.
fn violations() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let mut bad = Vec::new();
    for f in &files {
        let rel = f.strip_prefix("src").expect("under src");
        let top = rel.iter().next().expect("a component").to_string_lossy();
        let top = top.trim_end_matches(".rs");
        let Some(own) = layer(top) else { continue };
        let text = std::fs::read_to_string(f).expect("readable");
        for m in imports(&text, "crate::") {
            if let Some(l) = layer(&m)
                && l > own
            {
                bad.push(format!("{}: `{top}` (layer {own}) uses `{m}` (layer {l})", f.display()));
            }
        }
    }
    bad
}

#[test]
fn no_module_imports_a_layer_below_its_own() {
    let bad = violations();
    assert!(
        bad.is_empty(),
        "imports against docs/architecture.md:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = std::fs::read_to_string("src/lib.rs").expect("lib.rs");
    for line in lib.lines() {
        if let Some(m) = line.strip_prefix("pub mod ").and_then(|r| r.strip_suffix(';')) {
            assert!(
                layer(m).is_some(),
                "module `{m}` has no layer in tests/architecture.rs and docs/architecture.md"
            );
        }
    }
}

#[test]
fn the_checker_sees_a_forbidden_import() {
    // The detector itself: an engine file importing output, and a grouped
    // import, are both seen.
    let text = "use crate::model::Scenario;\nuse crate::{output::CsvFile, rng};\n// crate::cli in a comment\n";
    let found = imports(text, "crate::");
    assert!(found.contains("output") && found.contains("model") && found.contains("rng"));
    assert!(!found.contains("cli"));
    assert!(layer("output") > layer("engine"));
}

#[test]
fn the_front_ends_go_through_job() {
    // The Python binding converts and calls job: it never uses the CLI.
    let py = std::fs::read_to_string("python/src/lib.rs").expect("python/src/lib.rs");
    let used = imports(&py, "brink::");
    assert!(used.contains("job"), "python/src/lib.rs does not use brink::job");
    assert!(!used.contains("cli"), "python/src/lib.rs uses brink::cli");
    // The CLI neither runs trials nor writes files itself.
    let mut files = Vec::new();
    rust_files(Path::new("src/cli"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        for m in ["runner", "output", "engine", "design"] {
            assert!(
                !imports(&text, "crate::").contains(m),
                "{} uses `{m}`: go through job",
                f.display()
            );
        }
    }
}

#[test]
fn the_docs_list_the_same_layers() {
    let doc = std::fs::read_to_string("docs/architecture.md").expect("docs/architecture.md");
    for (m, _) in LAYERS {
        assert!(
            doc.contains(&format!("`{m}`")),
            "docs/architecture.md does not place `{m}`"
        );
    }
}
