//! Parameters drawn per trial (issue 14): which field of the compiled
//! [`Scenario`] each uncertain dotted path sets ([`Slot`], resolved once by
//! the scenario layer), and how a trial's drawn values are written into a
//! worker's own copy of the scenario.
//!
//! A trial's parameter vector `θ_i` comes from its own stream
//! ([`crate::dist::ParamSet::draw_trial`], keyed by (seed, i, path), apart
//! from the event stream). [`Uncertainty::apply`] writes `θ_i` with one
//! `match` per slot, then rebuilds only the derived tables a written slot
//! feeds ([`Rebuild`]): the cumulative level and place weights of a
//! sampler, the consequence samplers `1 + Poisson(m - 1)`, the flattened
//! pressure inputs, the spiral ring length, the dyads' repertoires. A run
//! with no uncertain parameter never clones the scenario, so the point
//! forecast runs exactly as before.
//!
//! Nested sampling (Saltelli et al. 2008, "Global Sensitivity Analysis: The
//! Primer", ch. 1, the double loop): with `per_draw = K`, trial `i` uses
//! parameter draw `⌊i / K⌋`, so K trials share one parameter vector and
//! `P(outcome | θ)` can be estimated per draw.

use super::{Action, ActorId, ChoiceAct, ChoicePolicy, Condition, DyadId, Inherits, Level, OutcomeKind, Scenario};
use crate::dist::{ParamKey, ParamSet};
use crate::policy::{HazardStock, Rule};
use crate::rng::Poisson;

