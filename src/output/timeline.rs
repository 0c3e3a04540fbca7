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
//! `regime_<from>_<to>`; then, only for scenarios that have them (issue
//! 15), per actor with a risk stock `risk_<a>` (K_t after this step), and
//! per action `actions_<a>_<x>` (1 if the actor took it this step, else
//! 0: a choice acts at most once a step) and `cum_actions_<a>_<x>` (times
//! so far), so older scenarios keep their columns byte for byte.
//!
//! With `--format parquet` (or `both`) the same rows go to
//! `timeline.parquet`, typed: `trial` and `step` INT64, `date` a DATE,
//! counts INT64 (actions too), pressure, risk and progress DOUBLE, statuses and regimes
//! dictionary-encoded strings, drivers BOOLEAN; none is null (a trial's
//! rows stop at its end step). Row groups of [`super::parquet::ROW_GROUP`]
//! rows stream as the trials run.

use super::parquet::{ColSpec, ColType, Format, ParquetWriter, epoch_days};
use super::{CsvFile, OutputError, fmt_real};
use crate::engine::{StepObserver, TrialState};
use crate::model::Scenario;
use crate::runner::{RunError, TrialObserver};
use parquet::data_type::ByteArray;
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
    Risk(usize),
    /// Choice `i` (actor-major, file order) taken this step: 1 or 0.
    StepAction(usize),
    /// Times choice `i` was taken so far.
    CumActions(usize),
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
    for (i, a) in s.actors.iter().enumerate() {
        if a.risk.is_some() {
            names.push(format!("risk_{}", a.id));
            cols.push(Col::Risk(i));
        }
    }
    let choices = || {
        s.actors
            .iter()
            .flat_map(|a| a.choices.iter().map(move |c| (a.id.as_str(), c.id.as_str())))
            .enumerate()
    };
    for (i, (a, x)) in choices() {
        names.push(format!("actions_{a}_{x}"));
        cols.push(Col::StepAction(i));
    }
    for (i, (a, x)) in choices() {
        names.push(format!("cum_actions_{a}_{x}"));
        cols.push(Col::CumActions(i));
    }
    (names, cols)
}

impl Col {
    fn ty(self) -> ColType {
        match self {
            Col::StepEvents(_)
            | Col::CumEvents(_)
            | Col::Killed(_)
            | Col::Wounded(_)
            | Col::StepAction(_)
            | Col::CumActions(_) => ColType::Int,
            Col::Pressure(_) | Col::Progress(_) | Col::Risk(_) => ColType::Real,
            Col::Status(_) | Col::Regime(_) => ColType::Text,
            Col::Driver(_) => ColType::Bool,
        }
    }
}

/// `timeline.parquet`'s writer and its interned strings.
struct TimelineParquet {
    w: ParquetWriter,
    statuses: Vec<ByteArray>,
    /// Per dyad, its regimes' ids.
    regimes: Vec<Vec<ByteArray>>,
}

/// Writes `timeline.csv` and/or `timeline.parquet` as a [`TrialObserver`]
/// of the ordinary runner ([`crate::runner::observe`]): one row per step
/// of each trial it sees.
pub struct TimelineWriter {
    out: Option<CsvFile>,
    pq: Option<TimelineParquet>,
    cols: Vec<Col>,
    trial: u64,
    cell: String,
    err: Option<OutputError>,
    /// Per choice, its count before this step (reset at each trial's
    /// start): a step's `actions_*` is the count's increase.
    prev_choices: Vec<u32>,
}

impl TimelineWriter {
    /// Opens `dir/timeline.csv` and/or `dir/timeline.parquet` (by
    /// `format`, under temporary names) and writes the CSV's header.
    pub fn create(dir: &Path, s: &Scenario, format: Format) -> Result<TimelineWriter, OutputError> {
        let (names, cols) = columns(s);
        let mut header = vec!["trial".to_string(), "step".to_string()];
        if s.start_date.is_some() {
            header.push("date".into());
        }
        header.extend(names);
        let out = match format.csv() {
            true => {
                let mut out = CsvFile::create(&dir.join("timeline.csv"))?;
                out.record(&header)?;
                Some(out)
            }
            false => None,
        };
        let pq = match format.parquet() {
            true => {
                let mut specs = vec![
                    ColSpec::new("trial", ColType::Int, false),
                    ColSpec::new("step", ColType::Int, false),
                ];
                if s.start_date.is_some() {
                    specs.push(ColSpec::new("date", ColType::Date, false));
                }
                let k = specs.len();
                for (name, col) in header[k..].iter().zip(&cols) {
                    specs.push(ColSpec::new(name.clone(), col.ty(), false));
                }
                let bytes = |x: &str| ByteArray::from(x.as_bytes().to_vec());
                Some(TimelineParquet {
                    w: ParquetWriter::create(&dir.join("timeline.parquet"), "timeline", specs)?,
                    statuses: crate::model::TalkStatus::ALL
                        .iter()
                        .map(|x| bytes(x.as_str()))
                        .collect(),
                    regimes: s
                        .dyads
                        .iter()
                        .map(|d| d.regimes.iter().map(|r| bytes(&r.id)).collect())
                        .collect(),
                })
            }
            false => None,
        };
        Ok(TimelineWriter {
            out,
            pq,
            cols,
            trial: 0,
            cell: String::new(),
            err: None,
            prev_choices: vec![0; s.actors.iter().map(|a| a.choices.len()).sum()],
        })
    }

