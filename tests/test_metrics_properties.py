"""Rules that hold for all inputs (hypothesis): monotone, met is met, order-free, scale-free, finite."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.status import target_status
from metrics.verdicts import JUDGED_STATUSES, PACE_COLUMNS
from tests.metrics_helpers import (
    REGION,
    SETTINGS,
    cases,
)
from vocab import labels

TOL = SETTINGS["tolerance"]["approximate"]
RELAXED = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# numeric columns that must be finite whenever the status is not no_data
# a judged row has no pace columns; its verdict numbers are finite unless no_final_data
VERDICT_FINITE = ["actual", "baseline", "goal", "attainment", "gap", "years_elapsed", "years_remaining"]
ALWAYS_FINITE = ["actual", "baseline", "goal", "attainment", "gap", "expected", "required_annual_increase",
                 "actual_annual_increase", "ratio", "years_elapsed", "years_remaining", "status_order"]


def run(tgt: pd.DataFrame, obs: pd.DataFrame, as_of: int, **kw) -> pd.DataFrame:
    return target_status(tgt, obs, as_of, 0, SETTINGS, **kw).set_index("code").sort_index()


@RELAXED
@given(cases(kinds=("level", "annual", "cumulative", "milestone")), st.floats(0.01, 500))
def test_raising_the_actual_never_worsens_a_rising_target(case, delta):
    tgt, obs, as_of = case
    tgt = tgt[tgt["comparator"] != "<="]
    if tgt.empty:
        return
    before = run(tgt, obs, as_of)
    # raise the value each target reports as its actual (its latest observation at or before the as-of year)
    # (a quarter q of year Y sits at Y − 1 + q/4; the whole-year value wins over the same year's Q4)
    timed = obs.assign(t=np.where(obs["quarter"] > 0, obs["year"] - 1 + obs["quarter"] / 4, obs["year"]),
                       annual=obs["quarter"] == 0)
    latest = timed[timed["year"] <= as_of].sort_values(["indicator", "t", "annual"]).groupby("indicator").tail(1)
    raised = obs.copy()
    raised.loc[latest.index, "value"] += delta
    after = run(tgt, raised, as_of)
    order = labels.STATUS_BY_KEY
    worse = [c for c in before.index if order[after.loc[c, "status"]].order > order[before.loc[c, "status"]].order]
    assert not worse, after.loc[worse, ["status", "ratio"]].join(before[["status", "ratio"]], rsuffix="_before")


@RELAXED
@given(cases(kinds=("level", "annual", "cumulative", "milestone")))
def test_a_target_whose_value_meets_it_is_met(case):
    tgt, obs, as_of = case
    out = run(tgt, obs, as_of)
    # a value to judge: any value before the due year; the due year's own value once judged
    has = ~out["status"].isin(["no_data", "no_final_data"])
    a, v = out["actual"], out["target_value"]
    # the helper's measures are counts (decimals 0): a 左右 goal is rounded up to a whole number
    approx_goal = np.ceil(v * (1 - TOL) - 1e-9)
    meets = np.select([out["comparator"] == ">=", out["comparator"] == "<=", out["comparator"] == "approx",
                       out["comparator"] == "range"],
                      [a >= v, a <= v, a >= approx_goal - 1e-9, a >= out["target_low"]], False)
    assert (out.loc[has & meets, "status"] == "met").all()
    assert ((out["status"] == "met") <= (meets | ~has)).all()


@RELAXED
@given(cases(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case, rnd):
    tgt, obs, as_of = case
    a = run(tgt, obs, as_of)
    shuffled_obs = obs.sample(frac=1, random_state=rnd.randint(0, 10**6))
    shuffled_tgt = tgt.sample(frac=1, random_state=rnd.randint(0, 10**6))
    b = run(shuffled_tgt, shuffled_obs, as_of)
    pd.testing.assert_frame_equal(a, b)


@RELAXED
@given(cases(kinds=("level", "annual", "cumulative", "relative")), st.sampled_from([0.001, 0.37, 3.0, 1000.0]))
def test_scaling_values_and_targets_changes_no_status(case, factor):
    tgt, obs, as_of = case
    tgt = tgt.assign(decimals=1)  # counts (decimals 0) round a 左右 goal up to a whole number: not scale-free
    a = run(tgt, obs, as_of)
    scaled_t = tgt.assign(value=tgt["value"] * factor, value_low=tgt["value_low"] * factor,
                          value_high=tgt["value_high"] * factor)
    b = run(scaled_t, obs.assign(value=obs["value"] * factor), as_of)
    assert list(a["status"]) == list(b["status"])
    np.testing.assert_allclose(a["ratio"].to_numpy(dtype=float), b["ratio"].to_numpy(dtype=float), rtol=1e-6)


@RELAXED
@given(cases(), st.booleans())
def test_no_nan_or_infinity_without_no_data(case, many_regions):
    tgt, obs, as_of = case
    regions = [REGION, "丙县"] if many_regions else None
    out = target_status(tgt, obs, as_of, 0, SETTINGS, regions=regions)
    numeric = out.select_dtypes("number")
    assert not np.isinf(numeric.to_numpy(dtype=float)).any()
    with_data = out[~out["status"].isin(["no_data", "no_final_data"])]
    for rows, columns in ((with_data[~with_data["judged"]], ALWAYS_FINITE),
                          (with_data[with_data["judged"]], VERDICT_FINITE)):
        bad = rows[columns].isna().any(axis=1)
        assert not bad.any(), rows.loc[bad, ["code", "kind", "status", *columns]]
    judged = out[out["judged"]]
    assert judged[list(PACE_COLUMNS)].isna().all().all() and not judged["forecast_reaches"].any()
    assert set(out["status"]) <= set(labels.STATUS_BY_KEY)
    assert out["forecast_reaches"].dtype == bool and out["is_sample"].dtype == bool


@RELAXED
@given(cases())
def test_a_due_target_is_judged_in_final_terms(case):
    """Due-year verdict: once as-of ≥ the due year a target is met, unmet or no_final_data — never a pace status,
    stale or no_data; a target still ahead is never unmet or no_final_data; an unmet target's attainment is < 1."""
    tgt, obs, as_of = case
    out = run(tgt, obs, as_of)
    due = out["due_year"] <= as_of
    assert (out["judged"] == due).all() and (out.loc[due, "final_year"] == out.loc[due, "due_year"]).all()
    assert out.loc[due, "status"].isin(JUDGED_STATUSES).all()
    assert not out.loc[~due, "status"].isin(["unmet", "no_final_data"]).any()
    assert (out.loc[out["status"] == "unmet", "attainment"] < 1).all()