/// The compiled field an uncertain path sets. Indices are resolved from
/// the path once, at load; applying a slot is one `match`.
#[allow(missing_docs)] // each variant names the field it sets, by its path
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `ladder.<level>.wound`
    Wound(Level),
    /// `ladder.<level>.kill`
    Kill(Level),
    /// `ladder.<level>.wounded`
    Wounded(Level),
    /// `ladder.<level>.killed`
    Killed(Level),
    /// `actors.<a>.obey`
    Obey(ActorId),
    /// `actors.<a>.pressure.initial`
    PressureInitial(ActorId),
    /// `actors.<a>.pressure.decay`
    PressureDecay(ActorId),
    /// `actors.<a>.pressure.inputs.<k>.weight`; `flat` is its place in
    /// `compiled.inputs`.
    InputWeight { actor: ActorId, input: u16, flat: u32 },
    /// `actors.<a>.pressure.relief.<track>.progress`
    ReliefProgress { actor: ActorId, relief: u16 },
    /// `actors.<a>.pressure.relief.<track>.active`
    ReliefActive { actor: ActorId, relief: u16 },
    /// `actors.<a>.pressure.relief.<track>.agreement`
    ReliefAgreement { actor: ActorId, relief: u16 },
    /// `dyads.<d>.regimes.<r>.rate`
    RegimeRate { dyad: DyadId, regime: u8 },
    /// `dyads.<d>.initiative.rate`
    InitRate(DyadId),
    /// `dyads.<d>.initiative.beta`
    InitBeta(DyadId),
    /// `dyads.<d>.initiative.memory`
    InitMemory(DyadId),
    /// `dyads.<d>.initiative.excitation`
    InitExcitation(DyadId),
    /// `dyads.<d>.initiative.kernel`
    InitKernel(DyadId),
    /// `dyads.<d>.initiative.history`
    InitHistory(DyadId),
    /// `dyads.<d>.initiative.pressure`
    InitPressure(DyadId),
    /// `dyads.<d>.initiative.max_rate`
    InitMaxRate(DyadId),
    /// `dyads.<d>.initiative.drivers.<k>.active`
    InitDriverActive { dyad: DyadId, k: u16 },
    /// `dyads.<d>.initiative.drivers.<k>.inactive`
    InitDriverInactive { dyad: DyadId, k: u16 },
    /// One raw weight of a cumulative table ([`WeightTable`]): level and
    /// place weights of initiative, response and hazard.
    Weight { table: u16, index: u16 },
    /// `dyads.<d>.response.proportionality`
    Proportionality(DyadId),
    /// `dyads.<d>.response.threshold`
    Threshold(DyadId),
    /// `dyads.<d>.response.generosity.<level>`
    Generosity { dyad: DyadId, level: Level },
    /// `dyads.<d>.response.generosity_if_wounded`
    GenerosityIfWounded(DyadId),
    /// `dyads.<d>.response.generosity_if_killed`
    GenerosityIfKilled(DyadId),
    /// `dyads.<d>.response.severity_if_wounded`
    SeverityIfWounded(DyadId),
    /// `dyads.<d>.response.severity_if_killed`
    SeverityIfKilled(DyadId),
    /// `dyads.<d>.response.delay`
    ResponseDelay(DyadId),
    /// `dyads.<d>.response.refractory`
    ResponseRefractory(DyadId),
    /// `dyads.<d>.hazard.intercept`
    HazardIntercept(DyadId),
    /// `dyads.<d>.hazard.slope`
    HazardSlope(DyadId),
    /// `dyads.<d>.hazard.decay`
    HazardDecay(DyadId),
    /// `dyads.<d>.hazard.level`
    HazardLevel(DyadId),
    /// `dyads.<d>.hazard.refractory`
    HazardRefractory(DyadId),
    /// `dyads.<d>.noise.execution`
    ExecutionNoise(DyadId),
    /// `dyads.<d>.noise.perception`
    PerceptionNoise(DyadId),
    /// `drivers.<k>.start`
    DriverStart(u16),
    /// `drivers.<k>.end`
    DriverEnd(u16),
    /// `drivers.<k>.end_hazard`
    DriverEndHazard(u16),
    /// `tracks.<k>.open_step`
    TrackOpenStep(u16),
    /// `tracks.<k>.precondition.calm`
    TrackPreconditionCalm(u16),
    /// `tracks.<k>.progress.rate`
    TrackRate(u16),
    /// `tracks.<k>.progress.violence`
    TrackViolence(u16),
    /// `tracks.<k>.progress.memory`
    TrackMemory(u16),
    /// `tracks.<k>.working_groups.<g>.rate`
    GroupRate { track: u16, group: u16 },
    /// `tracks.<k>.pause.level`
    PauseLevel(u16),
    /// `tracks.<k>.pause.steps`
    PauseSteps(u16),
    /// `tracks.<k>.collapse.hazard`
    CollapseHazard(u16),
    /// `tracks.<k>.collapse.violence`
    CollapseViolence(u16),
    /// `tracks.<k>.signing.calm`
    SigningCalm(u16),
    /// `tracks.<k>.signing.level`
    SigningLevel(u16),
    /// `tracks.<k>.effects.<d>.<status>`
    Effect { track: u16, effect: u16, status: u8 },
    /// `tracks.<k>.effects.<d>.progress`
    EffectProgress { track: u16, effect: u16 },
    /// `triggers.<k>.probability`
    TriggerProbability(u16),
    /// `triggers.<k>.at`
    TriggerAt(u16),
    /// `triggers.<k>.above`
    TriggerAbove(u16),
    /// `triggers.<k>.level`
    TriggerLevel(u16),
    /// `triggers.<k>.delay`
    TriggerDelay(u16),
    /// `triggers.<k>.duration`
    TriggerDuration(u16),
    /// `triggers.<k>.force_killed`
    TriggerForceKilled(u16),
    /// `triggers.<k>.force_wounded`
    TriggerForceWounded(u16),
    /// `outcomes.<k>.threshold`
    OutcomeThreshold(u16),
    /// `outcomes.<k>.window`
    OutcomeWindow(u16),
    /// `outcomes.<k>.min_step`
    OutcomeMinStep(u16),
    /// `game.noise`
    GameNoise,
    /// `game.perception_noise`
    GamePerceptionNoise,
    // Issue 15's keys.
    /// `dyads.<d>.misattribution.p`
    MisattributionP(DyadId),
    /// `triggers.<k>.refractory`
    TriggerRefractory(u16),
    /// `within` of condition `index` of trigger `trigger`'s `all` (`any =
    /// false`; the top-level `when` is `all`'s first) or `any` list.
    CondWithin { trigger: u16, any: bool, index: u16 },
    /// `at` of a step condition (its window keeps its width).
    CondAt { trigger: u16, any: bool, index: u16 },
    /// `above` of a pressure condition.
    CondAbove { trigger: u16, any: bool, index: u16 },
    /// `phases.<p>.duration`
    PhaseDuration(u16),
    /// `phases.<p>.slip`
    PhaseSlip(u16),
    /// `phases.<p>.setback`
    PhaseSetback(u16),
    /// `phases.<p>.break`
    PhaseBreak(u16),
    /// `tracks.<k>.bargaining.ripeness`
    Ripeness(u16),
    /// `tracks.<k>.bargaining.hurt.<party>` (its place in the list)
    Hurt { track: u16, k: u16 },
    /// `tracks.<k>.bargaining.drivers.<d>.active`
    BargainDriverActive { track: u16, k: u16 },
    /// `tracks.<k>.bargaining.drivers.<d>.inactive`
    BargainDriverInactive { track: u16, k: u16 },
    /// `tracks.<k>.bargaining.concession.<field>`
    Concession { track: u16, field: ConcessionField },
    /// `actors.<a>.risk.initial`
    RiskInitial(ActorId),
    /// `actors.<a>.risk.decay`
    RiskDecay(ActorId),
    /// `actors.<a>.risk.inputs.<k>.weight`; `flat` is its place in
    /// `compiled.inputs`.
    RiskWeight { actor: ActorId, input: u16, flat: u32 },
    /// `actors.<a>.actions.<c>.<field>`
    Choice {
        actor: ActorId,
        choice: u16,
        field: ChoiceField,
    },
    /// `actors.<a>.actions.<c>.comply.<faction>` (its place in the list)
    Comply { actor: ActorId, choice: u16, k: u16 },
}

