//! Richer triggers, regimes that change the answer, pause rules and
//! misattribution (issue 15, parts 3-4): each rule against a hand-worked
//! case, and the two closed forms (a repeatable trigger's renewal count,
//! the binomial count of misattributed answers) with z stated.

mod common;
use brink::model::TalkStatus::{self, *};
use common::*;

/// Dyads b -> a (index 0), a -> c (1) and a -> b (2), actor c added; the
/// a -> b table comes last, so a test may append keys to it.
const THREE: &str = "[actors.c]\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.a_c]\nfrom = \"a\"\nto = \"c\"\n[dyads.a_b]\nfrom = \"a\"\nto = \"b\"\n";
const A_C: u16 = 1;
const A_B: u16 = 2;

fn step_act(id: &str, at: u32, dyad: &str, level: &str, extra: &str) -> String {
    format!(
        "[triggers.{id}]\nwhen = \"step\"\nat = {at}\ndo = \"act\"\ndyad = \"{dyad}\"\nlevel = \"{level}\"\n{extra}\n"
    )
}

/// Steps at which dyad `d` acted, with the level.
fn acts(rec: &Recorder, d: u16) -> Vec<(u32, u8)> {
    rec.events
        .iter()
        .filter(|(_, e)| e.dyad == d)
        .map(|(t, e)| (*t, e.level))
        .collect()
}

/// A trigger on "b killed someone of a within the last 3 steps, while the
/// war is on": b kills at steps 5 and 20; the war runs steps 0-9. The
/// condition holds at 5, 6, 7 (within 3 of step 5, war on) and never after
/// 20 (war over): a repeatable trigger fires 3 times; with refractory 1 at
/// 5 and 7; once (the default) at 5 only.
#[test]
fn all_combines_an_event_window_and_a_driver() {
    let base = format!(
        "{BASE}{THREE}[drivers.war]\nstart = 0\nend = 10\n{}{}[triggers.t]\ndo = \"mark\"\n[triggers.t.all.hit]\nwhen = \"event\"\nfrom = \"b\"\nto = \"a\"\nkilled = true\nwithin = 3\n[triggers.t.all.war]\nwhen = \"driver\"\ndriver = \"war\"\n",
        step_act("k1", 5, "b_a", "shot", "force_killed = 1"),
        step_act("k2", 20, "b_a", "shot", "force_killed = 1"),
    );
    let s = scenario(&base);
    let (_, row, _) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_t_step"), 5.0);
    let layout = brink::engine::MetricLayout::new(&s);
    assert!(
        layout.index("trigger_t_fires").is_none(),
        "fires only for repeatable triggers"
    );

    for (sets, fires) in [
        (vec!["triggers.t.once=false"], 3.0),
        (vec!["triggers.t.once=false", "triggers.t.refractory=1"], 2.0),
        (vec!["triggers.t.once=false", "triggers.t.refractory=2"], 1.0),
        // the war must be off instead: the kill at 20 holds for 20-22
        (vec!["triggers.t.once=false", "triggers.t.all.war.active=false"], 3.0),
    ] {
        let s = scenario_with(&base, &sets);
        let (_, row, _) = record(&s, 1, 0);
        assert_eq!(metric(&s, &row, "trigger_t_fires"), fires, "{sets:?}");
    }
    let s = scenario_with(&base, &["triggers.t.once=false", "triggers.t.all.war.active=false"]);
    let (_, row, _) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_t_step"), 20.0);
}

