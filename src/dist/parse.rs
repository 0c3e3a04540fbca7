//! Reading a distribution: from its TOML form (`{ lognormal = { median =
//! 1.5, p95 = 3.0 } }`, a one-key table naming the family) and from its
//! `--set` form (`lognormal:median=1.5,p95=3`), which needs no shell
//! quoting: only letters, digits, `_ . - + : = ,`.
//!
//! Both spellings go through one table of keys per family, so they accept
//! exactly the same forms and give the same errors.

use super::error::closest;
use super::{Atom, Dist, DistError, Family, fmt_num};
use crate::dist::num::{ln, norm_quantile};

/// Keys each continuous family takes (`pNN` stands for any quantile key).
fn allowed(f: Family) -> &'static [&'static str] {
    match f {
        Family::Uniform => &["lower", "upper"],
        Family::Normal => &["mean", "sd", "median", "pNN", "lower", "upper"],
        Family::LogNormal => &["median", "pNN", "mean", "sd", "meanlog", "sdlog", "lower", "upper"],
        Family::Beta => &["a", "b", "mean", "sd"],
        Family::Gamma => &["shape", "rate", "scale", "mean", "sd"],
        Family::Triangular => &["lower", "mode", "upper"],
        Family::Choice => &["values", "weights"],
        Family::Point => &[],
    }
}

fn forms(f: Family) -> &'static str {
    match f {
        Family::Uniform => "lower and upper",
        Family::Normal => {
            "mean (or median) and sd, or two quantiles (e.g. p5 and p95, or median and p90); optional lower, upper"
        }
        Family::LogNormal => {
            "two quantiles (e.g. median and p95, or p5 and p95), or mean and sd, or meanlog and sdlog; optional lower, upper"
        }
        Family::Beta => "a and b, or mean and sd",
        Family::Gamma => "shape and rate, shape and scale, shape and mean, or mean and sd",
        Family::Triangular => "lower, mode and upper",
        Family::Choice => "values, optionally weights",
        Family::Point => "a value",
    }
}

fn allowed_text(f: Family) -> &'static str {
    match f {
        Family::Uniform => "lower, upper",
        Family::Normal => "mean, sd, median, pNN (a quantile, e.g. p5, p95), lower, upper",
        Family::LogNormal => "median, pNN (a quantile, e.g. p5, p95), mean, sd, meanlog, sdlog, lower, upper",
        Family::Beta => "a, b, mean, sd",
        Family::Gamma => "shape, rate, scale, mean, sd",
        Family::Triangular => "lower, mode, upper",
        Family::Choice => "values, weights",
        Family::Point => "",
    }
}

/// The level of a quantile key: `median` is 0.5, `pNN` is NN/100 for
/// 0 < NN < 100 (`p2.5` in `--set`, `"p2.5"` quoted in TOML).
fn quantile_level(key: &str) -> Option<f64> {
    if key == "median" {
        return Some(0.5);
    }
    let rest = key.strip_prefix('p')?;
    if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = rest.parse().ok()?;
    (v > 0.0 && v < 100.0).then_some(v / 100.0)
}

fn unknown_family(found: &str) -> DistError {
    DistError::UnknownFamily {
        found: found.into(),
        suggestion: closest(found, Family::ALL.iter().map(|f| f.name())),
    }
}

fn family(name: &str) -> Result<Family, DistError> {
    Family::from_name(name).ok_or_else(|| unknown_family(name))
}

