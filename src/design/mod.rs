//! Sweep designs: which points a sweep runs. A point is one value for each
//! swept dotted path (the same paths as `--set`); values are kept as the
//! text passed to the scenario loader, so `design.csv`, the prefix columns
//! of `trials.csv` and the overrides agree character for character.
//!
//! Designs (`docs/scaling.md` has examples):
//!
//! * **grid**: the full factorial of `--grid PATH=V1,V2,...` lists, the
//!   first path varying slowest; `Π n_k` points. A `--zip` group (equal-
//!   length lists varied together) is one more factor, after the grids.
//! * **Latin hypercube** (McKay, Beckman and Conover 1979): `N` points; in
//!   each dimension every one of `N` equal strata holds exactly one point,
//!   at a uniform position inside it, strata paired by independent random
//!   permutations.
//! * **Sobol / Saltelli** (Saltelli 2002; Saltelli et al. 2010): base
//!   matrices `A` and `B` from the first and last `D` columns of a
//!   `2D`-dimensional Sobol' sequence ([`sobol`]), skipping its origin;
//!   per base row `i` the rows `A_i, AB_i^1 .. AB_i^D, B_i`, where `AB^j`
//!   is `A` with column `j` from `B`: `N·(D+2)` points, the order and count
//!   SALib's `sobol.analyze(..., calc_second_order=False)` expects.
//! * **Morris** (Morris 1991): `R` trajectories of `D+1` points on a
//!   `p`-level grid (default 4) with step `Δ = p / (2(p-1))`; each
//!   trajectory starts at a random grid point whose coordinates lie on the
//!   lower levels and moves one factor at a time, in random order, by `+Δ`:
//!   `R·(D+1)` points, in the layout SALib's `morris.analyze` reads.
//! * **file**: a CSV whose header is dotted paths (a leading `point`
//!   column is ignored, so a `design.csv` can be fed back), or a SALib
//!   sample file (numbers, no header) with its problem file (`name lower
//!   upper` per line; names are dotted paths).
//!
//! Random designs are seeded: the same seed gives the same design.

pub mod sobol;

use crate::rng;
use crate::text::fmt_real;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Errors in a design specification.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DesignError {
    /// The design has more points than brink holds in memory.
    #[error(
        "the design would have {points} points ({how}), more than the limit of {max}: about {memory} of memory for the design alone, and every point is loaded and checked before the first trial",
        max = MAX_POINTS
    )]
    #[diagnostic(
        code(brink::design_size),
        help(
            "sweep fewer values or parameters, or split the sweep into several designs of at most 1000000 points (--design FILE)"
        )
    )]
    TooMany {
        /// Points the flags ask for.
        points: u128,
        /// How they multiply.
        how: String,
        /// Estimated memory for the points, in words.
        memory: String,
    },
    /// A flag's argument is malformed.
    #[error("{flag} `{arg}`: expected {expected}, found {found}")]
    #[diagnostic(code(brink::design), help("{help}"))]
    BadArg {
        /// The flag (`--grid`, ...).
        flag: &'static str,
        /// The argument as typed.
        arg: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
        /// What to do.
        help: String,
    },
    /// The lists of a `--zip` group differ in length.
    #[error("--zip lists must have equal lengths: `{first}` has {first_len} values, `{other}` has {other_len}")]
    #[diagnostic(
        code(brink::design),
        help("give every --zip path the same number of values, or use --grid for a full factorial")
    )]
    ZipLengths {
        /// The first path.
        first: String,
        /// Its length.
        first_len: usize,
        /// The path that differs.
        other: String,
        /// Its length.
        other_len: usize,
    },
    /// A path is swept twice.
    #[error("`{path}` is swept twice")]
    #[diagnostic(
        code(brink::design),
        help("name each dotted path once across --grid, --zip and --range")
    )]
    Duplicate {
        /// The path.
        path: String,
    },
    /// No design was given, or incompatible ones.
    #[error("{what}")]
    #[diagnostic(code(brink::design), help("{help}"))]
    Usage {
        /// What is wrong.
        what: String,
        /// What to do.
        help: String,
    },
    /// A design file is malformed.
    #[error("{file}:{line}: {what}")]
    #[diagnostic(code(brink::design_file), help("{help}"))]
    File {
        /// The file.
        file: String,
        /// 1-based line (0 if the whole file).
        line: usize,
        /// What is wrong: expected and found.
        what: String,
        /// What to do.
        help: String,
    },
}

