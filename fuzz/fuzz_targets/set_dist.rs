//! Fuzzes the `--set` distribution syntax (`lognormal:median=1.5,p95=3`) and
//! its use on a small scenario. The body is
//! `brink_fuzz::set_dist` (fuzz/src/lib.rs), which tests/hostile.rs also runs
//! on the seed corpus and deterministic mutations.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    brink_fuzz::set_dist(data);
});
