//! Parquet files: `trials.parquet` (the rows of `trials.csv`) and
//! `timeline.parquet` (the rows of `timeline.csv`) as typed columns
//! (Apache Parquet format, written with the `parquet` crate's column
//! writer, no Arrow), and the reader that `merge`, `--resume` and the
//! report use to read them back.
//!
//! Types ([`ColType`]): `trial`, `step` and `end_step` are required INT64;
//! `outcome`, talks statuses and regimes are UTF-8 strings,
//! dictionary-encoded (a handful of distinct values per column); counts
//! and steps are nullable INT64 (a step that never came is null, as the
//! CSV's empty cell); reals are nullable DOUBLE; a timeline's `date` is a
//! DATE (INT32 days since 1970-01-01) and its drivers are BOOLEAN. A
//! sweep's prefix columns are `point` (INT64) and each swept path (DOUBLE
//! when every design value is a number, else a string).
//!
//! Rows are buffered per column and flushed as one row group every
//! [`ROW_GROUP`] rows, so memory does not grow with the number of
//! trials. Rows arrive in trial order whatever the thread count, row
//! groups have a fixed size and the file records a fixed `created_by`
//! and no clock time, so the bytes depend only on the rows: re-writing
//! the rows of several files through one [`ParquetWriter`] (a merge of
//! shards, a resumed sweep) gives the bytes of one uninterrupted run.
//! Pages are Snappy-compressed (pyarrow's default; pure-Rust `snap`).

use super::{AtomicFile, OutputError};
use crate::engine::metrics::status_name;
use crate::engine::{MetricKind, MetricLayout, TrialResult};
use crate::model::TalkStatus;
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per row group: 65,536 (a few MB of buffers for the flagship's
/// ~50 columns).
pub const ROW_GROUP: usize = 1 << 16;

/// Which files `brink run` and `brink sweep` write for their trials (and
/// the timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `trials.csv` (the default).
    #[default]
    Csv,
    /// `trials.parquet`.
    Parquet,
    /// Both.
    Both,
}

impl Format {
    /// Writes CSV.
    pub fn csv(self) -> bool {
        self != Format::Parquet
    }

    /// Writes Parquet.
    pub fn parquet(self) -> bool {
        self != Format::Csv
    }

    /// As typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Both => "both",
        }
    }

    /// The default (`csv`), for `skip_serializing_if`.
    pub fn is_csv(&self) -> bool {
        *self == Format::Csv
    }
}

/// A column's type in a brink Parquet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// INT64, signed.
    Int,
    /// DOUBLE.
    Real,
    /// UTF-8 string (dictionary-encoded).
    Text,
    /// BOOLEAN.
    Bool,
    /// DATE: INT32 days since 1970-01-01.
    Date,
}

/// One column: name, type, and whether it may be null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColSpec {
    /// The column name (as in the CSV header).
    pub name: String,
    /// Its type.
    pub ty: ColType,
    /// Nullable (OPTIONAL) or not (REQUIRED).
    pub optional: bool,
}

impl ColSpec {
    /// A column.
    pub fn new(name: impl Into<String>, ty: ColType, optional: bool) -> ColSpec {
        ColSpec {
            name: name.into(),
            ty,
            optional,
        }
    }

    fn schema(&self) -> Result<Arc<Type>, String> {
        let (physical, logical) = match self.ty {
            ColType::Int => (Physical::INT64, Some(LogicalType::integer(64, true))),
            ColType::Real => (Physical::DOUBLE, None),
            ColType::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            ColType::Bool => (Physical::BOOLEAN, None),
            ColType::Date => (Physical::INT32, Some(LogicalType::Date)),
        };
        Type::primitive_type_builder(&self.name, physical)
            .with_repetition(if self.optional {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            })
            .with_logical_type(logical)
            .build()
            .map(Arc::new)
            .map_err(|e| e.to_string())
    }
}

/// Days from 1970-01-01 to `d` (a Parquet DATE).
pub fn epoch_days(d: crate::date::Date) -> i32 {
    let epoch = crate::date::Date::from_ymd(1970, 1, 1).expect("a valid date");
    d.days_since(epoch) as i32
}