/// A sweep design: the swept paths and one row of values per point.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Swept dotted paths, in column order.
    pub paths: Vec<String>,
    /// One row per point: the value of each path, as text.
    pub points: Vec<Vec<String>>,
}

/// A `--range PATH=LO:HI`.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// The dotted path.
    pub path: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound (> lo).
    pub hi: f64,
}

/// A sampled design kind (`--sample KIND:N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// Latin hypercube of `n` points.
    Lhs(u32),
    /// Saltelli's scheme on `n` Sobol' base rows: `n·(D+2)` points.
    Sobol(u32),
    /// `r` Morris trajectories on `levels` levels: `r·(D+1)` points.
    Morris {
        /// Trajectories.
        r: u32,
        /// Grid levels (even, >= 2).
        levels: u32,
    },
}

fn bad(flag: &'static str, arg: &str, expected: &str, found: String, help: &str) -> DesignError {
    DesignError::BadArg {
        flag,
        arg: arg.to_string(),
        expected: expected.to_string(),
        found,
        help: help.to_string(),
    }
}

fn split_path<'a>(flag: &'static str, arg: &'a str, example: &str) -> Result<(&'a str, &'a str), DesignError> {
    let help = format!("for example {flag} {example}; `brink params` lists every path");
    let Some((path, rest)) = arg.split_once('=') else {
        return Err(bad(flag, arg, "PATH=...", "no `=`".into(), &help));
    };
    let path = path.trim();
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(bad(flag, arg, "a dotted path before `=`", format!("`{path}`"), &help));
    }
    Ok((path, rest.trim()))
}

/// Parses `PATH=V1,V2,...` (a `--grid` or `--zip` argument). Values are
/// kept as typed (trimmed); a value that is itself a TOML array or table
/// cannot be swept this way (use `--design`).
pub fn parse_list(flag: &'static str, arg: &str) -> Result<(String, Vec<String>), DesignError> {
    let (path, rest) = split_path(flag, arg, "dyads.us_kh.response.proportionality=0.5,1,2")?;
    let values: Vec<String> = rest.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err(bad(
            flag,
            arg,
            "a comma-separated list of values",
            "an empty value".into(),
            "write values separated by single commas, e.g. 0.5,1,2",
        ));
    }
    Ok((path.to_string(), values))
}

/// Parses `PATH=LO:HI`.
pub fn parse_range(arg: &str) -> Result<Range, DesignError> {
    let (path, rest) = split_path("--range", arg, "drivers.gaza_war.end_hazard=0.002:0.02")?;
    let help = "write two finite numbers LO:HI with LO < HI, e.g. 0.5:2";
    let Some((lo, hi)) = rest.split_once(':') else {
        return Err(bad("--range", arg, "LO:HI", format!("`{rest}`"), help));
    };
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    match (num(lo), num(hi)) {
        (Some(lo), Some(hi)) if lo < hi => Ok(Range {
            path: path.to_string(),
            lo,
            hi,
        }),
        (Some(_), Some(_)) => Err(bad("--range", arg, "LO < HI", format!("{lo} >= {hi}"), help)),
        _ => Err(bad("--range", arg, "two numbers LO:HI", format!("`{rest}`"), help)),
    }
}

/// Parses `lhs:N`, `sobol:N`, `morris:R` or `morris:R:LEVELS`.
pub fn parse_sample(arg: &str) -> Result<Sample, DesignError> {
    let help =
        "for example --sample lhs:64, --sample sobol:256 or --sample morris:10 (optionally morris:10:6 for 6 levels)";
    let parts: Vec<&str> = arg.split(':').map(str::trim).collect();
    let n = |s: &str| s.parse::<u32>().ok().filter(|&n| n >= 1);
    let bad_n = |s: &str| bad("--sample", arg, "a whole number >= 1 after `:`", format!("`{s}`"), help);
    match parts.as_slice() {
        ["lhs", k] => n(k).map(Sample::Lhs).ok_or_else(|| bad_n(k)),
        ["sobol", k] => n(k).map(Sample::Sobol).ok_or_else(|| bad_n(k)),
        ["morris", k] => n(k).map(|r| Sample::Morris { r, levels: 4 }).ok_or_else(|| bad_n(k)),
        ["morris", k, l] => {
            let r = n(k).ok_or_else(|| bad_n(k))?;
            match n(l) {
                Some(levels) if levels >= 2 && levels % 2 == 0 => Ok(Sample::Morris { r, levels }),
                _ => Err(bad(
                    "--sample",
                    arg,
                    "an even number of levels >= 2",
                    format!("`{l}`"),
                    help,
                )),
            }
        }
        _ => Err(bad(
            "--sample",
            arg,
            "lhs:N, sobol:N or morris:R",
            format!("`{arg}`"),
            help,
        )),
    }
}

