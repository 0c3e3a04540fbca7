//! Fighting while talking: red lines, patrons, talks, pressure (issue 4).

mod common;
use brink::model::TalkStatus::{self, *};
use common::*;

fn step_act(id: &str, at: u32, dyad: &str, level: &str, extra: &str) -> String {
    format!(
        "[triggers.{id}]\nwhen = \"step\"\nat = {at}\ndo = \"act\"\ndyad = \"{dyad}\"\nlevel = \"{level}\"\n{extra}\n"
    )
}

const DYADS: &str = "[dyads.a_b]\nfrom = \"a\"\nto = \"b\"\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n";

fn statuses(rec: &Recorder) -> Vec<TalkStatus> {
    rec.tracks.iter().map(|t| t[0].0).collect()
}

#[test]
fn red_line_fires_once_after_exactly_the_delay() {
    let text = format!(
        "{BASE}{DYADS}{}{}[triggers.red_line]\nwhen = \"event\"\nto = \"a\"\nkilled = true\ndo = \"act\"\ndyad = \"a_b\"\nlevel = \"strike\"\ndelay = 3\n",
        step_act("k1", 5, "b_a", "shot", "force_killed = 1"),
        step_act("k2", 9, "b_a", "shot", "force_killed = 2"),
    );
    let s = scenario(&text);
    let (_, row, rec) = record(&s, 1, 0);
    let strikes: Vec<u32> = rec
        .events
        .iter()
        .filter(|(_, e)| e.dyad == 0)
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(strikes, vec![8]);
    assert_eq!(metric(&s, &row, "trigger_red_line_step"), 5.0);
    assert_eq!(metric(&s, &row, "killed_a"), 3.0);
    // With once = false it fires for each deadly event.
    let s = scenario(&format!("{text}once = false\n"));
    let (_, _, rec) = record(&s, 1, 0);
    let strikes: Vec<u32> = rec
        .events
        .iter()
        .filter(|(_, e)| e.dyad == 0)
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(strikes, vec![8, 12]);
}

/// Patron p orders restraint at step 0; client c1 obeys with probability 1
/// and its rate falls by the regime's factor 0.25; client c2 (obey 0)
/// keeps its rate. Rates: 2.0 per step, T = 5000 steps: c1's count is
/// Poisson(2500) (sd 50), c2's Poisson(10000) (sd 100); z = 4.
#[test]
fn patron_restraint_binds_the_compliant_and_spares_the_hardliner() {
    let text = r#"
[scenario]
name = "patron"
horizon = 5000
[ladder.none]
severity = 0
[ladder.shot]
severity = 1
[actors.t]
[actors.p]
[actors.c1]
patron = "p"
obey = 1.0
[actors.c2]
patron = "p"
obey = 0.0
[dyads.c1_t]
from = "c1"
to = "t"
regime = "campaign"
regimes.campaign = { rate = 1.0 }
regimes.restraint = { rate = 0.25 }
initiative = { rate = 2.0 }
[dyads.c2_t]
from = "c2"
to = "t"
regime = "campaign"
regimes.campaign = { rate = 1.0 }
regimes.restraint = { rate = 0.25 }
initiative = { rate = 2.0 }
[triggers.order]
when = "step"
at = 0
do = "restrain"
patron = "p"
regime = "restraint"
"#;
    let s = scenario(text);
    let (_, row, rec) = record(&s, 3, 0);
    assert!(
        rec.regimes.iter().all(|r| r == &vec![1, 0]),
        "c1 restrained, c2 not, at every step"
    );
    let c1 = metric(&s, &row, "events_c1_t");
    let c2 = metric(&s, &row, "events_c2_t");
    assert!((c1 - 2500.0).abs() < 4.0 * 50.0, "c1 {c1}");
    assert!((c2 - 10000.0).abs() < 4.0 * 100.0, "c2 {c2}");
    // A restraint with a duration reverts.
    let s = scenario(&format!("{text}duration = 100\n"));
    let (_, _, rec) = record(&s, 3, 0);
    assert_eq!(rec.regimes[99], vec![1, 0]);
    assert_eq!(rec.regimes[100], vec![0, 0]);
}