/// The number of a concession table a slot sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcessionField {
    /// `intercept`
    Intercept,
    /// `ripeness`
    Ripeness,
    /// `learning`
    Learning,
    /// `jump`
    Jump,
}

/// The number of an actor's action a slot sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceField {
    /// `intercept` (hazard policy)
    Intercept,
    /// `slope` (hazard policy)
    Slope,
    /// `threshold` (threshold policy)
    Threshold,
    /// `noise_sd` (threshold policy)
    NoiseSd,
    /// `refractory`
    Refractory,
    /// `max`
    Max,
    /// `relief`
    Relief,
    /// `duration` (restrain, pause, hurry, harden)
    Duration,
    /// `factor` (hurry, harden)
    Factor,
    /// `weight` (demand_withdrawal, protest)
    Weight,
}

/// Which cumulative weight vector a [`WeightTable`] feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightTarget {
    /// `dyads.<d>.initiative.levels` (indexed by hostile level - 1).
    InitiativeLevels(DyadId),
    /// `dyads.<d>.initiative.places`.
    InitiativePlaces(DyadId),
    /// `dyads.<d>.response.places`.
    ResponsePlaces(DyadId),
    /// `dyads.<d>.hazard.places`.
    HazardPlaces(DyadId),
    /// `dyads.<d>.misattribution.to` (indexed as its `dyads`).
    Misattribution(DyadId),
}

/// The raw (not normalised, not cumulative) weights behind one of the
/// engine's cumulative tables, so that drawing one weight rebuilds the
/// table as validation would have built it.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightTable {
    /// The table it feeds.
    pub target: WeightTarget,
    /// The weights at the medians (what the file says).
    pub base: Vec<f64>,
}

/// Derived tables a written slot invalidates (a bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rebuild(u8);

impl Rebuild {
    const POISSON: u8 = 1;
    const RING: u8 = 2;
    const REPERTOIRE: u8 = 4;
    const WEIGHTS: u8 = 8;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// The uncertain parameters of a scenario, compiled: the distributions
/// (in file order, the order of their columns), the slot each sets, and
/// the nested-sampling factor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uncertainty {
    /// The distributions, by dotted path.
    pub set: Option<ParamSet>,
    /// One slot per parameter of `set`, in its order.
    pub slots: Vec<Slot>,
    /// Raw weights behind the cumulative tables some slots write.
    pub tables: Vec<WeightTable>,
    /// Trials per parameter draw (nested sampling); 1 = a fresh draw per
    /// trial.
    pub per_draw: u64,
    /// A calibration's posterior (issue 16), whose paths' values are
    /// resampled per draw instead of drawn from their priors.
    pub posterior: Option<std::sync::Arc<PosteriorDraws>>,
}

/// The weighted particles of a calibration's `posterior.csv`, compiled
/// against this scenario's uncertain paths. Trial `i` (draw `⌊i/K⌋`)
/// picks particle `j` with probability `w_j` (multinomial resampling,
/// from the draw's own parameter stream at the word offset of the path
/// `@posterior`) and writes its values over the prior draws of those
/// paths; every other path keeps its prior draw, unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorDraws {
    /// The file, as named.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Position of each column in the uncertain parameters.
    pub index: Vec<usize>,
    /// Particles, row-major (`index.len()` values each).
    pub particles: Vec<f64>,
    /// Cumulative normalised weights (last = 1).
    pub cum: Vec<f64>,
    /// Word offset of the resampling draw in the parameter stream
    /// (`dist::path_offset("@posterior")`, computed once).
    pub offset: u128,
}