/// `any`: the trigger holds in step window 30-39 or while a_b is in its
/// `hot` regime (a step trigger switches it at step 50 for 5 steps: steps
/// 50-54). A repeatable mark fires on each of those 10 + 5 steps; adding
/// `all` a window 0-35 leaves 6 + 0.
#[test]
fn any_holds_when_one_of_its_conditions_does() {
    let text = format!(
        "{BASE}{THREE}regime = \"calm\"\n[dyads.a_b.regimes.calm]\n[dyads.a_b.regimes.hot]\n\
         [triggers.heat]\nwhen = \"step\"\nat = 50\ndo = \"regime\"\ndyad = \"a_b\"\nregime = \"hot\"\nduration = 5\n\
         [triggers.t]\ndo = \"mark\"\nonce = false\n\
         [triggers.t.any.window]\nwhen = \"step\"\nat = 30\nuntil = 40\n\
         [triggers.t.any.hot]\nwhen = \"regime\"\ndyad = \"a_b\"\nregime = \"hot\"\n"
    );
    let s = scenario(&text);
    let (_, row, rec) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_t_fires"), 15.0);
    assert_eq!(metric(&s, &row, "trigger_t_step"), 30.0);
    let hot: Vec<usize> = (0..rec.regimes.len())
        .filter(|&t| rec.regimes[t][A_B as usize] == 1)
        .collect();
    assert_eq!(hot, vec![50, 51, 52, 53, 54]);
    let with_all = format!("{text}[triggers.t.all.early]\nwhen = \"step\"\nat = 0\nuntil = 36\n");
    let s = scenario(&with_all);
    let (_, row, _) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_t_fires"), 6.0);
}

/// A top-level condition still works alone and combines with `all`:
/// pressure above a threshold and a track's status.
#[test]
fn top_level_when_combines_with_all() {
    let text = format!(
        "{BASE}{THREE}[actors.a.pressure]\ninitial = 10\ndecay = 0.5\n\
         [tracks.k]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\nprogress.rate = 0.0\n\
         [triggers.t]\nwhen = \"pressure\"\nactor = \"a\"\nabove = 1.0\ndo = \"mark\"\nonce = false\n\
         [triggers.t.all.talks]\nwhen = \"track\"\ntrack = \"k\"\nstatus = \"active\"\n"
    );
    // pressure 10·0.5^(t+1) after step t's decay: 5, 2.5, 1.25 >= 1; then 0.625
    let s = scenario(&text);
    let (_, row, _) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_t_fires"), 3.0);
    let s = scenario_with(&text, &["triggers.t.all.talks.status=paused"]);
    let (_, row, _) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_t_fires"), 0.0);
}

/// Exact mean number of firings over `horizon` steps of a trigger that
/// fires with probability `p` whenever it is awake, sleeping `r` steps
/// after each firing: a Markov chain on the steps left asleep.
fn renewal_mean(p: f64, r: usize, horizon: usize) -> f64 {
    // dist[j] = P(j steps of sleep left at the start of the step)
    let mut dist = vec![0.0; r + 1];
    dist[0] = 1.0;
    let mut mean = 0.0;
    for _ in 0..horizon {
        let mut next = vec![0.0; r + 1];
        let fire = dist[0] * p;
        mean += fire;
        next[0] += dist[0] * (1.0 - p);
        if r == 0 {
            next[0] += fire;
        } else {
            next[r] += fire;
        }
        for j in 1..=r {
            next[j - 1] += dist[j];
        }
        dist = next;
    }
    mean
}

/// A repeatable trigger on a condition that always holds (a step window
/// over the whole horizon), firing with p = 0.3 and refractory r = 4, over
/// T = 200 steps: a renewal process with gaps r + Geometric(p), mean gap
/// 4 + 1/0.3 = 7.33 steps, so about T/7.33 = 27.3 firings in the long run;
/// the exact mean (the chain above) is compared with the mean of 4000
/// trials, z = 4 standard errors (false alarm about 6e-5).
#[test]
fn repeatable_trigger_fires_as_a_renewal_process() {
    let (p, r, horizon) = (0.3, 4usize, 200usize);
    let text = format!(
        "{BASE}[triggers.t]\nwhen = \"step\"\nat = 0\nuntil = {horizon}\ndo = \"mark\"\nonce = false\nprobability = {p}\nrefractory = {r}\n"
    )
    .replace("horizon = 100", &format!("horizon = {horizon}"));
    let s = scenario(&text);
    let n = 4000;
    let counts: Vec<f64> = (0..n)
        .map(|i| {
            let (_, row, _) = record(&s, 7, i);
            metric(&s, &row, "trigger_t_fires")
        })
        .collect();
    let (m, se) = mean_se(&counts);
    let exact = renewal_mean(p, r, horizon);
    let z = 4.0;
    assert!((m - exact).abs() < z * se, "mean {m} vs exact {exact} (se {se})");
    // the long-run rate, a sanity check on the chain itself: within one gap
    let long_run = horizon as f64 / (r as f64 + 1.0 / p);
    assert!((exact - long_run).abs() < r as f64 + 1.0 / p, "{exact} vs {long_run}");
    // with r = 0 the count is Binomial(T, p): mean T·p exactly
    assert!((renewal_mean(p, 0, horizon) - horizon as f64 * p).abs() < 1e-9);
}

