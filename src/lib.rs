//! # brink
//!
//! An agent-based Monte Carlo simulator of crises in which parties
//! negotiate while they fight. A scenario (TOML, see `docs/scenario.md`)
//! declares an escalation ladder, actors, the policies of each toward the
//! others (tit-for-tat and its relatives), negotiation tracks, pressure
//! stocks, drivers, triggers and outcomes; brink runs seeded trials and
//! writes CSV.
//!
//! ```
//! use brink::{engine::MetricLayout, runner, scenario};
//! let loaded = scenario::parse_builtin("us_iraq_2024", &["scenario.horizon=30".into()]).unwrap();
//! let s = &loaded.scenario;
//! let layout = MetricLayout::new(s);
//! let (result, metrics) = runner::one(s, &layout, 7, 0);
//! assert!(result.end_step <= 30);
//! assert_eq!(metrics.len(), layout.len());
//! ```
//!
//! Layers, each importing only those before it (`docs/architecture.md`;
//! `tests/architecture.rs` enforces it): [`scenario`] loads and validates
//! (pure: text in, [`model::Scenario`] out); [`policy`] and [`engine`] run
//! one trial (pure: scenario and RNG in, result out); [`design`] and
//! [`runner`] fan trials out over threads and points, into any sink;
//! [`output`] writes files; [`job`] holds one typed spec per command,
//! validated once, run into a sink, giving a typed report; [`cli`] (and
//! the Python binding) only convert to and from those specs.
#![deny(missing_docs)]
// Scenario errors carry their source text for diagnostics; they are built
// once, on the cold path, so their size costs nothing measurable.
#![allow(clippy::result_large_err)]

/// brink's version (the crate's), as `run.json` records it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod calibrate;
pub mod cli;
pub mod date;
pub mod design;
pub mod dist;
pub mod engine;
pub mod job;
pub mod math;
pub mod model;
pub mod observed;
pub mod output;
pub mod policy;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod score;
pub mod sensitivity;
pub mod stats;
pub mod text;