/// Builds a continuous family from its `(key, value)` pairs, in the order
/// written.
fn build(f: Family, params: &[(String, f64)]) -> Result<Dist, DistError> {
    check_keys(f, params)?;
    let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
    let has = |k: &str| get(k).is_some();
    let found = || {
        let keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        if keys.is_empty() {
            "no keys".to_string()
        } else {
            keys.join(", ")
        }
    };
    let bad_form = || DistError::BadForm {
        family: f.name(),
        expected: forms(f),
        found: found(),
    };
    // Keys other than the bounds, for choosing the form.
    let shape_keys: Vec<&str> = params
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !(matches!(f, Family::Normal | Family::LogNormal) && (*k == "lower" || *k == "upper")))
        .collect();
    let is = |want: &[&str]| shape_keys.len() == want.len() && want.iter().all(|k| shape_keys.contains(k));
    let quantiles: Vec<(f64, f64, &str)> = params
        .iter()
        .filter_map(|(k, v)| quantile_level(k).map(|l| (l, *v, k.as_str())))
        .collect();
    let req = |k: &str| get(k).expect("form checked");
    let text = {
        let body: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", fmt_num(*v))).collect();
        format!("{}:{}", f.name(), body.join(","))
    };
    check_finite(f, params)?;
    let dist = match f {
        Family::Uniform => {
            if !is(&["lower", "upper"]) {
                return Err(bad_form());
            }
            Dist::uniform(req("lower"), req("upper"))?
        }
        Family::Triangular => {
            if !is(&["lower", "mode", "upper"]) {
                return Err(bad_form());
            }
            Dist::triangular(req("lower"), req("mode"), req("upper"))?
        }
        Family::Beta => {
            if is(&["a", "b"]) {
                Dist::beta(req("a"), req("b"))?
            } else if is(&["mean", "sd"]) {
                beta_mean_sd(f, req("mean"), req("sd"))?
            } else {
                return Err(bad_form());
            }
        }
        Family::Gamma => build_gamma(f, is, req, bad_form)?,
        Family::Normal => {
            let (lo, hi) = (get("lower"), get("upper"));
            if has("sd") {
                let loc = match (get("mean"), get("median")) {
                    (Some(m), None) | (None, Some(m)) if shape_keys.len() == 2 => m,
                    _ => return Err(bad_form()),
                };
                Dist::normal(loc, req("sd"), lo, hi)?
            } else {
                // Two quantiles; the mean of a normal is its median.
                let mut q = quantiles.clone();
                if let Some(m) = get("mean") {
                    q.push((0.5, m, "mean"));
                }
                if q.len() != 2 || shape_keys.len() != 2 {
                    return Err(bad_form());
                }
                let (mu, sigma) = two_quantiles(f, &q, false)?;
                Dist::normal(mu, sigma, lo, hi)?
            }
        }
        Family::LogNormal => {
            let (lo, hi) = (get("lower"), get("upper"));
            if is(&["meanlog", "sdlog"]) {
                Dist::lognormal(req("meanlog"), req("sdlog"), lo, hi)?
            } else if is(&["mean", "sd"]) {
                let m = positive(f, "mean", req("mean"))?;
                let s = positive(f, "sd", req("sd"))?;
                let s2 = ln(1.0 + s * s / (m * m));
                Dist::lognormal(ln(m) - 0.5 * s2, s2.sqrt(), lo, hi)?
            } else if quantiles.len() == 2 && shape_keys.len() == 2 {
                let (mu, sigma) = two_quantiles(f, &quantiles, true)?;
                Dist::lognormal(mu, sigma, lo, hi)?
            } else {
                return Err(bad_form());
            }
        }
        Family::Choice | Family::Point => unreachable!("discrete families are built elsewhere"),
    };
    Ok(dist.written_as(text))
}

/// Checks that every key is one family `f` takes and that none is given
/// twice, in the order written.
fn check_keys(f: Family, params: &[(String, f64)]) -> Result<(), DistError> {
    for (i, (k, _)) in params.iter().enumerate() {
        let ok = allowed(f).contains(&k.as_str()) || (allowed(f).contains(&"pNN") && quantile_level(k).is_some());
        if !ok {
            let keys = allowed(f).iter().copied().filter(|k| *k != "pNN");
            return Err(DistError::UnknownKey {
                family: f.name(),
                found: k.clone(),
                suggestion: closest(k, keys),
                expected: allowed_text(f),
            });
        }
        if params[..i].iter().any(|(k2, _)| k2 == k) {
            return Err(DistError::BadForm {
                family: f.name(),
                expected: forms(f),
                found: format!("`{k}` twice"),
            });
        }
    }
    Ok(())
}

/// A beta with mean `m` and standard deviation `s`, checking that the
/// mean lies in (0, 1) and the sd is positive and not too wide.
fn beta_mean_sd(f: Family, m: f64, s: f64) -> Result<Dist, DistError> {
    if !(m > 0.0 && m < 1.0) {
        return Err(DistError::BadQuantiles {
            family: f.name(),
            message: format!("mean = {} must lie strictly between 0 and 1", fmt_num(m)),
        });
    }
    positive(f, "sd", s)?;
    let k = m * (1.0 - m) / (s * s) - 1.0;
    if k <= 0.0 {
        return Err(DistError::BadQuantiles {
            family: f.name(),
            message: format!(
                "sd = {} is too wide for mean = {}: a beta's sd is below sqrt(mean·(1-mean)) = {:.4}",
                fmt_num(s),
                fmt_num(m),
                (m * (1.0 - m)).sqrt()
            ),
        });
    }
    Dist::beta(m * k, (1.0 - m) * k)
}