/// One column's values for the current row group (or one read back).
#[derive(Debug, Clone)]
pub enum Values {
    /// 64-bit integers.
    Int(Vec<i64>),
    /// Doubles.
    Real(Vec<f64>),
    /// Strings, as bytes (cheap clones of shared buffers).
    Text(Vec<ByteArray>),
    /// Booleans.
    Bool(Vec<bool>),
    /// Dates (days since 1970-01-01).
    Date(Vec<i32>),
}

impl Values {
    fn empty(ty: ColType) -> Values {
        match ty {
            ColType::Int => Values::Int(Vec::new()),
            ColType::Real => Values::Real(Vec::new()),
            ColType::Text => Values::Text(Vec::new()),
            ColType::Bool => Values::Bool(Vec::new()),
            ColType::Date => Values::Date(Vec::new()),
        }
    }

    fn clear(&mut self) {
        match self {
            Values::Int(v) => v.clear(),
            Values::Real(v) => v.clear(),
            Values::Text(v) => v.clear(),
            Values::Bool(v) => v.clear(),
            Values::Date(v) => v.clear(),
        }
    }
}

struct Column {
    vals: Values,
    /// Definition levels (1 = value present, 0 = null); empty when the
    /// column is required.
    defs: Vec<i16>,
    optional: bool,
}

fn pq_err(path: &Path, e: parquet::errors::ParquetError) -> OutputError {
    OutputError::io(path, std::io::Error::other(e.to_string()))
}

/// Streams a Parquet file of the given columns, one row group every
/// [`ROW_GROUP`] rows; lands under its name only on [`ParquetWriter::commit`].
pub struct ParquetWriter {
    path: PathBuf,
    writer: Option<SerializedFileWriter<BufWriter<File>>>,
    guard: Option<AtomicFile>,
    cols: Vec<Column>,
    specs: Vec<ColSpec>,
    /// Rows buffered in the current row group.
    rows: usize,
    /// Rows in the file so far (flushed and buffered).
    total: u64,
}

impl ParquetWriter {
    /// Opens `dest` (under a temporary name) with schema `root { specs }`.
    pub fn create(dest: &Path, root: &str, specs: Vec<ColSpec>) -> Result<ParquetWriter, OutputError> {
        let schema_err = |e: String| OutputError::io(dest, std::io::Error::other(e));
        let fields = specs.iter().map(ColSpec::schema).collect::<Result<Vec<_>, _>>();
        let schema = Type::group_type_builder(root)
            .with_fields(fields.map_err(schema_err)?)
            .build()
            .map_err(|e| schema_err(e.to_string()))?;
        let props = WriterProperties::builder()
            .set_created_by(format!("brink {}", crate::VERSION))
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(true)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build();
        let (guard, w) = AtomicFile::create(dest)?;
        let writer = SerializedFileWriter::new(w, Arc::new(schema), Arc::new(props)).map_err(|e| pq_err(dest, e))?;
        let cols = specs
            .iter()
            .map(|s| Column {
                vals: Values::empty(s.ty),
                defs: Vec::new(),
                optional: s.optional,
            })
            .collect();
        Ok(ParquetWriter {
            path: dest.to_path_buf(),
            writer: Some(writer),
            guard: Some(guard),
            cols,
            specs,
            rows: 0,
            total: 0,
        })
    }

    /// The columns.
    pub fn specs(&self) -> &[ColSpec] {
        &self.specs
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.total
    }

    #[inline]
    fn def(&mut self, c: usize) {
        let col = &mut self.cols[c];
        if col.optional {
            col.defs.push(1);
        }
    }

    /// Cell `c` of the current row is null (the column must be optional).
    #[inline]
    pub fn null(&mut self, c: usize) {
        debug_assert!(self.cols[c].optional, "column {} is required", self.specs[c].name);
        self.cols[c].defs.push(0);
    }

    /// Cell `c` of the current row, an integer (an INT64 column).
    #[inline]
    pub fn int(&mut self, c: usize, x: i64) {
        self.def(c);
        if let Values::Int(v) = &mut self.cols[c].vals {
            v.push(x);
        }
    }

    /// Cell `c`, a real (a DOUBLE column); `-0.0` is written as `0.0`, as
    /// the CSV does.
    #[inline]
    pub fn real(&mut self, c: usize, x: f64) {
        self.def(c);
        if let Values::Real(v) = &mut self.cols[c].vals {
            v.push(if x == 0.0 { 0.0 } else { x });
        }
    }

