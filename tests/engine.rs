//! The escalation core on hand-worked cases: each response rule, drivers,
//! the spiral outcome, noise, and the self-exciting initiative's long-run
//! rate.

mod common;
use common::*;

/// The steps and levels at which dyad `d` acted.
fn acts(rec: &Recorder, d: u16) -> Vec<(u32, u8)> {
    rec.events
        .iter()
        .filter(|(_, e)| e.dyad == d)
        .map(|(t, e)| (*t, e.level))
        .collect()
}

/// `b` acts on the given steps at the given levels (forced, via step triggers).
fn forced_b(steps: &[(u32, &str)]) -> String {
    let mut s = String::new();
    for (i, (t, l)) in steps.iter().enumerate() {
        s.push_str(&format!(
            "[triggers.f{i}]\nwhen = \"step\"\nat = {t}\ndo = \"act\"\ndyad = \"b_a\"\nlevel = \"{l}\"\n"
        ));
    }
    s
}

fn duel(response: &str, forced: &[(u32, &str)]) -> brink::model::Scenario {
    let text = format!(
        "{BASE}\n[dyads.a_b]\nfrom = \"a\"\nto = \"b\"\n[dyads.a_b.response]\n{response}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n{}",
        forced_b(forced)
    );
    scenario(&text)
}

#[test]
fn tit_for_tat_answers_in_kind_after_the_delay() {
    let s = duel("rule = \"tft\"\ndelay = 2", &[(3, "shot"), (10, "raid")]);
    let (_, _, rec) = record(&s, 1, 0);
    assert_eq!(acts(&rec, 1), vec![(3, 1), (10, 2)]);
    assert_eq!(acts(&rec, 0), vec![(5, 1), (12, 2)]);
}

#[test]
fn threshold_waits_for_enough_grievance() {
    // Four shots of severity 1; threshold 4: the answer comes after the
    // fourth (step 4), one step later.
    let s = duel(
        "rule = \"graded\"\nthreshold = 4\ndelay = 1",
        &[(1, "shot"), (2, "shot"), (3, "shot"), (4, "shot")],
    );
    let (_, _, rec) = record(&s, 1, 0);
    assert_eq!(acts(&rec, 0), vec![(5, 1)]);
}

#[test]
fn proportionality_escalates_within_the_allowed_range() {
    // A raid (3) answered at 2x: nearest severity to 6 is strike (5).
    let s = duel("proportionality = 2.0\ndelay = 1", &[(1, "raid")]);
    assert_eq!(acts(&record(&s, 1, 0).2, 0), vec![(2, 3)]);
    // Capped at raid.
    let s = duel("proportionality = 2.0\ndelay = 1\nmax_level = \"raid\"", &[(1, "raid")]);
    assert_eq!(acts(&record(&s, 1, 0).2, 0), vec![(2, 2)]);
    // Restrained: 0.3 x raid = 0.9 -> shot.
    let s = duel("proportionality = 0.3\ndelay = 1", &[(1, "raid")]);
    assert_eq!(acts(&record(&s, 1, 0).2, 0), vec![(2, 1)]);
}

#[test]
fn refractory_period_defers_the_next_answer() {
    // Answer to step 1 lands at 2; refractory 5 means no decision before
    // step 7: the act at 3 is answered at 7+1 = 8; the act at 8 waits for
    // 8+5 = 13 and is answered at 14.
    let s = duel("delay = 1\nrefractory = 5", &[(1, "shot"), (3, "shot"), (8, "shot")]);
    assert_eq!(acts(&record(&s, 1, 0).2, 0), vec![(2, 1), (8, 1), (14, 1)]);
}

#[test]
fn generosity_depends_on_the_level_and_on_casualties() {
    // Shots always forgiven, raids never.
    let s = duel(
        "delay = 1\ngenerosity = { shot = 1.0, raid = 0.0 }",
        &[(1, "shot"), (4, "raid")],
    );
    assert_eq!(acts(&record(&s, 1, 0).2, 0), vec![(5, 2)]);
    // ... unless the shot kills: generosity_if_killed = 0 overrides.
    let text = format!(
        "{BASE}\n[dyads.a_b]\nfrom = \"a\"\nto = \"b\"\n[dyads.a_b.response]\ndelay = 1\ngenerosity = {{ shot = 1.0 }}\ngenerosity_if_killed = 0.0\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[triggers.k]\nwhen = \"step\"\nat = 2\ndo = \"act\"\ndyad = \"b_a\"\nlevel = \"shot\"\nforce_killed = 1\n[triggers.s]\nwhen = \"step\"\nat = 6\ndo = \"act\"\ndyad = \"b_a\"\nlevel = \"shot\"\n"
    );
    let s = scenario(&text);
    let (_, row, rec) = record(&s, 1, 0);
    assert_eq!(acts(&rec, 0), vec![(3, 1)]);
    assert_eq!(metric(&s, &row, "killed_a"), 1.0);
    assert_eq!(metric(&s, &row, "first_death_step_a"), 2.0);
}