/// Checks that every value is a finite number.
fn check_finite(f: Family, params: &[(String, f64)]) -> Result<(), DistError> {
    for (k, v) in params {
        if !v.is_finite() {
            return Err(DistError::NotANumber {
                family: f.name(),
                key: k.clone(),
                found: fmt_num(*v),
            });
        }
    }
    Ok(())
}

/// A gamma from whichever form its keys take (`shape` with `rate`,
/// `scale` or `mean`; or `mean` with `sd`): `is` tests the form, `req`
/// reads a key, `bad_form` is the error for any other form.
fn build_gamma(
    f: Family,
    is: impl Fn(&[&str]) -> bool,
    req: impl Fn(&str) -> f64,
    bad_form: impl Fn() -> DistError,
) -> Result<Dist, DistError> {
    if is(&["shape", "rate"]) {
        let rate = positive(f, "rate", req("rate"))?;
        Dist::gamma(req("shape"), 1.0 / rate)
    } else if is(&["shape", "scale"]) {
        Dist::gamma(req("shape"), req("scale"))
    } else if is(&["shape", "mean"]) {
        let shape = positive(f, "shape", req("shape"))?;
        let mean = positive(f, "mean", req("mean"))?;
        Dist::gamma(shape, mean / shape)
    } else if is(&["mean", "sd"]) {
        let m = positive(f, "mean", req("mean"))?;
        let s = positive(f, "sd", req("sd"))?;
        Dist::gamma(m * m / (s * s), s * s / m)
    } else {
        Err(bad_form())
    }
}

fn positive(f: Family, key: &str, x: f64) -> Result<f64, DistError> {
    if x > 0.0 {
        Ok(x)
    } else {
        Err(DistError::NonPositive {
            family: f.name(),
            key: key.into(),
            value: x,
        })
    }
}

/// (μ, σ) of the normal (of `ln x` when `log`) through two quantiles.
fn two_quantiles(f: Family, q: &[(f64, f64, &str)], log: bool) -> Result<(f64, f64), DistError> {
    let mut q = q.to_vec();
    q.sort_by(|a, b| a.0.total_cmp(&b.0));
    let ((l1, v1, k1), (l2, v2, k2)) = (q[0], q[1]);
    if l1 == l2 {
        return Err(DistError::BadQuantiles {
            family: f.name(),
            message: format!("`{k1}` and `{k2}` are the same quantile; give two different ones"),
        });
    }
    if log {
        for (v, k) in [(v1, k1), (v2, k2)] {
            if v <= 0.0 {
                return Err(DistError::BadQuantiles {
                    family: f.name(),
                    message: format!(
                        "{k} = {} must be positive: a lognormal takes only positive values",
                        fmt_num(v)
                    ),
                });
            }
        }
    }
    if v1 >= v2 {
        return Err(DistError::BadQuantiles {
            family: f.name(),
            message: format!(
                "{k1} = {} must be below {k2} = {}: a higher quantile is a larger value",
                fmt_num(v1),
                fmt_num(v2)
            ),
        });
    }
    let (x1, x2) = if log { (ln(v1), ln(v2)) } else { (v1, v2) };
    let (z1, z2) = (norm_quantile(l1), norm_quantile(l2));
    let sigma = (x2 - x1) / (z2 - z1);
    Ok((x1 - sigma * z1, sigma))
}

