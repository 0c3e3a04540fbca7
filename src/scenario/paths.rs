//! Dotted paths: every number or string in a scenario is reachable as a
//! path that mirrors the file's keys (`dyads.kh_us.initiative.rate`), for
//! `--set`, sweeps and `brink params`.
//!
//! [`DOCS`] is the one list of keys and their meanings: `params` prints it,
//! `--set` accepts exactly its paths, and a test checks that every key the
//! file format has is in it. In a pattern `*` stands for an id that must
//! already exist in the scenario and `+` for a key that may be new (a
//! level or place weight).

use super::{Override, ScenarioError, type_name};
use toml::{Table, Value};

/// Every key a scenario may have, with its meaning and unit.
pub const DOCS: &[(&str, &str)] = &[
    (
        "include",
        "scenario file this one extends (path relative to this file, or a built-in name)",
    ),
    (
        "remove",
        "entries of the included file to leave out, as dotted paths (remove = [\"outcomes.spiral\"])",
    ),
    (
        "scenario.name",
        "short name of the scenario (required; output goes to out/<name>/)",
    ),
    ("scenario.description", "what the scenario represents"),
    (
        "scenario.start_date",
        "calendar date of step 0 (YYYY-MM-DD); output then carries dates",
    ),
    ("scenario.step_unit", "length of a step: \"day\" or \"week\""),
    ("scenario.horizon", "steps simulated per trial (1..=100000)"),
    ("scenario.trials", "default number of trials (--trials overrides)"),
    ("scenario.seed", "default master seed (--seed overrides)"),
    (
        "scenario.horizon_outcome",
        "name (any snake_case id, not an [outcomes] id) of the outcome of a trial that reaches the horizon",
    ),
    ("places.*.name", "display name of a place events can happen in"),
    ("ladder.*.name", "display name of the level"),
    (
        "ladder.*.severity",
        "severity weight of one event at this level (0 for level 0; non-decreasing)",
    ),
    (
        "ladder.*.wound",
        "probability an event at this level wounds someone (0..=1, per event)",
    ),
    ("ladder.*.wounded", "mean number wounded when some are (>= 1)"),
    (
        "ladder.*.kill",
        "probability an event at this level kills someone (0..=1, per event)",
    ),
    ("ladder.*.killed", "mean number killed when some are (>= 1)"),
    ("actors.*.name", "display name of the actor"),
    ("actors.*.patron", "actor whose restraint orders this one may obey"),
    (
        "actors.*.obey",
        "probability the actor obeys one restraint order from its patron (0..=1)",
    ),
    ("actors.*.pressure.initial", "pressure stock at step 0 (>= 0)"),
    (
        "actors.*.pressure.decay",
        "share of pressure kept from one step to the next (0..1)",
    ),
    (
        "actors.*.pressure.inputs.*.from",
        "input counts events from this actor (\"*\" = any)",
    ),
    (
        "actors.*.pressure.inputs.*.to",
        "input counts events against this actor (\"*\" = any)",
    ),
    (
        "actors.*.pressure.inputs.*.place",
        "input counts only events in this place",
    ),
    (
        "actors.*.pressure.inputs.*.min_level",
        "input counts only events at or above this level",
    ),
    (
        "actors.*.pressure.inputs.*.per",
        "what is counted per event: \"event\", \"severity\", \"killed\" or \"wounded\"",
    ),
    ("actors.*.pressure.inputs.*.weight", "pressure added per unit counted"),
    (
        "actors.*.pressure.relief.*.progress",
        "pressure removed per unit of the track's progress (progress runs 0..1)",
    ),
    (
        "actors.*.pressure.relief.*.active",
        "pressure removed per step while the track is active",
    ),
    (
        "actors.*.pressure.relief.*.agreement",
        "pressure removed once when the track reaches agreement",
    ),
    (
        "actors.*.strategy",
        "game mode: the strategy this actor plays (tft, gtft, ctft, tf2t, grim, wsls, allc, alld, random, memory_one)",
    ),
    (
        "actors.*.generosity",
        "game mode: gtft's forgiveness q (default min(1-(T-R)/(R-S), (R-P)/(T-P)))",
    ),
    (
        "actors.*.p",
        "game mode: random's cooperation probability (default 0.5)",
    ),
    (
        "actors.*.four_vector",
        "game mode: memory_one's cooperation probabilities after CC, CD, DC, DD",
    ),
    (
        "actors.*.first",
        "game mode: probability of cooperating in round 0 (memory-one strategies)",
    ),
    ("dyads.*.from", "the acting actor"),
    ("dyads.*.to", "the target actor"),
    ("dyads.*.regime", "regime the dyad starts in"),
    (
        "dyads.*.regimes.*.rate",
        "multiplier on the initiative rate in this regime",
    ),
    (
        "dyads.*.regimes.*.respond",
        "whether responses and hazards act in this regime",
    ),
    (
        "dyads.*.regimes.*.response.rule",
        "regime's response: the rule in this regime (absent = the dyad's); every key absent here keeps the dyad's response value",
    ),
    ("dyads.*.regimes.*.response.proportionality", "regime's response: pi"),
    ("dyads.*.regimes.*.response.delay", "regime's response: delay (>= 1)"),
    ("dyads.*.regimes.*.response.threshold", "regime's response: theta"),
    (
        "dyads.*.regimes.*.response.generosity.+",
        "regime's response: forgiveness at this level (0..=1)",
    ),
    (
        "dyads.*.regimes.*.response.generosity_if_wounded",
        "regime's response: generosity ceiling toward an act that wounded",
    ),
    (
        "dyads.*.regimes.*.response.generosity_if_killed",
        "regime's response: generosity ceiling toward an act that killed",
    ),
    (
        "dyads.*.regimes.*.response.severity_if_wounded",
        "regime's response: severity at least felt from an act that wounded",
    ),
    (
        "dyads.*.regimes.*.response.severity_if_killed",
        "regime's response: severity at least felt from an act that killed",
    ),
    (
        "dyads.*.regimes.*.response.refractory",
        "regime's response: refractory steps",
    ),
    (
        "dyads.*.regimes.*.response.min_level",
        "regime's response: lowest answer level",
    ),
    (
        "dyads.*.regimes.*.response.max_level",
        "regime's response: highest answer level",
    ),
    (
        "dyads.*.regimes.*.response.level",
        "regime's response: a two-action rule's defection level",
    ),
    (
        "dyads.*.regimes.*.response.four_vector",
        "regime's response: memory_one's four-vector",
    ),
    (
        "dyads.*.regimes.*.response.places.+",
        "regime's response: relative weight of this place (replaces the dyad's places)",
    ),
    (
        "dyads.*.initiative.rate",
        "mu: base rate of unprompted events, per step",
    ),
    (
        "dyads.*.initiative.levels.+",
        "relative weight of this level among unprompted events",
    ),
    (
        "dyads.*.initiative.places.+",
        "relative weight of this place among unprompted events",
    ),
    (
        "dyads.*.initiative.beta",
        "beta: deterrence (> 0) or backlash (< 0) per unit of severity received recently",
    ),
    (
        "dyads.*.initiative.memory",
        "delta: share of received severity remembered from one step to the next (0..1)",
    ),
    (
        "dyads.*.initiative.excitation",
        "alpha: self-excitation branching ratio, expected later events per event (0..1)",
    ),
    (
        "dyads.*.initiative.kernel",
        "phi: decay of self-excitation per step (0..1); mean lag 1/(1-phi) steps",
    ),
    (
        "dyads.*.initiative.history",
        "events per step assumed before step 0: the self-excitation stock E starts here (0 = a campaign that starts now)",
    ),
    (
        "dyads.*.initiative.pressure",
        "rho: rate multiplier slope in the actor's own pressure, 1 + rho*P",
    ),
    ("dyads.*.initiative.max_rate", "cap on the rate, events per step"),
    (
        "dyads.*.initiative.drivers.*.active",
        "multiplier on the rate while the driver is active",
    ),
    (
        "dyads.*.initiative.drivers.*.inactive",
        "multiplier on the rate while the driver is inactive",
    ),
    (
        "dyads.*.response.rule",
        "reciprocity rule: graded, tft, gtft, ctft, tf2t, grim, wsls, allc, alld, random, memory_one",
    ),
    (
        "dyads.*.response.proportionality",
        "pi: answer severity / received severity (1 = in kind, > 1 escalates)",
    ),
    (
        "dyads.*.response.delay",
        "steps from the perceived act to the answer (>= 1)",
    ),
    (
        "dyads.*.response.threshold",
        "theta: grievance (severity units) needed before answering",
    ),
    (
        "dyads.*.response.generosity.+",
        "probability of forgiving one act at this level (0..=1)",
    ),
    (
        "dyads.*.response.generosity_if_wounded",
        "ceiling on generosity toward an act that wounded (0..=1)",
    ),
    (
        "dyads.*.response.generosity_if_killed",
        "ceiling on generosity toward an act that killed (0..=1)",
    ),
    (
        "dyads.*.response.severity_if_wounded",
        "severity at least felt from an act that wounded (answers the harm, not the weapon)",
    ),
    (
        "dyads.*.response.severity_if_killed",
        "severity at least felt from an act that killed",
    ),
    (
        "dyads.*.response.refractory",
        "steps after an answer before another is decided",
    ),
    ("dyads.*.response.min_level", "lowest level an answer may take"),
    ("dyads.*.response.max_level", "highest level an answer may take"),
    (
        "dyads.*.response.level",
        "level of a two-action rule's defection (default max_level)",
    ),
    (
        "dyads.*.response.four_vector",
        "memory_one: cooperation probabilities after CC, CD, DC, DD",
    ),
    (
        "dyads.*.response.places.+",
        "relative weight of this place among answers",
    ),
    (
        "dyads.*.hazard.stock",
        "what drives the hazard: \"grievance\" or \"pressure\"",
    ),
    (
        "dyads.*.hazard.intercept",
        "a: logit of the per-step act probability at stock 0",
    ),
    ("dyads.*.hazard.slope", "b: logit slope per unit of stock"),
    (
        "dyads.*.hazard.decay",
        "share of grievance kept from one step to the next (0..1)",
    ),
    ("dyads.*.hazard.level", "level of the act the hazard triggers"),
    (
        "dyads.*.hazard.refractory",
        "steps after an act before the hazard can fire again",
    ),
    (
        "dyads.*.hazard.places.+",
        "relative weight of this place among hazard acts",
    ),
    (
        "dyads.*.noise.execution",
        "probability an act comes out one level off (0..=1)",
    ),
    (
        "dyads.*.noise.perception",
        "probability the target perceives an act one level off (0..=1)",
    ),
    (
        "dyads.*.misattribution.p",
        "probability one answer of the dyad (rule, hazard, trigger act) lands on another actor (0..=1)",
    ),
    (
        "dyads.*.misattribution.to.+",
        "relative weight of this actor among misattributed answers (needs a dyad from the same actor to it)",
    ),
    ("drivers.*.name", "display name of the driver"),
    ("drivers.*.start", "first step the driver is active"),
    ("drivers.*.end", "first step the driver is no longer active"),
    (
        "drivers.*.end_hazard",
        "probability per step that an active driver ends (0..=1)",
    ),
    ("tracks.*.between", "the two parties, [actor, actor]"),
    ("tracks.*.status", "status at step 0: \"not_started\" or \"active\""),
    (
        "tracks.*.open_step",
        "step at which the talks open (absent = no scheduled opening)",
    ),
    (
        "tracks.*.watch",
        "actors whose events count as violence for the talks (empty = all)",
    ),
    (
        "tracks.*.precondition.enabled",
        "whether opening requires a calm period",
    ),
    (
        "tracks.*.precondition.calm",
        "steps without a hostile event from the watched actors before opening",
    ),
    (
        "tracks.*.precondition.actors",
        "actors the precondition watches (empty = all)",
    ),
    (
        "tracks.*.progress.rate",
        "progress per active step with no recent violence (1 = complete)",
    ),
    (
        "tracks.*.progress.violence",
        "kappa: progress is rate / (1 + kappa*V), V = recent severity",
    ),
    (
        "tracks.*.progress.memory",
        "share of recent severity V kept from one step to the next (0..1)",
    ),
    ("tracks.*.working_groups.*.name", "display name of the working group"),
    (
        "tracks.*.working_groups.*.rate",
        "multiplier on the track's progress rate for this group",
    ),
    (
        "tracks.*.pause.level",
        "an event at or above this level pauses the talks",
    ),
    (
        "tracks.*.pause.on_kill",
        "a watched event that kills pauses the talks: true (anyone), false, or the actors whose deaths do ([\"us\"])",
    ),
    (
        "tracks.*.pause.steps",
        "length of a pause, steps (>= 1 when pause.level or on_kill is set)",
    ),
    (
        "tracks.*.collapse.hazard",
        "probability per open step that the talks collapse (0..=1)",
    ),
    (
        "tracks.*.collapse.violence",
        "added collapse probability per unit of recent severity V",
    ),
    (
        "tracks.*.signing.calm",
        "steps without an event at or above signing.level before signing",
    ),
    ("tracks.*.signing.level", "lowest level that breaks the signing calm"),
    (
        "tracks.*.effects.*.not_started",
        "multiplier on the dyad's initiative rate before the talks open",
    ),
    ("tracks.*.effects.*.active", "multiplier while the talks are active"),
    ("tracks.*.effects.*.paused", "multiplier while the talks are paused"),
    ("tracks.*.effects.*.agreement", "multiplier after agreement"),
    ("tracks.*.effects.*.collapsed", "multiplier after collapse"),
    (
        "tracks.*.effects.*.progress",
        "slope in progress: the multiplier is scaled by 1 + slope*progress",
    ),
    (
        "triggers.*.when",
        "condition: \"event\", \"step\", \"pressure\", \"track\", \"driver\", \"regime\" or \"action\" (optional with all/any)",
    ),
    (
        "triggers.*.do",
        "action: \"act\", \"regime\", \"restrain\", \"driver\", \"track\" or \"mark\"",
    ),
    (
        "triggers.*.once",
        "fire at most once per trial (false = repeatable, see refractory)",
    ),
    (
        "triggers.*.probability",
        "probability the action runs when the condition holds (0..=1)",
    ),
    ("triggers.*.from", "event condition: from this actor (\"*\" = any)"),
    ("triggers.*.to", "event condition: against this actor (\"*\" = any)"),
    ("triggers.*.min_level", "event condition: at or above this level"),
    (
        "triggers.*.killed",
        "event condition: true = only an event that killed someone (false = either way)",
    ),
    (
        "triggers.*.wounded",
        "event condition: true = only an event that wounded someone (false = either way)",
    ),
    ("triggers.*.at", "step condition: the step"),
    ("triggers.*.actor", "pressure or action condition: the actor"),
    ("triggers.*.above", "pressure condition: the threshold"),
    ("triggers.*.track", "track condition or action: the track"),
    ("triggers.*.status", "track condition or action: the status"),
    ("triggers.*.dyad", "act or regime action, or regime condition: the dyad"),
    ("triggers.*.level", "act action: the level"),
    (
        "triggers.*.delay",
        "act action: steps until the act (step triggers: 0 = this step)",
    ),
    ("triggers.*.place", "act action: the place"),
    (
        "triggers.*.force_killed",
        "act action: people killed, instead of a draw",
    ),
    (
        "triggers.*.force_wounded",
        "act action: people wounded, instead of a draw",
    ),
    (
        "triggers.*.regime",
        "regime or restrain action, or regime condition: the regime",
    ),
    (
        "triggers.*.duration",
        "regime or restrain action: steps it lasts (0 = for good); pause: steps (>= 1)",
    ),
    ("triggers.*.patron", "restrain action: the patron issuing the order"),
    ("triggers.*.driver", "driver action: the driver"),
    (
        "triggers.*.active",
        "driver action: switch it on (true) or off (false); driver condition: holds while active (true, default) or inactive",
    ),
    (
        "triggers.*.within",
        "event or action condition: holds for this many steps from a matching event or the action (1 = that step only)",
    ),
    (
        "triggers.*.until",
        "step condition: holds from `at` up to (not including) this step (absent = step `at` only)",
    ),
    (
        "triggers.*.refractory",
        "repeatable trigger (once = false): steps after a firing during which it cannot fire again",
    ),
    (
        "triggers.*.all.*.when",
        "condition: \"event\", \"step\", \"pressure\", \"track\", \"driver\", \"regime\" or \"action\" (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.from",
        "event condition: from this actor (\"*\" = any) (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.to",
        "event condition: against this actor (\"*\" = any) (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.min_level",
        "event condition: at or above this level (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.killed",
        "event condition: true = only an event that killed someone (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.wounded",
        "event condition: true = only an event that wounded someone (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.within",
        "event condition: holds for this many steps from a matching event (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.at",
        "step condition: the (first) step (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.until",
        "step condition: first step after the window (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.actor",
        "pressure condition: the actor (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.above",
        "pressure condition: the threshold (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.track",
        "track condition: the track (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.status",
        "track condition: the status (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.driver",
        "driver condition: the driver (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.active",
        "driver condition: holds while active (true, default) or inactive (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.dyad",
        "regime condition: the dyad (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.all.*.regime",
        "regime condition: the regime the dyad is in (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.any.*.when",
        "condition: \"event\", \"step\", \"pressure\", \"track\", \"driver\", \"regime\" or \"action\" (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.from",
        "event condition: from this actor (\"*\" = any) (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.to",
        "event condition: against this actor (\"*\" = any) (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.min_level",
        "event condition: at or above this level (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.killed",
        "event condition: true = only an event that killed someone (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.wounded",
        "event condition: true = only an event that wounded someone (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.within",
        "event condition: holds for this many steps from a matching event (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.at",
        "step condition: the (first) step (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.until",
        "step condition: first step after the window (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.actor",
        "pressure condition: the actor (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.above",
        "pressure condition: the threshold (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.track",
        "track condition: the track (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.status",
        "track condition: the status (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.driver",
        "driver condition: the driver (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.active",
        "driver condition: holds while active (true, default) or inactive (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.dyad",
        "regime condition: the dyad (one of the conditions of which one must hold)",
    ),
    (
        "triggers.*.any.*.regime",
        "regime condition: the regime the dyad is in (one of the conditions of which one must hold)",
    ),
    (
        "outcomes.*.kind",
        "\"agreement\", \"collapse\", \"pressure\", \"spiral\", \"deaths\", \"implemented\", \"broken\" or \"action\"",
    ),
    ("outcomes.*.track", "agreement or collapse: the track"),
    ("outcomes.*.actor", "pressure, deaths or action: the actor"),
    ("outcomes.*.threshold", "pressure, spiral or deaths: the threshold"),
    ("outcomes.*.window", "spiral: steps the severity is summed over"),
    ("outcomes.*.min_step", "spiral: earliest step it can fire"),
    (
        "outcomes.*.terminal",
        "true (default): the outcome ends the trial; false: a milestone, recorded with its step (milestone_<id>_step) while the trial goes on",
    ),
    (
        "metrics.*.metric",
        "windowed quantity (a trials.csv column named by its id): \"events\", \"responses\", \"killed\", \"wounded\", \"first_event\", \"first_death\" or \"track_status\"",
    ),
    (
        "metrics.*.dyads",
        "events, responses or first_event: the dyads summed over (ids)",
    ),
    (
        "metrics.*.actors",
        "killed, wounded or first_death: the actors summed over (ids)",
    ),
    ("metrics.*.track", "track_status: the track"),
    (
        "metrics.*.window",
        "[from, to]: the steps (whole numbers) or dates (YYYY-MM-DD) the quantity covers, both inclusive; track_status is read at `to`",
    ),
    ("metrics.*.description", "what the quantity is, in words"),
    (
        "outcomes.*.phase",
        "implemented or broken: the implementation phase ([phases])",
    ),
    (
        "phases.*.track",
        "implementation phase: starts the step this track reaches agreement (make that agreement a milestone, terminal = false)",
    ),
    (
        "phases.*.duration",
        "implementation phase: steps of work to complete it (>= 1)",
    ),
    (
        "phases.*.slip",
        "implementation phase: probability per step of a slip (0..=1)",
    ),
    (
        "phases.*.setback",
        "implementation phase: steps of work lost per slip (>= 0)",
    ),
    (
        "phases.*.break",
        "implementation phase: probability per step that the deal breaks (0..=1)",
    ),
    (
        "phases.*.spoilers.+",
        "implementation phase: regime this dyad (the key) switches to, for good, when the phase starts",
    ),
    ("game.rounds", "rounds per match"),
    ("game.noise", "probability an intended act comes out flipped (0..=1)"),
    (
        "game.perception_noise",
        "probability a player misreads the other's act (0..=1)",
    ),
    ("game.payoffs.R", "reward for mutual cooperation"),
    ("game.payoffs.S", "sucker's payoff"),
    ("game.payoffs.T", "temptation to defect"),
    ("game.payoffs.P", "punishment for mutual defection"),
    // bargain (issue 15 parts 1-2): talks that bargain, actors that choose.
    (
        "tracks.*.bargaining.ripeness",
        "rho: the pace multiplier is 1 + rho*R, R the ripeness (least hurt party) (>= 0)",
    ),
    (
        "tracks.*.bargaining.hurt.+",
        "a party's hurt per unit of its pressure; the ripeness R is the least hurt of the listed parties (>= 0)",
    ),
    (
        "tracks.*.bargaining.drivers.*.active",
        "multiplier on the talks' pace while the driver is active (>= 0)",
    ),
    (
        "tracks.*.bargaining.drivers.*.inactive",
        "multiplier on the talks' pace while the driver is inactive (>= 0)",
    ),
    (
        "tracks.*.bargaining.concession.intercept",
        "logit of the per-step concession hazard at no ripeness and no observed cost",
    ),
    (
        "tracks.*.bargaining.concession.ripeness",
        "concession logit per unit of ripeness",
    ),
    (
        "tracks.*.bargaining.concession.learning",
        "concession logit per unit of observed cost (watched severity since the talks opened)",
    ),
    (
        "tracks.*.bargaining.concession.jump",
        "progress a concession adds to every working group (0..=1; 1 completes the deal)",
    ),
    ("actors.*.risk.initial", "risk stock at step 0 (>= 0)"),
    (
        "actors.*.risk.decay",
        "share of the risk stock kept from one step to the next (0..1)",
    ),
    (
        "actors.*.risk.inputs.*.from",
        "risk input counts events from this actor (\"*\" = any)",
    ),
    (
        "actors.*.risk.inputs.*.to",
        "risk input counts events against this actor (\"*\" = any)",
    ),
    (
        "actors.*.risk.inputs.*.place",
        "risk input counts only events in this place",
    ),
    (
        "actors.*.risk.inputs.*.min_level",
        "risk input counts only events at or above this level",
    ),
    (
        "actors.*.risk.inputs.*.per",
        "what a risk input counts per event: \"event\", \"severity\", \"killed\" or \"wounded\"",
    ),
    ("actors.*.risk.inputs.*.weight", "risk added per unit counted"),
    (
        "actors.*.actions.*.do",
        "the action: \"restrain\", \"pause\", \"hurry\", \"harden\", \"walk_out\", \"demand_withdrawal\" or \"protest\"",
    ),
    (
        "actors.*.actions.*.policy",
        "how the actor chooses it: \"hazard\" (logistic in the stock) or \"threshold\" (stock plus normal noise)",
    ),
    (
        "actors.*.actions.*.stock",
        "the stock the policy reads: \"pressure\" or \"risk\"",
    ),
    (
        "actors.*.actions.*.intercept",
        "hazard policy: logit of the per-step probability at stock 0",
    ),
    ("actors.*.actions.*.slope", "hazard policy: logit per unit of the stock"),
    (
        "actors.*.actions.*.threshold",
        "threshold policy: the level of the stock at which the actor acts",
    ),
    (
        "actors.*.actions.*.noise_sd",
        "threshold policy: standard deviation of the normal noise on the stock (>= 0; 0 = a sharp threshold)",
    ),
    (
        "actors.*.actions.*.refractory",
        "steps after the action during which it is not chosen again",
    ),
    (
        "actors.*.actions.*.max",
        "most times the action is taken per trial (0 = no limit)",
    ),
    (
        "actors.*.actions.*.relief",
        "pressure the actor sheds by taking the action (>= 0)",
    ),
    (
        "actors.*.actions.*.regime",
        "restrain: the regime the complying factions switch to",
    ),
    (
        "actors.*.actions.*.comply.+",
        "restrain: a faction's probability of complying with one order (0..=1); none listed = the actor's clients with their `obey`",
    ),
    (
        "actors.*.actions.*.track",
        "pause, hurry, harden or walk_out: the track",
    ),
    (
        "actors.*.actions.*.duration",
        "restrain: steps the regime lasts (0 = for good); pause, hurry, harden: steps (>= 1)",
    ),
    (
        "actors.*.actions.*.factor",
        "hurry: multiplier on the talks' pace (>= 1); harden: multiplier (0..=1)",
    ),
    (
        "actors.*.actions.*.target",
        "demand_withdrawal or protest: the actor addressed",
    ),
    (
        "actors.*.actions.*.weight",
        "demand_withdrawal or protest: pressure added to the target's stock (>= 0)",
    ),
    // flagship (issue 15 part 7): conditions on an actor's chosen action.
    (
        "triggers.*.action",
        "action condition: the id of the actor's action ([actors.<actor>.actions.<id>]) that was taken; holds `within` steps from the step it was last taken",
    ),
    (
        "triggers.*.all.*.action",
        "action condition: the actor's action that was taken (one of the conditions that must all hold)",
    ),
    (
        "triggers.*.any.*.action",
        "action condition: the actor's action that was taken (one of the conditions of which one must hold)",
    ),
    (
        "outcomes.*.action",
        "action: the id of the actor's action ([actors.<actor>.actions.<id>]); holds once it has been taken",
    ),
    // calib (issue 16): a calibration's posterior as the scenario's default
    (
        "posterior.file",
        "posterior.csv written by brink calibrate (path relative to this file): each trial resamples one weighted particle for the paths it holds; the other distributions stay priors",
    ),
];

