"""Data-quality findings per indicator of a policy, for one region: no data, stale data (the engine's 数据过期),
sample values, values without a source; and how many values are published figures against sample data."""
from __future__ import annotations

import pandas as pd

ISSUES = ("no_data", "stale", "sample", "no_source")


def quality_findings(targets: pd.DataFrame, observations: pd.DataFrame, status: pd.DataFrame, region: str,
                     as_of_year: int) -> pd.DataFrame:
    """One row per indicator the policy's targets use: indicator, indicator_name, area, unit, codes (its targets),
    n_values, first_year, latest_year (values at or before the as-of year), n_sample, n_no_source, and one bool
    column per issue in ISSUES (stale = the engine gave one of its targets the status 'stale')."""
    ind = (targets.groupby(["indicator", "indicator_name", "area", "unit"], as_index=False, sort=False)["code"]
                  .agg("、".join).rename(columns={"code": "codes"}))
    obs = observations.loc[(observations["region"] == region) & (observations["year"] <= as_of_year)]
    source = obs["source"].fillna("").astype(str).str.strip()
    obs = obs.assign(no_source=source == "", sample=obs["is_sample"].astype(bool))
    per = obs.groupby("indicator").agg(n_values=("value", "size"), first_year=("year", "min"),
                                       latest_year=("year", "max"), n_sample=("sample", "sum"),
                                       n_no_source=("no_source", "sum"))
    stale = status.loc[(status["region"] == region) & (status["status"] == "stale"), "indicator"].unique()
    out = ind.merge(per, left_on="indicator", right_index=True, how="left")
    out = out.fillna({"n_values": 0, "n_sample": 0, "n_no_source": 0})
    out = out.astype({"n_values": "int64", "n_sample": "int64", "n_no_source": "int64"})
    return out.assign(no_data=out["n_values"] == 0, stale=out["indicator"].isin(stale),
                      sample=out["n_sample"] > 0, no_source=out["n_no_source"] > 0).reset_index(drop=True)


def issue_counts(findings: pd.DataFrame) -> dict[str, int]:
    """How many indicators have each issue."""
    return {issue: int(findings[issue].sum()) for issue in ISSUES}


def provenance_counts(observations: pd.DataFrame, region: str, as_of_year: int) -> dict[str, int]:
    """The region's values at or before the as-of year: real (published or derived from a published figure, with
    its source: is_sample false) and sample (示例数据)."""
    obs = observations.loc[(observations["region"] == region) & (observations["year"] <= as_of_year)]
    sample = obs["is_sample"].astype(bool)
    return {"real": int((~sample).sum()), "sample": int(sample.sum())}
