"""trials.parquet holds the same values as trials.csv, read by pandas
(pyarrow) and by polars, with the types issue 19 asks for: nullable
64-bit integers for counts and steps, doubles for reals, and
dictionary-encoded strings for the outcome and talks statuses.

Usage: python ci/parquet_roundtrip.py RUN_DIR   (written with --format both)
"""
import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

d = Path(sys.argv[1])
csv, parquet = d / "trials.csv", d / "trials.parquet"

# Types, as written.
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

# pandas: the same frame from either file.
a = pd.read_csv(csv, dtype_backend="numpy_nullable")
b = pd.read_parquet(parquet, dtype_backend="numpy_nullable")
assert list(a.columns) == list(b.columns)
for c in a.columns:
    x, y = a[c], b[c]
    if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
        x, y = x.astype("float64"), y.astype("float64")
        assert ((x == y) | (x.isna() & y.isna())).all(), c  # exact: CSV holds shortest round-trip text
    elif pd.api.types.is_integer_dtype(x) or pd.api.types.is_integer_dtype(y):
        assert x.astype("Int64").equals(y.astype("Int64")), c
    else:
        assert x.astype(object).where(x.notna(), None).tolist() == y.astype(object).where(y.notna(), None).tolist(), c
nulls = int(b[steps].isna().sum().sum())
print(f"pandas {pd.__version__}: {len(b)} rows x {b.shape[1]} columns equal to trials.csv ({nulls} null steps)")

# polars: the same.
p, q = pl.read_csv(csv, infer_schema_length=None), pl.read_parquet(parquet)
assert p.columns == q.columns
for c in p.columns:
    x, y = p[c], q[c]
    if x.dtype.is_float() or y.dtype.is_float():
        x, y = x.cast(pl.Float64), y.cast(pl.Float64)
    elif x.dtype.is_integer() or y.dtype.is_integer():
        x, y = x.cast(pl.Int64), y.cast(pl.Int64)
    else:
        x, y = x.cast(pl.Utf8), y.cast(pl.Utf8)
    assert x.equals(y), c
print(f"polars {pl.__version__}: equal to trials.csv")