/// A regime with a response of its own answers by it: a's base rule
/// answers at most a shot, two steps later; in regime `hot` (switched at
/// step 5, acting from 6) it may answer up to a strike, with the base's
/// delay of 2 (a key the regime does not set is inherited). b strikes at
/// steps 2 and 8: a answers a shot at 4 and a strike at 10.
#[test]
fn a_regime_changes_the_response_rule() {
    let text = format!(
        "{BASE}{THREE}regime = \"calm\"\n[dyads.a_b.response]\nrule = \"graded\"\nmax_level = \"shot\"\ndelay = 2\n\
         [dyads.a_b.regimes.calm]\n[dyads.a_b.regimes.hot.response]\nmax_level = \"strike\"\n\
         {}{}[triggers.heat]\nwhen = \"step\"\nat = 5\ndo = \"regime\"\ndyad = \"a_b\"\nregime = \"hot\"\n",
        step_act("s1", 2, "b_a", "strike", ""),
        step_act("s2", 8, "b_a", "strike", ""),
    );
    let s = scenario(&text);
    let (_, row, rec) = record(&s, 1, 0);
    assert_eq!(acts(&rec, A_B), vec![(4, 1), (10, 3)]);
    assert_eq!(metric(&s, &row, "responses_a_b"), 2.0);
    // strike is in a_b's repertoire through the regime's rule
    assert_eq!(metric(&s, &row, "events_a_b_level_strike"), 1.0);
    // the regime's keys reach --set: proportionality 0.2 answers the
    // strike (severity 5) with the level nearest 1: a shot
    let s = scenario_with(&text, &["dyads.a_b.regimes.hot.response.proportionality=0.2"]);
    let (_, _, rec) = record(&s, 1, 0);
    assert_eq!(acts(&rec, A_B), vec![(4, 1), (10, 1)]);
    // a regime may change the rule itself: grim at the level of a raid
    let s = scenario_with(
        &text,
        &[
            "dyads.a_b.regimes.hot.response.rule=grim",
            "dyads.a_b.regimes.hot.response.level=raid",
        ],
    );
    let (_, _, rec) = record(&s, 1, 0);
    let after: Vec<(u32, u8)> = acts(&rec, A_B).into_iter().filter(|&(t, _)| t >= 10).collect();
    assert_eq!(after.first(), Some(&(10, 2)), "grim defects at raid from step 10 on");
}

/// `pause.on_kill = ["a"]`: only deaths of a's people pause the talks.
/// a kills someone of b at step 3 (no pause); b kills someone of a at step
/// 10 (pause from 10 for 5 steps: paused 10-14, active again at 15).
/// `on_kill = true` (today's rule) pauses at 3 too.
#[test]
fn pause_rules_say_whose_deaths_pause_the_talks() {
    let text = format!(
        "{BASE}{THREE}[tracks.k]\nbetween = [\"a\", \"b\"]\nstatus = \"active\"\n[tracks.k.pause]\non_kill = [\"a\"]\nsteps = 5\n{}{}",
        step_act("k1", 3, "a_b", "shot", "force_killed = 1"),
        step_act("k2", 10, "b_a", "shot", "force_killed = 1"),
    );
    let statuses = |sets: &[&str]| -> Vec<TalkStatus> {
        let s = scenario_with(&text, sets);
        let (_, _, rec) = record(&s, 1, 0);
        rec.tracks.iter().take(16).map(|t| t[0].0).collect()
    };
    let mut want = vec![Active; 16];
    want[10..15].fill(Paused);
    assert_eq!(statuses(&[]), want);
    let mut old = want.clone();
    old[3..8].fill(Paused);
    assert_eq!(statuses(&["tracks.k.pause.on_kill=true"]), old);
    assert_eq!(statuses(&["tracks.k.pause.on_kill=[\"b\"]"]), {
        let mut v = vec![Active; 16];
        v[3..8].fill(Paused);
        v
    });
    assert_eq!(statuses(&["tracks.k.pause.on_kill=false"]), vec![Active; 16]);
}