#[test]
fn generous_tit_for_tat_forgives_at_its_rate() {
    // 400 shots, q = 0.25: answers ~ Binomial(400, 0.75): mean 300,
    // sd 8.66; z = 4 -> +-35.
    let forced: Vec<(u32, &str)> = (0..400).map(|i| (i * 2, "shot")).collect();
    let mut s = duel("delay = 1\ngenerosity = { shot = 0.25 }", &forced);
    s.horizon = 805;
    let n = acts(&record(&s, 3, 0).2, 0).len() as f64;
    assert!((n - 300.0).abs() < 4.0 * 8.66, "answers {n}");
}

#[test]
fn spiral_fires_when_the_window_sum_reaches_the_threshold() {
    let text = format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n{}\n[outcomes.spiral]\nkind = \"spiral\"\nwindow = 3\nthreshold = 15\n",
        forced_b(&[(10, "strike"), (11, "strike"), (12, "strike"), (13, "strike")])
    );
    let s = scenario(&text);
    let (r, _, _) = record(&s, 1, 0);
    assert_eq!((r.outcome, r.end_step), (0, 12));
    // Spread out, the same strikes never fill a 3-step window.
    let text = format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n{}\n[outcomes.spiral]\nkind = \"spiral\"\nwindow = 3\nthreshold = 15\n",
        forced_b(&[(10, "strike"), (11, "strike"), (14, "strike"), (15, "strike")])
    );
    let s = scenario(&text);
    let (r, _, _) = record(&s, 1, 0);
    // Issue 20 item 8: the horizon outcome ends at the last simulated
    // step, 99 of 0..100, not at the horizon (a step never simulated).
    assert_eq!((r.outcome, r.end_step), (1, 99), "horizon outcome");
}

#[test]
fn outcomes_are_checked_in_declared_order() {
    // Both hold at step 12; the first declared wins.
    let f = forced_b(&[(10, "strike"), (11, "strike"), (12, "strike")]);
    for (first, second, want) in [("spiral", "deaths", "spiral"), ("deaths", "spiral", "deaths")] {
        let body = |k: &str| match k {
            "spiral" => "[outcomes.spiral]\nkind = \"spiral\"\nwindow = 3\nthreshold = 15\n",
            _ => "[outcomes.deaths]\nkind = \"deaths\"\nactor = \"a\"\nthreshold = 3\n",
        };
        let text = format!(
            "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n{f}{}{}",
            body(first),
            body(second)
        );
        let s = scenario_with(&text, &["ladder.strike.kill=1.0"]);
        let (r, _, _) = record(&s, 1, 0);
        assert_eq!(s.outcome_names()[r.outcome as usize], want);
        assert_eq!(r.end_step, 12);
    }
}

#[test]
fn driver_window_switches_the_rate() {
    let text = format!(
        "{BASE}\n[drivers.truce]\nstart = 20\nend = 30\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.initiative]\nrate = 5.0\n[dyads.b_a.initiative.drivers.truce]\nactive = 0.0\n"
    );
    let s = scenario(&text);
    let (_, row, rec) = record(&s, 9, 0);
    assert!(rec.events.iter().all(|(t, _)| !(20..30).contains(t)));
    assert!(rec.events.iter().any(|(t, _)| *t == 19) && rec.events.iter().any(|(t, _)| *t == 30));
    assert!(rec.drivers[19] == vec![false] && rec.drivers[20] == vec![true] && rec.drivers[30] == vec![false]);
    assert_eq!(metric(&s, &row, "driver_truce_end_step"), 30.0);
}

