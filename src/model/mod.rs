//! The validated scenario the engine runs: every id is an index, every
//! probability is in `[0, 1]`, every rate finite and non-negative. Built only
//! by [`crate::scenario::validate`]; the engine trusts it and cannot fail.
//!
//! Units: a *step* is the scenario's time unit (a day unless `step_unit`
//! says otherwise); rates are events per step; severities are the ladder's
//! weights; probabilities are per event or per step as stated.

mod choices;
mod compiled;
pub mod implementation;
mod uncertain;
pub mod window;

pub use choices::{Bargaining, Choice, ChoiceAct, ChoicePolicy, ChoiceStock, Concession, Risk};
pub use compiled::{Compiled, PerDyad};
pub use implementation::Implementation;
pub use uncertain::{
    ChoiceField, ConcessionField, PosteriorDraws, Rebuild, Slot, Uncertainty, WeightTable, WeightTarget,
};
pub use window::{Measure, Windowed};

use crate::date::Date;
use crate::policy::{Hazard, Initiative, Rule};

/// Index of an actor, in file order.
pub type ActorId = u16;
/// Index of a dyad, in file order.
pub type DyadId = u16;
/// Index of a ladder level (0 = no hostile act).
pub type Level = u8;
/// Index of a place (`NO_PLACE` = unspecified).
pub type PlaceId = u8;
/// The place of an event whose dyad names no places.
pub const NO_PLACE: PlaceId = u8::MAX;

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name (`[scenario] name`).
    pub name: String,
    /// One-paragraph description.
    pub description: String,
    /// Calendar date of step 0, if given.
    pub start_date: Option<Date>,
    /// Length of a step.
    pub step_unit: StepUnit,
    /// Steps per trial.
    pub horizon: u32,
    /// Default number of trials.
    pub trials: u64,
    /// Default master seed.
    pub seed: u64,
    /// Place ids, in file order.
    pub places: Vec<String>,
    /// The escalation ladder.
    pub ladder: Ladder,
    /// Actors in file order.
    pub actors: Vec<Actor>,
    /// Dyads in file order.
    pub dyads: Vec<Dyad>,
    /// Drivers in file order.
    pub drivers: Vec<Driver>,
    /// Negotiation tracks in file order.
    pub tracks: Vec<Track>,
    /// Triggers in file order (the order they fire within a step).
    pub triggers: Vec<Trigger>,
    /// Outcomes in the order they are checked.
    pub outcomes: Vec<Outcome>,
    /// Name of the outcome of a trial that reaches the horizon.
    pub horizon_outcome: String,
    /// Milestones (`terminal = false` outcomes): recorded with the first
    /// step they hold; the trial goes on. In declared order.
    pub milestones: Vec<Outcome>,
    /// Declared windowed quantities (`[metrics.<id>]`), in file order.
    pub metrics: Vec<Windowed>,
    /// Implementation phases (`[phases.<id>]`), in file order.
    pub phases: Vec<Implementation>,
    /// Iterated game settings, if this is a game.
    pub game: Option<Game>,
    /// Read-only tables the engine derives from the fields above, built by
    /// [`Scenario::compile`] at the end of validation. Code that edits a
    /// field after validation (tests do, for the horizon) must call
    /// `compile` again if the edit touches a table (see [`Compiled`]).
    pub compiled: Compiled,
    /// The parameters drawn per trial (empty for a point scenario or a
    /// `--point` run).
    pub uncertainty: Uncertainty,
}

impl Scenario {
    /// Builds [`Scenario::compiled`] from the other fields.
    pub fn compile(mut self) -> Scenario {
        self.compiled = Compiled::new(&self);
        self
    }

    /// Names of all outcomes, declared ones first, the horizon outcome last.
    pub fn outcome_names(&self) -> Vec<&str> {
        self.outcomes
            .iter()
            .map(|o| o.id.as_str())
            .chain(std::iter::once(self.horizon_outcome.as_str()))
            .collect()
    }

    /// The dyad `from -> to`, if the scenario has one.
    pub fn dyad_between(&self, from: ActorId, to: ActorId) -> Option<DyadId> {
        self.dyads
            .iter()
            .position(|d| d.from == from && d.to == to)
            .map(|i| i as DyadId)
    }
}

/// Length of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUnit {
    /// One day.
    Day,
    /// Seven days.
    Week,
}

