"""Small hand-built frames shaped like db.read_targets / db.read_observations, for the metrics tests."""
from __future__ import annotations

from typing import Any

import pandas as pd

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
