//! The per-trial metrics as data: one [`Metric`] enum gives each column
//! both its name ([`Metric::name`]) and its value ([`Metric::value`]), so
//! the header and the row cannot drift apart. A scenario's
//! [`MetricLayout`] is the list of its metrics in column order; a trial
//! writes one row of `f64` in that order (NaN = "never happened", an empty
//! cell in CSV) and the output layer formats it. `docs/outputs.md`
//! documents every column.
//!
//! Code reads a metric by variant ([`MetricLayout::position`]), never by
//! name or position; names are for files and for what a user types.

use super::TrialState;
use crate::model::{ActorId, DyadId, Level, PlaceId, Scenario, TalkStatus};

/// How a metric is stored, formatted and summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// A whole number (exact quantiles from counts per value).
    Count,
    /// A real number (streaming quantile estimates).
    Real,
    /// A step number that may be missing (empty cell).
    Step,
    /// A talks status (written by name; summarised as shares).
    Status,
}

/// One metric column. Indices are the scenario's (file order): a dyad, an
/// actor, a place, a track, a driver, a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `events_<from>_<to>`: events by the dyad (initiative, answers,
    /// trigger acts).
    Events(DyadId),
    /// `severity_<from>_<to>`: their summed severity.
    Severity(DyadId),
    /// `responses_<from>_<to>`: of those, answers and trigger acts.
    Responses(DyadId),
    /// `events_<from>_<to>_<place>`: events by the dyad in a place.
    PlaceEvents(DyadId, PlaceId),
    /// `events_<from>_<to>_level_<level>`: events by the dyad at a level of
    /// its repertoire (as carried out, after execution noise).
    LevelEvents(DyadId, Level),
    /// `killed_<actor>`: people of the actor killed.
    Killed(ActorId),
    /// `wounded_<actor>`: people of the actor wounded.
    Wounded(ActorId),
    /// `first_death_step_<actor>`: step of the actor's first death.
    FirstDeathStep(ActorId),
    /// `pressure_<actor>`: pressure at the end.
    Pressure(ActorId),
    /// `talks_<track>_status`: status at the end.
    TalksStatus(u16),
    /// `talks_<track>_progress`: mean progress at the end, 0..=1.
    TalksProgress(u16),
    /// `talks_<track>_open_step`: step the talks opened.
    TalksOpenStep(u16),
    /// `talks_<track>_agreement_step`: step of the agreement.
    TalksAgreementStep(u16),
    /// `talks_<track>_collapse_step`: step the talks collapsed.
    TalksCollapseStep(u16),
    /// `talks_<track>_pause_steps`: steps spent paused.
    TalksPauseSteps(u16),
    /// `talks_<track>_pauses`: number of pauses.
    TalksPauses(u16),
    /// `driver_<driver>_end_step`: step the driver ended.
    DriverEndStep(u16),
    /// `trigger_<trigger>_step`: first step the trigger fired.
    TriggerStep(u16),
    /// `payoff_<actor>` (games): mean payoff per round.
    Payoff(ActorId),
    /// `coop_<actor>` (games): share of rounds cooperated, 0..=1.
    Coop(ActorId),
    /// An uncertain parameter's drawn value, named by its dotted path
    /// (issue 14); written by the runner, not the engine.
    Param(u16),
}

impl Metric {
    /// How the metric is stored, formatted and summarised in scenario `s`.
    /// A severity is a whole number (a `Count`, with exact quantiles) when
    /// every severity weight of the ladder is one.
    pub fn kind(self, s: &Scenario) -> MetricKind {
        use Metric::*;
        match self {
            Events(_) | Responses(_) | PlaceEvents(..) | LevelEvents(..) | Killed(_) | Wounded(_)
            | TalksPauseSteps(_) | TalksPauses(_) => MetricKind::Count,
            Severity(_) if whole_severities(s) => MetricKind::Count,
            Severity(_) | Pressure(_) | TalksProgress(_) | Payoff(_) | Coop(_) => MetricKind::Real,
            FirstDeathStep(_)
            | TalksOpenStep(_)
            | TalksAgreementStep(_)
            | TalksCollapseStep(_)
            | DriverEndStep(_)
            | TriggerStep(_) => MetricKind::Step,
            TalksStatus(_) => MetricKind::Status,
            Param(_) => MetricKind::Real,
        }
    }