/// The documented meaning of a concrete path, if it has one.
pub fn doc_for(path: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path.split('.').collect();
    DOCS.iter()
        .find(|(pat, _)| pattern_matches(pat, &segs))
        .map(|(_, d)| *d)
}

fn pattern_matches(pat: &str, segs: &[&str]) -> bool {
    let p: Vec<&str> = pat.split('.').collect();
    // array elements: `tracks.hmc.between.0` is documented by its array
    let segs = match segs.last() {
        Some(l) if l.parse::<usize>().is_ok() && p.len() + 1 == segs.len() => &segs[..segs.len() - 1],
        _ => segs,
    };
    p.len() == segs.len() && p.iter().zip(segs).all(|(a, b)| *a == "*" || *a == "+" || a == b)
}

/// Every value of the (defaulted) raw scenario as `(path, value)`, in file
/// order; arrays of scalars are one value.
pub fn flatten(raw: &super::raw::RawScenario) -> Vec<(String, Value)> {
    let v = Value::try_from(raw).expect("a RawScenario always serialises");
    let mut out = Vec::new();
    if let Value::Table(t) = v {
        walk(&t, String::new(), &mut out);
    }
    out
}

fn walk(t: &Table, prefix: String, out: &mut Vec<(String, Value)>) {
    for (k, v) in t {
        let p = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(sub) => walk(sub, p, out),
            _ => out.push((p, v.clone())),
        }
    }
}

