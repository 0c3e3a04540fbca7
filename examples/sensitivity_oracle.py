"""Oracle data for brink's first-order sensitivity estimator (src/sensitivity.rs).

Writes, into tests/data/salib/:

* ishigami_sample.csv -- an i.i.d. sample of the Ishigami function
  (a = 7, b = 0.1, x_i ~ U(-pi, pi)), n = 4096 rows, x rounded to 9
  significant digits and y computed from the rounded x, so the file is
  self-consistent;
* ishigami_indices.csv -- first-order indices S1 (with SALib's 95 %
  confidence half-widths) from
  - SALib's Sobol'/Saltelli design and estimator (sobol.sample +
    sobol.analyze, N = 2^14 base rows, no second order), and
  - SALib's given-data estimator on the very rows of ishigami_sample.csv
    (delta.analyze with method="sobol", which reports it on one bootstrap
    resample of the rows: `given_data_resample`; and its `sobol_first` on
    the rows themselves: `given_data`. The binning estimator of Plischke,
    Borgonovo and Smith 2013, uncorrected, with M = min(ceil(n^e), 48)
    equal-count classes, e = 2 / (7 + tanh((1500 - n) / 500)); for
    n = 4096 that is n^(1/3) = 16 classes), printed to full precision
    because brink's uncorrected estimate with the same classes must match
    it to rounding;
  plus the analytic values for reference.

Run (any Python with SALib >= 1.4 and numpy):

    python3 -m venv /tmp/salib && /tmp/salib/bin/pip install SALib numpy
    /tmp/salib/bin/python examples/sensitivity_oracle.py

It is deterministic (fixed seeds). tests/sensitivity.rs reads its output.
"""

import math
import os
from importlib.metadata import version

import numpy as np
from SALib.analyze import delta
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

A, B = 7.0, 0.1
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "salib")


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def analytic_s1():
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0]


def main():
    problem = {
        "num_vars": 3,
        "names": ["x1", "x2", "x3"],
        "bounds": [[-math.pi, math.pi]] * 3,
    }
    os.makedirs(OUT, exist_ok=True)

    # Sobol'/Saltelli: the design-based reference.
    xs = sobol_sample.sample(problem, 2**14, calc_second_order=False, seed=20240124)
    si = sobol_analyze.analyze(problem, ishigami(xs), calc_second_order=False, seed=20240124)

    # Given data: i.i.d. rows, the estimator brink mirrors.
    rng = np.random.default_rng(20240124)
    n = 4096
    x = rng.uniform(-math.pi, math.pi, size=(n, 3))
    x = np.array([[float(f"{v:.9g}") for v in row] for row in x])
    y = ishigami(x)
    gd = delta.analyze(problem, x, y, num_resamples=200, seed=20240124, method="sobol")
    # delta.analyze reports S1 on one bootstrap resample of the rows; the
    # same estimator on the rows themselves, with its partition:
    e = 2.0 / (7.0 + np.tanh((1500.0 - n) / 500.0))
    classes = int(np.round(min(int(np.ceil(n**e)), 48)))
    bounds = np.linspace(0, n, classes + 1)
    exact_gd = [delta.sobol_first(y, x[:, i], bounds) for i in range(3)]

    with open(os.path.join(OUT, "ishigami_sample.csv"), "w") as f:
        f.write("x1,x2,x3,y\n")
        for row, v in zip(x, y):
            f.write(f"{row[0]:.9g},{row[1]:.9g},{row[2]:.9g},{v:.17g}\n")

    exact = analytic_s1()
    with open(os.path.join(OUT, "ishigami_indices.csv"), "w") as f:
        f.write("source,parameter,s1,s1_conf\n")
        for i, name in enumerate(problem["names"]):
            f.write(f"sobol_saltelli,{name},{si['S1'][i]:.6f},{si['S1_conf'][i]:.6f}\n")
        for i, name in enumerate(problem["names"]):
            f.write(f"given_data_resample,{name},{gd['S1'][i]:.6f},{gd['S1_conf'][i]:.6f}\n")
        for i, name in enumerate(problem["names"]):
            f.write(f"given_data,{name},{exact_gd[i]:.17g},0\n")
        for i, name in enumerate(problem["names"]):
            f.write(f"analytic,{name},{exact[i]:.6f},0\n")
    print("SALib", version("SALib"), "numpy", np.__version__)
    with open(os.path.join(OUT, "ishigami_indices.csv")) as f:
        print(f.read())


if __name__ == "__main__":
    main()