fn check_unique(paths: &[String]) -> Result<(), DesignError> {
    for (i, p) in paths.iter().enumerate() {
        if paths[..i].contains(p) {
            return Err(DesignError::Duplicate { path: p.clone() });
        }
    }
    Ok(())
}

/// Formats a sampled number as design text (shortest round-trip form).
pub fn fmt_num(x: f64) -> String {
    let mut s = String::new();
    fmt_real(x, &mut s);
    s
}

/// Most points a design may have (each is held in memory and loaded
/// as a scenario before the sweep starts).
pub const MAX_POINTS: u128 = 1_000_000;

/// Fails with [`DesignError::TooMany`] when `points` exceeds
/// [`MAX_POINTS`]; `paths` columns per point size the memory estimate.
fn check_points(points: u128, paths: usize, how: String) -> Result<(), DesignError> {
    if points <= MAX_POINTS {
        return Ok(());
    }
    // A Vec per point plus a String (24 bytes + about 8 of text) per value.
    let bytes = points as f64 * (24.0 + 32.0 * paths as f64);
    Err(DesignError::TooMany {
        points,
        how,
        memory: crate::text::human(bytes),
    })
}

impl Design {
    /// Points in the design.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when the design has no point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Point `p` as `--set` arguments (`PATH=VALUE`).
    pub fn overrides(&self, p: usize) -> Vec<String> {
        self.paths
            .iter()
            .zip(&self.points[p])
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// The full factorial of `grids`, times one `zip` group of equal-length
    /// lists (varied together), the first grid path varying slowest.
    pub fn grid(grids: &[(String, Vec<String>)], zip: &[(String, Vec<String>)]) -> Result<Design, DesignError> {
        let mut paths: Vec<String> = grids.iter().map(|g| g.0.clone()).collect();
        paths.extend(zip.iter().map(|z| z.0.clone()));
        check_unique(&paths)?;
        if paths.is_empty() {
            return Err(DesignError::Usage {
                what: "no design: nothing to sweep".into(),
                help: "give --grid PATH=V1,V2 (repeatable), --zip, --sample with --range, or --design FILE".into(),
            });
        }
        // Factors: each grid list, then the zip group as one factor.
        let mut factors: Vec<Vec<Vec<String>>> = grids
            .iter()
            .map(|(_, vs)| vs.iter().map(|v| vec![v.clone()]).collect())
            .collect();
        if let Some((first, first_vs)) = zip.first() {
            for (p, vs) in &zip[1..] {
                if vs.len() != first_vs.len() {
                    return Err(DesignError::ZipLengths {
                        first: first.clone(),
                        first_len: first_vs.len(),
                        other: p.clone(),
                        other_len: vs.len(),
                    });
                }
            }
            factors.push(
                (0..first_vs.len())
                    .map(|i| zip.iter().map(|(_, vs)| vs[i].clone()).collect())
                    .collect(),
            );
        }
        let sizes: Vec<String> = factors.iter().map(|f| f.len().to_string()).collect();
        let total = factors.iter().fold(1u128, |n, f| n.saturating_mul(f.len() as u128));
        check_points(total, paths.len(), format!("{} values", sizes.join(" x ")))?;
        let mut points: Vec<Vec<String>> = vec![Vec::new()];
        for f in &factors {
            let mut next = Vec::with_capacity(points.len() * f.len());
            for row in &points {
                for v in f {
                    let mut r = row.clone();
                    r.extend(v.iter().cloned());
                    next.push(r);
                }
            }
            points = next;
        }
        Ok(Design { paths, points })
    }

    /// A sampled design over `ranges`, seeded by `seed`.
    pub fn sample(kind: Sample, ranges: &[Range], seed: u64) -> Result<Design, DesignError> {
        let paths: Vec<String> = ranges.iter().map(|r| r.path.clone()).collect();
        check_unique(&paths)?;
        if ranges.is_empty() {
            return Err(DesignError::Usage {
                what: "--sample needs at least one --range PATH=LO:HI".into(),
                help: "for example --sample lhs:64 --range tracks.hmc.progress.rate=0.004:0.02".into(),
            });
        }
        let d = ranges.len();
        let (total, how) = match kind {
            Sample::Lhs(n) => (u128::from(n), format!("lhs:{n}")),
            Sample::Sobol(n) => (
                u128::from(n) * (d as u128 + 2),
                format!("sobol:{n} x ({d} parameters + 2)"),
            ),
            Sample::Morris { r, .. } => (
                u128::from(r) * (d as u128 + 1),
                format!("morris:{r} x ({d} parameters + 1)"),
            ),
        };
        check_points(total, d, how)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(0x6465_7369_676e); // "design": apart from trial streams
        let unit: Vec<Vec<f64>> = match kind {
            Sample::Lhs(n) => {
                let mut cols: Vec<Vec<f64>> = Vec::with_capacity(d);
                for _ in 0..d {
                    let mut perm: Vec<u32> = (0..n).collect();
                    for i in (1..n as usize).rev() {
                        let j = rng::below(&mut rng, i as u32 + 1) as usize;
                        perm.swap(i, j);
                    }
                    cols.push(
                        perm.iter()
                            .map(|&k| (f64::from(k) + rng::uniform(&mut rng)) / f64::from(n))
                            .collect(),
                    );
                }
                (0..n as usize).map(|i| cols.iter().map(|c| c[i]).collect()).collect()
            }
            Sample::Sobol(n) => {
                let seq = sobol::Sobol::new(2 * d).ok_or_else(|| DesignError::Usage {
                    what: format!(
                        "a Sobol design over {d} parameters needs a {}-dimensional sequence; brink has {} dimensions (at most {} parameters)",
                        2 * d,
                        sobol::MAX_DIM,
                        sobol::MAX_DIM / 2
                    ),
                    help: "sweep fewer parameters, or sample with SALib and pass the file with --design and --salib-problem".into(),
                })?;
                let mut rows = Vec::with_capacity(n as usize * (d + 2));
                for i in 0..n {
                    let x = seq.point(i + 1);
                    let (a, b) = x.split_at(d);
                    rows.push(a.to_vec());
                    for j in 0..d {
                        let mut ab = a.to_vec();
                        ab[j] = b[j];
                        rows.push(ab);
                    }
                    rows.push(b.to_vec());
                }
                rows
            }
            Sample::Morris { r, levels } => {
                let p = f64::from(levels);
                let delta = p / (2.0 * (p - 1.0));
                let low = levels / 2; // levels whose value + Δ stays <= 1
                let mut rows = Vec::with_capacity(r as usize * (d + 1));
                for _ in 0..r {
                    let mut x: Vec<f64> = (0..d)
                        .map(|_| f64::from(rng::below(&mut rng, low)) / (p - 1.0))
                        .collect();
                    let mut order: Vec<usize> = (0..d).collect();
                    for i in (1..d).rev() {
                        let j = rng::below(&mut rng, i as u32 + 1) as usize;
                        order.swap(i, j);
                    }
                    rows.push(x.clone());
                    for &j in &order {
                        x[j] += delta;
                        rows.push(x.clone());
                    }
                }
                rows
            }
        };
        let points = unit
            .iter()
            .map(|u| {
                u.iter()
                    .zip(ranges)
                    .map(|(&x, r)| fmt_num((r.lo + x * (r.hi - r.lo)).clamp(r.lo, r.hi)))
                    .collect()
            })
            .collect();
        Ok(Design { paths, points })
    }

    /// Reads a CSV design: header = dotted paths (a leading `point` column
    /// is ignored), one row per point, values as text.
    pub fn from_csv(name: &str, text: &str) -> Result<Design, DesignError> {
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let ferr = |line: usize, what: String, help: &str| DesignError::File {
            file: name.to_string(),
            line,
            what,
            help: help.to_string(),
        };
        let header: Vec<String> = rd
            .headers()
            .map_err(|e| {
                ferr(
                    1,
                    format!("cannot read the header: {e}"),
                    "the first line names the swept dotted paths",
                )
            })?
            .iter()
            .map(str::to_string)
            .collect();
        let skip = usize::from(header.first().is_some_and(|h| h == "point"));
        let paths: Vec<String> = header[skip..].to_vec();
        if paths.is_empty() || paths.iter().any(|p| p.is_empty() || p.split('.').any(str::is_empty)) {
            return Err(ferr(
                1,
                format!("expected a header of dotted paths, found `{}`", header.join(",")),
                "for example: dyads.us_kh.response.proportionality,drivers.gaza_war.end_hazard",
            ));
        }
        check_unique(&paths)?;
        let mut points = Vec::new();
        for (i, rec) in rd.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| ferr(line, format!("{e}"), "every row has one value per header column"))?;
            if rec.len() != header.len() {
                return Err(ferr(
                    line,
                    format!("expected {} values, found {}", header.len(), rec.len()),
                    "every row has one value per header column",
                ));
            }
            let row: Vec<String> = rec.iter().skip(skip).map(str::to_string).collect();
            if let Some(k) = row.iter().position(String::is_empty) {
                return Err(ferr(
                    line,
                    format!("empty value for `{}`", paths[k]),
                    "every point needs a value for every swept path",
                ));
            }
            points.push(row);
        }
        if points.is_empty() {
            return Err(ferr(
                0,
                "the design has no rows".into(),
                "add one row per point after the header",
            ));
        }
        Ok(Design { paths, points })
    }

    /// Reads a SALib sample file (numbers separated by spaces, tabs or
    /// commas, no header) with its problem file (`name lower upper` per
    /// line, names being dotted paths; `#` starts a comment).
    pub fn from_salib(
        problem_name: &str,
        problem: &str,
        sample_name: &str,
        sample: &str,
    ) -> Result<Design, DesignError> {
        let ferr = |file: &str, line: usize, what: String, help: &str| DesignError::File {
            file: file.to_string(),
            line,
            what,
            help: help.to_string(),
        };
        let fields = |l: &str| -> Vec<String> {
            l.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let mut paths = Vec::new();
        for (i, l) in problem.lines().enumerate() {
            let l = l.split('#').next().unwrap_or("").trim();
            if l.is_empty() {
                continue;
            }
            let f = fields(l);
            if f.len() < 3 {
                return Err(ferr(
                    problem_name,
                    i + 1,
                    format!("expected `name lower upper`, found `{l}`"),
                    "one line per parameter: its dotted path, lower and upper bound",
                ));
            }
            paths.push(f[0].clone());
        }
        if paths.is_empty() {
            return Err(ferr(
                problem_name,
                0,
                "no parameters".into(),
                "one line per parameter: `name lower upper`",
            ));
        }
        check_unique(&paths)?;
        let mut points = Vec::new();
        for (i, l) in sample.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let f = fields(l);
            if f.len() != paths.len() {
                return Err(ferr(
                    sample_name,
                    i + 1,
                    format!(
                        "expected {} numbers (one per problem parameter), found {}",
                        paths.len(),
                        f.len()
                    ),
                    "the sample file must come from the same problem file",
                ));
            }
            let mut row = Vec::with_capacity(f.len());
            for (k, v) in f.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => row.push(fmt_num(x)),
                    _ => {
                        return Err(ferr(
                            sample_name,
                            i + 1,
                            format!("expected a finite number for `{}`, found `{v}`", paths[k]),
                            "SALib sample files hold numbers only",
                        ));
                    }
                }
            }
            points.push(row);
        }
        if points.is_empty() {
            return Err(ferr(
                sample_name,
                0,
                "no sample rows".into(),
                "generate samples with SALib first",
            ));
        }
        Ok(Design { paths, points })
    }

    /// `design.csv`: `point`, then one column per path.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let _ = w.write_record(std::iter::once("point").chain(self.paths.iter().map(String::as_str)));
        for (p, row) in self.points.iter().enumerate() {
            let _ = w.write_record(std::iter::once(p.to_string()).chain(row.iter().cloned()));
        }
        w.into_inner().unwrap_or_default()
    }

    /// SHA-256 of [`Design::to_csv`]: two sweeps with equal hashes ran the
    /// same points.
    pub fn hash(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.to_csv())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(d: usize) -> Vec<Range> {
        (0..d)
            .map(|k| Range {
                path: format!("p.x{k}"),
                lo: -1.0 + k as f64,
                hi: 2.0 + k as f64,
            })
            .collect()
    }

    #[test]
    fn lhs_strata_each_hit_once() {
        let n = 50;
        let rs = ranges(3);
        let d = Design::sample(Sample::Lhs(n), &rs, 9).expect("lhs");
        assert_eq!(d.len(), n as usize);
        for (k, r) in rs.iter().enumerate() {
            let mut hit = vec![0; n as usize];
            for row in &d.points {
                let x: f64 = row[k].parse().expect("number");
                assert!(x >= r.lo && x <= r.hi);
                hit[(((x - r.lo) / (r.hi - r.lo)) * f64::from(n)).min(f64::from(n) - 1.0) as usize] += 1;
            }
            assert!(hit.iter().all(|&h| h == 1), "{hit:?}");
        }
        assert_eq!(d, Design::sample(Sample::Lhs(n), &rs, 9).expect("lhs"));
        assert_ne!(d, Design::sample(Sample::Lhs(n), &rs, 10).expect("lhs"));
    }

    #[test]
    fn saltelli_layout() {
        let rs = ranges(3);
        let d = Design::sample(Sample::Sobol(8), &rs, 1).expect("sobol");
        assert_eq!(d.len(), 8 * 5);
        for i in 0..8 {
            let blk = &d.points[i * 5..i * 5 + 5];
            for j in 0..3 {
                let ab = &blk[1 + j];
                for k in 0..3 {
                    let want = if k == j { &blk[4][k] } else { &blk[0][k] };
                    assert_eq!(&ab[k], want);
                }
            }
        }
    }

    #[test]
    fn morris_moves_one_factor_at_a_time() {
        let rs = ranges(4);
        let d = Design::sample(Sample::Morris { r: 6, levels: 4 }, &rs, 3).expect("morris");
        assert_eq!(d.len(), 6 * 5);
        for t in 0..6 {
            let traj = &d.points[t * 5..t * 5 + 5];
            let mut moved = [false; 4];
            for w in traj.windows(2) {
                let diff: Vec<usize> = (0..4).filter(|&k| w[0][k] != w[1][k]).collect();
                assert_eq!(diff.len(), 1);
                assert!(!moved[diff[0]]);
                moved[diff[0]] = true;
            }
        }
    }

    #[test]
    fn grid_and_zip() {
        let g = vec![
            (
                "a.x".to_string(),
                vec!["1".to_string(), "2".to_string(), "3".to_string()],
            ),
            ("b.y".to_string(), vec!["u".to_string(), "v".to_string()]),
        ];
        let z = vec![
            ("c.z".to_string(), vec!["0".to_string(), "9".to_string()]),
            ("d.w".to_string(), vec!["5".to_string(), "6".to_string()]),
        ];
        let d = Design::grid(&g, &z).expect("grid");
        assert_eq!(d.len(), 12);
        assert_eq!(d.points[0], ["1", "u", "0", "5"]);
        assert_eq!(d.points[1], ["1", "u", "9", "6"]);
        assert_eq!(d.points[11], ["3", "v", "9", "6"]);
        let bad = vec![("c.z".to_string(), vec!["0".to_string()]), z[1].clone()];
        assert!(matches!(Design::grid(&g, &bad), Err(DesignError::ZipLengths { .. })));
    }

    #[test]
    fn csv_round_trip() {
        let d = Design::grid(&[("a.x".into(), vec!["1".into(), "2.5".into()])], &[]).expect("grid");
        let text = String::from_utf8(d.to_csv()).expect("utf8");
        assert_eq!(text, "point,a.x\n0,1\n1,2.5\n");
        assert_eq!(Design::from_csv("d.csv", &text).expect("csv"), d);
    }
}
