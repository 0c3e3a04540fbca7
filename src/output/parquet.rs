//! `trials.parquet`: the rows of `trials.csv` as typed Parquet columns
//! (Apache Parquet format, written with the `parquet` crate's column
//! writer, no Arrow).
//!
//! Types: `trial` and `end_step` are required INT64; `outcome` and talks
//! statuses are UTF-8 strings, dictionary-encoded (a handful of distinct
//! values per column); counts and steps are nullable INT64 (a step that
//! never came is null, as the CSV's empty cell); reals are nullable
//! DOUBLE. A sweep's prefix columns (`point`, then each swept path) are
//! INT64 and DOUBLE.
//!
//! Rows are buffered per column and flushed as one row group every
//! [`ROW_GROUP`] trials, so memory does not grow with the number of
//! trials. Rows arrive in trial order whatever the thread count, row
//! groups have a fixed size and the file records a fixed `created_by`
//! and no clock time, so the bytes depend only on the results. Pages are
//! Snappy-compressed (pyarrow's default; pure-Rust `snap`).

use super::{AtomicFile, OutputError};
use crate::engine::metrics::status_name;
use crate::engine::{MetricKind, MetricLayout, TrialResult};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Trials per row group: 65,536 rows (a few MB of buffers for the
/// flagship's ~50 columns).
pub const ROW_GROUP: usize = 1 << 16;

/// Which files `brink run` writes for its trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `trials.csv` (the default).
    #[default]
    Csv,
    /// `trials.parquet`.
    Parquet,
    /// Both.
    Both,
}

/// One column's buffer for the current row group.
enum Buf {
    /// Nullable or required 64-bit integers.
    Int(Vec<i64>),
    /// Nullable doubles.
    Real(Vec<f64>),
    /// Dictionary-encoded strings: the distinct values, cloned by
    /// reference count.
    Text(Vec<ByteArray>),
}

struct Column {
    buf: Buf,
    /// Definition levels (1 = value present, 0 = null); empty when the
    /// column is required.
    defs: Vec<i16>,
    optional: bool,
}

impl Column {
    fn new(buf: Buf, optional: bool) -> Column {
        Column {
            buf,
            defs: Vec::new(),
            optional,
        }
    }

    fn clear(&mut self) {
        self.defs.clear();
        match &mut self.buf {
            Buf::Int(v) => v.clear(),
            Buf::Real(v) => v.clear(),
            Buf::Text(v) => v.clear(),
        }
    }
}

fn pq_err(path: &Path, e: parquet::errors::ParquetError) -> OutputError {
    OutputError::io(path, std::io::Error::other(e.to_string()))
}

