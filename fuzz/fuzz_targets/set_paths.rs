//! Fuzzes `--set`: `paths::parse_set` per line, then the lines applied to a small
//! scenario and one short trial when it validates. The body is
//! `brink_fuzz::set_paths` (fuzz/src/lib.rs), which tests/hostile.rs also runs
//! on the seed corpus and deterministic mutations.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    brink_fuzz::set_paths(data);
});