impl PosteriorDraws {
    /// Number of particles.
    pub fn len(&self) -> usize {
        self.cum.len()
    }

    /// Whether it holds no particle (never, once compiled).
    pub fn is_empty(&self) -> bool {
        self.cum.is_empty()
    }

    /// The particle a uniform `u` in [0, 1) selects.
    #[inline]
    pub fn pick(&self, u: f64) -> usize {
        self.cum.partition_point(|&c| c <= u).min(self.cum.len() - 1)
    }
}

impl Uncertainty {
    /// Number of uncertain parameters.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing is drawn (a point scenario, or a `--point` run).
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The dotted paths, in column order.
    pub fn paths(&self) -> &[String] {
        self.set.as_ref().map_or(&[], |s| s.paths())
    }

    /// The parameter draw trial `i` uses: `⌊i / per_draw⌋`.
    #[inline]
    pub fn draw_index(&self, trial: u64) -> u64 {
        trial / self.per_draw.max(1)
    }

    /// Draws trial `trial`'s parameters into `values` (one per slot).
    #[inline]
    pub fn draw(&self, key: &ParamKey, trial: u64, values: &mut [f64]) {
        if let Some(set) = &self.set {
            set.draw_trial(key, self.draw_index(trial), values);
        }
        if let Some(p) = &self.posterior {
            let mut rng = key.rng(self.draw_index(trial));
            rng.set_word_pos(p.offset);
            let j = p.pick(crate::rng::uniform(&mut rng));
            let d = p.index.len();
            for (k, &at) in p.index.iter().enumerate() {
                values[at] = p.particles[j * d + k];
            }
        }
    }

    /// Writes `values` into `s` (a copy of the scenario these slots were
    /// resolved on) and rebuilds the derived tables they feed. `weights`
    /// is scratch space the size of `self.tables` (see
    /// [`Uncertainty::scratch`]); nothing is allocated unless a level id or
    /// an initiative level weight is drawn (the repertoires are rebuilt).
    pub fn apply(&self, s: &mut Scenario, values: &[f64], weights: &mut [Vec<f64>]) {
        let mut rebuild = Rebuild::default();
        for (w, t) in weights.iter_mut().zip(&self.tables) {
            w.copy_from_slice(&t.base);
        }
        for (slot, &x) in self.slots.iter().zip(values) {
            rebuild.0 |= write(s, *slot, x, weights).0;
        }
        if rebuild.has(Rebuild::WEIGHTS) {
            for (w, t) in weights.iter().zip(&self.tables) {
                write_cumulative(s, t.target, w);
            }
        }
        if rebuild.has(Rebuild::POISSON) {
            for (p, &m) in s.compiled.wounded_extra.iter_mut().zip(&s.ladder.wounded) {
                *p = Poisson::new(m - 1.0);
            }
            for (p, &m) in s.compiled.killed_extra.iter_mut().zip(&s.ladder.killed) {
                *p = Poisson::new(m - 1.0);
            }
        }
        if rebuild.has(Rebuild::RING) {
            s.compiled.ring_len = s
                .outcomes
                .iter()
                .map(|o| match o.kind {
                    OutcomeKind::Spiral { window, .. } => window as usize + 1,
                    _ => 1,
                })
                .max()
                .unwrap_or(1);
        }
        if rebuild.has(Rebuild::REPERTOIRE) {
            super::repertoires(&mut s.dyads, &s.triggers);
        }
    }

    /// Scratch space for [`Uncertainty::apply`], made once per worker.
    pub fn scratch(&self) -> Vec<Vec<f64>> {
        self.tables.iter().map(|t| t.base.clone()).collect()
    }
}

