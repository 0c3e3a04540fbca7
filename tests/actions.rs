//! Actors that choose (issue 15 part 2): every `do` on a hand-worked
//! case, the policies against their closed forms (a constant hazard gives
//! a geometric time to the first action; the logistic hazard and the
//! threshold with normal noise at a fixed stock), and the risk stock's
//! stationary level.

mod common;
use common::*;

/// `x = logit(p)`.
fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// a has pressure 10 at step 0, decaying by 0.9 a step (9, 8.1, 7.29,
/// 6.56, 5.90, 5.31, 4.78 after steps 0, 1, ...); b has a stock too.
const STOCKS: &str = "[actors.a.pressure]\ninitial = 10\ndecay = 0.9\n[actors.b.pressure]\ninitial = 0\ndecay = 0.5\n";

/// a's one action `x`, given as its table's lines.
fn with_action(action: &str, extra: &str) -> brink::model::Scenario {
    scenario(&format!("{BASE}{STOCKS}[actors.a.actions.x]\n{action}\n{extra}"))
}

const TRACK: &str = "[tracks.t]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\nprogress = { rate = 0.01 }\nsigning = { calm = 100000 }\n";

/// Restraint target: b's dyad toward a, with a restraint regime.
const FACTION: &str = "[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\nregime = \"campaign\"\n[dyads.b_a.regimes.campaign]\n[dyads.b_a.regimes.restraint]\nrate = 0.0\n";

#[test]
fn a_sharp_threshold_acts_while_the_stock_is_above_it_within_the_refractory_and_max() {
    // X after steps 0..: 9, 8.1, 7.29, 6.56, 5.90, 5.31, 4.78: at or above
    // 5 on steps 0-5.
    let base = "do = \"protest\"\ntarget = \"b\"\npolicy = \"threshold\"\nthreshold = 5\n";
    for (extra, count, first) in [
        ("", 6.0, 0.0),
        ("refractory = 2\n", 2.0, 0.0), // steps 0 and 3
        ("max = 1\n", 1.0, 0.0),
        ("refractory = 4\n", 2.0, 0.0), // steps 0 and 5
    ] {
        let s = with_action(&format!("{base}{extra}"), "");
        let (_, row, _) = record(&s, 1, 0);
        assert_eq!(metric(&s, &row, "actions_a_x"), count, "{extra}");
        assert_eq!(metric(&s, &row, "action_a_x_step"), first, "{extra}");
    }
    // Above the stock's reach: never, and the step is empty.
    let s = with_action(&format!("{base}threshold = 50\n").replace("threshold = 5\n", ""), "");
    let (_, row, _) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "actions_a_x"), 0.0);
    assert!(metric(&s, &row, "action_a_x_step").is_nan());
}

#[test]
fn a_protest_adds_to_the_target_and_relieves_the_actor() {
    // Step 0: a acts (9 >= 5); a sheds 3 (9 -> 6) and b gains 4.
    let s = with_action(
        "do = \"protest\"\ntarget = \"b\"\npolicy = \"threshold\"\nthreshold = 5\nmax = 1\nrelief = 3\nweight = 4\n",
        "",
    );
    let (_, _, rec) = record(&s, 1, 0);
    assert!((rec.pressure[0][0] - 6.0).abs() < 1e-12, "{:?}", rec.pressure[0]);
    assert!((rec.pressure[0][1] - 4.0).abs() < 1e-12);
    // b's stock then decays by half a step.
    assert!((rec.pressure[1][1] - 2.0).abs() < 1e-12);
}