/// Obedience is drawn per order: with obey = 0.7 over 2000 trials the
/// share restrained is Binomial(2000, 0.7)/2000, se 0.0102; z = 4.
#[test]
fn obedience_is_a_probability_per_order() {
    let text = format!(
        "{BASE}[actors.p]\n[actors.c]\npatron = \"p\"\nobey = 0.7\n[dyads.c_a]\nfrom = \"c\"\nto = \"a\"\nregime = \"go\"\nregimes.go = {{ rate = 1.0 }}\nregimes.stop = {{ rate = 0.0 }}\n[triggers.order]\nwhen = \"step\"\nat = 0\ndo = \"restrain\"\npatron = \"p\"\nregime = \"stop\"\n"
    );
    let s = scenario_with(&text, &["scenario.horizon=1"]);
    let obeyed = (0..2000).filter(|&i| record(&s, 8, i).2.regimes[0][0] == 1).count() as f64 / 2000.0;
    assert!((obeyed - 0.7).abs() < 4.0 * 0.0102, "{obeyed}");
}

fn talks(track: &str, extra: &str) -> brink::model::Scenario {
    scenario(&format!(
        "{BASE}{DYADS}[tracks.t]\nbetween = [\"a\", \"b\"]\n{track}\n{extra}"
    ))
}

#[test]
fn talks_open_on_their_date() {
    let s = talks("status = \"not_started\"\nopen_step = 10\n", "");
    let st = statuses(&record(&s, 1, 0).2);
    assert_eq!(st[9], NotStarted);
    assert_eq!(st[10], Active);
}

#[test]
fn precondition_holds_the_talks_until_a_calm_period() {
    // No event from b for 5 steps: b acts at step 3, so the talks open at
    // the start of step 9 (steps 4-8 calm). History before step 0 counts
    // as violent, so without the act they would open at step 5.
    let pre = "status = \"not_started\"\nprecondition = { enabled = true, calm = 5, actors = [\"b\"] }\n";
    let s = talks(pre, &step_act("x", 3, "b_a", "shot", ""));
    let st = statuses(&record(&s, 1, 0).2);
    assert_eq!((st[8], st[9]), (NotStarted, Active));
    let s = talks(pre, "");
    let st = statuses(&record(&s, 1, 0).2);
    assert_eq!((st[4], st[5]), (NotStarted, Active));
    // An act by a (not watched) does not delay them.
    let s = talks(pre, &step_act("x", 3, "a_b", "shot", ""));
    assert_eq!(statuses(&record(&s, 1, 0).2)[5], Active);
}

#[test]
fn a_severe_event_pauses_the_talks_for_the_stated_steps() {
    let track = "status = \"active\"\nprogress = { rate = 0.01 }\npause = { level = \"raid\", steps = 4 }\n";
    let s = talks(track, &step_act("x", 12, "b_a", "raid", ""));
    let (_, row, rec) = record(&s, 1, 0);
    let st = statuses(&rec);
    assert_eq!(st[11], Active);
    assert_eq!(&st[12..16], &[Paused; 4]);
    assert_eq!(st[16], Active);
    assert_eq!(metric(&s, &row, "talks_t_pause_steps"), 4.0);
    assert_eq!(metric(&s, &row, "talks_t_pauses"), 1.0);
    // No progress while paused: 12 active steps before, 84 after.
    assert!((metric(&s, &row, "talks_t_progress") - 0.96).abs() < 1e-9);
    // A shot (below the pause level) does not pause; a death does when
    // on_kill is set.
    let s = talks(track, &step_act("x", 12, "b_a", "shot", ""));
    assert!(statuses(&record(&s, 1, 0).2)[..99].iter().all(|&x| x == Active));
    let s = talks(
        "status = \"active\"\npause = { on_kill = true, steps = 14 }\n",
        &step_act("x", 12, "b_a", "shot", "force_killed = 1"),
    );
    let st = statuses(&record(&s, 1, 0).2);
    assert_eq!((st[11], st[12], st[25], st[26]), (Active, Paused, Paused, Active));
}