impl StepUnit {
    /// Days per step.
    pub fn days(self) -> i64 {
        match self {
            StepUnit::Day => 1,
            StepUnit::Week => 7,
        }
    }
}

/// The ordered escalation ladder.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// Level ids, level 0 first.
    pub ids: Vec<String>,
    /// Display names.
    pub names: Vec<String>,
    /// Severity weight per level (level 0 has 0).
    pub severity: Vec<f64>,
    /// Per-event probability that an event at this level wounds someone.
    pub wound: Vec<f64>,
    /// Mean number wounded, given some are (at least 1).
    pub wounded: Vec<f64>,
    /// Per-event probability that an event at this level kills someone.
    pub kill: Vec<f64>,
    /// Mean number killed, given some are (at least 1).
    pub killed: Vec<f64>,
}

impl Ladder {
    /// Number of levels, 0 included.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the ladder has no levels (never true once validated).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The level in `lo..=hi` whose severity is nearest to `target`
    /// (ties go to the lower level): how proportionality maps a received
    /// severity onto the responder's ladder.
    pub fn nearest(&self, target: f64, lo: Level, hi: Level) -> Level {
        let mut best = lo;
        let mut best_gap = f64::INFINITY;
        for l in lo..=hi {
            let gap = (self.severity[l as usize] - target).abs();
            if gap < best_gap {
                best = l;
                best_gap = gap;
            }
        }
        best
    }
}

/// One actor.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Id as written.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Patron whose restraint orders this actor may obey.
    pub patron: Option<ActorId>,
    /// Probability of obeying one restraint order (0..=1).
    pub obey: f64,
    /// Pressure stock, if the actor has one.
    pub pressure: Option<Pressure>,
    /// Game mode: the strategy this actor plays.
    pub strategy: Option<Rule>,
    /// Risk stock, if the actor has one.
    pub risk: Option<Risk>,
    /// Actions other than violence that the actor may choose, in file
    /// order.
    pub choices: Vec<Choice>,
}

/// A decaying pressure stock: `P_t = decay·P_{t-1} + inputs_t - relief_t`,
/// floored at 0.
#[derive(Debug, Clone)]
pub struct Pressure {
    /// Stock at step 0.
    pub initial: f64,
    /// Share kept from one step to the next (0..1).
    pub decay: f64,
    /// What feeds the stock.
    pub inputs: Vec<PressureInput>,
    /// What relieves it.
    pub relief: Vec<Relief>,
}

/// One weighted input to a pressure stock: events matching a filter.
#[derive(Debug, Clone)]
pub struct PressureInput {
    /// Only events from this actor (`None` = any).
    pub from: Option<ActorId>,
    /// Only events against this actor (`None` = any).
    pub to: Option<ActorId>,
    /// Only events in this place (`None` = any).
    pub place: Option<PlaceId>,
    /// Only events at or above this level.
    pub min_level: Level,
    /// What is counted per matching event.
    pub per: PerEvent,
    /// Pressure per unit counted.
    pub weight: f64,
}

/// What a pressure input counts for each matching event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerEvent {
    /// 1 per event.
    Event,
    /// The event's severity.
    Severity,
    /// People killed.
    Killed,
    /// People wounded.
    Wounded,
}

/// Relief of pressure by a negotiation track.
#[derive(Debug, Clone)]
pub struct Relief {
    /// The track.
    pub track: u16,
    /// Pressure removed per unit of progress gained.
    pub progress: f64,
    /// Pressure removed per step while the track is active.
    pub active: f64,
    /// Pressure removed once, when the track reaches agreement.
    pub agreement: f64,
}

/// A directed relationship and the policy of `from` toward `to`.
#[derive(Debug, Clone)]
pub struct Dyad {
    /// Id as written.
    pub id: String,
    /// The acting actor.
    pub from: ActorId,
    /// The target.
    pub to: ActorId,
    /// The dyad `to -> from`, whose events this dyad perceives and answers.
    pub reverse: Option<DyadId>,
    /// Regimes; index 0 is the initial regime.
    pub regimes: Vec<Regime>,
    /// Unprompted events.
    pub initiative: Option<Initiative>,
    /// Reciprocity toward `to`.
    pub response: Option<Response>,
    /// Hazard-driven responses.
    pub hazard: Option<Hazard>,
    /// Execution error: probability an act comes out one level off.
    pub execution_noise: f64,
    /// Perception error: probability `to` perceives this dyad's act one
    /// level off.
    pub perception_noise: f64,
    /// Attribution error: the dyad's answers may land on another dyad of
    /// the same actor (`None` = perfect attribution).
    pub misattribution: Option<Misattribution>,
    /// The levels this dyad can act at, ascending: its initiative's levels,
    /// its response's range, its hazard's level and its trigger acts'.
    /// Noise moves an act to a neighbour in this list.
    pub repertoire: Vec<Level>,
}