#[test]
fn a_restraint_order_switches_complying_factions_for_its_duration() {
    // Acts at the end of step 0 (the observer sees the switch then); b's
    // dyad acts in restraint (regime 1) on steps 1-3, back in campaign at
    // step 4.
    let order =
        "do = \"restrain\"\nregime = \"restraint\"\nduration = 3\npolicy = \"threshold\"\nthreshold = 5\nmax = 1\n";
    let s = with_action(&format!("{order}comply = {{ b = 1.0 }}\n"), FACTION);
    let (_, _, rec) = record(&s, 1, 0);
    let r: Vec<u8> = rec.regimes.iter().map(|v| v[0]).collect();
    assert_eq!(&r[..6], &[1, 1, 1, 1, 0, 0]);
    // Compliance 0: the order is ignored.
    let s = with_action(&format!("{order}comply = {{ b = 0.0 }}\n"), FACTION);
    let (_, _, rec) = record(&s, 1, 0);
    assert!(rec.regimes.iter().all(|v| v[0] == 0));
    // No comply table: a's clients with their `obey` (b obeys a always).
    let s2 = scenario(&format!(
        "{}{STOCKS}[actors.a.actions.x]\n{order}\n{FACTION}",
        BASE.replace("[actors.b]\n", "[actors.b]\npatron = \"a\"\nobey = 1.0\n")
    ));
    let (_, _, rec) = record(&s2, 1, 0);
    assert_eq!(rec.regimes[1][0], 1);
}

#[test]
fn talks_actions_pause_hurry_harden_and_walk_out() {
    use brink::model::TalkStatus::*;
    let once = "policy = \"threshold\"\nthreshold = 5\nmax = 1\ntrack = \"t\"\n";
    // Hurry x3 for 2 steps from step 1: 0.01, 0.04, 0.07, 0.08.
    let s = with_action(&format!("do = \"hurry\"\nfactor = 3\nduration = 2\n{once}"), TRACK);
    let p: Vec<f64> = record(&s, 1, 0).2.tracks.iter().map(|v| v[0].1).collect();
    for (t, want) in [(0, 0.01), (1, 0.04), (2, 0.07), (3, 0.08)] {
        assert!((p[t] - want).abs() < 1e-12, "hurry, step {t}: {}", p[t]);
    }
    // Harden to 0 for 3 steps: 0.01 held through steps 1-3, 0.02 at 4.
    let s = with_action(&format!("do = \"harden\"\nfactor = 0\nduration = 3\n{once}"), TRACK);
    let p: Vec<f64> = record(&s, 1, 0).2.tracks.iter().map(|v| v[0].1).collect();
    assert_eq!((p[3], p[4]), (0.01, 0.02));
    // Pause for 5 steps (as a trigger's): paused after step 0, active again
    // at step 5.
    let s = with_action(&format!("do = \"pause\"\nduration = 5\n{once}"), TRACK);
    let st: Vec<_> = record(&s, 1, 0).2.tracks.iter().map(|v| v[0].0).collect();
    assert_eq!((st[0], st[4], st[5]), (Paused, Paused, Active));
    // Walk out: the talks collapse at step 0 and the trial ends there.
    let s = with_action(
        &format!("do = \"walk_out\"\n{once}"),
        &format!("{TRACK}[outcomes.broke]\nkind = \"collapse\"\ntrack = \"t\"\n"),
    );
    let (r, row, _) = record(&s, 1, 0);
    assert_eq!(r.end_step, 0);
    assert_eq!(metric(&s, &row, "talks_t_collapse_step"), 0.0);
}

/// A constant hazard p: the step T of the first action is geometric,
/// E[T] = (1-p)/p = 19 at p = 0.05, sd sqrt(1-p)/p = 19.49; 4000 trials:
/// se 0.308, z = 4. (a's pressure decays but the slope is 0.)
#[test]
fn a_constant_hazard_gives_a_geometric_time_to_the_first_action() {
    let mut s = with_action(
        &format!("do = \"protest\"\ntarget = \"b\"\nintercept = {}\n", logit(0.05)),
        "",
    );
    s.horizon = 3000;
    let layout = brink::engine::MetricLayout::new(&s);
    let col = layout.index("action_a_x_step").expect("column");
    let firsts: Vec<f64> = (0..4000)
        .map(|i| brink::runner::one(&s, &layout, 9, i).1[col])
        .collect();
    assert!(firsts.iter().all(|x| x.is_finite()));
    let (m, se) = mean_se(&firsts);
    assert!((m - 19.0).abs() < 4.0 * 0.308, "mean {m} (empirical se {se})");
}

