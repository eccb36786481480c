"""The latest observation at or before an as-of year, per region and indicator."""
from __future__ import annotations

import pandas as pd


def latest_values(observations: pd.DataFrame, as_of_year: int) -> pd.DataFrame:
    """One row per (region, indicator): the latest annual value with year ≤ as_of_year.

    observations: region, indicator, year, quarter (0 = whole year), value, source, is_sample.
    Returns region, indicator, year, value, source, is_sample."""
    cols = ["region", "indicator", "year", "value", "source", "is_sample"]
    annual = observations.loc[(observations["quarter"] == 0) & (observations["year"] <= as_of_year), cols]
    return (annual.sort_values(["region", "indicator", "year"])
                  .groupby(["region", "indicator"], as_index=False).last())