    /// Cell `c`, a string (a UTF-8 column); cloning a `ByteArray` shares
    /// its buffer, so interned values cost no allocation.
    #[inline]
    pub fn text(&mut self, c: usize, x: &ByteArray) {
        self.def(c);
        if let Values::Text(v) = &mut self.cols[c].vals {
            v.push(x.clone());
        }
    }

    /// Cell `c`, a boolean.
    #[inline]
    pub fn boolean(&mut self, c: usize, x: bool) {
        self.def(c);
        if let Values::Bool(v) = &mut self.cols[c].vals {
            v.push(x);
        }
    }

    /// Cell `c`, a date (days since 1970-01-01).
    #[inline]
    pub fn date(&mut self, c: usize, days: i32) {
        self.def(c);
        if let Values::Date(v) = &mut self.cols[c].vals {
            v.push(days);
        }
    }

    /// Ends the current row (every cell given); flushes a full row group.
    pub fn end_row(&mut self) -> Result<(), OutputError> {
        self.rows += 1;
        self.total += 1;
        if self.rows == ROW_GROUP { self.flush() } else { Ok(()) }
    }

    /// Appends the first `take` rows of `chunk` (the columns of one row
    /// group read back by [`ParquetFile::read_group`], with these very
    /// columns).
    pub fn append(&mut self, chunk: &[Chunk], take: usize) -> Result<(), OutputError> {
        for r in 0..take {
            for (c, ch) in chunk.iter().enumerate() {
                if !ch.valid(r) {
                    self.null(c);
                    continue;
                }
                match &ch.values {
                    Values::Int(v) => self.int(c, v[r]),
                    Values::Real(v) => self.real(c, v[r]),
                    Values::Text(v) => self.text(c, &v[r]),
                    Values::Bool(v) => self.boolean(c, v[r]),
                    Values::Date(v) => self.date(c, v[r]),
                }
            }
            self.end_row()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<(), OutputError> {
        if self.rows == 0 {
            return Ok(());
        }
        let path = self.path.clone();
        let e = |x| pq_err(&path, x);
        let w = self.writer.as_mut().expect("open until commit");
        let mut rg = w.next_row_group().map_err(e)?;
        let mut i = 0;
        while let Some(mut cw) = rg.next_column().map_err(e)? {
            let c = &self.cols[i];
            let defs = c.optional.then_some(c.defs.as_slice());
            match &c.vals {
                Values::Int(v) => cw.typed::<Int64Type>().write_batch(v, defs, None).map_err(e)?,
                Values::Real(v) => cw.typed::<DoubleType>().write_batch(v, defs, None).map_err(e)?,
                Values::Text(v) => cw.typed::<ByteArrayType>().write_batch(v, defs, None).map_err(e)?,
                Values::Bool(v) => cw.typed::<BoolType>().write_batch(v, defs, None).map_err(e)?,
                Values::Date(v) => cw.typed::<Int32Type>().write_batch(v, defs, None).map_err(e)?,
            };
            cw.close().map_err(e)?;
            i += 1;
        }
        rg.close().map_err(e)?;
        for c in &mut self.cols {
            c.defs.clear();
            c.vals.clear();
        }
        self.rows = 0;
        Ok(())
    }

    fn finish(mut self) -> Result<(AtomicFile, BufWriter<File>), OutputError> {
        self.flush()?;
        let w = self.writer.take().expect("open until commit");
        let inner = w.into_inner().map_err(|e| pq_err(&self.path, e))?;
        Ok((self.guard.take().expect("open until commit"), inner))
    }

    /// Writes the last row group and the footer, then renames into place.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        let (guard, w) = self.finish()?;
        guard.commit(w)
    }

    /// Writes the last row group and the footer, and keeps the complete
    /// file under the name `keep` (an interrupted sweep's checkpoint).
    pub fn keep(self, keep: &Path) -> Result<(), OutputError> {
        let path = self.path.clone();
        let (guard, mut w) = self.finish()?;
        let len = super::flushed_len(&mut w, &path)?;
        guard.keep(w, len, keep)
    }
}

/// A Parquet file brink cannot read: not Parquet, cut short, garbled, or
/// of columns brink does not write.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("`{path}` is not a Parquet file brink can read: {what}")]
#[diagnostic(
    code(brink::bad_parquet),
    help(
        "brink reads the Parquet files it writes; was this file edited, cut short or written by another program? Run the command that wrote it again"
    )
)]
pub struct ParquetReadError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub what: String,
}

