"""Median of 3 loads of DIR/trials.csv and DIR/trials.parquet with pandas
and polars (BENCHMARKS.md, "Parquet vs CSV"). Usage: python ci/parquet_load_bench.py DIR
"""
import sys, time, statistics
import pandas as pd, polars as pl
d = sys.argv[1]
def t(f, n=3):
    xs = []
    for _ in range(n):
        t0 = time.perf_counter(); df = f(); xs.append(time.perf_counter() - t0)
    return statistics.median(xs), df.shape
for name, f in [
    ("pandas read_csv (numpy_nullable)", lambda: pd.read_csv(f"{d}/trials.csv", dtype_backend="numpy_nullable")),
    ("pandas read_parquet (numpy_nullable)", lambda: pd.read_parquet(f"{d}/trials.parquet", dtype_backend="numpy_nullable")),
    ("pandas read_csv (default)", lambda: pd.read_csv(f"{d}/trials.csv")),
    ("pandas read_parquet (default)", lambda: pd.read_parquet(f"{d}/trials.parquet")),
    ("polars read_csv", lambda: pl.read_csv(f"{d}/trials.csv", infer_schema_length=None)),
    ("polars read_parquet", lambda: pl.read_parquet(f"{d}/trials.parquet")),
]:
    s, shape = t(f)
    print(f"{name:40s} {s:7.3f} s  {shape}")