#[test]
fn signing_gate_blocks_a_signature_inside_the_calm_window() {
    // Progress completes at step 3; a raid at step 6 restarts the 5-step
    // calm: agreement at step 11, not 6 or earlier.
    let gate = "status = \"active\"\nprogress = { rate = 0.25 }\nsigning = { calm = 5, level = \"raid\" }\n";
    let agree = "[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n";
    let raid_at = |t: u32| step_act("x", t, "b_a", "raid", "");
    let s = talks(gate, &format!("{}{agree}", raid_at(2)));
    let (r, row, _) = record(&s, 1, 0);
    assert_eq!((r.outcome, r.end_step), (0, 7), "raid at 2 -> calm from 3 to 7");
    assert_eq!(metric(&s, &row, "talks_t_agreement_step"), 7.0);
    let s = talks(gate, agree);
    assert_eq!(record(&s, 1, 0).0.end_step, 3, "no raid: signs when complete");
    // A shot is below the signing level and does not break the calm.
    let s = talks(gate, &format!("{}{agree}", step_act("x", 2, "b_a", "shot", "")));
    assert_eq!(record(&s, 1, 0).0.end_step, 3);
}

#[test]
fn working_groups_must_all_complete() {
    let wg = "status = \"active\"\nprogress = { rate = 0.1 }\nworking_groups.fast = { rate = 2.0 }\nworking_groups.slow = { rate = 1.0 }\n";
    let s = talks(wg, "[outcomes.deal]\nkind = \"agreement\"\ntrack = \"t\"\n");
    let (r, row, rec) = record(&s, 1, 0);
    assert_eq!(r.end_step, 9, "the slow group needs 10 steps");
    assert!((rec.tracks[4][0].1 - 0.75).abs() < 1e-9, "mean of 1.0 and 0.5");
    assert_eq!(metric(&s, &row, "talks_t_progress"), 1.0);
}

#[test]
fn violence_slows_progress_by_the_stated_function() {
    // One raid (severity 3) at step 0, memory 0.5, kappa 1: at step t the
    // recent violence is V = 3*0.5^t and progress gains rate/(1 + V).
    let s = talks(
        "status = \"active\"\nprogress = { rate = 0.01, violence = 1.0, memory = 0.5 }\n",
        &step_act("x", 0, "b_a", "raid", ""),
    );
    let (_, _, rec) = record(&s, 1, 0);
    let mut want = 0.0;
    for t in 0..10 {
        want += 0.01 / (1.0 + 3.0 * 0.5f64.powi(t));
        assert!((rec.tracks[t as usize][0].1 - want).abs() < 1e-12, "step {t}");
    }
}

#[test]
fn collapse_is_absorbing_and_reachable_from_active_and_paused() {
    let s = talks("status = \"active\"\ncollapse = { hazard = 1.0 }\n", "");
    let st = statuses(&record(&s, 1, 0).2);
    assert!(st.iter().all(|&x| x == Collapsed));
    // Paused talks can collapse too; a trigger pauses them at step 2.
    let s = talks(
        "status = \"active\"\ncollapse = { violence = 1.0 }\npause = { level = \"raid\", steps = 10 }\n",
        &step_act("x", 2, "b_a", "raid", ""),
    );
    let st = statuses(&record(&s, 1, 0).2);
    assert_eq!((st[1], st[2]), (Active, Collapsed), "V = 3 -> hazard 1 while pausing");
    // Trigger actions drive the transitions too: open, pause, collapse.
    let s = talks(
        "status = \"not_started\"\n",
        "[triggers.open]\nwhen = \"step\"\nat = 3\ndo = \"track\"\ntrack = \"t\"\nstatus = \"active\"\n\
         [triggers.hold]\nwhen = \"step\"\nat = 6\ndo = \"track\"\ntrack = \"t\"\nstatus = \"paused\"\nduration = 2\n\
         [triggers.end]\nwhen = \"step\"\nat = 10\ndo = \"track\"\ntrack = \"t\"\nstatus = \"collapsed\"\n",
    );
    let st = statuses(&record(&s, 1, 0).2);
    assert_eq!(
        &st[2..11],
        &[
            NotStarted, Active, Active, Active, Paused, Paused, Active, Active, Collapsed
        ]
    );
}

