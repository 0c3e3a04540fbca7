"""trials.parquet holds the same values as trials.csv, read by pandas
(pyarrow) and by polars, with the types issue 19 asks for: nullable
64-bit integers for counts and steps, doubles for reals, and
dictionary-encoded strings for the outcome and talks statuses; the same
for timeline.parquet against timeline.csv (a DATE, BOOLEAN drivers) when
the run has a timeline, and for a sweep directory's trials.

Usage: python ci/parquet_roundtrip.py DIR...   (each written with --format both)
"""
import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

def same_values(csv: Path, parquet: Path) -> None:
    """pandas and polars read equal frames from csv and parquet."""
    a = pd.read_csv(csv, dtype_backend="numpy_nullable")
    b = pd.read_parquet(parquet, dtype_backend="numpy_nullable")
    assert list(a.columns) == list(b.columns)
    for c in a.columns:
        x, y = a[c], b[c]
        if c == "date":
            x, y = pd.to_datetime(x), pd.to_datetime(y)
            assert (x == y).all(), c
        elif pd.api.types.is_bool_dtype(y):
            assert x.astype("Int64").equals(y.astype("Int64")), c  # CSV's 1/0
        elif pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            x, y = x.astype("float64"), y.astype("float64")
            assert ((x == y) | (x.isna() & y.isna())).all(), c  # exact: CSV holds shortest round-trip text
        elif pd.api.types.is_integer_dtype(x) or pd.api.types.is_integer_dtype(y):
            assert x.astype("Int64").equals(y.astype("Int64")), c
        else:
            assert x.astype(object).where(x.notna(), None).tolist() == y.astype(object).where(y.notna(), None).tolist(), c
    print(f"pandas {pd.__version__}: {parquet.name}: {len(b)} rows x {b.shape[1]} columns equal to {csv.name}")
    p, q = pl.read_csv(csv, infer_schema_length=None), pl.read_parquet(parquet)
    assert p.columns == q.columns
    for c in p.columns:
        x, y = p[c], q[c]
        if c == "date":
            x, y = x.str.to_date(), y
        elif y.dtype == pl.Boolean:
            x, y = x.cast(pl.Int64), y.cast(pl.Int64)
        elif x.dtype.is_float() or y.dtype.is_float():
            x, y = x.cast(pl.Float64), y.cast(pl.Float64)
        elif x.dtype.is_integer() or y.dtype.is_integer():
            x, y = x.cast(pl.Int64), y.cast(pl.Int64)
        else:
            x, y = x.cast(pl.Utf8), y.cast(pl.Utf8)
        assert x.equals(y), c
    print(f"polars {pl.__version__}: {parquet.name} equal to {csv.name}")


def check_types(parquet: Path) -> None:
    """The types of trials.parquet, as written."""
    f = pq.ParquetFile(parquet)
    schema = f.schema_arrow
    assert schema.field("trial").type == pa.int64() and not schema.field("trial").nullable
    assert schema.field("end_step").type == pa.int64()
    assert schema.field("outcome").type == pa.string()
    steps = [c for c in schema.names if c.endswith("_step") and c != "end_step"]
    assert steps and all(schema.field(c).type == pa.int64() and schema.field(c).nullable for c in steps), steps
    md = f.metadata
    names = [md.schema.column(i).name for i in range(md.num_columns)]
    for col in ["outcome"] + [c for c in names if c.endswith("_status")]:
        enc = md.row_group(0).column(names.index(col)).encodings
        assert any("DICTIONARY" in e for e in enc), (col, enc)
    print(f"parquet: {md.num_rows} rows in {md.num_row_groups} row groups, {md.num_columns} columns; "
          f"{len(steps)} nullable step columns; outcome and statuses dictionary-encoded")


def check_timeline_types(parquet: Path) -> None:
    """The types of timeline.parquet, as written."""
    schema = pq.ParquetFile(parquet).schema_arrow
    assert schema.field("step").type == pa.int64()
    if "date" in schema.names:
        assert schema.field("date").type == pa.date32()
    drivers = [c for c in schema.names if c.startswith("driver_")]
    assert all(schema.field(c).type == pa.bool_() for c in drivers), drivers
    print(f"timeline.parquet: date32, {len(drivers)} boolean drivers, int64 steps")


for arg in sys.argv[1:]:
    d = Path(arg)
    check_types(d / "trials.parquet")
    same_values(d / "trials.csv", d / "trials.parquet")
    if (d / "timeline.parquet").exists():
        check_timeline_types(d / "timeline.parquet")
        same_values(d / "timeline.csv", d / "timeline.parquet")
