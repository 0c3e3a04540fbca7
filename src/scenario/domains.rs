//! What each scenario key may hold when it is written as a distribution
//! (issue 14): a probability's distribution must lie in [0, 1], a rate's in
//! [0, ∞), a number of steps in the whole numbers, a level among the
//! ladder's hostile levels.
//!
//! [`drawable`] maps every pattern of [`super::paths::DOCS`] to a
//! [`Drawable`]. The table is separate from `DOCS` (whose tuple shape other
//! code relies on); a test checks that every `DOCS` pattern has an entry
//! here, so a key added there without one fails loudly until it is given
//! one. The domains mirror the validator's checks (`validate::common`:
//! `prob`, `nonneg`, `unit_open`, `steps`...), so a draw inside the domain
//! is a value validation would have accepted.

use crate::dist::Domain;

/// Most steps a step count may be (`validate::common::MAX_HORIZON`).
const MAX_STEPS: i64 = 100_000;

/// Whether, and within what, a key may be drawn per trial.
#[derive(Debug, Clone, PartialEq)]
pub enum Drawable {
    /// A number drawn within this domain.
    Number(Domain),
    /// A hostile level of the ladder (an id choice).
    Level,
    /// A number that stays fixed for a run, and why.
    Fixed(&'static str),
    /// Not a number: a name, an id that wires the scenario together, a
    /// flag, a date, a list.
    NotNumber,
}

fn steps(min: i64) -> Drawable {
    Drawable::Number(Domain::Integer { min, max: MAX_STEPS })
}

/// The entry for a `DOCS` pattern; `None` for a pattern this table does
/// not list (a key added to `DOCS` without a domain: a bug that the test
/// `every_docs_pattern_has_a_domain` catches).
pub fn drawable(pattern: &str) -> Option<Drawable> {
    point_model(pattern).or_else(|| agency(pattern))
}

/// The keys of the point model as it stood before issue 15.
fn point_model(pattern: &str) -> Option<Drawable> {
    use Drawable::*;
    let prob = Number(Domain::Probability);
    let nonneg = Number(Domain::NonNegative);
    let real = Number(Domain::Real);
    let unit_open = Number(Domain::UnitOpen);
    let d = match pattern {
        "include" | "remove" => NotNumber,
        "scenario.name" | "scenario.description" | "scenario.start_date" | "scenario.step_unit" => NotNumber,
        "scenario.horizon_outcome" => NotNumber,
        "posterior.file" => NotNumber,
        "scenario.horizon" => Fixed("the horizon sizes every trial's buffers and columns"),
        "scenario.trials" | "scenario.seed" => Fixed("it says how to run, not what is simulated"),
        "places.*.name" | "ladder.*.name" => NotNumber,
        "ladder.*.severity" => Fixed("severity weights order the ladder and set its column types"),
        "ladder.*.wound" | "ladder.*.kill" => prob,
        "ladder.*.wounded" | "ladder.*.killed" => Number(Domain::Interval {
            lo: 1.0,
            hi: f64::INFINITY,
        }),
        "actors.*.name" | "actors.*.patron" => NotNumber,
        "actors.*.obey" => prob,
        "actors.*.pressure.initial" => nonneg,
        "actors.*.pressure.decay" => unit_open,
        "actors.*.pressure.inputs.*.from"
        | "actors.*.pressure.inputs.*.to"
        | "actors.*.pressure.inputs.*.place"
        | "actors.*.pressure.inputs.*.per" => NotNumber,
        "actors.*.pressure.inputs.*.min_level" => Fixed("an input's filter is resolved once, at load"),
        "actors.*.pressure.inputs.*.weight" => real,
        "actors.*.pressure.relief.*.progress"
        | "actors.*.pressure.relief.*.active"
        | "actors.*.pressure.relief.*.agreement" => nonneg,
        "actors.*.strategy" | "actors.*.four_vector" => NotNumber,
        "actors.*.generosity" | "actors.*.p" | "actors.*.first" => {
            Fixed("a game strategy's parameters are fixed per match-up; sweep them instead")
        }
        "dyads.*.from" | "dyads.*.to" | "dyads.*.regime" | "dyads.*.regimes.*.respond" => NotNumber,
        "dyads.*.regimes.*.rate" => nonneg,
        "dyads.*.initiative.rate" => nonneg,
        "dyads.*.initiative.levels.+" | "dyads.*.initiative.places.+" => nonneg,
        "dyads.*.initiative.beta" | "dyads.*.initiative.pressure" => real,
        "dyads.*.initiative.memory" | "dyads.*.initiative.excitation" | "dyads.*.initiative.kernel" => unit_open,
        "dyads.*.initiative.history" => nonneg,
        "dyads.*.initiative.max_rate" => Number(Domain::Interval { lo: 0.0, hi: 1e6 }),
        "dyads.*.initiative.drivers.*.active" | "dyads.*.initiative.drivers.*.inactive" => nonneg,
        "dyads.*.response.rule" | "dyads.*.response.four_vector" => NotNumber,
        "dyads.*.response.proportionality" | "dyads.*.response.threshold" => nonneg,
        "dyads.*.response.generosity.+"
        | "dyads.*.response.generosity_if_wounded"
        | "dyads.*.response.generosity_if_killed" => prob,
        "dyads.*.response.severity_if_wounded" | "dyads.*.response.severity_if_killed" => nonneg,
        "dyads.*.response.delay" => steps(1),
        "dyads.*.response.refractory" => steps(0),
        "dyads.*.response.min_level" | "dyads.*.response.max_level" | "dyads.*.response.level" => {
            Fixed("a response's range of levels sets the dyad's repertoire and columns")
        }
        "dyads.*.response.places.+" => nonneg,
        "dyads.*.hazard.stock" => NotNumber,
        "dyads.*.hazard.intercept" | "dyads.*.hazard.slope" => real,
        "dyads.*.hazard.decay" => unit_open,
        "dyads.*.hazard.level" => Level,
        "dyads.*.hazard.refractory" => steps(0),
        "dyads.*.hazard.places.+" => nonneg,
        "dyads.*.noise.execution" | "dyads.*.noise.perception" => prob,
        "drivers.*.name" => NotNumber,
        "drivers.*.start" | "drivers.*.end" => steps(0),
        "drivers.*.end_hazard" => prob,
        "tracks.*.between" | "tracks.*.status" | "tracks.*.watch" => NotNumber,
        "tracks.*.precondition.enabled" | "tracks.*.precondition.actors" => NotNumber,
        "tracks.*.open_step" => steps(0),
        "tracks.*.precondition.calm" => steps(1),
        "tracks.*.progress.rate" | "tracks.*.progress.violence" => nonneg,
        "tracks.*.progress.memory" => unit_open,
        "tracks.*.working_groups.*.name" => NotNumber,
        "tracks.*.working_groups.*.rate" => nonneg,
        "tracks.*.pause.level" => Level,
        "tracks.*.pause.on_kill" => NotNumber,
        // A track that pauses needs pauses of 1 step or more.
        "tracks.*.pause.steps" => steps(1),
        "tracks.*.collapse.hazard" => prob,
        "tracks.*.collapse.violence" => nonneg,
        "tracks.*.signing.calm" => steps(0),
        "tracks.*.signing.level" => Level,
        "tracks.*.effects.*.not_started"
        | "tracks.*.effects.*.active"
        | "tracks.*.effects.*.paused"
        | "tracks.*.effects.*.agreement"
        | "tracks.*.effects.*.collapsed" => nonneg,
        "tracks.*.effects.*.progress" => real,
        "triggers.*.when" | "triggers.*.do" | "triggers.*.once" => NotNumber,
        "triggers.*.probability" => prob,
        "triggers.*.from" | "triggers.*.to" | "triggers.*.killed" | "triggers.*.wounded" => NotNumber,
        "triggers.*.min_level" => Fixed("an event condition's filter is resolved once, at load"),
        "triggers.*.at" => steps(0),
        "triggers.*.actor" | "triggers.*.track" | "triggers.*.status" | "triggers.*.dyad" => NotNumber,
        "triggers.*.above" => real,
        "triggers.*.level" => Level,
        "triggers.*.delay" | "triggers.*.duration" => steps(0),
        "triggers.*.place" | "triggers.*.regime" | "triggers.*.patron" | "triggers.*.driver" => NotNumber,
        "triggers.*.active" => NotNumber,
        "triggers.*.force_killed" | "triggers.*.force_wounded" => Number(Domain::Integer { min: 0, max: 1_000_000 }),
        "outcomes.*.kind" | "outcomes.*.track" | "outcomes.*.actor" => NotNumber,
        "outcomes.*.threshold" => nonneg,
        "outcomes.*.window" => Number(Domain::Integer { min: 1, max: 10_000 }),
        "outcomes.*.min_step" => steps(0),
        "game.rounds" => Fixed("a game's length sets its columns' meaning; sweep it instead"),
        "game.noise" | "game.perception_noise" => prob,
        "game.payoffs.R" | "game.payoffs.S" | "game.payoffs.T" | "game.payoffs.P" => {
            Fixed("the payoffs must keep T > R > P > S; sweep them instead")
        }
        _ => return None,
    };
    Some(d)
}

/// Issue 15's keys (choices, bargaining, phases, windows, richer
/// triggers): each number is drawn per trial through its `Slot`, except
/// the structural ones, which say why.
fn agency(pattern: &str) -> Option<Drawable> {
    use Drawable::*;
    let prob = Number(Domain::Probability);
    let nonneg = Number(Domain::NonNegative);
    let real = Number(Domain::Real);
    let unit_open = Number(Domain::UnitOpen);
    let d = match pattern {
        // Ids, kinds, flags and lists are not numbers.
        "dyads.*.regimes.*.response.rule" | "dyads.*.regimes.*.response.four_vector" => NotNumber,
        "dyads.*.regimes.*.response.places.+" => NotNumber,
        "dyads.*.regimes.*.response.proportionality"
        | "dyads.*.regimes.*.response.delay"
        | "dyads.*.regimes.*.response.threshold"
        | "dyads.*.regimes.*.response.generosity.+"
        | "dyads.*.regimes.*.response.generosity_if_wounded"
        | "dyads.*.regimes.*.response.generosity_if_killed"
        | "dyads.*.regimes.*.response.severity_if_wounded"
        | "dyads.*.regimes.*.response.severity_if_killed"
        | "dyads.*.regimes.*.response.refractory" => Fixed(REGIME_RESPONSE),
        "dyads.*.regimes.*.response.min_level"
        | "dyads.*.regimes.*.response.max_level"
        | "dyads.*.regimes.*.response.level" => {
            Fixed("a response's range of levels sets the dyad's repertoire and columns")
        }
        "dyads.*.misattribution.p" => prob,
        "dyads.*.misattribution.to.+" => nonneg,
        "triggers.*.refractory" => steps(0),
        "triggers.*.within" | "triggers.*.all.*.within" | "triggers.*.any.*.within" => steps(1),
        "triggers.*.all.*.at" | "triggers.*.any.*.at" => steps(0),
        "triggers.*.all.*.above" | "triggers.*.any.*.above" => real,
        "triggers.*.until" | "triggers.*.all.*.until" | "triggers.*.any.*.until" => {
            Fixed("a step window's end moves with its start: draw `at`, which keeps the window's width")
        }
        "triggers.*.all.*.min_level" | "triggers.*.any.*.min_level" => {
            Fixed("an event condition's filter is resolved once, at load")
        }
        p if p.starts_with("triggers.*.all.*.") || p.starts_with("triggers.*.any.*.") => NotNumber,
        "outcomes.*.terminal" | "outcomes.*.phase" => NotNumber,
        "triggers.*.action" | "outcomes.*.action" => NotNumber,
        "metrics.*.metric" | "metrics.*.dyads" | "metrics.*.actors" | "metrics.*.track" | "metrics.*.description" => {
            NotNumber
        }
        "metrics.*.window" => {
            Fixed("a window's steps name the quantity an analyst tabulates: it is the question, not a belief")
        }
        "phases.*.track" | "phases.*.spoilers.+" => NotNumber,
        "phases.*.duration" => steps(1),
        "phases.*.setback" => steps(0),
        "phases.*.slip" | "phases.*.break" => prob,
        "tracks.*.bargaining.ripeness"
        | "tracks.*.bargaining.hurt.+"
        | "tracks.*.bargaining.drivers.*.active"
        | "tracks.*.bargaining.drivers.*.inactive" => nonneg,
        "tracks.*.bargaining.concession.intercept"
        | "tracks.*.bargaining.concession.ripeness"
        | "tracks.*.bargaining.concession.learning" => real,
        "tracks.*.bargaining.concession.jump" => prob,
        "actors.*.risk.inputs.*.from"
        | "actors.*.risk.inputs.*.to"
        | "actors.*.risk.inputs.*.place"
        | "actors.*.risk.inputs.*.per" => NotNumber,
        "actors.*.risk.initial" => nonneg,
        "actors.*.risk.decay" => unit_open,
        "actors.*.risk.inputs.*.min_level" => Fixed("an input's filter is resolved once, at load"),
        "actors.*.risk.inputs.*.weight" => real,
        "actors.*.actions.*.do"
        | "actors.*.actions.*.policy"
        | "actors.*.actions.*.stock"
        | "actors.*.actions.*.regime"
        | "actors.*.actions.*.track"
        | "actors.*.actions.*.target" => NotNumber,
        "actors.*.actions.*.intercept" | "actors.*.actions.*.slope" | "actors.*.actions.*.threshold" => real,
        "actors.*.actions.*.noise_sd"
        | "actors.*.actions.*.relief"
        | "actors.*.actions.*.factor"
        | "actors.*.actions.*.weight" => nonneg,
        "actors.*.actions.*.comply.+" => prob,
        "actors.*.actions.*.refractory" | "actors.*.actions.*.max" | "actors.*.actions.*.duration" => steps(0),
        _ => return None,
    };
    Some(d)
}

/// Why a regime's own response keys are not drawn per trial: a regime
/// takes the dyad's draw of every key it leaves out
/// ([`crate::model::Inherits`]); the keys it sets are point values.
const REGIME_RESPONSE: &str = "a regime's own response keys are point values; draw the dyad's `response` key and leave \
     it out of the regime (the regime then takes the dyad's draw each trial), or sweep this one";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::paths::DOCS;