/// One column of one row group, read back: the values of every row (a
/// null row holds a placeholder) and which rows are null.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// One value per row.
    pub values: Values,
    /// Per row, whether the value is present (`None`: all are).
    pub present: Option<Vec<bool>>,
}

impl Chunk {
    /// Whether row `r` holds a value.
    #[inline]
    pub fn valid(&self, r: usize) -> bool {
        self.present.as_ref().is_none_or(|p| p[r])
    }

    /// Row `r` as a number (null: `None`; a string: `None`).
    pub fn number(&self, r: usize) -> Option<f64> {
        if !self.valid(r) {
            return None;
        }
        match &self.values {
            Values::Int(v) => Some(v[r] as f64),
            Values::Real(v) => Some(v[r]),
            Values::Bool(v) => Some(f64::from(u8::from(v[r]))),
            Values::Date(v) => Some(f64::from(v[r])),
            Values::Text(_) => None,
        }
    }

    /// Row `r` as a string's bytes (null, or not a string: `None`).
    pub fn bytes(&self, r: usize) -> Option<&[u8]> {
        match &self.values {
            Values::Text(v) if self.valid(r) => Some(v[r].data()),
            _ => None,
        }
    }
}

/// A Parquet file opened for reading column by column, row group by row
/// group (memory holds one row group's columns at most).
pub struct ParquetFile {
    path: PathBuf,
    reader: SerializedFileReader<File>,
    specs: Vec<ColSpec>,
    root: String,
}

impl ParquetFile {
    /// Opens `path` and reads its footer and schema.
    pub fn open(path: &Path) -> Result<ParquetFile, ParquetReadError> {
        let bad = |what: String| ParquetReadError {
            path: path.display().to_string(),
            what,
        };
        let f = File::open(path).map_err(|e| bad(format!("cannot open it ({e})")))?;
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = SerializedFileReader::new(f).map_err(|e| bad(e.to_string()))?;
        // The parquet crate asserts (panics) on a column chunk whose offsets
        // are negative; a damaged footer can say so, so check them here.
        for (g, rg) in reader.metadata().row_groups().iter().enumerate() {
            for c in rg.columns() {
                let start = c.dictionary_page_offset().unwrap_or_else(|| c.data_page_offset());
                let size = c.compressed_size();
                let fits = start >= 0 && size >= 0 && (start as u64).saturating_add(size as u64) <= len;
                if !fits {
                    return Err(bad(format!(
                        "row group {g}, column `{}`: its bytes ({start}, {size} long) lie outside the file ({len} bytes)",
                        c.column_path()
                    )));
                }
            }
        }
        let md = reader.metadata().file_metadata();
        let schema = md.schema_descr();
        let root = schema.root_schema().name().to_string();
        let mut specs = Vec::with_capacity(schema.num_columns());
        for i in 0..schema.num_columns() {
            let c = schema.column(i);
            if c.max_rep_level() > 0 || c.path().parts().len() != 1 {
                return Err(bad(format!("column `{}` is nested or repeated", c.path())));
            }
            let ty = match (c.physical_type(), c.logical_type_ref()) {
                (Physical::INT64, _) => ColType::Int,
                (Physical::DOUBLE, _) => ColType::Real,
                (Physical::BYTE_ARRAY, _) => ColType::Text,
                (Physical::BOOLEAN, _) => ColType::Bool,
                (Physical::INT32, Some(LogicalType::Date)) => ColType::Date,
                (p, l) => {
                    return Err(bad(format!(
                        "column `{}` has type {p}{}, expected INT64, DOUBLE, UTF-8, BOOLEAN or DATE",
                        c.name(),
                        l.map(|l| format!(" ({l:?})")).unwrap_or_default()
                    )));
                }
            };
            specs.push(ColSpec::new(c.name(), ty, c.max_def_level() > 0));
        }
        Ok(ParquetFile {
            path: path.to_path_buf(),
            reader,
            specs,
            root,
        })
    }

