//! Parameter distributions (issue 14): samplers against their moments and
//! quantiles, value stability, the per-parameter streams, parsing of both
//! spellings and every error a bad distribution gets.
//!
//! Statistical checks use fixed seeds and a tolerance of z = 4 standard
//! errors (two-sided false alarm about 6e-5 per check).

use brink::dist::{Atom, Dist, DistError, Domain, Family, ParamKey, ParamSet, param_rng};
use brink::rng::{Poisson, trial_rng};
use rand::RngCore;

const Z: f64 = 4.0;
const N: usize = 200_000;

fn set(s: &str) -> Dist {
    Dist::parse_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn toml_dist(s: &str) -> Result<Dist, DistError> {
    let v: toml::Table = toml::from_str(&format!("x = {s}")).expect("test TOML parses");
    Dist::parse_toml(&v["x"])
}

/// The families exercised by the statistical tests, one or more forms each.
fn cases() -> Vec<Dist> {
    [
        "uniform:lower=2,upper=5",
        "normal:mean=1,sd=0.5",
        "normal:mean=0.3,sd=0.2,lower=0",
        "normal:p5=0.1,p95=0.5,lower=0,upper=0.4",
        "lognormal:median=1.5,p95=3",
        "lognormal:median=1.5,p95=3,upper=4",
        "lognormal:mean=2,sd=1",
        "beta:a=2,b=5",
        "beta:a=0.5,b=0.5",
        "beta:mean=0.2,sd=0.1",
        "gamma:shape=2.5,scale=0.4",
        "gamma:shape=0.3,rate=1",
        "gamma:mean=3,sd=2",
        "triangular:lower=0,mode=1,upper=4",
        "choice:1=0.2,2=0.5,5=0.3",
    ]
    .iter()
    .map(|s| set(s))
    .collect()
}

/// Sample mean and variance against the closed forms. The mean's standard
/// error is sqrt(σ²/n); the sample variance's is sqrt((μ4 - σ⁴)/n), μ4
/// estimated from the sample itself.
#[test]
fn samplers_reproduce_mean_and_variance() {
    for (i, d) in cases().iter().enumerate() {
        let mut rng = param_rng(2024, i as u64);
        let xs: Vec<f64> = (0..N).map(|_| d.sample(&mut rng)).collect();
        let n = N as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
        let (want_m, want_v) = (d.mean(), d.variance());
        let se_m = (want_v / n).sqrt();
        let se_v = ((m4 - var * var) / n).sqrt();
        assert!(
            (mean - want_m).abs() < Z * se_m,
            "{d}: mean {mean}, want {want_m} ± {}",
            Z * se_m
        );
        assert!(
            (var - want_v).abs() < Z * se_v,
            "{d}: variance {var}, want {want_v} ± {}",
            Z * se_v
        );
    }
}

/// The share of draws below each reported quantile is its level, within
/// z = 4 binomial standard errors; checks that sampler and quantile agree.
#[test]
fn samplers_match_their_quantiles() {
    for (i, d) in cases().iter().enumerate() {
        let mut rng = param_rng(77, i as u64);
        let xs: Vec<f64> = (0..N).map(|_| d.sample(&mut rng)).collect();
        for p in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let q = d.quantile(p);
            let below = xs.iter().filter(|&&x| x < q).count() as f64 / N as f64;
            let at_or_below = xs.iter().filter(|&&x| x <= q).count() as f64 / N as f64;
            let se = (p * (1.0 - p) / N as f64).sqrt();
            // For a discrete choice F jumps at q: p lies between F(q-) and F(q).
            assert!(
                below - Z * se <= p && p <= at_or_below + Z * se,
                "{d}: P(X < q{p}) = {below}, P(X <= q) = {at_or_below}"
            );
        }
    }
}