/// A named regime: a multiplier on the initiative rate, whether the dyad
/// responds at all, and optionally the response rule it answers by.
#[derive(Debug, Clone)]
pub struct Regime {
    /// Id as written.
    pub id: String,
    /// Multiplier on the initiative rate.
    pub rate: f64,
    /// Whether responses and hazards act in this regime.
    pub respond: bool,
    /// The response rule in this regime, replacing the dyad's own
    /// (`None` = the dyad's). Built from the dyad's response keys with the
    /// regime's keys on top.
    pub response: Option<Response>,
    /// The keys of `response` taken from the dyad's (those the regime's
    /// table leaves out), so a drawn dyad key reaches this regime too.
    pub inherits: Inherits,
}

/// The response keys a regime with its own `response` table takes from
/// its dyad's, recorded at load: a bit per key of the graded rule and the
/// timing, and the generosity levels it leaves out (generosity merges
/// level by level). [`crate::model::uncertain`] writes a dyad's drawn
/// response key into every regime that inherits it (issue 14 with issue
/// 15 part 3); a regime without a `response` table answers with the
/// dyad's rule itself and inherits nothing here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inherits {
    /// Bit set over the `Inherits::*` key constants.
    pub keys: u16,
    /// Per level index: whether `generosity.<level>` is the dyad's.
    pub generosity: Vec<bool>,
}

impl Inherits {
    /// `proportionality`
    pub const PROPORTIONALITY: u16 = 1;
    /// `threshold`
    pub const THRESHOLD: u16 = 1 << 1;
    /// `generosity_if_wounded`
    pub const GENEROSITY_IF_WOUNDED: u16 = 1 << 2;
    /// `generosity_if_killed`
    pub const GENEROSITY_IF_KILLED: u16 = 1 << 3;
    /// `severity_if_wounded`
    pub const SEVERITY_IF_WOUNDED: u16 = 1 << 4;
    /// `severity_if_killed`
    pub const SEVERITY_IF_KILLED: u16 = 1 << 5;
    /// `delay`
    pub const DELAY: u16 = 1 << 6;
    /// `refractory`
    pub const REFRACTORY: u16 = 1 << 7;
    /// `places` (replaced whole: set one place and none is inherited)
    pub const PLACES: u16 = 1 << 8;

    /// Whether the key (one of the constants) is the dyad's.
    #[inline]
    pub fn has(&self, key: u16) -> bool {
        self.keys & key != 0
    }

    /// Whether `generosity.<level>` is the dyad's.
    #[inline]
    pub fn generosity(&self, level: Level) -> bool {
        self.generosity.get(level as usize).copied().unwrap_or(false)
    }
}

/// Misattribution: with probability `p` an answer of the dyad lands on
/// another dyad of the same acting actor, drawn from `to`.
#[derive(Debug, Clone)]
pub struct Misattribution {
    /// Probability one answer is misattributed (0..=1).
    pub p: f64,
    /// The dyads an answer may land on instead, `from -> other`.
    pub dyads: Vec<DyadId>,
    /// Cumulative weights over `dyads`.
    pub weights: Vec<f64>,
}

/// A response rule with its timing.
#[derive(Debug, Clone)]
pub struct Response {
    /// The reciprocity rule.
    pub rule: Rule,
    /// Steps from the perceived act to the response (>= 1).
    pub delay: u32,
    /// Steps after a response during which no new one is decided.
    pub refractory: u32,
    /// Where responses land (cumulative weights), empty = no place.
    pub places: Vec<f64>,
}

/// An exogenous driver: active in a window, possibly ending early by hazard.
#[derive(Debug, Clone)]
pub struct Driver {
    /// Id as written.
    pub id: String,
    /// First active step.
    pub start: u32,
    /// First step no longer active (`u32::MAX` = never by schedule).
    pub end: u32,
    /// Per-step probability that an active driver ends.
    pub end_hazard: f64,
}