/// P(act at step 0) for a policy on a's pressure at step 0, X = 9:
/// estimated from 4000 trials against `want`, z = 4.
fn share_at_step_0(policy: &str, want: f64) {
    let s = with_action(&format!("do = \"protest\"\ntarget = \"b\"\nmax = 1\n{policy}"), "");
    let layout = brink::engine::MetricLayout::new(&s);
    let col = layout.index("action_a_x_step").expect("column");
    let n = 4000;
    let hits = (0..n)
        .filter(|&i| brink::runner::one(&s, &layout, 4, i).1[col] == 0.0)
        .count() as f64;
    let share = hits / n as f64;
    let se = (want * (1.0 - want) / n as f64).sqrt();
    assert!((share - want).abs() < 4.0 * se, "{policy}: {share} vs {want}");
}

#[test]
fn the_logistic_hazard_at_a_fixed_pressure() {
    // logit -2 + 0.1·9 = -1.1: p = 1/(1 + e^1.1) = 0.24974.
    share_at_step_0("intercept = -2\nslope = 0.1\n", 1.0 / (1.0 + 1.1f64.exp()));
}

#[test]
fn the_threshold_with_normal_noise_at_a_fixed_pressure() {
    // Φ((9 - 11)/4) = Φ(-0.5) = 0.308538.
    share_at_step_0(
        "policy = \"threshold\"\nthreshold = 11\nnoise_sd = 4\n",
        0.308_537_538_725_986_9,
    );
}

#[test]
fn risk_is_a_decaying_stock_of_the_events_it_watches() {
    // b shoots a every step from step 1 (alld answers a's standing
    // defection; a defects every step): risk of a gains 2 per shot, decay
    // 0.9: K_t = 20·(1 - 0.9^t), as pressure's closed form.
    let s = scenario(&format!(
        "{BASE}[actors.a.risk]\ndecay = 0.9\ninputs.hits = {{ from = \"b\", to = \"a\", weight = 2.0 }}\n\
         [dyads.b_a]\nfrom = \"b\"\nto = \"a\"\nresponse = {{ rule = \"alld\", level = \"shot\" }}\n"
    ));
    let layout = brink::engine::MetricLayout::new(&s);
    let mut st = brink::engine::TrialState::new(&s);
    let mut row = vec![0.0; layout.len()];
    struct Risk(Vec<f64>);
    impl brink::engine::StepObserver for Risk {
        fn step(&mut self, _: &brink::model::Scenario, st: &brink::engine::TrialState, _: u32) {
            self.0.push(st.risk()[0]);
        }
    }
    let mut obs = Risk(Vec::new());
    brink::engine::run_trial(
        &s,
        &layout,
        &mut st,
        &mut brink::rng::trial_rng(1, 0),
        &mut row,
        &mut obs,
    );
    for t in 1..100 {
        let want = 20.0 * (1.0 - 0.9f64.powi(t as i32));
        assert!((obs.0[t] - want).abs() < 1e-9, "step {t}: {}", obs.0[t]);
    }
    assert!((metric(&s, &row, "risk_a") - obs.0[99]).abs() < 1e-12);
}