    #[test]
    fn every_docs_pattern_has_a_domain() {
        let missing: Vec<&str> = DOCS.iter().map(|(p, _)| *p).filter(|p| drawable(p).is_none()).collect();
        assert!(
            missing.is_empty(),
            "keys with no entry in scenario/domains.rs (say what each may hold): {missing:?}"
        );
    }

    /// Issue 15's numbers are drawn per trial; the keys that stay fixed
    /// are exactly these, each for a stated structural reason.
    #[test]
    fn issue_15_keys_are_drawable_but_for_stated_exceptions() {
        let fixed: Vec<&str> = DOCS
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| agency(p).is_some() && point_model(p).is_none())
            .filter(|p| matches!(drawable(p), Some(Drawable::Fixed(_))))
            .collect();
        let allowed = |p: &str| {
            p.starts_with("dyads.*.regimes.*.response.")
                || p.ends_with(".until")
                || p.ends_with(".min_level")
                || p == "metrics.*.window"
        };
        let other: Vec<&&str> = fixed.iter().filter(|p| !allowed(p)).collect();
        assert!(
            other.is_empty(),
            "issue 15 keys fixed without a stated exception: {other:?}"
        );
        for p in [
            "tracks.*.bargaining.concession.intercept",
            "actors.*.actions.*.threshold",
            "actors.*.actions.*.comply.+",
            "actors.*.risk.decay",
            "phases.*.slip",
            "dyads.*.misattribution.p",
            "triggers.*.refractory",
            "triggers.*.all.*.above",
        ] {
            assert!(matches!(drawable(p), Some(Drawable::Number(_))), "{p}");
        }
    }

    #[test]
    fn domains_match_the_docs_ranges() {
        assert_eq!(drawable("ladder.*.kill"), Some(Drawable::Number(Domain::Probability)));
        assert_eq!(
            drawable("dyads.*.initiative.rate"),
            Some(Drawable::Number(Domain::NonNegative))
        );
        assert_eq!(drawable("dyads.*.hazard.level"), Some(Drawable::Level));
        assert!(matches!(drawable("scenario.horizon"), Some(Drawable::Fixed(_))));
        assert_eq!(drawable("no.such.key"), None);
    }
}
