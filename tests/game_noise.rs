//! Noise in game mode is drawn as geometric gaps between flips (issue 18):
//! the flips must still be i.i.d. Bernoulli(p) per act and per reading.
//! Statistical checks use fixed seeds and a tolerance of `Z` = 4 standard
//! errors.

use brink::engine::game::play_moves;
use brink::model::Scenario;
use brink::rng::trial_rng;
use brink::scenario::parse_builtin;

const Z: f64 = 4.0;

fn game(row: &str, col: &str, extra: &[&str]) -> Scenario {
    let mut sets = vec![
        format!("actors.row.strategy={row}"),
        format!("actors.col.strategy={col}"),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    parse_builtin("ipd", &sets).expect("ipd scenario").scenario
}

#[test]
fn certain_noise_flips_every_act_and_none_flips_nothing() {
    // allc intends C every round: with noise 1 every act comes out D, with
    // noise 0 none does.
    let s = game("allc", "allc", &["game.noise=1", "game.rounds=50"]);
    assert!(play_moves(&s, &mut trial_rng(1, 0)).iter().all(|m| m[0] && m[1]));
    let s = game("allc", "allc", &["game.noise=0", "game.rounds=50"]);
    assert!(play_moves(&s, &mut trial_rng(1, 0)).iter().all(|m| !m[0] && !m[1]));
}

#[test]
fn flips_are_bernoulli_per_act_and_independent_of_the_next() {
    // allc vs allc: an act is D iff it was flipped. The flip rate is p, and
    // a flip is followed by a flip (the next act in the sequence) also with
    // probability p (no memory in the gaps).
    let p = 0.05;
    let s = game("allc", "allc", &["game.noise=0.05", "game.rounds=200"]);
    let (mut n, mut k, mut after, mut both) = (0u64, 0u64, 0u64, 0u64);
    for i in 0..2000 {
        let seq: Vec<bool> = play_moves(&s, &mut trial_rng(21, i))
            .iter()
            .flat_map(|m| [m[0], m[1]])
            .collect();
        n += seq.len() as u64;
        k += seq.iter().filter(|&&f| f).count() as u64;
        for w in seq.windows(2) {
            if w[0] {
                after += 1;
                both += u64::from(w[1]);
            }
        }
    }
    let check = |hits: u64, trials: u64, what: &str| {
        let rate = hits as f64 / trials as f64;
        let se = (p * (1.0 - p) / trials as f64).sqrt();
        assert!((rate - p).abs() <= Z * se, "{what}: {rate:.5} vs {p} ± {Z}·{se:.5}");
    };
    check(k, n, "flip rate");
    check(both, after, "flip rate right after a flip");
}

#[test]
fn perception_noise_is_bernoulli_per_reading() {
    // allc vs tft without execution noise: tft defects in round t + 1 iff
    // it misread allc's cooperation in round t.
    let p = 0.1;
    let s = game("allc", "tft", &["game.perception_noise=0.1", "game.rounds=100"]);
    let (mut n, mut k) = (0u64, 0u64);
    for i in 0..1000 {
        let m = play_moves(&s, &mut trial_rng(22, i));
        n += m.len() as u64 - 1;
        k += m[1..].iter().filter(|r| r[1]).count() as u64;
    }
    let rate = k as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (rate - p).abs() <= Z * se,
        "misreading rate {rate:.5} vs {p} ± {Z}·{se:.5}"
    );
}