/// Status of a negotiation track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TalkStatus {
    /// Not yet open.
    #[default]
    NotStarted = 0,
    /// Open and progressing.
    Active = 1,
    /// Open but paused.
    Paused = 2,
    /// Signed.
    Agreement = 3,
    /// Broken off for good.
    Collapsed = 4,
}

impl TalkStatus {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            TalkStatus::NotStarted => "not_started",
            TalkStatus::Active => "active",
            TalkStatus::Paused => "paused",
            TalkStatus::Agreement => "agreement",
            TalkStatus::Collapsed => "collapsed",
        }
    }

    /// All statuses, in code order.
    pub const ALL: [TalkStatus; 5] = [
        TalkStatus::NotStarted,
        TalkStatus::Active,
        TalkStatus::Paused,
        TalkStatus::Agreement,
        TalkStatus::Collapsed,
    ];

    /// Parses a name used in files.
    pub fn parse(s: &str) -> Option<TalkStatus> {
        TalkStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A negotiation track between two actors.
#[derive(Debug, Clone)]
pub struct Track {
    /// Id as written.
    pub id: String,
    /// The two parties.
    pub between: [ActorId; 2],
    /// Status at step 0 (`NotStarted` or `Active`).
    pub initial: TalkStatus,
    /// Step at which the track opens, if scheduled.
    pub open_step: Option<u32>,
    /// Actors whose events count as violence for this track (all if empty
    /// in the file).
    pub watch: Vec<bool>,
    /// Opening precondition: no event from `precondition_actors` for this
    /// many steps (0 = none).
    pub precondition_calm: u32,
    /// Actors the precondition watches.
    pub precondition_actors: Vec<bool>,
    /// Progress per active step with no recent violence (1 = complete).
    pub rate: f64,
    /// Sensitivity κ of progress to recent violence V: rate / (1 + κ·V).
    pub violence: f64,
    /// Decay of the recent-violence stock V.
    pub memory: f64,
    /// Working groups: rate multipliers; all must reach 1.
    pub groups: Vec<f64>,
    /// Working group ids.
    pub group_ids: Vec<String>,
    /// An event at or above this level pauses the talks (`None` = never).
    pub pause_level: Option<Level>,
    /// Per actor: a watched event that kills people of this actor pauses
    /// the talks (`on_kill = true` sets every actor).
    pub pause_on_kill: Vec<bool>,
    /// Length of a pause in steps.
    pub pause_steps: u32,
    /// Per-step collapse probability while open: `h0 + h1·V`, capped at 1.
    pub collapse_hazard: f64,
    /// Slope of the collapse hazard in recent violence.
    pub collapse_violence: f64,
    /// Steps without an event at or above `signing_level` before signing.
    pub signing_calm: u32,
    /// Level that breaks the signing calm.
    pub signing_level: Level,
    /// Multipliers on dyad initiative rates by status.
    pub effects: Vec<TrackEffect>,
    /// Bargaining: pace and concessions that answer to the parties'
    /// states (`None` = the clock model above).
    pub bargaining: Option<Bargaining>,
}

/// A track's effect on one dyad's initiative rate:
/// `by_status[status] · (1 + progress·p)`.
#[derive(Debug, Clone)]
pub struct TrackEffect {
    /// The dyad affected.
    pub dyad: DyadId,
    /// Multiplier per status, indexed by `TalkStatus as usize`.
    pub by_status: [f64; 5],
    /// Slope in the track's progress (spoilers attack more as talks advance).
    pub progress: f64,
}

/// When a trigger fires.
#[derive(Debug, Clone)]
pub enum Condition {
    /// An event this step matching the filter.
    Event {
        /// From this actor (`None` = any).
        from: Option<ActorId>,
        /// Against this actor (`None` = any).
        to: Option<ActorId>,
        /// At or above this level.
        min_level: Level,
        /// That killed someone.
        killed: bool,
        /// That wounded someone.
        wounded: bool,
        /// Holds for this many steps from the matching event's step (1 =
        /// that step only).
        within: u32,
        /// Index of this condition's memory of its last match
        /// ([`Compiled::event_slots`] of them).
        slot: u16,
    },
    /// From step `at` up to (not including) `until`; `until = at + 1` is
    /// the single step `at`.
    Step {
        /// First step.
        at: u32,
        /// First step after.
        until: u32,
    },
    /// An actor's pressure at or above a value.
    Pressure {
        /// The actor.
        actor: ActorId,
        /// The threshold.
        above: f64,
    },
    /// A track has this status.
    Track {
        /// The track.
        track: u16,
        /// The status.
        status: TalkStatus,
    },
    /// A driver is active (or inactive).
    Driver {
        /// The driver.
        driver: u16,
        /// Whether it must be active (true) or inactive (false).
        active: bool,
    },
    /// A dyad is in a regime.
    Regime {
        /// The dyad.
        dyad: DyadId,
        /// The regime index.
        regime: u8,
    },
    /// An actor's chosen action was taken within the last `within` steps.
    Action {
        /// The choice, actor-major in file order (its index in
        /// `TrialState::choice_counts`).
        choice: u16,
        /// Holds for this many steps from the step it was last taken (1 =
        /// that step only).
        within: u32,
    },
}

/// A trigger's condition: every condition of `all` holds and, if `any` is
/// not empty, at least one of `any`.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// Conditions that must all hold (the top-level `when` first, then
    /// `[triggers.<id>.all.<id>]` in file order).
    pub all: Vec<Condition>,
    /// Conditions of which one must hold (`[triggers.<id>.any.<id>]`);
    /// empty = no such requirement.
    pub any: Vec<Condition>,
}