fn write_cumulative(s: &mut Scenario, target: WeightTarget, w: &[f64]) {
    let dyads = &mut s.dyads;
    let out = match target {
        WeightTarget::InitiativeLevels(k) => dyads[k as usize].initiative.as_mut().map(|i| &mut i.levels),
        WeightTarget::InitiativePlaces(k) => dyads[k as usize].initiative.as_mut().map(|i| &mut i.places),
        WeightTarget::ResponsePlaces(k) => {
            // The regimes that take the dyad's places take its draw too.
            for r in dyads[k as usize].regimes.iter_mut() {
                if let (true, Some(resp)) = (r.inherits.has(Inherits::PLACES), r.response.as_mut()) {
                    cumulate(&mut resp.places, w);
                }
            }
            dyads[k as usize].response.as_mut().map(|r| &mut r.places)
        }
        WeightTarget::HazardPlaces(k) => dyads[k as usize].hazard.as_mut().map(|h| &mut h.places),
        WeightTarget::Misattribution(k) => dyads[k as usize].misattribution.as_mut().map(|m| &mut m.weights),
    };
    cumulate(out.expect("a weight table's target was checked at load"), w);
}

/// `out[i] = w[0] + ... + w[i]`.
fn cumulate(out: &mut [f64], w: &[f64]) {
    let mut acc = 0.0;
    for (c, x) in out.iter_mut().zip(w) {
        acc += x;
        *c = acc;
    }
}

/// Steps from a drawn whole number (domains keep it in range).
#[inline]
fn steps(x: f64) -> u32 {
    x as u32
}

/// Writes one slot; returns the derived tables it invalidates. The slot
/// was resolved against this scenario's shape, so the `expect`s hold.
fn write(s: &mut Scenario, slot: Slot, x: f64, weights: &mut [Vec<f64>]) -> Rebuild {
    use Slot::*;
    const NONE: Rebuild = Rebuild(0);
    match slot {
        Wound(l) => s.ladder.wound[l as usize] = x,
        Kill(l) => s.ladder.kill[l as usize] = x,
        Wounded(l) => {
            s.ladder.wounded[l as usize] = x;
            return Rebuild(Rebuild::POISSON);
        }
        Killed(l) => {
            s.ladder.killed[l as usize] = x;
            return Rebuild(Rebuild::POISSON);
        }
        Obey(a) => s.actors[a as usize].obey = x,
        PressureInitial(a) => pressure(s, a).initial = x,
        PressureDecay(a) => pressure(s, a).decay = x,
        InputWeight { actor, input, flat } => {
            pressure(s, actor).inputs[input as usize].weight = x;
            s.compiled.inputs[flat as usize].1.weight = x;
        }
        ReliefProgress { actor, relief } => pressure(s, actor).relief[relief as usize].progress = x,
        ReliefActive { actor, relief } => pressure(s, actor).relief[relief as usize].active = x,
        ReliefAgreement { actor, relief } => pressure(s, actor).relief[relief as usize].agreement = x,
        RegimeRate { dyad, regime } => s.dyads[dyad as usize].regimes[regime as usize].rate = x,
        InitRate(d) => initiative(s, d).rate = x,
        InitBeta(d) => initiative(s, d).beta = x,
        InitMemory(d) => initiative(s, d).memory = x,
        InitExcitation(d) => initiative(s, d).excitation = x,
        InitKernel(d) => initiative(s, d).kernel = x,
        InitHistory(d) => initiative(s, d).history = x,
        InitPressure(d) => initiative(s, d).pressure = x,
        InitMaxRate(d) => initiative(s, d).max_rate = x,
        InitDriverActive { dyad, k } => initiative(s, dyad).drivers[k as usize].1 = x,
        InitDriverInactive { dyad, k } => initiative(s, dyad).drivers[k as usize].2 = x,
        Weight { table, index } => {
            weights[table as usize][index as usize] = x;
            return Rebuild(Rebuild::WEIGHTS | Rebuild::REPERTOIRE);
        }
        Proportionality(d) => for_graded(s, d, Inherits::PROPORTIONALITY, |g| g.proportionality = x),
        Threshold(d) => for_graded(s, d, Inherits::THRESHOLD, |g| g.threshold = x),
        Generosity { dyad, level } => {
            graded(s, dyad).generosity[level as usize] = x;
            for r in s.dyads[dyad as usize].regimes.iter_mut() {
                if let (true, Some(Rule::Graded(g))) =
                    (r.inherits.generosity(level), r.response.as_mut().map(|r| &mut r.rule))
                {
                    g.generosity[level as usize] = x;
                }
            }
        }
        GenerosityIfWounded(d) => for_graded(s, d, Inherits::GENEROSITY_IF_WOUNDED, |g| g.generosity_if_wounded = x),
        GenerosityIfKilled(d) => for_graded(s, d, Inherits::GENEROSITY_IF_KILLED, |g| g.generosity_if_killed = x),
        SeverityIfWounded(d) => for_graded(s, d, Inherits::SEVERITY_IF_WOUNDED, |g| g.severity_if_wounded = x),
        SeverityIfKilled(d) => for_graded(s, d, Inherits::SEVERITY_IF_KILLED, |g| g.severity_if_killed = x),
        ResponseDelay(d) => for_response(s, d, Inherits::DELAY, |r| r.delay = steps(x)),
        ResponseRefractory(d) => for_response(s, d, Inherits::REFRACTORY, |r| r.refractory = steps(x)),
        HazardIntercept(d) => hazard(s, d).intercept = x,
        HazardSlope(d) => hazard(s, d).slope = x,
        HazardDecay(d) => {
            if let HazardStock::Grievance { decay } = &mut hazard(s, d).stock {
                *decay = x;
            }
        }
        HazardLevel(d) => {
            hazard(s, d).level = x as Level;
            return Rebuild(Rebuild::REPERTOIRE);
        }
        HazardRefractory(d) => hazard(s, d).refractory = steps(x),
        ExecutionNoise(d) => s.dyads[d as usize].execution_noise = x,
        PerceptionNoise(d) => s.dyads[d as usize].perception_noise = x,
        DriverStart(k) => s.drivers[k as usize].start = steps(x),
        DriverEnd(k) => s.drivers[k as usize].end = steps(x),
        DriverEndHazard(k) => s.drivers[k as usize].end_hazard = x,
        TrackOpenStep(k) => s.tracks[k as usize].open_step = Some(steps(x)),
        TrackPreconditionCalm(k) => s.tracks[k as usize].precondition_calm = steps(x),
        TrackRate(k) => s.tracks[k as usize].rate = x,
        TrackViolence(k) => s.tracks[k as usize].violence = x,
        TrackMemory(k) => s.tracks[k as usize].memory = x,
        GroupRate { track, group } => s.tracks[track as usize].groups[group as usize] = x,
        PauseLevel(k) => s.tracks[k as usize].pause_level = Some(x as Level),
        PauseSteps(k) => s.tracks[k as usize].pause_steps = steps(x),
        CollapseHazard(k) => s.tracks[k as usize].collapse_hazard = x,
        CollapseViolence(k) => s.tracks[k as usize].collapse_violence = x,
        SigningCalm(k) => s.tracks[k as usize].signing_calm = steps(x),
        SigningLevel(k) => s.tracks[k as usize].signing_level = x as Level,
        Effect { track, effect, status } => {
            s.tracks[track as usize].effects[effect as usize].by_status[status as usize] = x
        }
        EffectProgress { track, effect } => s.tracks[track as usize].effects[effect as usize].progress = x,
        TriggerProbability(_)
        | TriggerAt(_)
        | TriggerAbove(_)
        | TriggerLevel(_)
        | TriggerDelay(_)
        | TriggerDuration(_)
        | TriggerForceKilled(_)
        | TriggerForceWounded(_)
        | OutcomeThreshold(_)
        | OutcomeWindow(_)
        | OutcomeMinStep(_)
        | GameNoise
        | GamePerceptionNoise => return write_switches(s, slot, x),
        _ => write_agency(s, slot, x),
    }
    NONE
}