fn toml_type(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string \"{s}\""),
        toml::Value::Integer(i) => format!("the integer {i}"),
        toml::Value::Float(x) => format!("the number {x}"),
        toml::Value::Boolean(b) => format!("the boolean {b}"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "an array".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

fn toml_atom(f: Family, key: &str, v: &toml::Value) -> Result<Atom, DistError> {
    match v {
        toml::Value::Integer(i) => Ok(Atom::Int(*i)),
        toml::Value::Float(x) if x.is_finite() => Ok(Atom::Real(*x)),
        toml::Value::String(s) => Ok(Atom::Id(s.clone())),
        other => Err(DistError::NotANumber {
            family: f.name(),
            key: key.into(),
            found: toml_type(other),
        }),
    }
}

fn toml_number(f: Family, key: &str, v: &toml::Value) -> Result<f64, DistError> {
    match v {
        toml::Value::Integer(i) => Ok(*i as f64),
        toml::Value::Float(x) => Ok(*x),
        other => Err(DistError::NotANumber {
            family: f.name(),
            key: key.into(),
            found: toml_type(other),
        }),
    }
}

/// Whether a TOML value is written as a distribution (a one-key table whose
/// key is a family name, or close enough to one to be a typo of it), rather
/// than as a plain value or an ordinary table.
pub fn toml_is_dist(v: &toml::Value) -> bool {
    match v {
        toml::Value::Table(t) if t.len() == 1 => {
            let k = t.keys().next().expect("one key");
            Family::from_name(k).is_some() || closest(k, Family::ALL.iter().map(|f| f.name())).is_some()
        }
        _ => false,
    }
}

/// Whether `--set` text is written as a distribution: `word:...` with a
/// word of letters (a family name, or a typo of one).
pub fn str_is_dist(s: &str) -> bool {
    match s.split_once(':') {
        Some((fam, _)) => !fam.is_empty() && fam.chars().all(|c| c.is_ascii_alphabetic()),
        None => false,
    }
}

impl Dist {
    /// Reads the TOML form. A number or string is a point; a one-key table
    /// names the family: `{ normal = { mean = 0.4, sd = 0.1 } }`,
    /// `{ choice = [1, 2, 3] }`, `{ choice = { values = ["low", "high"],
    /// weights = [3, 1] } }`, `{ point = 0.5 }`.
    pub fn parse_toml(v: &toml::Value) -> Result<Dist, DistError> {
        let t = match v {
            toml::Value::Integer(i) => return Ok(Dist::point(Atom::Int(*i))),
            toml::Value::Float(x) if x.is_finite() => return Ok(Dist::point(Atom::Real(*x))),
            toml::Value::String(s) => return Ok(Dist::point(Atom::Id(s.clone()))),
            toml::Value::Table(t) => t,
            other => {
                return Err(DistError::BadForm {
                    family: "distribution",
                    expected: "a number, or a table naming one family, e.g. { lognormal = { median = 1.5, p95 = 3.0 } }",
                    found: toml_type(other),
                });
            }
        };
        if t.len() != 1 {
            let keys: Vec<&str> = t.keys().map(String::as_str).collect();
            if let Some(k) = keys.iter().find(|k| Family::from_name(k).is_none()) {
                return Err(unknown_family(k));
            }
            return Err(DistError::BadForm {
                family: "distribution",
                expected: "exactly one family per value, e.g. { lognormal = { median = 1.5, p95 = 3.0 } }",
                found: if keys.is_empty() {
                    "an empty table".into()
                } else {
                    keys.join(", ")
                },
            });
        }
        let (name, body) = t.iter().next().expect("one key");
        let f = family(name)?;
        match f {
            Family::Point => {
                let a = toml_atom(f, "point", body)?;
                Ok(Dist::point(a))
            }
            Family::Choice => {
                let (values, weights) = match body {
                    toml::Value::Array(a) => (a.as_slice(), None),
                    toml::Value::Table(tt) => {
                        for k in tt.keys() {
                            if k != "values" && k != "weights" {
                                return Err(DistError::UnknownKey {
                                    family: f.name(),
                                    found: k.clone(),
                                    suggestion: closest(k, ["values", "weights"]),
                                    expected: allowed_text(f),
                                });
                            }
                        }
                        let values = match tt.get("values") {
                            Some(toml::Value::Array(a)) => a.as_slice(),
                            Some(other) => {
                                return Err(DistError::BadChoice {
                                    message: format!("values must be an array; found {}", toml_type(other)),
                                });
                            }
                            None => {
                                return Err(DistError::BadForm {
                                    family: f.name(),
                                    expected: forms(f),
                                    found: "weights without values".into(),
                                });
                            }
                        };
                        let weights = match tt.get("weights") {
                            None => None,
                            Some(toml::Value::Array(w)) => Some(
                                w.iter()
                                    .map(|x| toml_number(f, "weights", x))
                                    .collect::<Result<Vec<_>, _>>()?,
                            ),
                            Some(other) => {
                                return Err(DistError::BadChoice {
                                    message: format!("weights must be an array of numbers; found {}", toml_type(other)),
                                });
                            }
                        };
                        (values, weights)
                    }
                    other => {
                        return Err(DistError::BadChoice {
                            message: format!(
                                "expected an array of values or {{ values = [...], weights = [...] }}; found {}",
                                toml_type(other)
                            ),
                        });
                    }
                };
                let atoms = values
                    .iter()
                    .map(|x| toml_atom(f, "values", x))
                    .collect::<Result<Vec<_>, _>>()?;
                Dist::choice(atoms, weights)
            }
            _ => {
                let toml::Value::Table(params) = body else {
                    return Err(DistError::BadForm {
                        family: f.name(),
                        expected: forms(f),
                        found: toml_type(body),
                    });
                };
                let params = params
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), toml_number(f, k, v)?)))
                    .collect::<Result<Vec<_>, DistError>>()?;
                build(f, &params)
            }
        }
    }

    /// Reads the `--set` form `FAMILY:KEY=VALUE,...`: `normal:p5=0.2,p95=0.6`,
    /// `gamma:shape=2,rate=4`, `choice:low,mid,high`,
    /// `choice:1=0.2,2=0.5,3=0.3` (value=weight), `point:0.5`.
    pub fn parse_str(s: &str) -> Result<Dist, DistError> {
        let syntax = |message: String| DistError::Syntax {
            found: s.into(),
            message,
        };
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "_.-+:=,".contains(*c)))
        {
            return Err(syntax(format!(
                "`{c}` is not allowed; use only letters, digits and _ . - + : = ,"
            )));
        }
        let Some((name, body)) = s.split_once(':') else {
            return Err(syntax("no `:` after the family name".into()));
        };
        let f = family(name)?;
        if body.is_empty() {
            return Err(syntax(format!("nothing after `{name}:`; {name} needs {}", forms(f))));
        }
        let items: Vec<&str> = body.split(',').collect();
        if items.iter().any(|i| i.is_empty()) {
            return Err(syntax("an empty item between commas".into()));
        }
        match f {
            Family::Point => {
                if items.len() != 1 || body.contains('=') {
                    return Err(syntax("point takes one value, e.g. point:0.5".into()));
                }
                Ok(Dist::point(str_atom(body).map_err(syntax)?))
            }
            Family::Choice => {
                let weighted = items.iter().filter(|i| i.contains('=')).count();
                if weighted != 0 && weighted != items.len() {
                    return Err(syntax(
                        "give every value a weight (choice:a=1,b=3) or none (choice:a,b)".into(),
                    ));
                }
                let mut atoms = Vec::new();
                let mut weights = Vec::new();
                for item in &items {
                    match item.split_once('=') {
                        Some((v, w)) => {
                            atoms.push(str_atom(v).map_err(syntax)?);
                            weights.push(str_number(w).map_err(syntax)?);
                        }
                        None => atoms.push(str_atom(item).map_err(syntax)?),
                    }
                }
                Dist::choice(atoms, (weighted != 0).then_some(weights))
            }
            _ => {
                let mut params = Vec::new();
                for item in &items {
                    let Some((k, v)) = item.split_once('=') else {
                        return Err(syntax(format!("`{item}` is not KEY=VALUE")));
                    };
                    params.push((k.to_string(), str_number(v).map_err(syntax)?));
                }
                build(f, &params)
            }
        }
    }
}

fn str_number(v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("`{v}` is not a finite number")),
    }
}

fn str_atom(v: &str) -> Result<Atom, String> {
    if let Ok(i) = v.parse::<i64>() {
        return Ok(Atom::Int(i));
    }
    if v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') {
        return str_number(v).map(Atom::Real);
    }
    if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(Atom::Id(v.into()))
    } else {
        Err(format!("`{v}` is neither a number nor an id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_keys() {
        assert_eq!(quantile_level("p95"), Some(0.95));
        assert_eq!(quantile_level("median"), Some(0.5));
        assert_eq!(quantile_level("p2.5"), Some(0.025));
        assert_eq!(quantile_level("p100"), None);
        assert_eq!(quantile_level("p0"), None);
        assert_eq!(quantile_level("pe"), None);
    }

    #[test]
    fn detects_distribution_text() {
        assert!(str_is_dist("lognormal:median=1.5,p95=3"));
        assert!(str_is_dist("lognormall:median=1.5"));
        assert!(!str_is_dist("0.5"));
        assert!(!str_is_dist("wsls"));
        assert!(!str_is_dist("2024-01-24"));
    }
}