    /// The column name in scenario `s` (built from its ids).
    pub fn name(self, s: &Scenario) -> String {
        use Metric::*;
        let actor = |a: ActorId| &s.actors[a as usize].id;
        let pair = |d: DyadId| {
            let dy = &s.dyads[d as usize];
            format!("{}_{}", actor(dy.from), actor(dy.to))
        };
        let track = |k: u16, what: &str| column("talks", &s.tracks[k as usize].id, what);
        match self {
            Events(d) => format!("events_{}", pair(d)),
            Severity(d) => format!("severity_{}", pair(d)),
            Responses(d) => format!("responses_{}", pair(d)),
            PlaceEvents(d, p) => format!("events_{}_{}", pair(d), s.places[p as usize]),
            LevelEvents(d, l) => format!("events_{}_level_{}", pair(d), s.ladder.ids[l as usize]),
            Killed(a) => format!("killed_{}", actor(a)),
            Wounded(a) => format!("wounded_{}", actor(a)),
            FirstDeathStep(a) => format!("first_death_step_{}", actor(a)),
            Pressure(a) => format!("pressure_{}", actor(a)),
            TalksStatus(k) => track(k, "status"),
            TalksProgress(k) => track(k, "progress"),
            TalksOpenStep(k) => track(k, "open_step"),
            TalksAgreementStep(k) => track(k, "agreement_step"),
            TalksCollapseStep(k) => track(k, "collapse_step"),
            TalksPauseSteps(k) => track(k, "pause_steps"),
            TalksPauses(k) => track(k, "pauses"),
            DriverEndStep(k) => column("driver", &s.drivers[k as usize].id, "end_step"),
            TriggerStep(k) => column("trigger", &s.triggers[k as usize].id, "step"),
            Payoff(a) => format!("payoff_{}", actor(a)),
            Coop(a) => format!("coop_{}", actor(a)),
            Param(k) => s.uncertainty.paths()[k as usize].clone(),
        }
    }

    /// The value at the end of a crisis trial whose state is `st` (NaN for
    /// a step that never came, and for the game metrics, which
    /// [`super::game`] writes).
    pub fn value(self, s: &Scenario, st: &TrialState) -> f64 {
        use Metric::*;
        let step = |x: Option<u32>| x.map_or(f64::NAN, f64::from);
        let ev = &st.events;
        let track = |k: u16| &st.tracks[k as usize];
        match self {
            Events(d) => f64::from(ev.events_total[d as usize]),
            Severity(d) => ev.severity_total[d as usize],
            Responses(d) => f64::from(ev.responses_total[d as usize]),
            PlaceEvents(d, p) => f64::from(ev.place_events[d as usize * s.compiled.places_per_dyad + p as usize]),
            LevelEvents(d, l) => f64::from(ev.level_events[d as usize * s.ladder.len() + l as usize]),
            Killed(a) => f64::from(ev.killed[a as usize]),
            Wounded(a) => f64::from(ev.wounded[a as usize]),
            FirstDeathStep(a) => step(ev.first_death[a as usize]),
            Pressure(a) => st.pressure.level[a as usize],
            TalksStatus(k) => track(k).status as u8 as f64,
            TalksProgress(k) => track(k).mean,
            TalksOpenStep(k) => step(track(k).open_step),
            TalksAgreementStep(k) => step(track(k).agreement_step),
            TalksCollapseStep(k) => step(track(k).collapse_step),
            TalksPauseSteps(k) => f64::from(track(k).pause_steps),
            TalksPauses(k) => f64::from(track(k).pauses),
            DriverEndStep(k) => step(st.switches.driver_end_step[k as usize]),
            TriggerStep(k) => step(st.switches.trigger_fired[k as usize]),
            Payoff(_) | Coop(_) | Param(_) => f64::NAN,
        }
    }
}

/// The metrics of a scenario in column order, with their names and kinds
/// (both derived from the metrics, once).
#[derive(Debug, Clone)]
pub struct MetricLayout {
    /// Column names, in order (`metrics[i].name(s)`).
    pub names: Vec<String>,
    /// Column kinds, in order (`metrics[i].kind()`).
    pub kinds: Vec<MetricKind>,
    metrics: Vec<Metric>,
}

