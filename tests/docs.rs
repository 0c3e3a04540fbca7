//! The documentation stays true to the code: every citation key resolves
//! in docs/references.md.

use std::path::Path;

fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

#[test]
fn every_cited_key_is_in_the_references() {
    let refs = std::fs::read_to_string("docs/references.md").unwrap();
    let mut paths = Vec::new();
    files(Path::new("src"), "rs", &mut paths);
    files(Path::new("docs"), "md", &mut paths);
    let mut missing = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap();
        // Keys look like [Name1999] or [NameName1999], possibly in a list
        // separated by "; ".
        for chunk in text.split('[').skip(1) {
            let Some(inner) = chunk.split(']').next() else { continue };
            for key in inner.split("; ") {
                let looks_like_key = key.len() >= 6
                    && key.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && key.chars().all(|c| c.is_ascii_alphanumeric())
                    && key.chars().rev().take(4).all(|c| c.is_ascii_digit());
                if looks_like_key && !refs.contains(&format!("**[{key}]**")) {
                    missing.push(format!("{}: [{key}]", p.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "citation keys missing from docs/references.md:\n{}",
        missing.join("\n")
    );
}