/// Quantile forms mean what they say, exactly.
#[test]
fn quantile_forms_hit_their_quantiles() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * b.abs().max(1.0);
    let d = set("lognormal:median=1.5,p95=3");
    assert!(
        close(d.median(), 1.5) && close(d.quantile(0.95), 3.0),
        "{:?}",
        d.summary()
    );
    let d = set("lognormal:p5=0.5,p95=4");
    assert!(close(d.quantile(0.05), 0.5) && close(d.quantile(0.95), 4.0));
    let d = set("normal:p5=0.2,p95=0.6");
    assert!(close(d.quantile(0.05), 0.2) && close(d.quantile(0.95), 0.6) && close(d.mean(), 0.4));
    let d = set("normal:median=10,p90=12");
    assert!(close(d.quantile(0.9), 12.0));
    let d = set("beta:mean=0.2,sd=0.1");
    assert!(close(d.mean(), 0.2) && close(d.variance(), 0.01));
    let d = set("gamma:mean=3,sd=2");
    assert!(close(d.mean(), 3.0) && close(d.variance(), 4.0));
    let d = set("lognormal:mean=2,sd=1");
    assert!(close(d.mean(), 2.0) && close(d.variance(), 1.0));
    let d = set("gamma:shape=4,mean=2");
    assert!(close(d.mean(), 2.0));
}

/// Quantiles without a closed form, against SciPy 1.17 (`beta.ppf`,
/// `gamma.ppf`, `truncnorm`), to 1e-10 relative.
#[test]
fn summaries_match_scipy() {
    let cases: [(&str, [f64; 3]); 5] = [
        (
            "beta:a=2,b=5",
            [
                0.062_849_891_708_354_38,
                0.264_449_983_295_660_05,
                0.581_803_409_252_025_9,
            ],
        ),
        (
            "beta:a=0.5,b=0.5",
            [0.006_155_829_702_431_136_5, 0.5, 0.993_844_170_297_568_9],
        ),
        (
            "gamma:shape=2.5,scale=0.4",
            [
                0.229_095_245_212_353_86,
                0.870_292_038_219_105_3,
                2.214_099_538_703_270_5,
            ],
        ),
        (
            "gamma:shape=0.3,rate=1",
            [
                3.211_034_699_722_965e-5,
                0.073_131_135_866_951_98,
                1.372_349_944_100_886,
            ],
        ),
        (
            "normal:mean=0.3,sd=0.2,lower=0",
            [
                0.058_340_933_099_794_406,
                0.316_765_697_311_311_66,
                0.635_628_503_854_736_8,
            ],
        ),
    ];
    for (s, want) in cases {
        let d = set(s);
        let got = [d.quantile(0.05), d.median(), d.quantile(0.95)];
        for (g, w) in got.iter().zip(want) {
            assert!(((g - w) / w).abs() < 1e-10, "{s}: {got:?} vs {want:?}");
        }
        let sm = d.summary();
        assert_eq!([sm.p5, sm.median, sm.p95], got);
    }
    let tn = set("normal:mean=0.3,sd=0.2,lower=0");
    assert!((tn.mean() - 0.327_757_950_091_770_17).abs() < 1e-12);
    assert!((tn.variance() - 0.030_902_111_179_171_75).abs() < 1e-12);
}