    /// The columns.
    pub fn specs(&self) -> &[ColSpec] {
        &self.specs
    }

    /// The schema's root name (`trials`, `timeline`).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.name == name)
    }

    /// Rows in the file, from its footer.
    pub fn rows(&self) -> u64 {
        self.reader.metadata().file_metadata().num_rows().max(0) as u64
    }

    /// Row groups in the file.
    pub fn row_groups(&self) -> usize {
        self.reader.num_row_groups()
    }

    fn bad(&self, what: String) -> ParquetReadError {
        ParquetReadError {
            path: self.path.display().to_string(),
            what,
        }
    }

    /// Reads columns `cols` of row group `g`.
    pub fn read_group(&self, g: usize, cols: &[usize]) -> Result<Vec<Chunk>, ParquetReadError> {
        let rg = self
            .reader
            .get_row_group(g)
            .map_err(|e| self.bad(format!("row group {g}: {e}")))?;
        let n = usize::try_from(rg.metadata().num_rows())
            .ok()
            .filter(|&n| n <= 1 << 26)
            .ok_or_else(|| self.bad(format!("row group {g} claims {} rows", rg.metadata().num_rows())))?;
        let mut out = Vec::with_capacity(cols.len());
        for &c in cols {
            let spec = &self.specs[c];
            let reader = rg
                .get_column_reader(c)
                .map_err(|e| self.bad(format!("row group {g}, column `{}`: {e}", spec.name)))?;
            let mut defs = Vec::with_capacity(if spec.optional { n } else { 0 });
            let wrap =
                |e: parquet::errors::ParquetError| self.bad(format!("row group {g}, column `{}`: {e}", spec.name));
            let d = spec.optional.then_some(&mut defs);
            let (values, got) = match reader {
                ColumnReader::Int64ColumnReader(mut r) => {
                    let mut v = Vec::with_capacity(n);
                    let (rec, _, _) = r.read_records(n, d, None, &mut v).map_err(wrap)?;
                    (Values::Int(v), rec)
                }
                ColumnReader::DoubleColumnReader(mut r) => {
                    let mut v = Vec::with_capacity(n);
                    let (rec, _, _) = r.read_records(n, d, None, &mut v).map_err(wrap)?;
                    (Values::Real(v), rec)
                }
                ColumnReader::ByteArrayColumnReader(mut r) => {
                    let mut v = Vec::with_capacity(n);
                    let (rec, _, _) = r.read_records(n, d, None, &mut v).map_err(wrap)?;
                    for (i, s) in v.iter().enumerate() {
                        if std::str::from_utf8(s.data()).is_err() {
                            return Err(
                                self.bad(format!("row group {g}, column `{}`: value {i} is not UTF-8", spec.name))
                            );
                        }
                    }
                    (Values::Text(v), rec)
                }
                ColumnReader::BoolColumnReader(mut r) => {
                    let mut v = Vec::with_capacity(n);
                    let (rec, _, _) = r.read_records(n, d, None, &mut v).map_err(wrap)?;
                    (Values::Bool(v), rec)
                }
                ColumnReader::Int32ColumnReader(mut r) => {
                    let mut v = Vec::with_capacity(n);
                    let (rec, _, _) = r.read_records(n, d, None, &mut v).map_err(wrap)?;
                    (Values::Date(v), rec)
                }
                _ => return Err(self.bad(format!("column `{}` has an unsupported type", spec.name))),
            };
            if got != n {
                return Err(self.bad(format!(
                    "row group {g}, column `{}`: {got} rows, expected {n} (cut short?)",
                    spec.name
                )));
            }
            out.push(self.expand(values, spec.optional.then_some(defs), n, g)?);
        }
        Ok(out)
    }

    /// Spreads the values read for the present rows over all `n` rows.
    fn expand(&self, values: Values, defs: Option<Vec<i16>>, n: usize, g: usize) -> Result<Chunk, ParquetReadError> {
        let Some(defs) = defs else {
            return Ok(Chunk { values, present: None });
        };
        let present: Vec<bool> = defs.iter().map(|&d| d > 0).collect();
        let have = present.iter().filter(|&&p| p).count();
        fn spread<T: Clone>(v: Vec<T>, present: &[bool], fill: T) -> Vec<T> {
            let mut it = v.into_iter();
            present
                .iter()
                .map(|&p| {
                    if p {
                        it.next().unwrap_or(fill.clone())
                    } else {
                        fill.clone()
                    }
                })
                .collect()
        }
        let len = match &values {
            Values::Int(v) => v.len(),
            Values::Real(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Date(v) => v.len(),
        };
        if present.len() != n || len != have {
            return Err(self.bad(format!(
                "row group {g}: {} definition levels and {len} values for {n} rows with {have} present",
                present.len()
            )));
        }
        let values = match values {
            Values::Int(v) => Values::Int(spread(v, &present, 0)),
            Values::Real(v) => Values::Real(spread(v, &present, f64::NAN)),
            Values::Text(v) => Values::Text(spread(v, &present, ByteArray::new())),
            Values::Bool(v) => Values::Bool(spread(v, &present, false)),
            Values::Date(v) => Values::Date(spread(v, &present, 0)),
        };
        Ok(Chunk {
            values,
            present: Some(present),
        })
    }

    /// Reads every column of row group `g`.
    pub fn read_all(&self, g: usize) -> Result<Vec<Chunk>, ParquetReadError> {
        let cols: Vec<usize> = (0..self.specs.len()).collect();
        self.read_group(g, &cols)
    }

    /// Appends this file's first `limit` rows (all: `u64::MAX`) to `w`,
    /// whose columns must be this file's; returns the rows copied.
    pub fn copy_into(&self, w: &mut ParquetWriter, limit: u64) -> Result<u64, CopyError> {
        if w.specs() != self.specs() {
            return Err(CopyError::Read(self.bad(format!(
                "its columns ({}) are not those expected ({})",
                describe(self.specs()),
                describe(w.specs())
            ))));
        }
        let mut copied = 0;
        for g in 0..self.row_groups() {
            if copied == limit {
                break;
            }
            let chunk = self.read_all(g).map_err(CopyError::Read)?;
            let n = self.reader.metadata().row_group(g).num_rows().max(0) as u64;
            let take = n.min(limit - copied);
            w.append(&chunk, take as usize).map_err(CopyError::Write)?;
            copied += take;
        }
        Ok(copied)
    }
}