/// Parses `PATH=VALUE`. The value is read as TOML (`0.5`, `true`,
/// `"text"`, `[1, 0, 0, 1]`, `{ a = 1 }`); anything that is not valid TOML
/// is taken as a bare string, so `--set actors.row.strategy=wsls` works.
pub fn parse_set(arg: &str) -> Result<Override, ScenarioError> {
    let Some((path, value)) = arg.split_once('=') else {
        return Err(ScenarioError::bad_set(
            arg,
            "expected PATH=VALUE".into(),
            Some("for example --set dyads.kh_us.initiative.rate=1.5; `brink params` lists every path".into()),
        ));
    };
    let path = path.trim();
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(ScenarioError::bad_set(
            arg,
            format!("`{path}` is not a dotted path"),
            None,
        ));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(ScenarioError::bad_set(
            arg,
            "expected a value after `=`, found nothing".into(),
            None,
        ));
    }
    let parsed = toml::from_str::<Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"));
    let value = match parsed {
        Some(Value::Float(f)) if !f.is_finite() => {
            return Err(ScenarioError::bad_set(
                arg,
                format!("expected a finite number, found {value}"),
                None,
            ));
        }
        Some(v) => v,
        None => Value::String(value.to_string()),
    };
    Ok(Override {
        path: path.to_string(),
        arg: arg.to_string(),
        value,
    })
}

