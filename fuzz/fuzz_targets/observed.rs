//! Fuzzes observed-record files (`brink score --observed`, `src/observed/`). The body is
//! `brink_fuzz::observed` (fuzz/src/lib.rs), which tests/hostile.rs also runs
//! on the seed corpus and deterministic mutations.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    brink_fuzz::observed(data);
});