/// With a constant collapse hazard h, the step T at which open talks
/// collapse is geometric: E[T + 1] = 1/h. h = 0.02, 4000 trials: sd of
/// T + 1 is sqrt(1-h)/h = 49.5, se 0.78; z = 4.
#[test]
fn collapse_hazard_gives_an_exponential_time_to_collapse() {
    let s = talks(
        "status = \"active\"\nprogress = { rate = 0.0 }\ncollapse = { hazard = 0.02 }\n",
        "[outcomes.broke]\nkind = \"collapse\"\ntrack = \"t\"\n",
    );
    let s = {
        let mut s = s;
        s.horizon = 5000;
        s
    };
    let layout = brink::engine::MetricLayout::new(&s);
    let ends: Vec<f64> = (0..4000)
        .map(|i| f64::from(brink::runner::one(&s, &layout, 6, i).0.end_step) + 1.0)
        .collect();
    let (m, se) = mean_se(&ends);
    assert!((m - 50.0).abs() < 4.0 * 0.78, "mean {m} (empirical se {se})");
}

fn pressure_scenario(extra: &str) -> brink::model::Scenario {
    // a defects every step (alld): one shot on b per step from step 1.
    scenario(&format!(
        "{BASE}[actors.b.pressure]\ndecay = 0.9\ninputs.hits = {{ from = \"a\", weight = 2.0 }}\n\
         [dyads.a_b]\nfrom = \"a\"\nto = \"b\"\nresponse = {{ rule = \"alld\", level = \"shot\" }}\n{extra}"
    ))
}

#[test]
fn pressure_with_constant_input_converges_to_input_over_one_minus_decay() {
    let s = pressure_scenario("");
    let (_, _, rec) = record(&s, 1, 0);
    assert_eq!(rec.pressure[0][1], 0.0);
    // After t events, P = 2 (1 - 0.9^t) / 0.1.
    for t in 1..100 {
        let want = 20.0 * (1.0 - 0.9f64.powi(t as i32));
        assert!((rec.pressure[t][1] - want).abs() < 1e-9, "step {t}");
    }
    assert!((rec.pressure[99][1] - 20.0).abs() < 1e-3);
}

#[test]
fn pressure_threshold_ends_the_trial_as_a_coerced_exit() {
    // 20 (1 - 0.9^t) >= 15 first at t = 14.
    let s = pressure_scenario("[outcomes.exit]\nkind = \"pressure\"\nactor = \"b\"\nthreshold = 15\n");
    let (r, _, _) = record(&s, 1, 0);
    assert_eq!((r.outcome, r.end_step), (0, 14));
    // A pressure trigger switches a regime the step it crosses.
    let s = pressure_scenario(
        "[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\nregime = \"calm\"\nregimes.calm = {}\nregimes.angry = { rate = 2.0 }\n\
         [triggers.snap]\nwhen = \"pressure\"\nactor = \"b\"\nabove = 15\ndo = \"regime\"\ndyad = \"b_a\"\nregime = \"angry\"\n",
    );
    let (_, row, rec) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_snap_step"), 14.0);
    assert_eq!(
        (rec.regimes[13][1], rec.regimes[14][1]),
        (0, 1),
        "switched at the end of step 14"
    );
}