/// [`write`] for issue 15's keys: misattribution, repeatable triggers and
/// combined conditions, phases, bargaining, risk and actions. None
/// invalidates a derived table.
fn write_agency(s: &mut Scenario, slot: Slot, x: f64) {
    use Slot::*;
    match slot {
        MisattributionP(d) => {
            if let Some(m) = &mut s.dyads[d as usize].misattribution {
                m.p = x;
            }
        }
        TriggerRefractory(k) => s.triggers[k as usize].refractory = steps(x),
        CondWithin { trigger, any, index } => {
            if let Condition::Event { within, .. } | Condition::Action { within, .. } = cond(s, trigger, any, index) {
                *within = steps(x);
            }
        }
        CondAt { trigger, any, index } => {
            if let Condition::Step { at, until } = cond(s, trigger, any, index) {
                let width = until.saturating_sub(*at);
                *at = steps(x);
                *until = at.saturating_add(width);
            }
        }
        CondAbove { trigger, any, index } => {
            if let Condition::Pressure { above, .. } = cond(s, trigger, any, index) {
                *above = x;
            }
        }
        PhaseDuration(p) => s.phases[p as usize].duration = steps(x),
        PhaseSlip(p) => s.phases[p as usize].slip = x,
        PhaseSetback(p) => s.phases[p as usize].setback = steps(x),
        PhaseBreak(p) => s.phases[p as usize].break_hazard = x,
        Ripeness(k) => bargaining(s, k).ripeness = x,
        Hurt { track, k } => bargaining(s, track).hurt[k as usize].1 = x,
        BargainDriverActive { track, k } => bargaining(s, track).drivers[k as usize].1 = x,
        BargainDriverInactive { track, k } => bargaining(s, track).drivers[k as usize].2 = x,
        Concession { track, field } => {
            let c = bargaining(s, track)
                .concession
                .as_mut()
                .expect("slot resolved on a track with a concession table");
            match field {
                ConcessionField::Intercept => c.intercept = x,
                ConcessionField::Ripeness => c.ripeness = x,
                ConcessionField::Learning => c.learning = x,
                ConcessionField::Jump => c.jump = x,
            }
        }
        RiskInitial(a) => risk(s, a).initial = x,
        RiskDecay(a) => risk(s, a).decay = x,
        RiskWeight { actor, input, flat } => {
            risk(s, actor).inputs[input as usize].weight = x;
            s.compiled.inputs[flat as usize].1.weight = x;
        }
        Choice { actor, choice, field } => {
            write_choice(&mut s.actors[actor as usize].choices[choice as usize], field, x)
        }
        Comply { actor, choice, k } => {
            if let ChoiceAct::Restrain { factions, .. } = &mut s.actors[actor as usize].choices[choice as usize].act {
                factions[k as usize].1 = x;
            }
        }
        _ => unreachable!("write handles the point model's slots"),
    }
}

