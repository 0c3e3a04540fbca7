"""read_run on real CLI output: dtypes, metadata and consistency with summary.csv."""

import pandas as pd

import brink


def test_run_frames_have_proper_dtypes(flagship_dir):
    run = brink.read_run(flagship_dir)
    t = run.trials
    assert len(t) == 500 and run.meta["trials"] == 500
    assert isinstance(t["outcome"].dtype, pd.CategoricalDtype)
    assert list(t["outcome"].cat.categories) == run.meta["outcomes"]
    assert t["outcome"].notna().all()
    # a step that never came is <NA> in a nullable integer column
    step = t["talks_hmc_agreement_step"]
    assert step.dtype == "Int64"
    # The agreement is a milestone: a step is recorded exactly when the
    # talks' status is agreement, and the milestone's column agrees.
    assert (step.notna() == (t["talks_hmc_status"] == "agreement")).all()
    assert step.notna().any() and (step.dropna() == t["milestone_agreement_step"].dropna()).all()
    assert t["end_step"].dtype == "Int64" and t["end_step"].notna().all()
    assert run.start_date == pd.Timestamp("2024-01-24")
    assert run.paths == []


def test_summary_matches_trials(flagship_dir):
    run = brink.read_run(flagship_dir)
    o = run.summary.query("kind == 'outcome'").set_index("name")
    counts = run.trials["outcome"].value_counts()
    for name, row in o.iterrows():
        assert row["count"] == counts[name]
        assert row["ci_low"] <= row["probability"] <= row["ci_high"]
    assert o["count"].sum() == len(run.trials)


def test_timeline_dates(flagship_dir):
    run = brink.read_run(flagship_dir)
    tl = run.timeline
    assert tl is not None and tl["trial"].nunique() == 40
    assert pd.api.types.is_datetime64_any_dtype(tl["date"])
    assert (tl["date"] == run.start_date + pd.to_timedelta(tl["step"], unit="D")).all()
    # rows stop at each trial's end step
    last = tl.groupby("trial")["step"].max()
    ends = run.trials.set_index("trial")["end_step"].loc[last.index]
    assert (last <= ends).all()


def test_sweep_directory(sweep_dir):
    run = brink.read_run(sweep_dir)
    paths = ["dyads.us_kh.response.proportionality", "drivers.gaza_war.end_hazard"]
    assert run.paths == paths
    assert list(run.trials.columns[:4]) == ["point", *paths, "trial"]
    assert run.trials["point"].nunique() == 4 and len(run.trials) == 800
    # One row per point for each terminal outcome (the agreement is a
    # milestone in the flagship, not an outcome row).
    exit_ = run.summary.query("kind == 'outcome' and name == 'coerced_exit'")
    assert len(exit_) == 4 and exit_[paths].notna().all().all()
    assert run.timeline is None
