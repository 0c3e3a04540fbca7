//! Talks that bargain (issue 15 part 1): ripeness, drivers, concessions
//! and the costs fighting reveals, each on a hand-worked case; the time to
//! the first concession against its geometric closed form; and the clock
//! model unchanged when a track does not bargain.

mod common;
use common::*;

/// A track `t` between a and b with the given track lines and extra text.
fn talks(track: &str, extra: &str) -> brink::model::Scenario {
    scenario(&format!(
        "{BASE}[tracks.t]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\n{track}\n{extra}"
    ))
}

fn progress(rec: &Recorder) -> Vec<f64> {
    rec.tracks.iter().map(|v| v[0].1).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// `x = logit(p)`.
fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

#[test]
fn ripeness_is_the_least_hurt_party_and_speeds_the_talks() {
    // a: P = 10·0.5^t, hurt 1; b: P = 40·0.5^t, hurt 0.5 (20·0.5^t): a is
    // the least hurt, R_t = 10·0.5^t from last step's pressure (R_0 = 10,
    // the initial level). rho = 0.1, rate 0.01: the pace is 0.01·(1 + R):
    // 0.02, 0.015, 0.0125 -> progress 0.02, 0.035, 0.0475.
    let stocks = "[actors.a.pressure]\ninitial = 10\ndecay = 0.5\n[actors.b.pressure]\ninitial = 40\ndecay = 0.5\n";
    let s = talks(
        "progress = { rate = 0.01 }\nsigning = { calm = 100000 }\n[tracks.t.bargaining]\nripeness = 0.1\nhurt = { a = 1.0, b = 0.5 }\n",
        stocks,
    );
    let p = progress(&record(&s, 1, 0).2);
    assert!(
        close(p[0], 0.02) && close(p[1], 0.035) && close(p[2], 0.0475),
        "{:?}",
        &p[..3]
    );
    // Only b listed: R_0 = 20, pace 0.03; then 10 -> 0.02: 0.03, 0.05.
    let s = talks(
        "progress = { rate = 0.01 }\nsigning = { calm = 100000 }\n[tracks.t.bargaining]\nripeness = 0.1\nhurt = { b = 0.5 }\n",
        stocks,
    );
    let p = progress(&record(&s, 1, 0).2);
    assert!(close(p[0], 0.03) && close(p[1], 0.05), "{:?}", &p[..2]);
    // Nobody listed: no ripeness, the clock.
    let s = talks(
        "progress = { rate = 0.01 }\nsigning = { calm = 100000 }\n[tracks.t.bargaining]\nripeness = 0.1\n",
        stocks,
    );
    let p = progress(&record(&s, 1, 0).2);
    assert!(close(p[0], 0.01) && close(p[1], 0.02), "{:?}", &p[..2]);
}

#[test]
fn drivers_scale_the_pace() {
    // The driver is on for steps 0-4: pace 0.01·2 for five steps, then
    // 0.01·0.5: 0.1 after step 4, 0.125 after step 9.
    let s = talks(
        "progress = { rate = 0.01 }\nsigning = { calm = 100000 }\n[tracks.t.bargaining.drivers.war]\nactive = 2.0\ninactive = 0.5\n",
        "[drivers.war]\nstart = 0\nend = 5\n",
    );
    let p = progress(&record(&s, 1, 0).2);
    assert!(close(p[4], 0.1) && close(p[9], 0.125), "{} {}", p[4], p[9]);
}

#[test]
fn a_concession_jumps_every_working_group() {
    // logit 50: p = 1 to double precision, so no draw. Each active step
    // adds 0.01 then the jump 0.3: 0.31, 0.62, 0.93, then done.
    let s = talks(
        "progress = { rate = 0.01 }\nsigning = { calm = 100000 }\n[tracks.t.working_groups.x]\nrate = 1.0\n[tracks.t.working_groups.y]\nrate = 0.5\n\
         [tracks.t.bargaining.concession]\nintercept = 50\njump = 0.3\n",
        "",
    );
    let p = progress(&record(&s, 1, 0).2);
    // Groups: x 0.31, 0.62, 0.93; y 0.305, 0.61, 0.915: means below.
    assert!(
        close(p[0], 0.3075) && close(p[1], 0.615) && close(p[2], 0.9225),
        "{:?}",
        &p[..3]
    );
    assert_eq!(p[3], 1.0);
}

#[test]
fn a_concession_that_completes_the_deal_still_waits_for_the_signing_calm() {
    // b shoots at step 2; the concession (logit -50 + 100·C) comes that
    // step and completes the deal (jump 1), but the shot broke the calm
    // (5 steps at level shot): signing at step 7.
    let s = talks(
        "progress = { rate = 0.0 }\nsigning = { calm = 5 }\n[tracks.t.bargaining.concession]\nintercept = -50\nlearning = 100\n",
        "[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[triggers.x]\nwhen = \"step\"\nat = 2\ndo = \"act\"\ndyad = \"b_a\"\nlevel = \"shot\"\n\
         [outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n",
    );
    let (r, row, rec) = record(&s, 1, 0);
    assert_eq!(progress(&rec)[2], 1.0);
    assert_eq!(r.end_step, 7);
    assert_eq!(metric(&s, &row, "talks_t_concessions"), 1.0);
}

#[test]
fn observed_costs_raise_the_concession_hazard() {
    // Logit -50 + 100·C: never at C = 0 (p = 2e-22), certain once one
    // watched shot (severity 1) has been seen. b shoots on step 6 only, so
    // the first (and only) concession is at step 6, and progress jumps
    // from 0 to 0.5 then.
    let s = talks(
        "progress = { rate = 0.0 }\nsigning = { calm = 100000 }\n[tracks.t.bargaining.concession]\nintercept = -50\nlearning = 100\njump = 0.5\n",
        "[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[triggers.x]\nwhen = \"step\"\nat = 6\ndo = \"act\"\ndyad = \"b_a\"\nlevel = \"shot\"\n",
    );
    let p = progress(&record(&s, 1, 0).2);
    assert_eq!((p[5], p[6]), (0.0, 0.5));
    // The hazard stays certain: the next step concedes the rest.
    assert_eq!(p[7], 1.0);
}

/// With R fixed and no learning the concession hazard is a constant h, so
/// the step of the first concession T is geometric: E[T + 1] = 1/h.
/// h = 0.02, 4000 trials: sd of T + 1 is sqrt(1-h)/h = 49.5, se 0.78; z = 4.
#[test]
fn time_to_concession_is_geometric_at_a_constant_hazard() {
    let mut s = talks(
        &format!(
            "progress = {{ rate = 0.0 }}\n[tracks.t.bargaining.concession]\nintercept = {}\n",
            logit(0.02)
        ),
        "[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n",
    );
    s.horizon = 5000;
    let layout = brink::engine::MetricLayout::new(&s);
    let ends: Vec<f64> = (0..4000)
        .map(|i| f64::from(brink::runner::one(&s, &layout, 11, i).0.end_step) + 1.0)
        .collect();
    let (m, se) = mean_se(&ends);
    assert!((m - 50.0).abs() < 4.0 * 0.78, "mean {m} (empirical se {se})");
}

/// The ripeness slope of the concession logit at a fixed ripeness: at
/// step 0 the ripeness is a's initial pressure, 8, whatever the decay.
/// P(concession at step 0) = logistic(-2 + 0.25·8) = 0.5; 4000 trials:
/// se 0.0079, z = 4.
#[test]
fn concession_hazard_is_logistic_in_ripeness() {
    let s = talks(
        "progress = { rate = 0.0 }\n[tracks.t.bargaining]\nhurt = { a = 1.0 }\n[tracks.t.bargaining.concession]\nintercept = -2\nripeness = 0.25\n",
        "[actors.a.pressure]\ninitial = 8\ndecay = 0.5\n[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n",
    );
    let layout = brink::engine::MetricLayout::new(&s);
    let n = 4000;
    let at0 = (0..n)
        .filter(|&i| brink::runner::one(&s, &layout, 3, i).0.end_step == 0)
        .count() as f64
        / n as f64;
    let se = (0.5f64 * 0.5 / n as f64).sqrt();
    assert!((at0 - 0.5).abs() < 4.0 * se, "share at step 0: {at0}");
}

/// A bargaining table that changes nothing (no hurt, no drivers, no
/// concession) gives the clock model's trials, draw for draw, under fire.
#[test]
fn a_neutral_bargaining_table_is_the_clock_model() {
    let base = "progress = { rate = 0.01, violence = 0.05 }\ncollapse = { hazard = 0.001, violence = 0.001 }\nsigning = { calm = 3 }\n";
    let extra = "[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\ninitiative = { rate = 0.3, levels = { shot = 0.7, raid = 0.3 } }\n\
                 [dyads.a_b]\nfrom = \"a\"\nto = \"b\"\nresponse = { rule = \"tft\" }\n\
                 [outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n[outcomes.broke]\nkind = \"collapse\"\ntrack = \"t\"\n";
    let clock = talks(base, extra);
    let neutral = talks(&format!("{base}[tracks.t.bargaining]\nripeness = 0.5\n"), extra);
    let (lc, ln) = (
        brink::engine::MetricLayout::new(&clock),
        brink::engine::MetricLayout::new(&neutral),
    );
    assert_eq!(lc.names, ln.names);
    for i in 0..200 {
        let a = brink::runner::one(&clock, &lc, 5, i);
        let b = brink::runner::one(&neutral, &ln, 5, i);
        assert_eq!(a.0, b.0, "trial {i}");
        assert_eq!(format!("{:?}", a.1), format!("{:?}", b.1), "trial {i}");
    }
}

#[test]
fn hurt_must_name_a_party_and_drivers_must_exist() {
    for (text, want) in [
        ("[tracks.t.bargaining]\nhurt = { c = 1.0 }\n", "not a party"),
        (
            "[tracks.t.bargaining]\nhurt = { a = -1.0 }\n",
            "tracks.t.bargaining.hurt.a",
        ),
        (
            "[tracks.t.bargaining.drivers.nope]\nactive = 2\n",
            "unknown driver `nope`",
        ),
        (
            "[tracks.t.bargaining.concession]\njump = 1.5\n",
            "tracks.t.bargaining.concession.jump",
        ),
        (
            "[tracks.t.bargaining]\nripeness = -0.1\n",
            "tracks.t.bargaining.ripeness",
        ),
    ] {
        let t = format!("{BASE}[actors.c]\n[tracks.t]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\n{text}");
        let e = brink::scenario::parse(&t, "x.toml", &[], &brink::scenario::BuiltinResolver)
            .err()
            .unwrap_or_else(|| panic!("{text} loaded"));
        assert!(e.to_string().contains(want), "{text}: {e}");
    }
}