/// One number of an actor's action (the slot was resolved on a choice
/// whose policy and act read it).
fn write_choice(c: &mut super::Choice, field: ChoiceField, x: f64) {
    match (field, &mut c.policy, &mut c.act) {
        (ChoiceField::Intercept, ChoicePolicy::Hazard { intercept, .. }, _) => *intercept = x,
        (ChoiceField::Slope, ChoicePolicy::Hazard { slope, .. }, _) => *slope = x,
        (ChoiceField::Threshold, ChoicePolicy::Threshold { threshold, .. }, _) => *threshold = x,
        (ChoiceField::NoiseSd, ChoicePolicy::Threshold { noise, .. }, _) => *noise = x,
        (ChoiceField::Refractory, ..) => c.refractory = steps(x),
        (ChoiceField::Max, ..) => c.max = steps(x),
        (ChoiceField::Relief, ..) => c.relief = x,
        (
            ChoiceField::Duration,
            _,
            ChoiceAct::Restrain { duration, .. } | ChoiceAct::Pause { duration, .. } | ChoiceAct::Pace { duration, .. },
        ) => *duration = steps(x),
        (ChoiceField::Factor, _, ChoiceAct::Pace { factor, .. }) => *factor = x,
        (ChoiceField::Weight, _, ChoiceAct::Signal { weight, .. }) => *weight = x,
        _ => {}
    }
}

fn cond(s: &mut Scenario, trigger: u16, any: bool, index: u16) -> &mut Condition {
    let w = &mut s.triggers[trigger as usize].when;
    let list = if any { &mut w.any } else { &mut w.all };
    &mut list[index as usize]
}

fn bargaining(s: &mut Scenario, k: u16) -> &mut super::Bargaining {
    s.tracks[k as usize]
        .bargaining
        .as_mut()
        .expect("slot resolved on a track that bargains")
}

fn risk(s: &mut Scenario, a: ActorId) -> &mut super::Risk {
    s.actors[a as usize]
        .risk
        .as_mut()
        .expect("slot resolved on an actor with risk")
}

