//! The step's layout (issue 18 part 2): the shortcuts the engine takes
//! must not change what a trial draws or does.
//!
//! * `Rule::quiet` promises that `Rule::decide` on an observation with
//!   nothing perceived returns 0, draws nothing and keeps its memory; the
//!   engine skips such calls, so the promise is checked here for every
//!   named rule against the real `decide`.
//! * The per-dyad lists of `model::Compiled` must list exactly the
//!   entries whose actor filters admit the dyad, in the order the engine
//!   would meet them walking the whole scenario (so floating-point sums
//!   are unchanged); checked on every built-in crisis scenario.
//!
//! Byte-identical output against `main` is `tests/determinism.rs`'s
//! golden files.

use brink::model::{Condition, Scenario};
use brink::policy::{Graded, Named, Observation, Rule, RuleName, RuleParams, RuleState};
use brink::rng::trial_rng;
use brink::scenario::builtin::BUILTINS;

fn flagship() -> Scenario {
    brink::scenario::parse_builtin("us_iraq_2024", &[])
        .expect("flagship loads")
        .scenario
}

/// Every named rule, built on the flagship's ladder.
fn rules(levels: usize) -> Vec<(RuleName, Rule)> {
    RuleName::ALL
        .iter()
        .map(|&n| {
            let p = RuleParams {
                level: 2,
                graded: Graded::generous(levels, 0.3),
                four_vector: Some([0.9, 0.2, 0.7, 0.1]),
                generosity: None,
                p: None,
            };
            (n, n.build(p))
        })
        .collect()
}

/// Rule states a trial can reach: fresh, with grievance below and above a
/// threshold, with an answer pending, after defections.
fn states() -> Vec<RuleState> {
    let mut v = vec![RuleState::default()];
    for (grievance, pending) in [(0.5, false), (3.0, false), (0.5, true), (3.0, true)] {
        v.push(RuleState {
            grievance,
            pending,
            pending_severity: if pending { 2.0 } else { 0.0 },
            their_prev: true,
            triggered: true,
            my_bad: true,
            their_bad: true,
        });
    }
    v
}

#[test]
fn a_quiet_rule_answers_nothing_draws_nothing_and_forgets_nothing() {
    let ladder = flagship().ladder;
    let mut quiet_seen = 0;
    for (name, rule) in rules(ladder.len()) {
        for (i, state) in states().into_iter().enumerate() {
            for (mine, ready) in [(0, true), (0, false), (1, true), (3, true)] {
                let obs = Observation {
                    mine,
                    theirs: 0,
                    wounded: false,
                    killed: false,
                    ready,
                };
                if !rule.quiet(&state) {
                    continue;
                }
                quiet_seen += 1;
                let mut rng = trial_rng(2024, i as u64);
                let before = rng.get_word_pos();
                let mut after = state;
                let level = rule.decide(&mut after, &obs, &ladder, &mut rng);
                let what = format!("{} in {state:?} on {obs:?}", name.name());
                assert_eq!(level, 0, "{what}: answered");
                assert_eq!(after, state, "{what}: memory changed");
                assert_eq!(rng.get_word_pos(), before, "{what}: drew");
            }
        }
    }
    // Not vacuous: the graded rules (graded, tft, gtft) without an answer
    // pending are quiet, 3 rules x 3 such states x 4 observations.
    assert_eq!(quiet_seen, 3 * 3 * 4);
}

#[test]
fn only_graded_rules_without_a_pending_answer_are_quiet() {
    for (name, rule) in rules(7) {
        for state in states() {
            assert_eq!(
                rule.quiet(&state),
                name.is_graded() && !state.pending,
                "{} in {state:?}",
                name.name()
            );
        }
    }
}

/// Strictly increasing: the engine meets the entries in file order.
fn increasing<T: PartialOrd + std::fmt::Debug>(v: &[T], what: &str) {
    assert!(v.windows(2).all(|w| w[0] < w[1]), "{what} out of order: {v:?}");
}

#[test]
fn per_dyad_lists_hold_exactly_what_can_touch_the_dyad_in_file_order() {
    let mut checked = 0;
    for b in BUILTINS {
        let s = brink::scenario::parse_builtin(b.name, &[])
            .unwrap_or_else(|e| panic!("{} loads: {e:?}", b.name))
            .scenario;
        if s.game.is_some() {
            continue;
        }
        let c = &s.compiled;
        for (d, dy) in s.dyads.iter().enumerate() {
            let inputs = c.dyad_inputs.of(d);
            increasing(inputs, "inputs");
            for (i, (_, inp)) in c.inputs.iter().enumerate() {
                let admits = inp.from.is_none_or(|f| f == dy.from) && inp.to.is_none_or(|x| x == dy.to);
                assert_eq!(
                    inputs.contains(&(i as u32)),
                    admits,
                    "{} dyad {} input {i}",
                    b.name,
                    dy.id
                );
            }
            let tracks = c.dyad_tracks.of(d);
            increasing(tracks, "tracks");
            for (k, tr) in s.tracks.iter().enumerate() {
                let touches = tr.watch[dy.from as usize] || tr.precondition_actors[dy.from as usize];
                assert_eq!(
                    tracks.contains(&(k as u16)),
                    touches,
                    "{} dyad {} track {k}",
                    b.name,
                    dy.id
                );
            }
            let effects = c.dyad_effects.of(d);
            increasing(effects, "effects");
            let named: usize = s
                .tracks
                .iter()
                .map(|t| t.effects.iter().filter(|e| e.dyad as usize == d).count())
                .sum();
            assert_eq!(effects.len(), named, "{} dyad {} effects", b.name, dy.id);
            for &(k, i) in effects {
                assert_eq!(s.tracks[k as usize].effects[i as usize].dyad as usize, d);
            }
            let conds = c.dyad_conditions.of(d);
            increasing(conds, "conditions");
            for (k, trig) in s.triggers.iter().enumerate() {
                for (i, cond) in trig.when.iter().enumerate() {
                    let admits = match *cond {
                        Condition::Event { from, to, .. } => {
                            from.is_none_or(|f| f == dy.from) && to.is_none_or(|x| x == dy.to)
                        }
                        _ => false,
                    };
                    assert_eq!(
                        conds.contains(&(k as u16, i as u16)),
                        admits,
                        "{} dyad {} trigger {k} condition {i}",
                        b.name,
                        dy.id
                    );
                }
            }
            checked += 1;
        }
        let spirals: Vec<usize> = s
            .outcomes
            .iter()
            .chain(&s.milestones)
            .enumerate()
            .filter(|(_, o)| matches!(o.kind, brink::model::OutcomeKind::Spiral { .. }))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            c.spirals.iter().map(|&o| o as usize).collect::<Vec<_>>(),
            spirals,
            "{}",
            b.name
        );
    }
    assert!(checked >= 8, "only {checked} dyads checked");
}

#[test]
fn a_dyad_out_of_range_has_an_empty_list() {
    let s = flagship();
    assert!(s.compiled.dyad_inputs.of(s.dyads.len()).is_empty());
    assert!(s.compiled.dyad_inputs.of(usize::MAX).is_empty());
}