/// Checks that an override names a documented path whose ids exist, and
/// that it does not replace a table with a value.
pub fn check_set_path(tree: &Table, o: &Override) -> Result<(), ScenarioError> {
    if matches!(o.path.as_str(), "include" | "remove") {
        return Err(ScenarioError::bad_set(
            &o.arg,
            format!("`{}` can only be written in a scenario file", o.path),
            Some("write a small file that includes this one and says what to change".into()),
        ));
    }
    let segs: Vec<&str> = o.path.split('.').collect();
    let known = DOCS.iter().any(|(pat, _)| {
        let p: Vec<&str> = pat.split('.').collect();
        if p.len() != segs.len() {
            return false;
        }
        let mut node: Option<&Table> = Some(tree);
        for (i, (a, b)) in p.iter().zip(&segs).enumerate() {
            let last = i + 1 == segs.len();
            match *a {
                "*" => {
                    // an id that must exist
                    let Some(Value::Table(t)) = node.and_then(|n| n.get(*b)) else {
                        return false;
                    };
                    node = Some(t);
                }
                "+" => {}
                lit if lit == *b => {
                    node = match node.and_then(|n| n.get(*b)) {
                        Some(Value::Table(t)) if !last => Some(t),
                        _ => None,
                    };
                }
                _ => return false,
            }
        }
        true
    });
    if known {
        if let Some(existing) = get(tree, &segs)
            && matches!(existing, Value::Table(_))
            && !crate::dist::toml_is_dist(existing)
            && !matches!(o.value, Value::Table(_))
        {
            return Err(ScenarioError::bad_set(
                &o.arg,
                format!(
                    "`{}` is a table; expected a table value, found {}",
                    o.path,
                    type_name(&o.value)
                ),
                None,
            ));
        }
        return Ok(());
    }
    // Only suggest a path that holds the same type of value: its own, or
    // for a key not written, that of the same key elsewhere.
    let all = candidates(tree);
    let type_of = |c: &str| -> Option<&Value> {
        let segs: Vec<&str> = c.split('.').collect();
        get(tree, &segs).or_else(|| {
            let last = segs.last()?;
            all.iter().find_map(|o| {
                let os: Vec<&str> = o.split('.').collect();
                (os.len() == segs.len() && os.last() == Some(last))
                    .then(|| get(tree, &os))
                    .flatten()
            })
        })
    };
    let candidates: Vec<&String> = all
        .iter()
        // A path written as a distribution holds a number (or an id) too.
        .filter(|c| type_of(c).is_none_or(|v| same_type(v, &o.value) || crate::dist::toml_is_dist(v)))
        .collect();
    // Close means a typo in about one key, not anywhere in the whole path.
    let last = o.path.rsplit('.').next().unwrap_or(&o.path);
    let limit = (last.chars().count() / 3).max(2);
    let help = match closest_within(&o.path, candidates.iter().map(|c| c.as_str()), limit) {
        Some(c) => format!("did you mean `{c}`? `brink params` lists every path"),
        None => "`brink params SCENARIO` lists every path".to_string(),
    };
    Err(ScenarioError::bad_set(
        &o.arg,
        format!("unknown parameter `{}`", o.path),
        Some(help),
    ))
}