/// [`write`] for the slots of triggers, outcomes and games.
fn write_switches(s: &mut Scenario, slot: Slot, x: f64) -> Rebuild {
    use Slot::*;
    const NONE: Rebuild = Rebuild(0);
    match slot {
        TriggerProbability(k) => s.triggers[k as usize].probability = x,
        TriggerAt(k) => {
            // The top-level `when` is the first of `all`; a window keeps
            // its width.
            if let Some(Condition::Step { at, until }) = s.triggers[k as usize].when.all.first_mut() {
                let width = until.saturating_sub(*at);
                *at = steps(x);
                *until = at.saturating_add(width);
            }
        }
        TriggerAbove(k) => {
            if let Some(Condition::Pressure { above, .. }) = s.triggers[k as usize].when.all.first_mut() {
                *above = x;
            }
        }
        TriggerLevel(k) => {
            if let Action::Act { level, .. } = &mut s.triggers[k as usize].action {
                *level = x as Level;
            }
            return Rebuild(Rebuild::REPERTOIRE);
        }
        TriggerDelay(k) => {
            if let Action::Act { delay, .. } = &mut s.triggers[k as usize].action {
                *delay = steps(x);
            }
        }
        TriggerDuration(k) => match &mut s.triggers[k as usize].action {
            Action::Regime { duration, .. } | Action::Restrain { duration, .. } | Action::Track { duration, .. } => {
                *duration = steps(x)
            }
            _ => {}
        },
        TriggerForceKilled(k) => {
            if let Action::Act { killed, .. } = &mut s.triggers[k as usize].action {
                *killed = Some(steps(x));
            }
        }
        TriggerForceWounded(k) => {
            if let Action::Act { wounded, .. } = &mut s.triggers[k as usize].action {
                *wounded = Some(steps(x));
            }
        }
        OutcomeThreshold(k) => match &mut s.outcomes[k as usize].kind {
            OutcomeKind::Pressure { threshold, .. }
            | OutcomeKind::Spiral { threshold, .. }
            | OutcomeKind::Deaths { threshold, .. } => *threshold = x,
            OutcomeKind::Agreement(_)
            | OutcomeKind::Collapse(_)
            | OutcomeKind::Implemented(_)
            | OutcomeKind::Broken(_)
            | OutcomeKind::Action(_) => {}
        },
        OutcomeWindow(k) => {
            if let OutcomeKind::Spiral { window, .. } = &mut s.outcomes[k as usize].kind {
                *window = steps(x);
            }
            return Rebuild(Rebuild::RING);
        }
        OutcomeMinStep(k) => {
            if let OutcomeKind::Spiral { min_step, .. } = &mut s.outcomes[k as usize].kind {
                *min_step = steps(x);
            }
        }
        GameNoise => game(s).noise = x,
        GamePerceptionNoise => game(s).perception_noise = x,
        _ => {}
    }
    NONE
}

fn pressure(s: &mut Scenario, a: ActorId) -> &mut super::Pressure {
    s.actors[a as usize]
        .pressure
        .as_mut()
        .expect("slot resolved on an actor with pressure")
}

fn initiative(s: &mut Scenario, d: DyadId) -> &mut crate::policy::Initiative {
    s.dyads[d as usize]
        .initiative
        .as_mut()
        .expect("slot resolved on a dyad with initiative")
}

fn response(s: &mut Scenario, d: DyadId) -> &mut super::Response {
    s.dyads[d as usize]
        .response
        .as_mut()
        .expect("slot resolved on a dyad with a response")
}

fn graded(s: &mut Scenario, d: DyadId) -> &mut crate::policy::Graded {
    let Rule::Graded(g) = &mut response(s, d).rule else {
        unreachable!("slot resolved on a graded response")
    };
    g
}

/// Writes one key of dyad `d`'s response with `f`, then of every regime's
/// own response that takes the key from the dyad's ([`Inherits`], the
/// bit `key`): a regime with its own table answers with the trial's draw
/// of the keys it leaves out, not with their medians.
fn for_response(s: &mut Scenario, d: DyadId, key: u16, f: impl Fn(&mut super::Response)) {
    f(response(s, d));
    for r in s.dyads[d as usize].regimes.iter_mut() {
        if let (true, Some(resp)) = (r.inherits.has(key), r.response.as_mut()) {
            f(resp);
        }
    }
}

/// [`for_response`] for a key of the graded rule: a regime inherits it
/// only if its own rule is graded too (a regime on another rule reads
/// none of them).
fn for_graded(s: &mut Scenario, d: DyadId, key: u16, f: impl Fn(&mut crate::policy::Graded)) {
    for_response(s, d, key, |r| {
        if let Rule::Graded(g) = &mut r.rule {
            f(g);
        }
    });
}

fn hazard(s: &mut Scenario, d: DyadId) -> &mut crate::policy::Hazard {
    s.dyads[d as usize]
        .hazard
        .as_mut()
        .expect("slot resolved on a dyad with a hazard")
}

fn game(s: &mut Scenario) -> &mut super::Game {
    s.game.as_mut().expect("slot resolved on a game")
}
