"""survival() and fan() against hand-computed values and real runs."""

import numpy as np
import pandas as pd
import pytest

import brink


def test_survival_hand_computed():
    # 5 trials: events at 2, 2, 4; censored at 3 and 5.
    t = pd.DataFrame({
        "ev": pd.array([2, 2, None, 4, None], dtype="Int64"),
        "end_step": [2, 2, 3, 4, 5],
    })
    s = brink.survival(t, "ev")
    assert list(s.index) == [0, 1, 2, 3, 4, 5]
    # KM: S(2) = 1 - 2/5 = 0.6; censor at 3; S(4) = 0.6 * (1 - 1/2) = 0.3
    np.testing.assert_allclose(s["survival"], [1, 1, 0.6, 0.6, 0.3, 0.3])
    assert list(s["at_risk"]) == [5, 5, 5, 3, 2, 1]
    assert list(s["events"]) == [0, 0, 2, 0, 1, 0]
    assert (s["ci_low"] <= s["survival"]).all() and (s["survival"] <= s["ci_high"]).all()
    assert s["ci_low"].iloc[2] < 0.6 < s["ci_high"].iloc[2]


def test_survival_without_censoring_is_the_empirical_share():
    rng = np.random.default_rng(1)
    ev = rng.integers(0, 50, size=300)
    t = pd.DataFrame({"ev": pd.array(ev, dtype="Int64"), "end_step": ev})
    s = brink.survival(t, "ev", horizon=60)
    for k in (0, 10, 25, 49, 60):
        assert s["survival"].loc[k] == pytest.approx((ev > k).mean())


def test_survival_on_flagship(flagship_dir):
    run = brink.read_run(flagship_dir)
    s = brink.survival(run.trials, "talks_hmc_agreement_step")
    assert s["survival"].iloc[0] <= 1 and (np.diff(s["survival"]) <= 1e-12).all()
    p_agree = run.trials["milestone_agreement_step"].notna().mean()
    # censoring other outcomes can only lower the no-agreement share
    assert s["survival"].iloc[-1] <= 1 - p_agree + 1e-12


def test_fan_carries_finished_trials():
    tl = pd.DataFrame({
        "trial": [0, 0, 0, 1, 1, 2, 2, 2],
        "step": [0, 1, 2, 0, 1, 0, 1, 2],
        "a": [1, 2, 3, 0, 5, 1, 1, 1],
        "b": [0, 0, 0, 0, 0, 1, 1, 1],
    })
    f = brink.fan(tl, ["a", "b"], quantiles=(0.0, 0.5, 1.0))
    # step 2: trial 0 -> 3, trial 1 carried at 5, trial 2 -> 2
    assert list(f.loc[2, [0.0, 0.5, 1.0]]) == [2, 3, 5]
    assert list(f["running"]) == [3, 3, 2]
    g = brink.fan(tl, "a", quantiles=(0.5,), carry=False)
    assert g.loc[2, 0.5] == 2.0  # median of trial 0 (3) and trial 2 (1)


def test_fan_on_flagship(flagship_dir):
    run = brink.read_run(flagship_dir)
    f = brink.fan(run.timeline, ["cum_events_kh_us", "cum_events_nujaba_us"])
    q = f[[0.05, 0.25, 0.5, 0.75, 0.95]]
    assert (q.diff(axis=1).iloc[:, 1:] >= 0).all().all()  # bands nest
    assert (q.diff().iloc[1:] >= 0).all().all()  # cumulative counts never fall
    assert f["date"].iloc[0] == run.start_date
    assert f["running"].iloc[0] == 40
