"""Small lookups the pages need from the cached catalogue and observations: the policy's row and title, its
benchmark region, the units of its tasks, one indicator's stored values."""
from __future__ import annotations

import pandas as pd

from ui.cache import catalogue_frames, frames
from views import comparison
from views import policy as views_policy


def policy_row(policy: str) -> dict:
    """views.policy.policy_row from the cached catalogue."""
    return views_policy.policy_row(catalogue_frames(), policy)


def policy_title(policy: str) -> str:
    """The policy's document number and title, e.g. '长政〔2019〕20号《…》'."""
    p = policy_row(policy)
    return f"{p['doc_number']}《{p['title']}》"


def benchmark_region(policy: str) -> str:
    """The policy's benchmark region (e.g. 河南省)."""
    return comparison.benchmark_region(catalogue_frames(), policy)


def unit_options(policy: str) -> list[str]:
    """Every unit that leads or shares a task of the policy, in the document's order."""
    return views_policy.unit_options(catalogue_frames(), policy)


def observations_of(policy: str, region: str, indicator: str, as_of_year: int, benchmark: str | None = None) -> pd.DataFrame:
    """The stored values of one indicator up to the as-of year, for the region (then its benchmark region),
    oldest first."""
    obs = frames(policy, region)["observations"]
    regions = [region] + ([benchmark] if isinstance(benchmark, str) and benchmark else [])
    rows = obs.loc[obs["region"].isin(regions) & (obs["indicator"] == indicator) & (obs["year"] <= as_of_year)]
    order = rows["region"].map({r: i for i, r in enumerate(regions)})
    return rows.assign(_o=order).sort_values(["_o", "year", "quarter"]).drop(columns="_o")
