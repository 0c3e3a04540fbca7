//! Feature pins for brink's builds: no code. Cargo resolves a dependency's
//! features per build, so without this crate `cargo test --release`,
//! `cargo build --release --bin brink` and maturin's build of the Python
//! extension would each compile their own copy of most of the tree. Its
//! `Cargo.toml` lists the union of the features the three builds turn on;
//! see `ci/README.md`.
#![no_std]