/// Pinned draws: a change here changes every run with uncertainty.
#[test]
fn value_stability() {
    let mut out = String::new();
    for d in cases() {
        let mut rng = param_rng(1, 0);
        let xs: Vec<String> = (0..3).map(|_| format!("{:.12}", d.sample(&mut rng))).collect();
        out.push_str(&format!("{d} {}\n", xs.join(" ")));
    }
    // Pinned on x86_64; brink's own ln, exp and Φ⁻¹ make them portable.
    let want = "\
uniform:lower=2,upper=5 3.779483124442 4.417186473131 3.427227127581
normal:mean=1,sd=0.5 1.117841980221 1.431131915537 0.969578818325
normal:mean=0.3,sd=0.2,lower=0 0.361275201808 0.482090119491 0.305398208356
normal:p5=0.1,p95=0.5,lower=0,upper=0.4 0.292095980970 0.344086657133 0.263362175935
lognormal:median=1.5,p95=3 1.656626273587 2.157232520251 1.462030056143
lognormal:median=1.5,p95=3,upper=4 1.646040421633 2.131172936137 1.454708052444
lognormal:mean=2,sd=1 1.999521627093 2.688254828289 1.738173145096
beta:a=2,b=5 0.304893830126 0.577068335800 0.154915784633
beta:a=0.5,b=0.5 0.188596337939 0.032681944386 0.092345903287
beta:mean=0.2,sd=0.1 0.211304773573 0.400686053427 0.121910639058
gamma:shape=2.5,scale=0.4 1.012971644496 0.831334958687 2.540741926754
gamma:shape=0.3,rate=1 0.102330571693 0.929192748584 0.008355961818
gamma:mean=3,sd=2 3.015762943729 2.444882846015 7.928239327490
triangular:lower=0,mode=1,upper=4 1.790459888974 2.473155506452 1.491795165926
choice:1=0.2,2=0.5,5=0.3 2.000000000000 5.000000000000 2.000000000000
";
    assert_eq!(
        out, want,
        "draws moved: every run with uncertainty changes; re-pin only on purpose"
    );
}

/// A Poisson count whose rate is Gamma(k, θ) is negative binomial: mean kθ,
/// variance kθ(1 + θ). n = 200,000; z = 4 with the variance's standard
/// error from the sample's fourth central moment.
#[test]
fn gamma_poisson_mixture_is_negative_binomial() {
    for (i, (k, theta)) in [(2.0, 1.5), (0.5, 4.0), (20.0, 0.8)].into_iter().enumerate() {
        let rate = Dist::gamma(k, theta).unwrap();
        let mut prng = param_rng(9, i as u64);
        let mut erng = trial_rng(9, i as u64);
        let xs: Vec<f64> = (0..N)
            .map(|_| f64::from(Poisson::new(rate.sample(&mut prng)).sample(&mut erng)))
            .collect();
        let n = N as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
        let (want_m, want_v) = (k * theta, k * theta * (1.0 + theta));
        assert!(
            (mean - want_m).abs() < Z * (want_v / n).sqrt(),
            "k={k} θ={theta}: mean {mean} vs {want_m}"
        );
        let se_v = ((m4 - var * var) / n).sqrt();
        assert!(
            (var - want_v).abs() < Z * se_v,
            "k={k} θ={theta}: variance {var} vs {want_v} ± {}",
            Z * se_v
        );
    }
}