#[test]
fn driver_end_hazard_gives_a_geometric_duration() {
    // Active from step 0, ends at step T with P(T = t) = (1-h)^t h:
    // mean (1-h)/h = 19 for h = 0.05, sd sqrt(1-h)/h = 19.5;
    // 4000 trials: se 0.308; z = 4.
    let text = format!("{BASE}\n[drivers.war]\nend_hazard = 0.05\n");
    let s = scenario_with(&text, &["scenario.horizon=2000"]);
    let layout = brink::engine::MetricLayout::new(&s);
    let ends: Vec<f64> = (0..4000)
        .map(|i| metric(&s, &brink::runner::one(&s, &layout, 5, i).1, "driver_war_end_step"))
        .collect();
    let (m, se) = mean_se(&ends);
    assert!((m - 19.0).abs() < 4.0 * se.max(0.308), "mean {m} se {se}");
}

#[test]
fn execution_noise_moves_one_rung() {
    // Every raid (2) comes out as a shot (1) or a strike (3), evenly: the
    // dyad's repertoire (its response range) spans all three.
    let text = format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.initiative]\nrate = 1.0\nlevels = {{ raid = 1.0 }}\n[dyads.b_a.noise]\nexecution = 1.0\n[dyads.b_a.response]\nmin_level = \"shot\"\nmax_level = \"strike\"\n"
    );
    let s = scenario_with(&text, &["scenario.horizon=4000"]);
    let rec = record(&s, 2, 0).2;
    let n = rec.events.len() as f64;
    let up = rec.events.iter().filter(|(_, e)| e.level == 3).count() as f64;
    assert!(rec.events.iter().all(|(_, e)| e.level != 2));
    // Binomial(n, 1/2): se = sqrt(n)/2; z = 4.
    assert!((up - n / 2.0).abs() < 4.0 * n.sqrt() / 2.0, "{up} of {n}");
}

/// A self-exciting initiative's long-run mean rate is mu/(1 - alpha)
/// (Hawkes 1971): here 0.5/(1 - 0.4) = 0.8333 events per step. Started at
/// its stationary level (history = 0.8333). Per trial of T = 20000 steps
/// the mean rate has variance about lambda/(T(1-alpha)^2) (the cluster
/// representation), sd 0.0108; 24 trials, so we use the empirical
/// standard error across trials with z = 4.
#[test]
fn hawkes_mean_rate_is_mu_over_one_minus_branching_ratio() {
    let text = format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.initiative]\nrate = 0.5\nexcitation = 0.4\nkernel = 0.8\nhistory = 0.8333333333\n"
    );
    let s = scenario_with(&text, &["scenario.horizon=20000"]);
    let layout = brink::engine::MetricLayout::new(&s);
    let rates: Vec<f64> = (0..24)
        .map(|i| metric(&s, &brink::runner::one(&s, &layout, 42, i).1, "events_b_a") / 20000.0)
        .collect();
    let (m, se) = mean_se(&rates);
    let want = 0.5 / 0.6;
    assert!(se < 0.01, "se {se}");
    assert!((m - want).abs() < 4.0 * se, "mean rate {m}, want {want}, se {se}");
    // Without excitation the rate is mu.
    let plain = scenario_with(
        &text.replace("excitation = 0.4", "excitation = 0.0"),
        &["scenario.horizon=20000"],
    );
    let rates: Vec<f64> = (0..8)
        .map(|i| metric(&plain, &brink::runner::one(&plain, &layout, 42, i).1, "events_b_a") / 20000.0)
        .collect();
    let (m, se) = mean_se(&rates);
    assert!((m - 0.5).abs() < 4.0 * se.max(0.001), "{m}");
}

#[test]
fn deterrence_and_backlash_move_the_rate() {
    // b answers every raid by a with a strike (tft on the strike rung);
    // a's rate falls under deterrence (beta > 0) and rises under
    // backlash (beta < 0) relative to beta = 0, by far more than noise.
    let make = |beta: f64| {
        let text = format!(
            "{BASE}\n[dyads.a_b]\nfrom = \"a\"\nto = \"b\"\n[dyads.a_b.initiative]\nrate = 0.3\nlevels = {{ raid = 1.0 }}\nbeta = {beta}\nmemory = 0.8\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.response]\nrule = \"tft\"\nmin_level = \"strike\"\n"
        );
        let s = scenario_with(&text, &["scenario.horizon=3000"]);
        metric(&s, &record(&s, 4, 0).1, "events_a_b")
    };
    let (deter, none, provoke) = (make(0.2), make(0.0), make(-0.05));
    // Poisson counts around 900: sd about 30 (more with feedback).
    assert!(deter < none - 200.0, "{deter} vs {none}");
    assert!(provoke > none + 200.0, "{provoke} vs {none}");
}