#[test]
fn restraint_can_follow_a_risk_stock() {
    // a's risk crosses 5 at step 3 (2, 3.8, 5.42: K_t = 20(1 - 0.9^t) from
    // step 1): the order goes out at the end of step 3 (b's dyad is
    // restrained for step 4 on).
    let s = scenario(&format!(
        "{BASE}[actors.a.risk]\ndecay = 0.9\ninputs.hits = {{ from = \"b\", weight = 2.0 }}\n\
         [actors.a.actions.calm]\ndo = \"restrain\"\nstock = \"risk\"\npolicy = \"threshold\"\nthreshold = 5\nmax = 1\nregime = \"restraint\"\ncomply = {{ b = 1.0 }}\n\
         [dyads.b_a]\nfrom = \"b\"\nto = \"a\"\nregime = \"campaign\"\nresponse = {{ rule = \"alld\", level = \"shot\" }}\n\
         [dyads.b_a.regimes.campaign]\n[dyads.b_a.regimes.restraint]\nrespond = false\n"
    ));
    let (_, row, rec) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "action_a_calm_step"), 3.0);
    assert_eq!((rec.regimes[2][0], rec.regimes[3][0]), (0, 1));
}

#[test]
fn bad_actions_are_refused_with_the_key_named() {
    let cases = [
        ("do = \"bribe\"\n", "actors.a.actions.x.do"),
        ("target = \"b\"\n", "actors.a.actions.x.do"),
        ("do = \"protest\"\ntarget = \"a\"\n", "itself"),
        ("do = \"protest\"\ntarget = \"zz\"\n", "unknown actor `zz`"),
        ("do = \"protest\"\ntarget = \"b\"\nstock = \"risk\"\n", "no risk stock"),
        (
            "do = \"protest\"\ntarget = \"b\"\npolicy = \"dice\"\n",
            "actors.a.actions.x.policy",
        ),
        (
            "do = \"protest\"\ntarget = \"b\"\npolicy = \"threshold\"\nnoise_sd = -1\n",
            "actors.a.actions.x.noise_sd",
        ),
        (
            "do = \"protest\"\ntarget = \"b\"\nslope = nan\n",
            "actors.a.actions.x.slope",
        ),
        (
            "do = \"protest\"\ntarget = \"b\"\nrefractory = -1\n",
            "actors.a.actions.x.refractory",
        ),
        (
            "do = \"hurry\"\ntrack = \"t\"\nfactor = 0.5\nduration = 2\n",
            "expected a factor >= 1",
        ),
        ("do = \"harden\"\ntrack = \"t\"\nfactor = 2\nduration = 2\n", "0..=1"),
        (
            "do = \"hurry\"\ntrack = \"t\"\nduration = 2\n",
            "actors.a.actions.x.factor",
        ),
        ("do = \"pause\"\ntrack = \"t\"\n", "actors.a.actions.x.duration"),
        ("do = \"walk_out\"\ntrack = \"u\"\n", "not a party"),
        ("do = \"walk_out\"\n", "actors.a.actions.x.track"),
        ("do = \"restrain\"\nregime = \"restraint\"\n", "no factions"),
        (
            "do = \"restrain\"\nregime = \"nope\"\ncomply = { b = 1.0 }\n",
            "regime `nope`",
        ),
        (
            "do = \"restrain\"\nregime = \"restraint\"\ncomply = { b = 2.0 }\n",
            "actors.a.actions.x.comply.b",
        ),
        (
            "do = \"protest\"\ntarget = \"b\"\nfactor = 2\n",
            "`factor` means nothing",
        ),
        (
            "do = \"protest\"\ntarget = \"b\"\nthreshold = 2\n",
            "`threshold` means nothing",
        ),
    ];
    for (action, want) in cases {
        let t = format!(
            "{BASE}[actors.c]\n{STOCKS}[actors.a.actions.x]\n{action}{TRACK}[tracks.u]\nbetween = [\"b\", \"c\"]\nstatus = \"active\"\n{FACTION}"
        );
        let e = brink::scenario::parse(&t, "x.toml", &[], &brink::scenario::BuiltinResolver)
            .err()
            .unwrap_or_else(|| panic!("{action} loaded"));
        assert!(e.to_string().contains(want), "{action}: {e}");
    }
}
