"""Small hand-built frames shaped like db.read_targets / db.read_observations, for the metrics tests."""
from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import strategies as st

from store import catalogue

SETTINGS = catalogue.load_settings()
REGION = "甲县"
BENCH = "乙省"

_TARGET: dict[str, Any] = {
    "policy": "P", "code": "X01", "kind": "level", "comparator": ">=", "value": 100.0, "value_low": None,
    "value_high": None, "start_year": None, "due_year": 2020, "tier": None, "benchmark": None, "clause": "一（一）",
    "quote": "", "task_clause": "一（一）1", "headline": False, "indicator": "ind", "indicator_name": "指标",
    "unit": "家", "area": "总体", "measure": "stock", "path": "linear", "frequency": "annual", "decimals": 0,
    "stages": [], "base_year": 2018, "policy_region": REGION, "lead_units": "甲局", "responsible_units": "乙局",
}


def targets(*rows: dict[str, Any], **one: Any) -> pd.DataFrame:
    """A targets frame: each row (or the keyword arguments, for one row) overrides the defaults: one level
    ≥ 100 target due 2020, base year 2018."""
    frame = pd.DataFrame([{**_TARGET, **r} for r in (rows or (one,))])
    return frame.astype({"value": float, "value_low": float, "value_high": float, "start_year": float})


def observations(values: dict[Any, float], indicator: str = "ind", region: str = REGION, source: str = "统计年鉴",
                 sample: bool = False) -> pd.DataFrame:
    """{2018: 52, (2020, 2): 10, ...} → observation rows (a bare year = the whole year, quarter 0)."""
    rows = []
    for period, value in values.items():
        year, quarter = period if isinstance(period, tuple) else (period, 0)
        rows.append({"region": region, "indicator": indicator, "year": year, "quarter": quarter, "value": value,
                     "source": source, "is_sample": sample})
    return pd.DataFrame(rows, columns=["region", "indicator", "year", "quarter", "value", "source", "is_sample"])


def combine(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------ hypothesis strategies (property tests)

YEARS = list(range(2016, 2023))
ALL_KINDS = ("level", "annual", "cumulative", "milestone", "relative", "cagr")
values = st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
positive = st.floats(min_value=0.5, max_value=1000, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))


@st.composite
def one_target(draw, k: int, as_of: int, kinds=ALL_KINDS):
    """One target on its own indicator i{k} with a random series (years with gaps, maybe a quarter)."""
    kind = draw(st.sampled_from(kinds))
    ind = f"i{k}"
    row = {"code": f"T{k:02d}", "indicator": ind, "kind": kind, "due_year": draw(st.integers(2019, 2023)),
           "path": draw(st.sampled_from(["linear", "compound"])), "frequency": draw(st.sampled_from(
               ["annual", "quarterly"]))}
    if kind == "relative":
        row.update(comparator=">", value=0.0, benchmark=BENCH, measure="flow")
    elif kind == "cagr":
        row.update(comparator=">=", value=float(draw(st.integers(1, 20))))
    elif kind == "milestone":
        row.update(comparator=">=", value=float(draw(st.integers(1, 2))), stages=["未启动", "申报中", "已获批"],
                   measure="stage")
    else:
        comparator = draw(st.sampled_from([">=", ">=", "<=", "approx", "range"]))
        row.update(comparator=comparator, value=draw(positive))
        if comparator == "range":
            low = draw(positive)
            row.update(value=None, value_low=low, value_high=low + draw(values))
        if kind in ("annual", "cumulative"):
            row.update(start_year=float(draw(st.integers(2018, 2020))), measure="flow")
    # values on the target's own scale (mostly short of it, sometimes beyond), so that every status occurs
    scale = 100.0 if kind == "cagr" else row.get("value_low") or row["value"] or 100.0  # cagr: a level series
    around = st.floats(0, 1.5).map(lambda f: round(f * scale, 3))
    years = draw(st.lists(st.sampled_from(YEARS), min_size=0, max_size=6, unique=True))
    if draw(st.integers(0, 4)):  # mostly recent data, sometimes none or old
        years += [y for y in (as_of - 1, as_of) if y not in years]
    series = {y: (float(draw(st.integers(0, 2))) if kind == "milestone" else draw(around)) for y in years}
    if draw(st.booleans()) and kind != "relative":
        series[(draw(st.sampled_from(YEARS)), draw(st.integers(1, 4)))] = draw(around)
    obs = [observations(series, indicator=ind, sample=draw(st.booleans()))]
    if kind == "relative":
        bench_years = draw(st.lists(st.sampled_from(YEARS), max_size=6, unique=True))
        if draw(st.integers(0, 4)):
            bench_years += [y for y in (as_of - 1, as_of) if y not in bench_years]
        obs.append(observations({y: draw(values) for y in bench_years}, indicator=ind, region=BENCH))
    return row, combine(*obs)


@st.composite
def cases(draw, kinds=ALL_KINDS):
    n = draw(st.integers(1, 6))
    as_of = draw(st.integers(2018, 2022))
    drawn = [draw(one_target(k, as_of, kinds)) for k in range(n)]
    return targets(*[r for r, _ in drawn]), combine(*[o for _, o in drawn]), as_of