/// The metrics of scenario `s`, in column order: per family, in file order.
fn metrics_of(s: &Scenario) -> Vec<Metric> {
    use Metric::*;
    let actors = || (0..s.actors.len()).map(|a| a as ActorId);
    let dyads = || (0..s.dyads.len()).map(|d| d as DyadId);
    let mut m: Vec<Metric> = Vec::new();
    let params = (0..s.uncertainty.len() as u16).map(Param);
    if s.game.is_some() {
        m.extend(actors().map(Payoff));
        m.extend(actors().map(Coop));
        m.extend(params);
        return m;
    }
    m.extend(dyads().map(Events));
    m.extend(dyads().map(Severity));
    m.extend(dyads().map(Responses));
    for (d, dy) in s.dyads.iter().enumerate() {
        let places = !s.places.is_empty()
            && (dy.initiative.as_ref().is_some_and(|i| !i.places.is_empty())
                || dy.response.as_ref().is_some_and(|r| !r.places.is_empty())
                || dy.hazard.as_ref().is_some_and(|h| !h.places.is_empty()));
        if places {
            m.extend((0..s.places.len()).map(|p| PlaceEvents(d as DyadId, p as PlaceId)));
        }
    }
    for (d, dy) in s.dyads.iter().enumerate() {
        m.extend(dy.repertoire.iter().map(|&l| LevelEvents(d as DyadId, l)));
    }
    let harmed = || actors().filter(|&a| can_be_harmed(s, a));
    m.extend(harmed().map(Killed));
    m.extend(harmed().map(Wounded));
    m.extend(harmed().map(FirstDeathStep));
    m.extend(
        actors()
            .filter(|&a| s.actors[a as usize].pressure.is_some())
            .map(Pressure),
    );
    for k in 0..s.tracks.len() as u16 {
        m.extend([
            TalksStatus(k),
            TalksProgress(k),
            TalksOpenStep(k),
            TalksAgreementStep(k),
            TalksCollapseStep(k),
            TalksPauseSteps(k),
            TalksPauses(k),
        ]);
    }
    m.extend((0..s.drivers.len() as u16).map(DriverEndStep));
    m.extend((0..s.triggers.len() as u16).map(TriggerStep));
    m.extend(params);
    m
}

impl MetricLayout {
    /// The layout for scenario `s`.
    pub fn new(s: &Scenario) -> MetricLayout {
        let metrics = metrics_of(s);
        MetricLayout {
            names: metrics.iter().map(|m| m.name(s)).collect(),
            kinds: metrics.iter().map(|m| m.kind(s)).collect(),
            metrics,
        }
    }

    /// Number of metric columns.
    pub fn len(&self) -> usize {
        self.metrics.len()
    }

    /// Whether there are no metric columns.
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// The metrics, in column order.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// Column of metric `m`, if this scenario reports it. This is how code
    /// reads a row: `row[layout.position(Metric::Payoff(0))?]`.
    pub fn position(&self, m: Metric) -> Option<usize> {
        self.metrics.iter().position(|&x| x == m)
    }

    /// Columns of the uncertain parameters' drawn values (the last ones,
    /// in parameter order); empty for a point run.
    pub fn param_columns(&self) -> std::ops::Range<usize> {
        let start = self
            .metrics
            .iter()
            .position(|m| matches!(m, Metric::Param(_)))
            .unwrap_or(self.metrics.len());
        start..self.metrics.len()
    }

    /// Column of the metric named `name`: for names a user typed (`--y`),
    /// not for code, which uses [`position`](Self::position).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Writes a crisis trial's metrics, in layout order.
    pub(crate) fn write_crisis(&self, s: &Scenario, st: &TrialState, row: &mut [f64]) {
        for (x, m) in row.iter_mut().zip(&self.metrics) {
            *x = m.value(s, st);
        }
    }
}

/// Whether every severity weight of `s`'s ladder is a whole number, so
/// that summed severities are too.
fn whole_severities(s: &Scenario) -> bool {
    s.ladder.severity.iter().all(|&x| x.fract() == 0.0 && x.abs() < 9.0e15)
}

/// Whether actor `a` can be harmed: some dyad targets it. Only such actors
/// get `killed_`, `wounded_` and `first_death_step_` columns.
pub fn can_be_harmed(s: &Scenario, a: ActorId) -> bool {
    s.dyads.iter().any(|d| d.to == a)
}

/// The column `<family>_<id>_<what>`, without stutter: an id that is the
/// family's name (a track named `talks`) gives `talks_<what>`, not
/// `talks_talks_<what>`.
pub fn column(family: &str, id: &str, what: &str) -> String {
    if id == family {
        format!("{family}_{what}")
    } else {
        format!("{family}_{id}_{what}")
    }
}

/// The name of a status code stored in a `Status` metric.
pub fn status_name(code: f64) -> &'static str {
    TalkStatus::ALL[code as usize].as_str()
}
