//! Fuzzes the scenario loader: `scenario::parse` with includes served from memory,
//! `--set` arguments and one short trial (input layout in its doc). The body is
//! `brink_fuzz::scenario_parse` (fuzz/src/lib.rs), which tests/hostile.rs also runs
//! on the seed corpus and deterministic mutations.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    brink_fuzz::scenario_parse(data);
});