/// Whether two values are of one type (integers and floats are numbers).
fn same_type(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| matches!(v, Value::Integer(_) | Value::Float(_));
    std::mem::discriminant(a) == std::mem::discriminant(b) || (num(a) && num(b))
}

/// The overrides a `--set` stands for: itself for a plain value; one per
/// leaf for a table value (`levels={harass=1, raid=0.5}` sets
/// `levels.harass` and `levels.raid`), unless the table is a distribution.
pub fn leaves(o: &Override) -> Vec<Override> {
    let Value::Table(t) = &o.value else {
        return vec![o.clone()];
    };
    if crate::dist::toml_is_dist(&o.value) {
        // `rate={ gamma = { shape = 2, rate = 1 } }`: one distribution.
        return vec![o.clone()];
    }
    let mut out = Vec::new();
    for (k, v) in t {
        let sub = Override {
            path: format!("{}.{k}", o.path),
            arg: o.arg.clone(),
            value: v.clone(),
        };
        out.extend(leaves(&sub));
    }
    out
}

/// Concrete paths reachable in `tree`: DOCS patterns with `*` expanded over
/// the ids present.
fn candidates(tree: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for (pat, _) in DOCS {
        expand(tree, &pat.split('.').collect::<Vec<_>>(), String::new(), &mut out);
    }
    out
}