/// Columns as `name type`, for messages.
pub fn describe(specs: &[ColSpec]) -> String {
    let s: Vec<String> = specs
        .iter()
        .map(|c| format!("{} {:?}{}", c.name, c.ty, if c.optional { "?" } else { "" }))
        .collect();
    s.join(", ")
}

/// Copying rows from one Parquet file into another failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CopyError {
    /// Reading the source.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(ParquetReadError),
    /// Writing the destination.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Write(OutputError),
}

/// The columns of `trials.parquet`: `prefix` (a sweep's `point` and swept
/// paths), `trial`, `outcome`, `end_step`, then the metrics of `layout`.
pub fn trial_specs(prefix: &[ColSpec], layout: &MetricLayout) -> Vec<ColSpec> {
    let mut specs = prefix.to_vec();
    specs.push(ColSpec::new("trial", ColType::Int, false));
    specs.push(ColSpec::new("outcome", ColType::Text, false));
    specs.push(ColSpec::new("end_step", ColType::Int, false));
    for (name, kind) in layout.names.iter().zip(&layout.kinds) {
        let ty = match kind {
            MetricKind::Count | MetricKind::Step => ColType::Int,
            MetricKind::Real => ColType::Real,
            MetricKind::Status => ColType::Text,
        };
        specs.push(ColSpec::new(name.clone(), ty, true));
    }
    specs
}

/// A sweep's prefix columns: `point` (INT64), then each swept path,
/// DOUBLE when every value in the design parses as a number, else a
/// string.
pub fn sweep_prefix(design: &crate::design::Design) -> Vec<ColSpec> {
    let mut specs = vec![ColSpec::new("point", ColType::Int, false)];
    for (j, p) in design.paths.iter().enumerate() {
        let numeric = design.points.iter().all(|row| row[j].trim().parse::<f64>().is_ok());
        specs.push(ColSpec::new(
            p.clone(),
            if numeric { ColType::Real } else { ColType::Text },
            false,
        ));
    }
    specs
}