#[test]
fn talks_relieve_pressure() {
    // Relief of 0.5 per active step against 2 per step of input: the
    // stationary level falls from 20 to (2 - 0.5)/0.1 = 15.
    let s = pressure_scenario(
        "[actors.b.pressure.relief.t]\nactive = 0.5\n[tracks.t]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\nprogress = { rate = 0.0 }\n",
    );
    let (_, _, rec) = record(&s, 1, 0);
    assert!((rec.pressure[99][1] - 15.0).abs() < 1e-3, "{}", rec.pressure[99][1]);
}

#[test]
fn spoilers_attack_more_as_talks_advance() {
    // Rate 1 x (1 + 1.0 x progress): progress runs 0 -> 1 over 1000 steps
    // then stays, so the expected count over 2000 steps is 1000*1.5 +
    // 1000*2 = 3500 (sd ~ 59); without the effect 2000. z = 4.
    let s = scenario_with(
        &format!(
            "{BASE}[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\ninitiative = {{ rate = 1.0 }}\n\
             [tracks.t]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\nprogress = {{ rate = 0.001 }}\nsigning = {{ calm = 100000 }}\n\
             [tracks.t.effects.b_a]\nprogress = 1.0\n"
        ),
        &["scenario.horizon=2000"],
    );
    let (_, row, _) = record(&s, 2, 0);
    let n = metric(&s, &row, "events_b_a");
    assert!((n - 3500.0).abs() < 4.0 * 59.0, "{n}");
}

/// Issue 20 item 8: a track's milestones are steps. A collapse gives
/// `talks_<track>_collapse_step`, equal to the step the collapse outcome
/// ended the trial; talks that never collapsed leave it empty.
#[test]
fn issue_20_collapse_is_a_milestone_step() {
    let s = talks(
        "status = \"active\"\nprogress = { rate = 0.0 }\ncollapse = { hazard = 0.05 }\n",
        "[outcomes.broke]\nkind = \"collapse\"\ntrack = \"t\"\n",
    );
    let mut collapsed = 0;
    for i in 0..50 {
        let (r, row, _) = record(&s, 2, i);
        let step = metric(&s, &row, "talks_t_collapse_step");
        if r.outcome == 0 {
            assert_eq!(step, f64::from(r.end_step), "trial {i}");
            collapsed += 1;
        } else {
            assert!(step.is_nan(), "trial {i}: no collapse, yet step {step}");
        }
    }
    assert!(collapsed > 10, "{collapsed} of 50 collapsed");
}

/// Issue 20 item 8: a track named `talks` gives `talks_status`, not
/// `talks_talks_status` (in trials.csv's layout and in timeline.csv).
#[test]
fn issue_20_column_names_do_not_stutter() {
    let s = scenario(&format!(
        "{BASE}{DYADS}[tracks.talks]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\n"
    ));
    let layout = brink::engine::MetricLayout::new(&s);
    for want in [
        "talks_status",
        "talks_progress",
        "talks_open_step",
        "talks_collapse_step",
    ] {
        assert!(layout.index(want).is_some(), "no {want} in {:?}", layout.names);
    }
    assert!(
        layout.names.iter().all(|n| !n.contains("talks_talks")),
        "{:?}",
        layout.names
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talks.toml");
    std::fs::write(
        &path,
        format!("{BASE}{DYADS}[tracks.talks]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\n"),
    )
    .unwrap();
    assert_cmd::Command::cargo_bin("brink")
        .unwrap()
        .args(["run", "-q", "--trials", "2", "--timeline", "1", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .assert()
        .success();
    let timeline = std::fs::read_to_string(dir.path().join("out/timeline.csv")).unwrap();
    let header = timeline.lines().next().unwrap();
    assert!(header.contains(",talks_status,talks_progress"), "{header}");
    assert!(!header.contains("talks_talks"), "{header}");
}
