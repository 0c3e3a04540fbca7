//! One test per fixed bug, named after it (issue 9: found while hardening;
//! see `docs/reliability.md`).

use brink::policy::initiative::Initiative;
use brink::scenario::{self, BuiltinResolver};

fn initiative(rate: f64, beta: f64) -> Initiative {
    Initiative {
        rate,
        levels: vec![1.0],
        places: vec![],
        beta,
        memory: 0.5,
        excitation: 0.0,
        kernel: 0.5,
        history: 0.0,
        pressure: 0.0,
        max_rate: 50.0,
        drivers: vec![],
    }
}

/// A zero base rate under a backlash so strong that `exp(-β·D)` overflows
/// gave `0 · ∞ = NaN`, which the cap turned into `max_rate`: a dyad that
/// never attacks attacked 50 times a step.
#[test]
fn issue_9_zero_rate_times_overflowing_backlash_is_no_event() {
    let i = initiative(0.0, -1000.0);
    assert_eq!(i.rate(1.0, 10.0, 0.0, 0.0), 0.0);
    // A positive rate under the same backlash is capped, not NaN.
    assert_eq!(initiative(0.1, -1000.0).rate(1.0, 10.0, 0.0, 0.0), 50.0);
    // An overflowing multiplier with nothing to multiply is no event.
    assert_eq!(initiative(0.0, 0.0).rate(f64::INFINITY, 0.0, 0.0, 0.0), 0.0);
}

/// Multipliers whose product overflows f64 were accepted and ran at the
/// cap; now the load fails and names the dyad's rate path.
#[test]
fn issue_9_overflowing_multipliers_are_refused_at_load_with_the_path() {
    let text = include_str!("data/invalid/rate_overflow.toml");
    let e = scenario::parse(text, "rate_overflow.toml", &[], &BuiltinResolver).expect_err("must fail");
    let msg = e.to_string();
    assert!(msg.contains("dyads.a_b.initiative.rate"), "{msg}");
    assert!(msg.contains("rates would overflow"), "{msg}");
    assert!(msg.contains("= inf events per step"), "{msg}");
}

/// A rate whose multipliers alone reach `max_rate` loads, with a warning
/// that names the dyad and the figures.
#[test]
fn issue_9_rate_pinned_at_the_cap_warns() {
    let text = include_str!("data/small.toml");
    let sets = vec!["dyads.a_b.initiative.max_rate=0.25".to_string()];
    let l = scenario::parse(text, "small.toml", &sets, &BuiltinResolver).expect("valid");
    assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
    assert!(l.warnings[0].contains("dyads.a_b.initiative"), "{}", l.warnings[0]);
    assert!(l.warnings[0].contains("reaches max_rate 0.25"), "{}", l.warnings[0]);
    let plain = scenario::parse(text, "small.toml", &[], &BuiltinResolver).expect("valid");
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
}
