//! Progress on stderr: a bar with ETA once a run has taken more than a
//! second, only when stderr is a terminal and `--quiet` is off.

use crate::job::Watch;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A progress bar that appears after a second.
pub struct Progress {
    total: u64,
    started: Instant,
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// For `total` trials; silent when `quiet` or stderr is not a terminal.
    pub fn new(total: u64, quiet: bool) -> Progress {
        Progress {
            total,
            started: Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            bar: None,
        }
    }

    /// Reports `done` trials finished.
    pub fn update(&mut self, done: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() > Duration::from_secs(1) && done < self.total {
            let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} trials ({rate}, ETA {eta})")
                    .expect("valid template")
                    .with_key("rate", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0} trials/s", s.per_sec());
                    })
                    .progress_chars("=> "),
            );
            self.bar = Some(bar);
        }
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// SIGINT and SIGTERM set [`super::CANCEL`]; the run stops between blocks
/// of trials, removes its temporary files and exits with code 130.
pub fn install_signal_handlers() {
    let _ = ctrlc::set_handler(|| super::CANCEL.store(true, Ordering::SeqCst));
}

/// The CLI's [`Watch`]: notes on stderr and a progress bar, both silenced
/// by `--quiet`.
pub struct Terminal {
    quiet: bool,
    bar: Option<Progress>,
}

impl Terminal {
    /// Notes and progress unless `quiet`.
    pub fn new(quiet: bool) -> Terminal {
        Terminal { quiet, bar: None }
    }
}

impl Watch for Terminal {
    fn note(&mut self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
    fn start(&mut self, total: u64) {
        self.bar = Some(Progress::new(total, self.quiet));
    }
    fn advance(&mut self, done: u64) {
        if let Some(b) = &mut self.bar {
            b.update(done);
        }
    }
    fn finish(&mut self) {
        if let Some(b) = &mut self.bar {
            b.finish();
        }
    }
}