impl Conditions {
    /// Every condition, `all` then `any`.
    pub fn iter(&self) -> impl Iterator<Item = &Condition> {
        self.all.iter().chain(&self.any)
    }

    /// Whether every condition is a step condition: such a trigger fires
    /// at the start of its step, the others at the end.
    pub fn only_steps(&self) -> bool {
        self.iter().all(|c| matches!(c, Condition::Step { .. }))
    }
}

/// What a trigger does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Schedule an act on a dyad after `delay` steps.
    Act {
        /// The dyad that acts.
        dyad: DyadId,
        /// Its level.
        level: Level,
        /// Steps from now (0 = this step's end is too late: next step).
        delay: u32,
        /// Where (`NO_PLACE` = none).
        place: PlaceId,
        /// Forced deaths (`None` = drawn from the ladder).
        killed: Option<u32>,
        /// Forced wounded (`None` = drawn from the ladder).
        wounded: Option<u32>,
    },
    /// Switch a dyad's regime, for `duration` steps (0 = for good).
    Regime {
        /// The dyad.
        dyad: DyadId,
        /// The regime index.
        regime: u8,
        /// Steps before it reverts (0 = never).
        duration: u32,
    },
    /// A patron's restraint order: each client obeys with its `obey`
    /// probability, switching all its dyads that have the regime.
    Restrain {
        /// The patron.
        patron: ActorId,
        /// Regime id the obeying clients switch to.
        regime: String,
        /// Per dyad of the scenario: the regime index, if it has it.
        regime_by_dyad: Vec<Option<u8>>,
        /// Steps before it reverts (0 = never).
        duration: u32,
    },
    /// Switch a driver on or off.
    Driver {
        /// The driver.
        driver: u16,
        /// On or off.
        active: bool,
    },
    /// Set a track's status (open it, pause it, collapse it).
    Track {
        /// The track.
        track: u16,
        /// The new status.
        status: TalkStatus,
        /// Pause length when pausing.
        duration: u32,
    },
    /// Only record that the trigger fired (for metrics and outcomes).
    Mark,
}

/// A trigger.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// Id as written.
    pub id: String,
    /// When it fires.
    pub when: Conditions,
    /// What it does.
    pub action: Action,
    /// Fires at most once per trial.
    pub once: bool,
    /// Steps after a firing during which a repeatable trigger cannot fire
    /// again (0 = it may fire the next step).
    pub refractory: u32,
    /// Probability the action runs when the condition holds.
    pub probability: f64,
}

/// A terminal condition.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Id as written (the `outcome` column).
    pub id: String,
    /// The condition.
    pub kind: OutcomeKind,
}

