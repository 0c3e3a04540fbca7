//! Milestones and implementation phases (issue 15 part 5): an agreement
//! that does not end the trial, the phase that follows it, its hazards
//! against their closed forms, and the outcomes it can end in.

mod common;
use brink::engine::MetricLayout;
use brink::runner;
use common::*;

/// Talks between a and b complete at step 3 (rate 0.25, no violence); b
/// attacks a at a low rate, more under the `spoil` regime.
const TALKS: &str = r#"
[dyads.b_a]
from = "b"
to = "a"
regime = "calm"
regimes.calm = { rate = 1.0 }
regimes.spoil = { rate = 20.0 }
initiative = { rate = 0.05, levels = { shot = 1.0 } }
[tracks.t]
between = ["a", "b"]
status = "active"
progress = { rate = 0.25, violence = 0.0 }
"#;

#[test]
fn a_milestone_is_recorded_and_the_trial_goes_on() {
    let terminal = scenario(&format!(
        "{BASE}{TALKS}[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n"
    ));
    let (r, _, _) = record(&terminal, 1, 0);
    assert_eq!((r.outcome, r.end_step), (0, 3), "a terminal agreement ends the trial");
    let s = scenario(&format!(
        "{BASE}{TALKS}[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\nterminal = false\n"
    ));
    let (r, row, rec) = record(&s, 1, 0);
    assert_eq!(r.end_step, 99, "the trial goes on to the horizon");
    assert_eq!(s.outcome_names(), ["horizon"], "a milestone is not an ending");
    assert_eq!(metric(&s, &row, "milestone_deal_step"), 3.0);
    assert_eq!(rec.tracks[3][0].0, brink::model::TalkStatus::Agreement);
    assert_eq!(rec.tracks[2][0].0, brink::model::TalkStatus::Active);
    // A milestone that never holds is an empty cell.
    let s = scenario(&format!(
        "{BASE}{TALKS}[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\nterminal = false\n[outcomes.war]\nkind = \"deaths\"\nactor = \"b\"\nterminal = false\n"
    ));
    let (_, row, _) = record(&s, 1, 0);
    assert!(metric(&s, &row, "milestone_war_step").is_nan());
}

fn phase(extra: &str) -> brink::model::Scenario {
    scenario(&format!(
        "{BASE}{TALKS}[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\nterminal = false\n[phases.withdrawal]\ntrack = \"t\"\n{extra}\n[outcomes.done]\nkind = \"implemented\"\nphase = \"withdrawal\"\n[outcomes.broken]\nkind = \"broken\"\nphase = \"withdrawal\"\n"
    ))
}

#[test]
fn without_hazards_implementation_takes_exactly_its_duration() {
    let s = phase("duration = 30");
    for i in 0..20 {
        let (r, row, _) = record(&s, 2, i);
        // Starts at step 3 (the agreement), 30 steps of work: done at 33.
        assert_eq!((r.outcome, r.end_step), (0, 33));
        assert_eq!(metric(&s, &row, "phase_withdrawal_start_step"), 3.0);
        assert_eq!(metric(&s, &row, "phase_withdrawal_end_step"), 33.0);
    }
}

/// With break hazard h and no slips, P(completed within the horizon) =
/// (1 − h)^D: h = 0.01, D = 30 gives 0.7397; over 4,000 trials the
/// standard error is sqrt(p(1−p)/n) = 0.0069; z = 4. The step it breaks,
/// given it breaks, is 3 + k with k ~ Geometric(h) truncated at D: mean
/// checked the same way.
#[test]
fn the_break_hazard_gives_the_closed_form_completion_probability() {
    let s = phase("duration = 30\nbreak = 0.01");
    let layout = MetricLayout::new(&s);
    let n = 4000;
    let done = (0..n)
        .filter(|&i| runner::one(&s, &layout, 9, i).0.outcome == 0)
        .count() as f64
        / n as f64;
    let p = 0.99f64.powi(30);
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!((done - p).abs() < 4.0 * se, "completed {done}, expected {p}");
}

/// Slips with probability σ per step, each losing `setback` steps of
/// work: with setback 0 a slip only stalls, so the work takes a negative
/// binomial number of steps, D + NegBin(D, 1 − σ) with mean D/(1 − σ).
/// σ = 0.2, D = 20: mean 25 steps of phase, sd sqrt(Dσ)/(1 − σ) = 2.5;
/// 2,000 trials give se 0.056; z = 4.
#[test]
fn slips_stretch_the_timeline_by_the_negative_binomial_mean() {
    let s = phase("duration = 20\nslip = 0.2\nsetback = 0");
    let layout = MetricLayout::new(&s);
    let col = layout.index("phase_withdrawal_end_step").unwrap();
    let xs: Vec<f64> = (0..2000).map(|i| runner::one(&s, &layout, 4, i).1[col] - 3.0).collect();
    let (m, _) = mean_se(&xs);
    assert!((m - 25.0).abs() < 4.0 * 0.056, "mean phase length {m}");
    // A setback makes it longer still.
    let s = phase("duration = 20\nslip = 0.2\nsetback = 5");
    let layout = MetricLayout::new(&s);
    let col = layout.index("phase_withdrawal_end_step").unwrap();
    // Unfinished by the horizon (an empty cell) counts as the horizon.
    let ys: Vec<f64> = (0..500)
        .map(|i| runner::one(&s, &layout, 4, i).1[col])
        .map(|x| if x.is_nan() { 96.0 } else { x - 3.0 })
        .collect();
    assert!(mean_se(&ys).0 > 30.0, "{}", mean_se(&ys).0);
}

#[test]
fn spoilers_switch_regime_when_the_phase_starts() {
    let s = phase("duration = 50\nspoilers = { b_a = \"spoil\" }");
    let (_, _, rec) = record(&s, 3, 0);
    assert!(rec.regimes[..3].iter().all(|r| r[0] == 0));
    assert!(
        rec.regimes[3..].iter().all(|r| r[0] == 1),
        "spoil from the agreement on"
    );
    let attacks_after = rec.events.iter().filter(|(t, _)| *t > 3).count();
    // Rate 20 x 0.05 = 1 per step from step 4 until the phase completes
    // (step 53, a terminal outcome): Poisson(50), so above 25 at z > 3.5.
    assert!(attacks_after > 25, "{attacks_after}");
    let calm = phase("duration = 50");
    let (_, _, rec) = record(&calm, 3, 0);
    assert!(
        rec.events.len() < 15,
        "0.05 per step without spoilers: {}",
        rec.events.len()
    );
}

#[test]
fn a_phase_needs_its_agreement_to_be_a_milestone() {
    let text = format!(
        "{BASE}{TALKS}[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n[phases.w]\ntrack = \"t\"\nduration = 3\n"
    );
    let e = brink::scenario::parse(&text, "test.toml", &[], &brink::scenario::BuiltinResolver)
        .err()
        .unwrap_or_else(|| panic!("rejected"))
        .to_string();
    assert!(
        e.contains("outcomes.deal.terminal") && e.contains("ends the trial at that agreement"),
        "{e}"
    );
    let text = format!("{BASE}{TALKS}[phases.w]\ntrack = \"t\"\nspoilers = {{ b_a = \"nope\" }}\n");
    let e = brink::scenario::parse(&text, "test.toml", &[], &brink::scenario::BuiltinResolver)
        .err()
        .unwrap_or_else(|| panic!("rejected"))
        .to_string();
    assert!(e.contains("no regime `nope`"), "{e}");
}