#[test]
fn noise_stays_inside_the_actors_repertoire() {
    // b only ever raids or strikes: a shot (level 1, not in its
    // repertoire) can never come out of its noise.
    let text = format!(
        "{BASE}[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n[dyads.b_a.initiative]\nrate = 1.0\nlevels = {{ raid = 0.5, strike = 0.5 }}\n[dyads.b_a.noise]\nexecution = 0.5\nperception = 0.5\n"
    );
    let s = scenario_with(&text, &["scenario.horizon=2000"]);
    assert_eq!(s.dyads[0].repertoire, vec![2, 3]);
    let rec = record(&s, 2, 0).2;
    assert!(rec.events.len() > 1500);
    assert!(rec.events.iter().all(|(_, e)| e.level >= 2));
}

/// The step order is written once in code (`Phase::ORDER`); docs/model.md
/// states it. The numbered list under "The order of a step" must name the
/// same phases, by title, in the same order.
#[test]
fn model_md_states_the_step_order_the_engine_runs() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/model.md")).expect("docs/model.md");
    let section = text
        .split("## The order of a step")
        .nth(1)
        .expect("docs/model.md has a section \"The order of a step\"");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut listed = Vec::new();
    for line in section.lines() {
        let Some((num, rest)) = line.split_once(". **") else {
            continue;
        };
        let Ok(n) = num.trim().parse::<usize>() else { continue };
        let title = rest.split("**").next().expect("a bold title");
        listed.push((n, title.to_string()));
    }
    let expected: Vec<(usize, String)> = brink::engine::Phase::ORDER
        .iter()
        .enumerate()
        .map(|(i, p)| (i + 1, p.title().to_string()))
        .collect();
    assert_eq!(listed, expected, "docs/model.md's step list and Phase::ORDER disagree");
}

/// Each engine module opens with `//!` docs that cite at least one source
/// listed in docs/references.md.
#[test]
fn engine_modules_open_with_docs_and_a_citation() {
    let root = env!("CARGO_MANIFEST_DIR");
    let refs = std::fs::read_to_string(format!("{root}/docs/references.md")).expect("references");
    for m in ["events", "responses", "tracks", "pressure", "triggers", "outcomes"] {
        let text = std::fs::read_to_string(format!("{root}/src/engine/{m}.rs")).expect("module");
        let docs: String = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(docs.len() > 200, "src/engine/{m}.rs must open with //! docs");
        assert!(
            docs.contains("```text"),
            "src/engine/{m}.rs's docs must state its equation"
        );
        let cited = docs
            .split('[')
            .skip(1)
            .filter_map(|x| x.split(']').next())
            .flat_map(|x| x.split(';'))
            .map(str::trim)
            .filter(|k| refs.contains(&format!("**[{k}]**")))
            .count();
        assert!(cited > 0, "src/engine/{m}.rs cites no key of docs/references.md");
    }
}

/// Issue 20 item 8: `end_step` is the last step simulated. A trial that
/// reaches the horizon was observed at steps 0..horizon-1 and reports
/// horizon - 1; one that ends by an outcome reports the step it fired,
/// the last one observed.
#[test]
fn issue_20_end_step_is_the_last_simulated_step() {
    let s = scenario(&format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n{}",
        forced_b(&[(3, "shot")])
    ));
    let (r, _, rec) = record(&s, 1, 0);
    assert_eq!(r.outcome as usize, s.outcomes.len(), "horizon outcome");
    assert_eq!(rec.tracks.len(), 100, "steps observed");
    assert_eq!(r.end_step, 99);
    let text = format!(
        "{BASE}\n[dyads.b_a]\nfrom = \"b\"\nto = \"a\"\n{}\n[outcomes.spiral]\nkind = \"spiral\"\nwindow = 3\nthreshold = 15\n",
        forced_b(&[(10, "strike"), (11, "strike"), (12, "strike")])
    );
    let s = scenario(&text);
    let (r, _, rec) = record(&s, 1, 0);
    assert_eq!((r.outcome, r.end_step), (0, 12));
    assert_eq!(rec.tracks.len() as u32, r.end_step + 1, "steps observed");
}