/// Streams `trials.parquet`, one row per trial in trial order.
pub struct TrialsParquet {
    w: ParquetWriter,
    kinds: Vec<MetricKind>,
    prefix: Vec<ColType>,
    /// The last text prefix cell of each column, as written (a point's
    /// values repeat for all its trials).
    texts: Vec<(String, ByteArray)>,
    outcomes: Vec<ByteArray>,
    statuses: Vec<ByteArray>,
}

impl TrialsParquet {
    /// Opens `dir/trials.parquet`. `prefix` gives a sweep's leading
    /// columns (`point`, then parameter paths; see [`sweep_prefix`]).
    pub fn create(
        dir: &Path,
        prefix: &[ColSpec],
        outcomes: Vec<String>,
        layout: &MetricLayout,
    ) -> Result<TrialsParquet, OutputError> {
        let w = ParquetWriter::create(&dir.join("trials.parquet"), "trials", trial_specs(prefix, layout))?;
        Ok(TrialsParquet {
            w,
            kinds: layout.kinds.clone(),
            prefix: prefix.iter().map(|s| s.ty).collect(),
            texts: vec![(String::new(), ByteArray::new()); prefix.len()],
            outcomes: outcomes
                .iter()
                .map(|o| ByteArray::from(o.as_bytes().to_vec()))
                .collect(),
            statuses: TalkStatus::ALL
                .iter()
                .map(|s| ByteArray::from(s.as_str().as_bytes().to_vec()))
                .collect(),
        })
    }

    /// The writer (its row count, its columns).
    pub fn writer(&mut self) -> &mut ParquetWriter {
        &mut self.w
    }

    /// Writes one trial's row (after the prefix cells: a sweep's point
    /// index and parameter values, numbers where [`sweep_prefix`] said
    /// so).
    pub fn row(&mut self, prefix: &[String], trial: u64, r: &TrialResult, metrics: &[f64]) -> Result<(), OutputError> {
        for (c, (p, ty)) in prefix.iter().zip(&self.prefix).enumerate() {
            match ty {
                ColType::Int => self.w.int(c, p.parse::<i64>().unwrap_or(-1)),
                ColType::Real => self.w.real(c, p.trim().parse::<f64>().unwrap_or(f64::NAN)),
                _ => {
                    let (last, bytes) = &mut self.texts[c];
                    if last != p {
                        last.clone_from(p);
                        *bytes = ByteArray::from(p.as_bytes().to_vec());
                    }
                    self.w.text(c, bytes);
                }
            }
        }
        let k = self.prefix.len();
        self.w.int(k, trial as i64);
        self.w.text(k + 1, &self.outcomes[r.outcome as usize]);
        self.w.int(k + 2, i64::from(r.end_step));
        for (j, (kind, &x)) in self.kinds.iter().zip(metrics).enumerate() {
            let c = k + 3 + j;
            if x.is_nan() {
                self.w.null(c);
                continue;
            }
            match kind {
                MetricKind::Count | MetricKind::Step => self.w.int(c, x as i64),
                MetricKind::Real => self.w.real(c, x),
                MetricKind::Status => {
                    let name = status_name(x);
                    let i = TalkStatus::ALL.iter().position(|s| s.as_str() == name).unwrap_or(0);
                    self.w.text(c, &self.statuses[i]);
                }
            }
        }
        self.w.end_row()
    }

    /// Writes the last row group and the footer, then renames into place.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        self.w.commit()
    }

    /// Keeps the file (all rows so far, closed) under `keep`.
    pub fn keep(self, keep: &Path) -> Result<(), OutputError> {
        self.w.keep(keep)
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
        prefix: &[ColSpec],
        outcomes: Vec<String>,
        layout: &MetricLayout,
    ) -> Result<TrialSink, OutputError> {
        let names: Vec<String> = prefix.iter().map(|s| s.name.clone()).collect();
        Ok(match format {
            Format::Csv => TrialSink::Csv(super::TrialsWriter::create(dir, &names, outcomes, layout)?),
            Format::Parquet => TrialSink::Parquet(TrialsParquet::create(dir, prefix, outcomes, layout)?),
            Format::Both => TrialSink::Both(
                super::TrialsWriter::create(dir, &names, outcomes.clone(), layout)?,
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