#[test]
fn choice_among_ids_draws_in_proportion() {
    let d = toml_dist(r#"{ choice = { values = ["low", "high"], weights = [3, 1] } }"#).unwrap();
    let d = d.resolve_ids("level", &["none", "low", "mid", "high"]).unwrap();
    let mut rng = param_rng(5, 0);
    let mut counts = [0u32; 4];
    for _ in 0..N {
        counts[d.sample(&mut rng) as usize] += 1;
    }
    assert_eq!(counts[0] + counts[2], 0, "only listed ids are drawn");
    let p = f64::from(counts[1]) / N as f64;
    let se = (0.75 * 0.25 / N as f64).sqrt();
    assert!((p - 0.75).abs() < Z * se, "{counts:?}");
    assert_eq!(d.median(), 1.0, "the median follows the domain's order");
}

#[test]
fn parameter_stream_is_apart_from_the_event_stream() {
    let a: Vec<u64> = {
        let mut r = param_rng(42, 3);
        (0..8).map(|_| r.next_u64()).collect()
    };
    let b: Vec<u64> = {
        let mut r = trial_rng(42, 3);
        (0..8).map(|_| r.next_u64()).collect()
    };
    assert!(a.iter().zip(&b).all(|(x, y)| x != y));
    // Same seed and trial: same stream; another trial or seed: another.
    assert_eq!(param_rng(42, 3).next_u64(), a[0]);
    assert_ne!(param_rng(42, 4).next_u64(), a[0]);
    assert_ne!(param_rng(43, 3).next_u64(), a[0]);
    assert_eq!(ParamKey::new(42).rng(3).next_u64(), a[0]);
}

fn draws(set: &ParamSet, key: &ParamKey, trials: u64) -> Vec<Vec<f64>> {
    let mut out = vec![0.0; set.len()];
    (0..trials)
        .map(|t| {
            set.draw_trial(key, t, &mut out);
            out.clone()
        })
        .collect()
}

/// A parameter's draws depend only on (seed, trial, its path, its
/// distribution): not on which other parameters are uncertain, nor on
/// their order, nor on their distributions.
#[test]
fn draws_survive_edits_of_other_parameters() {
    let key = ParamKey::new(20240124);
    let b = (
        "dyads.kh_us.initiative.rate".to_string(),
        set("lognormal:median=1.5,p95=3"),
    );
    let a = ("actors.iraq.pressure.decay".to_string(), set("beta:a=20,b=1"));
    let c = ("tracks.hmc.progress.rate".to_string(), set("gamma:shape=2,rate=40"));
    let only_b = ParamSet::new(vec![b.clone()]).unwrap();
    let ab = ParamSet::new(vec![a.clone(), b.clone()]).unwrap();
    let cba = ParamSet::new(vec![c.clone(), b.clone(), a.clone()]).unwrap();
    let a2 = (
        "actors.iraq.pressure.decay".to_string(),
        set("uniform:lower=0.9,upper=1"),
    );
    let a2b = ParamSet::new(vec![a2, b.clone()]).unwrap();
    let d1 = draws(&only_b, &key, 200);
    let d2 = draws(&ab, &key, 200);
    let d3 = draws(&cba, &key, 200);
    let d4 = draws(&a2b, &key, 200);
    for t in 0..200 {
        assert_eq!(d1[t][0], d2[t][1], "trial {t}");
        assert_eq!(d1[t][0], d3[t][1], "trial {t}");
        assert_eq!(d1[t][0], d4[t][1], "trial {t}");
        assert_eq!(d2[t][0], d3[t][2], "trial {t}");
    }
    // Trials differ from one another.
    assert!(d1.windows(2).all(|w| w[0][0] != w[1][0]));
    // The same path under another name is another stream.
    let renamed = ParamSet::new(vec![("dyads.kh_us.initiative.rate2".into(), b.1.clone())]).unwrap();
    assert_ne!(draws(&renamed, &key, 1)[0][0], d1[0][0]);
}

/// Inversion keeps common random numbers through an edit of the
/// distribution itself: shifting a normal's mean shifts every trial's
/// draw by exactly that much.
#[test]
fn shifting_a_distribution_shifts_each_draw() {
    let key = ParamKey::new(1);
    let p = |s: &str| ParamSet::new(vec![("x".into(), set(s))]).unwrap();
    let d1 = draws(&p("normal:mean=1,sd=0.5"), &key, 500);
    let d2 = draws(&p("normal:mean=1.25,sd=0.5"), &key, 500);
    for (x, y) in d1.iter().zip(&d2) {
        assert!((y[0] - x[0] - 0.25).abs() < 1e-12);
    }
}

#[test]
fn param_set_refuses_a_path_twice_and_gives_medians() {
    let e = ParamSet::new(vec![
        ("a.b".into(), set("uniform:lower=0,upper=1")),
        ("a.b".into(), set("point:3")),
    ]);
    assert!(e.unwrap_err().to_string().contains("`a.b` is given two distributions"));
    let s = ParamSet::new(vec![
        ("x".into(), set("lognormal:median=1.5,p95=3")),
        ("y".into(), set("point:7")),
        ("z".into(), set("choice:1,2,3")),
    ])
    .unwrap();
    let m = s.medians();
    assert!((m[0] - 1.5).abs() < 1e-12 && m[1] == 7.0 && m[2] == 2.0);
    let mut out = vec![0.0; 3];
    s.draw_trial(&ParamKey::new(3), 0, &mut out);
    assert_eq!(out[1], 7.0, "a point draws its value");
}

#[test]
fn toml_and_set_spellings_agree_and_round_trip() {
    let pairs = [
        (
            "{ lognormal = { median = 1.5, p95 = 3.0 } }",
            "lognormal:median=1.5,p95=3",
        ),
        (
            "{ normal = { mean = 0.4, sd = 0.1, lower = 0, upper = 1 } }",
            "normal:mean=0.4,sd=0.1,lower=0,upper=1",
        ),
        ("{ beta = { a = 3, b = 147 } }", "beta:a=3,b=147"),
        ("{ gamma = { shape = 2, rate = 4 } }", "gamma:shape=2,rate=4"),
        (
            "{ triangular = { lower = 0, mode = 1, upper = 3 } }",
            "triangular:lower=0,mode=1,upper=3",
        ),
        ("{ uniform = { lower = 40, upper = 60 } }", "uniform:lower=40,upper=60"),
        ("{ choice = [30, 40, 50] }", "choice:30,40,50"),
        (
            "{ choice = { values = [30, 40], weights = [1, 3] } }",
            "choice:30=1,40=3",
        ),
        (r#"{ choice = ["low", "high"] }"#, "choice:low,high"),
        ("{ point = 0.5 }", "point:0.5"),
    ];
    for (t, s) in pairs {
        let a = toml_dist(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        let b = set(s);
        assert_eq!(format!("{:?}", a.summary()), format!("{:?}", b.summary()), "{t} vs {s}");
        assert_eq!(a.family(), b.family());
        // Display is the --set spelling, which reads back to the same thing.
        assert_eq!(Dist::parse_str(&b.to_string()).unwrap(), b, "{s}");
        assert_eq!(b.to_string(), s);
    }
    // A plain value is a point.
    assert_eq!(toml_dist("0.25").unwrap().family(), Family::Point);
    assert_eq!(toml_dist("3").unwrap().atoms().unwrap(), &[Atom::Int(3)]);
    let v: toml::Table = toml::from_str("x = { normall = { mean = 1 } }\ny = { actors = 1, b = 2 }").unwrap();
    assert!(brink::dist::toml_is_dist(&v["x"]));
    assert!(!brink::dist::toml_is_dist(&v["y"]));
}

fn err_toml(t: &str) -> String {
    toml_dist(t).unwrap_err().to_string()
}

fn err_set(s: &str) -> String {
    Dist::parse_str(s).unwrap_err().to_string()
}

#[test]
fn bad_distributions_get_clear_errors() {
    // Unknown family, with a did-you-mean.
    assert_eq!(
        err_toml("{ lognormall = { median = 1 } }"),
        "unknown distribution family `lognormall`; did you mean `lognormal`?"
    );
    assert_eq!(
        err_set("gama:shape=1,rate=2"),
        "unknown distribution family `gama`; did you mean `gamma`?"
    );
    // Unknown key, with a did-you-mean.
    assert_eq!(
        err_set("normal:mean=1,sdev=2"),
        "normal takes no key `sdev`; did you mean `sd`?"
    );
    // Negative scale.
    assert_eq!(
        err_set("normal:mean=1,sd=-2"),
        "normal.sd must be positive (a scale or shape); found -2"
    );
    assert_eq!(
        err_set("gamma:shape=0,rate=2"),
        "gamma.shape must be positive (a scale or shape); found 0"
    );
    assert_eq!(
        err_toml("{ beta = { a = -1, b = 2 } }"),
        "beta.a must be positive (a scale or shape); found -1"
    );
    // Bounds in the wrong order.
    assert_eq!(
        err_set("uniform:lower=5,upper=2"),
        "uniform: lower = 5 must be below upper = 2"
    );
    assert_eq!(
        err_set("normal:mean=0.4,sd=0.1,lower=1,upper=0"),
        "normal: lower = 1 must be below upper = 0"
    );
    assert_eq!(
        err_set("triangular:lower=0,mode=5,upper=4"),
        "triangular: mode = 5 must be below upper = 4"
    );
    // Bad quantiles.
    assert_eq!(
        err_set("normal:p5=0.6,p95=0.2"),
        "normal: p5 = 0.6 must be below p95 = 0.2: a higher quantile is a larger value"
    );
    assert_eq!(
        err_set("lognormal:median=0,p95=3"),
        "lognormal: median = 0 must be positive: a lognormal takes only positive values"
    );
    assert!(err_set("beta:mean=0.5,sd=0.6").contains("too wide"));
    // Incomplete or mixed forms.
    assert_eq!(
        err_set("gamma:shape=2"),
        "gamma needs shape and rate, shape and scale, shape and mean, or mean and sd; found shape"
    );
    assert!(err_set("normal:mean=1,sd=1,p95=3").starts_with("normal needs"));
    // Choices.
    assert!(err_toml(r#"{ choice = [1, "low"] }"#).contains("mix numbers and ids"));
    assert!(err_toml("{ choice = { values = [1, 2], weights = [1] } }").contains("2 values but 1 weights"));
    assert!(err_toml("{ choice = [] }").contains("no values"));
    assert!(err_set("choice:1=0,2=0").contains("sum to zero"));
    // Not a number.
    assert_eq!(
        err_toml(r#"{ normal = { mean = "a", sd = 1 } }"#),
        "normal.mean must be a finite number; found the string \"a\""
    );
    assert!(err_toml("{ normal = { mean = 1, sd = 1 }, beta = { a = 1, b = 1 } }").contains("exactly one family"));
}

#[test]
fn set_syntax_errors() {
    assert_eq!(
        err_set("lognormal(1.5, 3)"),
        "cannot read `lognormal(1.5, 3)` as a distribution: `(` is not allowed; use only letters, digits and _ . - + : = ,"
    );
    assert!(err_set("normal:mean=1, sd=2").contains("` ` is not allowed"));
    assert!(err_set("normal:mean=1,,sd=2").contains("empty item"));
    assert!(err_set("normal:mean").contains("`mean` is not KEY=VALUE"));
    assert!(err_set("normal:mean=x,sd=1").contains("`x` is not a finite number"));
    assert!(err_set("normal:").contains("nothing after `normal:`"));
    assert!(err_set("choice:a=1,b").contains("give every value a weight"));
    assert!(err_set("normal:mean=nan,sd=1").contains("`nan` is not a finite number"));
}

fn support_err(s: &str, d: &Domain) -> String {
    set(s).check_support(d).unwrap_err().to_string()
}

#[test]
fn support_is_checked_against_the_domain() {
    let ok = |s: &str, d: &Domain| set(s).check_support(d).unwrap_or_else(|e| panic!("{s}: {e}"));
    ok("beta:a=2,b=5", &Domain::Probability);
    ok("normal:mean=0.3,sd=0.1,lower=0,upper=1", &Domain::Probability);
    ok("uniform:lower=0,upper=1", &Domain::Probability);
    ok("lognormal:median=0.1,p95=0.3,upper=1", &Domain::Probability);
    ok("gamma:shape=2,rate=4", &Domain::NonNegative);
    ok("gamma:shape=2,rate=4", &Domain::Positive);
    ok("lognormal:median=1.5,p95=3", &Domain::Positive);
    ok("normal:mean=0.3,sd=0.2,lower=0", &Domain::NonNegative);
    ok("choice:30,40,50", &Domain::count());
    ok(
        "triangular:lower=0.9,mode=0.98,upper=1",
        &Domain::Interval { lo: 0.0, hi: 1.0 },
    );
    assert_eq!(
        support_err("normal:mean=0.3,sd=0.1", &Domain::Probability),
        "a probability in [0, 1] expected, but normal:mean=0.3,sd=0.1 can draw values below 0 (its support is (-∞, ∞))"
    );
    assert_eq!(
        support_err("uniform:lower=0.5,upper=1.5", &Domain::Probability),
        "a probability in [0, 1] expected, but uniform:lower=0.5,upper=1.5 can draw values above 1 (its support is [0.5, 1.5])"
    );
    assert!(support_err("normal:mean=2,sd=1", &Domain::NonNegative).contains("values below 0"));
    assert!(support_err("gamma:shape=2,rate=1", &Domain::Probability).contains("values above 1"));
    assert!(support_err("uniform:lower=0,upper=2", &Domain::Positive).contains("values below 0"));
    // Continuous where only a whole number makes sense.
    assert_eq!(
        support_err("uniform:lower=30,upper=60", &Domain::count()),
        "a whole number ≥ 0 expected, but uniform:lower=30,upper=60 is continuous"
    );
    assert!(support_err("choice:1,2.5", &Domain::count()).contains("2.5, which is not a whole number"));
    assert!(support_err("choice:-1,2", &Domain::count()).contains("values below 0"));
    // Ids.
    let levels = Domain::Id {
        what: "level".into(),
        known: vec!["none".into(), "harass".into(), "attack".into()],
    };
    ok("choice:harass,attack", &levels);
    assert_eq!(
        support_err("choice:harass,atack", &levels),
        "unknown level `atack` in choice:harass,atack; did you mean `attack`?"
    );
    assert_eq!(
        support_err("normal:mean=1,sd=1", &levels),
        "a level (none, harass, attack) expected, but normal:mean=1,sd=1 is continuous"
    );
    assert!(support_err("choice:1,2", &levels).contains("lists the number 1"));
    assert!(support_err("choice:low,high", &Domain::Probability).contains("lists ids, not numbers"));
}

mod hostile {
    //! Mangled distributions: an error or a usable distribution, never a
    //! panic; and whatever parses draws inside its own support.
    use super::*;
    use proptest::prelude::*;

    fn num() -> impl Strategy<Value = f64> {
        prop_oneof![
            -10.0..10.0f64,
            Just(0.0),
            Just(1.0),
            Just(-1.0),
            Just(1e-300),
            Just(1e300),
            Just(-1e300),
            Just(5e-324),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, rng_seed: proptest::test_runner::RngSeed::Fixed(14), ..ProptestConfig::default() })]

        #[test]
        fn set_text_never_panics(s in "[a-z]{0,10}:?[a-z0-9=,.+_-]{0,30}") {
            let _ = Dist::parse_str(&s);
        }

        #[test]
        fn toml_text_never_panics(s in "\\{ ?[a-z]{1,10} = \\{ ?([a-z0-9]{1,6} = -?[0-9.e]{1,6},? ?){0,4}\\} ?\\}") {
            if let Ok(t) = toml::from_str::<toml::Table>(&format!("x = {s}")) {
                let _ = Dist::parse_toml(&t["x"]);
            }
        }

        #[test]
        fn whatever_parses_summarises_and_draws_in_its_support(
            fam in 0usize..7, a in num(), b in num(), c in num(), d in num(), seed in 0u64..1000,
        ) {
            let text = match fam {
                0 => format!("uniform:lower={a},upper={b}"),
                1 => format!("normal:mean={a},sd={b},lower={c},upper={d}"),
                2 => format!("lognormal:p5={a},p95={b},upper={c}"),
                3 => format!("beta:a={a},b={b}"),
                4 => format!("gamma:shape={a},rate={b}"),
                5 => format!("triangular:lower={a},mode={b},upper={c}"),
                _ => format!("choice:{a}={b},{c}={d}"),
            };
            if let Ok(dist) = Dist::parse_str(&text) {
                let s = dist.summary();
                prop_assert!(!(s.p5 > s.median || s.median > s.p95), "{text}: {s:?}");
                let mut rng = param_rng(seed, 0);
                let (lo, hi) = (dist.quantile(0.0), dist.quantile(1.0));
                for _ in 0..50 {
                    let x = dist.sample(&mut rng);
                    prop_assert!(!x.is_nan(), "{text}");
                    if matches!(dist.family(), Family::Uniform | Family::Triangular | Family::Beta | Family::Normal) {
                        prop_assert!(x >= lo && x <= hi, "{text}: {x} outside [{lo}, {hi}]");
                    }
                }
            }
        }
    }
}
