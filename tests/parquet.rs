//! `brink run --format parquet|both`: `trials.parquet` holds the values of
//! `trials.csv`, typed (nullable INT64 steps, DOUBLE reals, UTF-8
//! dictionary strings), in row groups of `ROW_GROUP` trials, and its bytes
//! do not depend on the thread count.
//!
//! pandas and polars read it back in `ci/parquet_roundtrip.py` (run by
//! `ci/report.sh`).

use assert_cmd::Command;
use brink::output::parquet::ROW_GROUP;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;

fn brink() -> Command {
    let mut c = Command::cargo_bin("brink").expect("binary built");
    c.env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, format: &str, threads: &str, trials: &str) {
    brink()
        .args(["run", "--quiet", "--set", "scenario.horizon=20", "--trials", trials])
        .args(["--seed", "9", "--format", format, "--threads", threads, "--out"])
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn parquet_holds_the_csvs_values_with_types() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("both");
    run(&dir, "both", "2", "2000");
    let reader =
        SerializedFileReader::new(std::fs::File::open(dir.join("trials.parquet")).expect("open")).expect("parquet");
    let md = reader.metadata();
    assert_eq!(md.file_metadata().num_rows(), 2000);
    assert_eq!(
        md.file_metadata().created_by(),
        Some(format!("brink {}", brink::VERSION).as_str())
    );
    let mut csv = csv::Reader::from_path(dir.join("trials.csv")).expect("trials.csv");
    let header: Vec<String> = csv.headers().expect("header").iter().map(str::to_string).collect();
    let schema = md.file_metadata().schema_descr();
    let names: Vec<String> = (0..schema.num_columns())
        .map(|i| schema.column(i).name().to_string())
        .collect();
    assert_eq!(names, header);
    let mut nulls = 0;
    let mut rows = reader.get_row_iter(None).expect("rows");
    for rec in csv.records() {
        let rec = rec.expect("record");
        let row = rows.next().expect("as many rows").expect("row");
        for ((name, field), cell) in row.get_column_iter().zip(rec.iter()) {
            match field {
                Field::Null => {
                    assert_eq!(cell, "", "{name}: null only where the CSV cell is empty");
                    nulls += 1;
                }
                Field::Long(v) => assert_eq!(v.to_string(), cell, "{name}"),
                Field::Double(v) => assert_eq!(cell.parse::<f64>().expect("a number"), *v, "{name}"),
                Field::Str(s) => assert_eq!(s, cell, "{name}"),
                other => panic!("{name}: unexpected type {other:?}"),
            }
        }
    }
    assert!(rows.next().is_none());
    assert!(nulls > 0, "some step never came");
    // Steps are nullable INT64; the outcome is dictionary-encoded.
    let col = |n: &str| names.iter().position(|c| c == n).expect("column");
    let first_death = schema.column(col("first_death_step_us"));
    assert_eq!(first_death.physical_type(), parquet::basic::Type::INT64);
    assert_eq!(first_death.max_def_level(), 1, "nullable");
    let enc = md.row_group(0).column(col("outcome")).encodings().collect::<Vec<_>>();
    assert!(enc.iter().any(|e| format!("{e:?}").contains("DICTIONARY")), "{enc:?}");
}

#[test]
fn parquet_bytes_do_not_depend_on_threads_and_stream_in_row_groups() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let trials = (2 * ROW_GROUP + 123).to_string();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    run(&one, "parquet", "1", &trials);
    run(&two, "parquet", "2", &trials);
    let a = std::fs::read(one.join("trials.parquet")).expect("one");
    let b = std::fs::read(two.join("trials.parquet")).expect("two");
    assert!(a == b, "trials.parquet differs between 1 and 2 threads");
    assert!(!one.join("trials.csv").exists(), "--format parquet writes no CSV");
    assert_eq!(&a[..4], b"PAR1");
    assert_eq!(&a[a.len() - 4..], b"PAR1");
    let reader =
        SerializedFileReader::new(std::fs::File::open(one.join("trials.parquet")).expect("open")).expect("parquet");
    let groups: Vec<i64> = reader.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
    let full = ROW_GROUP as i64;
    assert_eq!(groups, vec![full, full, 123]);
}

#[test]
fn both_writes_the_same_csv_as_csv() {
    let tmp = tempfile::tempdir().expect("tempdir");
    run(&tmp.path().join("csv"), "csv", "2", "500");
    run(&tmp.path().join("both"), "both", "2", "500");
    for f in ["trials.csv", "summary.csv"] {
        assert_eq!(
            std::fs::read(tmp.path().join("csv").join(f)).expect("csv"),
            std::fs::read(tmp.path().join("both").join(f)).expect("both"),
            "{f}"
        );
    }
}