/// Misattribution by hand: with p = 1 every answer of a_b lands on a_c.
/// b strikes at step 2; a answers in kind one step later, on c.
#[test]
fn a_misattributed_answer_lands_on_another_group() {
    let text = format!(
        "{BASE}{THREE}[dyads.a_b.response]\nrule = \"graded\"\n[dyads.a_b.misattribution]\np = 1.0\nto = {{ c = 1.0 }}\n{}",
        step_act("s1", 2, "b_a", "strike", ""),
    );
    let s = scenario(&text);
    let (_, row, rec) = record(&s, 1, 0);
    assert_eq!(acts(&rec, A_B), vec![]);
    assert_eq!(acts(&rec, A_C), vec![(3, 3)]);
    assert_eq!(metric(&s, &row, "misattributed_a_b"), 1.0);
    assert_eq!(metric(&s, &row, "responses_a_c"), 1.0);
    assert_eq!(metric(&s, &row, "events_a_c_level_strike"), 1.0);
    let s = scenario_with(&text, &["dyads.a_b.misattribution.p=0"]);
    let (_, row, rec) = record(&s, 1, 0);
    assert_eq!(acts(&rec, A_B), vec![(3, 3)]);
    assert_eq!(metric(&s, &row, "misattributed_a_b"), 0.0);
}

/// Attribution frequency is binomial: a trigger acts on a_b every step of
/// T = 100 (a step window, repeatable), each act misattributed with
/// p = 0.2. Over 400 trials the 40000 acts give Binomial(40000, 0.2)
/// misattributions, mean 8000 and sd 80; z = 4. Every act lands somewhere:
/// events on a_b plus a_c are 100 per trial, and a_c's are the
/// misattributed ones.
#[test]
fn misattribution_is_binomial() {
    let text = format!(
        "{BASE}{THREE}[dyads.a_b.misattribution]\np = 0.2\nto.c = 1.0\n\
         [triggers.every_step]\nwhen = \"step\"\nat = 0\nuntil = 100\ndo = \"act\"\ndyad = \"a_b\"\nlevel = \"shot\"\nonce = false\n"
    );
    let s = scenario(&text);
    let (n, steps, p) = (400u64, 100.0, 0.2);
    let mut total = 0.0;
    for i in 0..n {
        let (_, row, _) = record(&s, 3, i);
        let (ab, ac) = (metric(&s, &row, "events_a_b"), metric(&s, &row, "events_a_c"));
        assert_eq!(ab + ac, steps);
        assert_eq!(ac, metric(&s, &row, "misattributed_a_b"));
        total += ac;
    }
    let acts = n as f64 * steps;
    let (mean, sd) = (acts * p, (acts * p * (1.0 - p)).sqrt());
    let z = 4.0;
    assert!((total - mean).abs() < z * sd, "{total} vs {mean} (sd {sd})");
}

/// Scenario files written before these keys load and run as before: the
/// built-in scenarios load, and a trigger without `within`, `until`,
/// `refractory`, `all` or `any` reads as it did (covered in
/// tests/negotiation.rs); `brink params` lists the new keys' defaults.
#[test]
fn built_in_scenarios_still_load() {
    // The flagship's first structure (scenarios/examples/us_iraq_2024_v1.toml)
    // was written before these keys; the forecast of record now uses them
    // (a repeating red line). Its posterior is read as the built-in one,
    // which holds the same paths (the resolver here knows built-ins only).
    for name in ["examples/us_iraq_2024_v1", "israel_hezbollah_2024"] {
        let text = std::fs::read_to_string(format!("scenarios/{name}.toml"))
            .expect("scenario file")
            .replace("us_iraq_2024_v1_posterior.csv", "us_iraq_2024_posterior.csv");
        let s = scenario(&text);
        assert!(!s.triggers.is_empty());
        for t in &s.triggers {
            assert_eq!(t.refractory, 0);
            assert!(t.when.any.is_empty());
            assert_eq!(t.when.all.len(), 1);
        }
    }
}