fn field(name: &str, physical: Physical, logical: Option<LogicalType>, optional: bool) -> Result<Arc<Type>, String> {
    Type::primitive_type_builder(name, physical)
        .with_repetition(if optional {
            Repetition::OPTIONAL
        } else {
            Repetition::REQUIRED
        })
        .with_logical_type(logical)
        .build()
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

fn int64() -> Option<LogicalType> {
    Some(LogicalType::integer(64, true))
}

/// Streams `trials.parquet`, one row per trial in trial order.
pub struct TrialsParquet {
    guard_path: PathBuf,
    writer: Option<SerializedFileWriter<BufWriter<File>>>,
    guard: Option<AtomicFile>,
    cols: Vec<Column>,
    kinds: Vec<MetricKind>,
    prefix: usize,
    outcomes: Vec<ByteArray>,
    statuses: Vec<ByteArray>,
    rows: usize,
}

impl TrialsParquet {
    /// Opens `dir/trials.parquet`. `prefix` names a sweep's leading
    /// columns (`point`, then parameter paths), as for `trials.csv`.
    pub fn create(
        dir: &Path,
        prefix: &[String],
        outcomes: Vec<String>,
        layout: &MetricLayout,
    ) -> Result<TrialsParquet, OutputError> {
        let dest = dir.join("trials.parquet");
        let mut fields = Vec::new();
        let mut cols = Vec::new();
        let schema_err = |e: String| OutputError::io(&dest, std::io::Error::other(e));
        for (i, p) in prefix.iter().enumerate() {
            if i == 0 {
                fields.push(field(p, Physical::INT64, int64(), false).map_err(schema_err)?);
                cols.push(Column::new(Buf::Int(Vec::new()), false));
            } else {
                fields.push(field(p, Physical::DOUBLE, None, false).map_err(schema_err)?);
                cols.push(Column::new(Buf::Real(Vec::new()), false));
            }
        }
        fields.push(field("trial", Physical::INT64, int64(), false).map_err(schema_err)?);
        cols.push(Column::new(Buf::Int(Vec::new()), false));
        fields.push(field("outcome", Physical::BYTE_ARRAY, Some(LogicalType::String), false).map_err(schema_err)?);
        cols.push(Column::new(Buf::Text(Vec::new()), false));
        fields.push(field("end_step", Physical::INT64, int64(), false).map_err(schema_err)?);
        cols.push(Column::new(Buf::Int(Vec::new()), false));
        for (name, kind) in layout.names.iter().zip(&layout.kinds) {
            let (f, b) = match kind {
                MetricKind::Count | MetricKind::Step => {
                    (field(name, Physical::INT64, int64(), true), Buf::Int(Vec::new()))
                }
                MetricKind::Real => (field(name, Physical::DOUBLE, None, true), Buf::Real(Vec::new())),
                MetricKind::Status => (
                    field(name, Physical::BYTE_ARRAY, Some(LogicalType::String), true),
                    Buf::Text(Vec::new()),
                ),
            };
            fields.push(f.map_err(schema_err)?);
            cols.push(Column::new(b, true));
        }
        let schema = Type::group_type_builder("trials")
            .with_fields(fields)
            .build()
            .map_err(|e| schema_err(e.to_string()))?;
        let props = WriterProperties::builder()
            .set_created_by(format!("brink {}", crate::VERSION))
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(true)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build();
        let (guard, w) = AtomicFile::create(&dest)?;
        let writer = SerializedFileWriter::new(w, Arc::new(schema), Arc::new(props)).map_err(|e| pq_err(&dest, e))?;
        let statuses = crate::model::TalkStatus::ALL
            .iter()
            .map(|s| ByteArray::from(s.as_str().as_bytes().to_vec()))
            .collect();
        Ok(TrialsParquet {
            guard_path: dest,
            writer: Some(writer),
            guard: Some(guard),
            cols,
            kinds: layout.kinds.clone(),
            prefix: prefix.len(),
            outcomes: outcomes
                .iter()
                .map(|o| ByteArray::from(o.as_bytes().to_vec()))
                .collect(),
            statuses,
            rows: 0,
        })
    }

    /// Buffers one trial's row (after the prefix cells, which must parse
    /// as numbers: a sweep's point index and parameter values).
    pub fn row(&mut self, prefix: &[String], trial: u64, r: &TrialResult, metrics: &[f64]) -> Result<(), OutputError> {
        for (c, p) in self.cols.iter_mut().zip(prefix) {
            match &mut c.buf {
                Buf::Int(v) => v.push(p.parse::<i64>().unwrap_or(-1)),
                Buf::Real(v) => v.push(p.parse::<f64>().unwrap_or(f64::NAN)),
                Buf::Text(_) => unreachable!("prefix columns are numbers"),
            }
        }
        let k = self.prefix;
        if let Buf::Int(v) = &mut self.cols[k].buf {
            v.push(trial as i64);
        }
        if let Buf::Text(v) = &mut self.cols[k + 1].buf {
            v.push(self.outcomes[r.outcome as usize].clone());
        }
        if let Buf::Int(v) = &mut self.cols[k + 2].buf {
            v.push(i64::from(r.end_step));
        }
        for ((c, kind), &x) in self.cols[k + 3..].iter_mut().zip(&self.kinds).zip(metrics) {
            if x.is_nan() {
                c.defs.push(0);
                continue;
            }
            c.defs.push(1);
            match (&mut c.buf, kind) {
                (Buf::Int(v), _) => v.push(x as i64),
                (Buf::Real(v), _) => v.push(if x == 0.0 { 0.0 } else { x }),
                (Buf::Text(v), _) => {
                    let i = crate::model::TalkStatus::ALL
                        .iter()
                        .position(|s| s.as_str() == status_name(x))
                        .unwrap_or(0);
                    v.push(self.statuses[i].clone());
                }
            }
        }
        self.rows += 1;
        if self.rows == ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<(), OutputError> {
        if self.rows == 0 {
            return Ok(());
        }
        let path = self.guard_path.clone();
        let e = |x| pq_err(&path, x);
        let w = self.writer.as_mut().expect("open until commit");
        let mut rg = w.next_row_group().map_err(e)?;
        let mut i = 0;
        while let Some(mut cw) = rg.next_column().map_err(e)? {
            let c = &self.cols[i];
            let defs = c.optional.then_some(c.defs.as_slice());
            match &c.buf {
                Buf::Int(v) => cw.typed::<Int64Type>().write_batch(v, defs, None).map_err(e)?,
                Buf::Real(v) => cw.typed::<DoubleType>().write_batch(v, defs, None).map_err(e)?,
                Buf::Text(v) => cw.typed::<ByteArrayType>().write_batch(v, defs, None).map_err(e)?,
            };
            cw.close().map_err(e)?;
            i += 1;
        }
        rg.close().map_err(e)?;
        for c in &mut self.cols {
            c.clear();
        }
        self.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer, then renames into place.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        self.flush()?;
        let path = self.guard_path.clone();
        let w = self.writer.take().expect("open until commit");
        let inner = w.into_inner().map_err(|e| pq_err(&path, e))?;
        self.guard.take().expect("open until commit").commit(inner)
    }
}

/// `brink run`'s trial files: CSV, Parquet or both, written row by row.
// One per run, on the stack of `cmd_run`: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum TrialSink {
    /// `trials.csv`.
    Csv(super::TrialsWriter),
    /// `trials.parquet`.
    Parquet(TrialsParquet),
    /// Both.
    Both(super::TrialsWriter, TrialsParquet),
}

impl TrialSink {
    /// Opens the files of `format` in `dir`.
    pub fn create(
        format: Format,
        dir: &Path,
        prefix: &[String],
        outcomes: Vec<String>,
        layout: &MetricLayout,
    ) -> Result<TrialSink, OutputError> {
        Ok(match format {
            Format::Csv => TrialSink::Csv(super::TrialsWriter::create(dir, prefix, outcomes, layout)?),
            Format::Parquet => TrialSink::Parquet(TrialsParquet::create(dir, prefix, outcomes, layout)?),
            Format::Both => TrialSink::Both(
                super::TrialsWriter::create(dir, prefix, outcomes.clone(), layout)?,
                TrialsParquet::create(dir, prefix, outcomes, layout)?,
            ),
        })
    }

    /// Writes one trial's row.
    pub fn row(&mut self, prefix: &[String], trial: u64, r: &TrialResult, metrics: &[f64]) -> Result<(), OutputError> {
        match self {
            TrialSink::Csv(c) => c.row(prefix, trial, r, metrics),
            TrialSink::Parquet(p) => p.row(prefix, trial, r, metrics),
            TrialSink::Both(c, p) => {
                c.row(prefix, trial, r, metrics)?;
                p.row(prefix, trial, r, metrics)
            }
        }
    }

    /// Completes the files; returns their paths.
    pub fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        match self {
            TrialSink::Csv(c) => Ok(vec![c.commit()?]),
            TrialSink::Parquet(p) => Ok(vec![p.commit()?]),
            TrialSink::Both(c, p) => Ok(vec![c.commit()?, p.commit()?]),
        }
    }
}