fn expand(node: &Table, rest: &[&str], prefix: String, out: &mut Vec<String>) {
    let Some((head, tail)) = rest.split_first() else {
        out.push(prefix);
        return;
    };
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match *head {
        "*" | "+" => {
            for (k, v) in node {
                if let Value::Table(t) = v {
                    expand(t, tail, join(k), out);
                } else if tail.is_empty() {
                    out.push(join(k));
                }
            }
        }
        lit => {
            let empty = Table::new();
            let next = match node.get(lit) {
                Some(Value::Table(t)) => t,
                _ => &empty,
            };
            expand(next, tail, join(lit), out);
        }
    }
}

fn get<'a>(tree: &'a Table, segs: &[&str]) -> Option<&'a Value> {
    let (last, init) = segs.split_last()?;
    let mut t = tree;
    for s in init {
        match t.get(*s)? {
            Value::Table(x) => t = x,
            _ => return None,
        }
    }
    t.get(*last)
}

/// Writes an override into the tree, creating tables on the way.
pub fn apply(tree: &mut Table, o: &Override) {
    let segs: Vec<&str> = o.path.split('.').collect();
    let (last, init) = segs.split_last().expect("checked: non-empty path");
    let mut t = tree;
    for s in init {
        let entry = t.entry(s.to_string()).or_insert_with(|| Value::Table(Table::new()));
        if !entry.is_table() {
            *entry = Value::Table(Table::new());
        }
        t = entry.as_table_mut().expect("just made a table");
    }
    t.insert(last.to_string(), o.value.clone());
}

pub use crate::text::edit_distance;

/// The candidate closest to `word`, if one is close enough to be a typo
/// (distance at most a third of its length, and at least 1 allowed).
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    closest_within(word, candidates, (word.chars().count() / 3).max(2))
}

/// The candidate closest to `word` within `limit` edits.
pub fn closest_within<'a>(word: &str, candidates: impl Iterator<Item = &'a str>, limit: usize) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("rate", "rate"), 0);
        assert_eq!(edit_distance("rat", "rate"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("rat", ["rate", "levels", "beta"].into_iter()), Some("rate"));
        assert_eq!(closest("zzzzzz", ["rate"].into_iter()), None);
    }

    #[test]
    fn set_values_parse_as_toml_or_bare_strings() {
        let o = parse_set("a.b=0.5").unwrap();
        assert_eq!(o.value, Value::Float(0.5));
        assert_eq!(parse_set("a.b=wsls").unwrap().value, Value::String("wsls".into()));
        assert_eq!(parse_set("a.b=true").unwrap().value, Value::Boolean(true));
        assert!(parse_set("a.b").is_err());
        assert!(parse_set("a..b=1").is_err());
        assert!(parse_set("a.b=nan").is_err());
    }
}