// ---------------------------------------------------------------------------
// flagship (issue 15 part 7): `when = "action"` conditions and outcomes.

/// a's pressure 10 decays by 0.9 a step (9, 8.1, 7.29, 6.56, 5.90, 5.31,
/// 4.78 after steps 0, 1, ...); a protests (action `x`) when it is at or
/// above 5, at most every 3rd step (refractory 2): at steps 0 and 3.
const PROTESTS: &str = "[actors.a.pressure]\ninitial = 10\ndecay = 0.9\n[actors.b.pressure]\ninitial = 0\ndecay = 0.5\n\
     [actors.a.actions.x]\ndo = \"protest\"\ntarget = \"b\"\npolicy = \"threshold\"\nthreshold = 5\nrefractory = 2\n";

/// Actions are chosen before the end-of-step triggers, so a trigger sees
/// its own step's action. `within = w` holds at steps {0..w-1} ∪ {3..3+w-1}:
/// a repeatable mark fires 2 times at w = 1, 4 at w = 2, 6 at w = 3 (0-2
/// and 3-5 touch). Combined with a step window 2..10: step 3 first.
#[test]
fn an_action_condition_holds_within_its_window_of_the_action() {
    let base = format!(
        "{BASE}{PROTESTS}[triggers.t]\nwhen = \"action\"\nactor = \"a\"\naction = \"x\"\ndo = \"mark\"\nonce = false\n"
    );
    for (within, fires) in [(1, 2.0), (2, 4.0), (3, 6.0)] {
        let s = scenario_with(&base, &[&format!("triggers.t.within={within}")]);
        let (_, row, _) = record(&s, 1, 0);
        assert_eq!(metric(&s, &row, "actions_a_x"), 2.0);
        assert_eq!(metric(&s, &row, "trigger_t_fires"), fires, "within {within}");
        assert_eq!(metric(&s, &row, "trigger_t_step"), 0.0);
    }
    let combined = format!(
        "{BASE}{PROTESTS}[triggers.t]\ndo = \"mark\"\n[triggers.t.all.took]\nwhen = \"action\"\nactor = \"a\"\naction = \"x\"\n[triggers.t.all.late]\nwhen = \"step\"\nat = 2\nuntil = 10\n"
    );
    let s = scenario(&combined);
    let (_, row, _) = record(&s, 1, 0);
    assert_eq!(metric(&s, &row, "trigger_t_step"), 3.0);
    // An action never taken (threshold out of reach): the trigger never fires.
    let s = scenario_with(&combined, &["actors.a.actions.x.threshold=50"]);
    let (_, row, _) = record(&s, 1, 0);
    assert!(metric(&s, &row, "trigger_t_step").is_nan());
}

/// An outcome on an action ends the trial the step the action is first
/// taken (step 0 here: X_0 = 9 >= 5); never, when the stock cannot reach
/// the threshold (initial 8 decays to 7.2 before the first choice, below
/// 8); as a milestone it records that step and the trial goes on.
#[test]
fn an_action_outcome_holds_once_the_action_is_taken() {
    let text = format!("{BASE}{PROTESTS}[outcomes.demand]\nkind = \"action\"\nactor = \"a\"\naction = \"x\"\n");
    let s = scenario(&text);
    let (r, _, _) = record(&s, 1, 0);
    assert_eq!((s.outcome_names()[r.outcome as usize], r.end_step), ("demand", 0));
    let s = scenario_with(
        &text,
        &["actors.a.pressure.initial=8", "actors.a.actions.x.threshold=8"],
    );
    let (r, _, _) = record(&s, 1, 0);
    assert_eq!(s.outcome_names()[r.outcome as usize], "horizon");
    let s = scenario(&format!("{text}terminal = false\n"));
    let (r, row, _) = record(&s, 1, 0);
    assert_eq!(r.end_step, 99, "a milestone lets the trial go on");
    assert_eq!(metric(&s, &row, "milestone_demand_step"), 0.0);
}