    /// Gives the files their final names; returns their paths.
    pub fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        let mut files = Vec::new();
        if let Some(out) = self.out {
            files.push(out.commit()?);
        }
        if let Some(pq) = self.pq {
            files.push(pq.w.commit()?);
        }
        Ok(files)
    }

    fn write_step(&mut self, s: &Scenario, st: &TrialState, t: u32) -> Result<(), OutputError> {
        if self.out.is_some() {
            self.write_csv(s, st, t)?;
        }
        if self.pq.is_some() {
            self.write_parquet(s, st, t)?;
        }
        self.prev_choices.copy_from_slice(st.choice_counts());
        Ok(())
    }

    fn write_parquet(&mut self, s: &Scenario, st: &TrialState, t: u32) -> Result<(), OutputError> {
        let p = self.pq.as_mut().expect("checked");
        let w = &mut p.w;
        w.int(0, self.trial as i64);
        w.int(1, i64::from(t));
        let mut c = 2;
        if let Some(d0) = s.start_date {
            w.date(2, epoch_days(d0.add_days(i64::from(t) * s.step_unit.days())));
            c = 3;
        }
        for col in &self.cols {
            match *col {
                Col::StepEvents(d) => w.int(c, st.events().iter().filter(|e| e.dyad as usize == d).count() as i64),
                Col::CumEvents(d) => w.int(c, st.dyad_totals(d).0 as i64),
                Col::Killed(a) => w.int(c, st.casualties(a).0 as i64),
                Col::Wounded(a) => w.int(c, st.casualties(a).1 as i64),
                Col::Pressure(a) => w.real(c, st.pressure()[a]),
                Col::Status(k) => {
                    let name = st.track(k).0.as_str();
                    let i = crate::model::TalkStatus::ALL
                        .iter()
                        .position(|x| x.as_str() == name)
                        .unwrap_or(0);
                    w.text(c, &p.statuses[i]);
                }
                Col::Progress(k) => w.real(c, st.track(k).1),
                Col::Driver(k) => w.boolean(c, st.drivers()[k]),
                Col::Regime(d) => w.text(c, &p.regimes[d][st.regimes()[d] as usize]),
                Col::Risk(a) => w.real(c, st.risk()[a]),
                Col::StepAction(i) => w.int(c, i64::from(st.choice_counts()[i] - self.prev_choices[i])),
                Col::CumActions(i) => w.int(c, i64::from(st.choice_counts()[i])),
            }
            c += 1;
        }
        w.end_row()
    }

    fn write_csv(&mut self, s: &Scenario, st: &TrialState, t: u32) -> Result<(), OutputError> {
        use std::fmt::Write as _;
        let out = self.out.as_mut().expect("checked");
        let c = &mut self.cell;
        c.clear();
        let _ = write!(c, "{}", self.trial);
        out.field(c)?;
        c.clear();
        let _ = write!(c, "{t}");
        out.field(c)?;
        if let Some(d0) = s.start_date {
            c.clear();
            let _ = write!(c, "{}", d0.add_days(i64::from(t) * s.step_unit.days()));
            out.field(c)?;
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
                Col::Risk(a) => fmt_real(st.risk()[a], c),
                Col::StepAction(i) => {
                    let _ = write!(c, "{}", st.choice_counts()[i] - self.prev_choices[i]);
                }
                Col::CumActions(i) => {
                    let _ = write!(c, "{}", st.choice_counts()[i]);
                }
            }
            out.field(c)?;
        }
        out.end()
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
        self.prev_choices.fill(0);
    }

    fn end(&mut self) -> Result<(), TimelineError> {
        match self.err.take() {
            Some(e) => Err(TimelineError::Output(e)),
            None => Ok(()),
        }
    }
}
