//! A sweep checkpoint made by hand (`.sweep-partial.json` and the kept
//! files), as an interruption during a point would leave it, from a
//! complete sweep directory: resume tests need no signal, and hostile
//! tests can spoil it. Shared by `sweep_sensitivity.rs` and `hostile.rs`.
#![allow(dead_code)]

use std::path::Path;

const SENS: &str = "sensitivity.csv";

fn text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// The lengths `lens` of a checkpoint after point `p` completed, from the
/// whole files: each file's bytes through its last line of a point `< p`.
pub fn cut(path: &Path, prefix_points: usize) -> u64 {
    let t = text(path);
    let mut len = 0u64;
    for (i, line) in t.split_inclusive('\n').enumerate() {
        let point: Option<usize> = line.split(',').next().and_then(|c| c.parse().ok());
        if i == 0 || point.is_some_and(|q| q < prefix_points) {
            len += line.len() as u64;
        } else {
            break;
        }
    }
    len
}

/// Turns a complete sweep directory into the checkpoint an interruption
/// during point `next` would have left: the files kept under their hidden
/// names, cut after point `next - 1`, and `.sweep-partial.json`.
/// Returns the lengths it computed (trials.csv, summary.csv, Y.txt,
/// sensitivity.csv); `lens` replaces them in the file when given.
pub fn make(dir: &Path, next: usize, lens: Option<serde_json::Value>) -> [u64; 4] {
    let mut m: serde_json::Value = serde_json::from_str(&text(&dir.join("run.json"))).expect("json");
    let files = ["trials.csv", "summary.csv", SENS];
    let l: Vec<u64> = files.iter().map(|f| cut(&dir.join(f), next)).collect();
    for f in files {
        std::fs::rename(dir.join(f), dir.join(format!(".{f}.partial"))).expect("rename");
    }
    std::fs::remove_file(dir.join("run.json")).expect("rm");
    m["files"] = serde_json::json!({});
    let keys: Vec<String> = m.as_object().expect("obj").keys().cloned().collect();
    // Keep the manifest's own fields only (run.json adds provenance).
    let manifest_keys = [
        "brink_version",
        "scenario",
        "scenario_sha256",
        "overrides",
        "paths",
        "points",
        "design_sha256",
        "seed",
        "trials",
        "crn",
        "y",
        "shard",
        "shard_points",
        "files",
        "format",
        "sensitivity",
    ];
    for k in keys {
        if !manifest_keys.contains(&k.as_str()) {
            m.as_object_mut().expect("obj").remove(&k);
        }
    }
    let partial = serde_json::json!({
        "manifest": m,
        "next_point": next,
        "lens": lens.unwrap_or(serde_json::json!([l[0], l[1], 0, l[2]])),
        "rows": 0,
    });
    std::fs::write(dir.join(".sweep-partial.json"), partial.to_string()).expect("write");
    [l[0], l[1], 0, l[2]]
}

/// Replaces the `lens` of `dir`'s checkpoint.
pub fn make_lens(dir: &Path, lens: serde_json::Value) {
    let p = dir.join(".sweep-partial.json");
    let mut v: serde_json::Value = serde_json::from_str(&text(&p)).expect("json");
    v["lens"] = lens;
    std::fs::write(p, v.to_string()).expect("write");
}
