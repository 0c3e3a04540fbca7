//! `timeline.csv`: the state of the first K trials at every step, for
//! trajectory and fan charts. One row per (trial, step), trial-major.
//! [`TimelineWriter`] is a [`TrialObserver`] of the ordinary runner
//! ([`crate::runner::observe`]); it runs no trials itself.
//!
//! Columns: `trial, step, date` (date only when the scenario has a
//! `start_date`), then per dyad `events_<from>_<to>` (this step) and
//! `cum_events_<from>_<to>` (so far); per actor `cum_killed_<a>` and
//! `cum_wounded_<a>`; per actor with a pressure stock `pressure_<a>`; per
//! track `talks_<t>_status` and `talks_<t>_progress`; per driver
//! `driver_<d>` (1 active, 0 not); per dyad with regimes
//! `regime_<from>_<to>`.

use super::{CsvFile, OutputError, fmt_real};
use crate::engine::{StepObserver, TrialState};
use crate::model::Scenario;
use crate::runner::{RunError, TrialObserver};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy)]
enum Col {
    StepEvents(usize),
    CumEvents(usize),
    Killed(usize),
    Wounded(usize),
    Pressure(usize),
    Status(usize),
    Progress(usize),
    Driver(usize),
    Regime(usize),
}

/// Number of data columns after `trial` and `step` (and `date`).
pub fn column_count(s: &Scenario) -> usize {
    columns(s).0.len()
}

fn columns(s: &Scenario) -> (Vec<String>, Vec<Col>) {
    let mut names = Vec::new();
    let mut cols = Vec::new();
    let pair = |d: &crate::model::Dyad| format!("{}_{}", s.actors[d.from as usize].id, s.actors[d.to as usize].id);
    for (i, d) in s.dyads.iter().enumerate() {
        names.push(format!("events_{}", pair(d)));
        cols.push(Col::StepEvents(i));
    }
    for (i, d) in s.dyads.iter().enumerate() {
        names.push(format!("cum_events_{}", pair(d)));
        cols.push(Col::CumEvents(i));
    }
    let harmed = || (0..s.actors.len()).filter(|&i| crate::engine::metrics::can_be_harmed(s, i as u16));
    for i in harmed() {
        names.push(format!("cum_killed_{}", s.actors[i].id));
        cols.push(Col::Killed(i));
    }
    for i in harmed() {
        names.push(format!("cum_wounded_{}", s.actors[i].id));
        cols.push(Col::Wounded(i));
    }
    for (i, a) in s.actors.iter().enumerate() {
        if a.pressure.is_some() {
            names.push(format!("pressure_{}", a.id));
            cols.push(Col::Pressure(i));
        }
    }
    for (i, t) in s.tracks.iter().enumerate() {
        names.push(crate::engine::metrics::column("talks", &t.id, "status"));
        cols.push(Col::Status(i));
        names.push(crate::engine::metrics::column("talks", &t.id, "progress"));
        cols.push(Col::Progress(i));
    }
    for (i, d) in s.drivers.iter().enumerate() {
        names.push(format!("driver_{}", d.id));
        cols.push(Col::Driver(i));
    }
    for (i, d) in s.dyads.iter().enumerate() {
        if d.regimes.len() > 1 {
            names.push(format!("regime_{}", pair(d)));
            cols.push(Col::Regime(i));
        }
    }
    (names, cols)
}

/// Writes `timeline.csv` as a [`TrialObserver`] of the ordinary runner
/// ([`crate::runner::observe`]): one row per step of each trial it sees.
pub struct TimelineWriter {
    out: CsvFile,
    cols: Vec<Col>,
    trial: u64,
    cell: String,
    err: Option<OutputError>,
}

impl TimelineWriter {
    /// Opens `dir/timeline.csv` (under a temporary name) and writes its
    /// header.
    pub fn create(dir: &Path, s: &Scenario) -> Result<TimelineWriter, OutputError> {
        let (names, cols) = columns(s);
        let mut out = CsvFile::create(&dir.join("timeline.csv"))?;
        let mut header = vec!["trial".to_string(), "step".to_string()];
        if s.start_date.is_some() {
            header.push("date".into());
        }
        header.extend(names);
        out.record(&header)?;
        Ok(TimelineWriter {
            out,
            cols,
            trial: 0,
            cell: String::new(),
            err: None,
        })
    }

    /// Gives the file its final name.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        self.out.commit()
    }

    fn write_step(&mut self, s: &Scenario, st: &TrialState, t: u32) -> Result<(), OutputError> {
        use std::fmt::Write as _;
        let c = &mut self.cell;
        c.clear();
        let _ = write!(c, "{}", self.trial);
        self.out.field(c)?;
        c.clear();
        let _ = write!(c, "{t}");
        self.out.field(c)?;
        if let Some(d0) = s.start_date {
            c.clear();
            let _ = write!(c, "{}", d0.add_days(i64::from(t) * s.step_unit.days()));
            self.out.field(c)?;
        }
        for col in &self.cols {
            c.clear();
            match *col {
                Col::StepEvents(d) => {
                    let n = st.events().iter().filter(|e| e.dyad as usize == d).count();
                    let _ = write!(c, "{n}");
                }
                Col::CumEvents(d) => {
                    let _ = write!(c, "{}", st.dyad_totals(d).0);
                }
                Col::Killed(a) => {
                    let _ = write!(c, "{}", st.casualties(a).0);
                }
                Col::Wounded(a) => {
                    let _ = write!(c, "{}", st.casualties(a).1);
                }
                Col::Pressure(a) => fmt_real(st.pressure()[a], c),
                Col::Status(k) => c.push_str(st.track(k).0.as_str()),
                Col::Progress(k) => fmt_real(st.track(k).1, c),
                Col::Driver(k) => c.push(if st.drivers()[k] { '1' } else { '0' }),
                Col::Regime(d) => c.push_str(&s.dyads[d].regimes[st.regimes()[d] as usize].id),
            }
            self.out.field(c)?;
        }
        self.out.end()
    }
}

impl StepObserver for TimelineWriter {
    fn step(&mut self, s: &Scenario, st: &TrialState, t: u32) {
        if self.err.is_none()
            && let Err(e) = self.write_step(s, st, t)
        {
            self.err = Some(e);
        }
    }
}

/// A timeline's failure: writing, or the run stopping (interrupted).
#[derive(Debug)]
pub enum TimelineError {
    /// Writing failed.
    Output(OutputError),
    /// The runner stopped.
    Run(RunError),
}

impl From<RunError> for TimelineError {
    fn from(e: RunError) -> Self {
        TimelineError::Run(e)
    }
}

impl TrialObserver for TimelineWriter {
    type Error = TimelineError;

    fn begin(&mut self, i: u64) {
        self.trial = i;
    }

    fn end(&mut self) -> Result<(), TimelineError> {
        match self.err.take() {
            Some(e) => Err(TimelineError::Output(e)),
            None => Ok(()),
        }
    }
}