/// Terminal conditions.
#[derive(Debug, Clone)]
pub enum OutcomeKind {
    /// A track reaches agreement.
    Agreement(u16),
    /// A track collapses.
    Collapse(u16),
    /// An actor's pressure reaches a threshold (a coerced exit).
    Pressure {
        /// The actor.
        actor: ActorId,
        /// The threshold.
        threshold: f64,
    },
    /// Severity summed over the last `window` steps reaches `threshold`.
    Spiral {
        /// Window in steps.
        window: u32,
        /// Threshold in severity units.
        threshold: f64,
        /// Earliest step at which it can fire.
        min_step: u32,
    },
    /// Someone of `actor` has been killed.
    Deaths {
        /// The actor.
        actor: ActorId,
        /// Number killed at which it fires.
        threshold: f64,
    },
    /// An implementation phase (index into `Scenario::phases`) is complete.
    Implemented(u16),
    /// An implementation phase broke down: the deal is broken.
    Broken(u16),
    /// An actor's chosen action (index actor-major in file order) has been
    /// taken at least once.
    Action(u16),
}

/// The iterated prisoner's dilemma.
#[derive(Debug, Clone)]
pub struct Game {
    /// Rounds per match.
    pub rounds: u32,
    /// Probability an intended act comes out flipped.
    pub noise: f64,
    /// Probability a player misreads the other's act.
    pub perception_noise: f64,
    /// Payoffs R, S, T, P.
    pub payoffs: Payoffs,
}

/// Prisoner's dilemma payoffs to the row player.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Payoffs {
    /// Reward for mutual cooperation.
    pub r: f64,
    /// Sucker's payoff.
    pub s: f64,
    /// Temptation.
    pub t: f64,
    /// Punishment for mutual defection.
    pub p: f64,
}

impl Payoffs {
    /// Payoff to a player who played `me` against `other` (true = defect).
    #[inline]
    pub fn of(&self, me: bool, other: bool) -> f64 {
        match (me, other) {
            (false, false) => self.r,
            (false, true) => self.s,
            (true, false) => self.t,
            (true, true) => self.p,
        }
    }

    /// Nowak and Sigmund's generous tit-for-tat forgiveness:
    /// `q = min(1 - (T-R)/(R-S), (R-P)/(T-P))` (1/3 at 3, 0, 5, 1).
    pub fn gtft_generosity(&self) -> f64 {
        let a = 1.0 - (self.t - self.r) / (self.r - self.s);
        let b = (self.r - self.p) / (self.t - self.p);
        a.min(b).clamp(0.0, 1.0)
    }
}

/// Each dyad's repertoire: the levels it can act at, ascending (its
/// initiative's levels of positive weight, its responses' ranges, in every
/// regime, its hazard's level and its trigger acts'; a misattributed
/// answer is carried out by the dyad it lands on). Noise moves an act to a
/// neighbour in this list.
pub fn repertoires(dyads: &mut [Dyad], triggers: &[Trigger]) {
    for (d, dy) in dyads.iter_mut().enumerate() {
        let mut levels: Vec<Level> = Vec::new();
        if let Some(i) = &dy.initiative {
            let mut prev = 0.0;
            for (j, &c) in i.levels.iter().enumerate() {
                if c > prev {
                    levels.push(j as Level + 1);
                }
                prev = c;
            }
        }
        let responses = dy
            .response
            .iter()
            .chain(dy.regimes.iter().filter_map(|r| r.response.as_ref()));
        for r in responses {
            match &r.rule {
                Rule::Graded(g) => levels.extend(g.min_level..=g.max_level),
                Rule::MemoryOne(m) => levels.push(m.level),
                Rule::Grim { level } | Rule::TitForTwoTats { level } => levels.push(*level),
                Rule::Contrite(c) => levels.push(c.level),
            }
        }
        if let Some(h) = &dy.hazard {
            levels.push(h.level);
        }
        for t in triggers {
            if let Action::Act { dyad, level, .. } = t.action
                && dyad as usize == d
            {
                levels.push(level);
            }
        }
        levels.sort_unstable();
        levels.dedup();
        dy.repertoire = levels;
    }
    // A misattributed answer is carried out by the dyad it lands on.
    for d in 0..dyads.len() {
        let Some(m) = dyads[d].misattribution.clone() else {
            continue;
        };
        let levels = dyads[d].repertoire.clone();
        for alt in m.dyads {
            let r = &mut dyads[alt as usize].repertoire;
            r.extend(&levels);
            r.sort_unstable();
            r.dedup();
        }
    }
}
