"""Data-quality findings per indicator of a policy, for one region: no data, stale data (the engine's 数据过期),
sample values, values without a source; how many values are published figures against sample data; and the
vintages (issue 21): values still 预计 or 初步 after their usual final release ([vintages] in data/settings.toml),
and the revisions of the last months with their size."""
from __future__ import annotations

from datetime import date

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


# ---------------------------------------------------------------- vintages: provisional values late, revisions

PROVISIONAL = ("estimate", "preliminary")   # vocab.labels.PROVISIONAL_STATUSES
LATE_COLUMNS = ["region", "indicator", "year", "quarter", "period", "value", "data_status", "released_on", "source",
                "final_by", "rule", "days_late"]
REVISION_COLUMNS = ["region", "indicator", "year", "quarter", "period", "from_status", "from_value", "from_released",
                    "to_status", "to_value", "released_on", "change", "change_pct", "is_current"]


def final_by_rules(settings: dict) -> tuple[dict[str, dict], str]:
    """([vintages.final_by] rules by name, the default rule's name), checked: each rule's month and day make a date
    in every year (no 2月29日), years_after ≥ 0, and `default` names a rule; else ValueError saying which."""
    section = settings.get("vintages", {})
    rules = section.get("final_by", {})
    for name, rule in rules.items():
        try:
            date(2001, int(rule["month"]), int(rule["day"]))   # 2001: not a leap year
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"data/settings.toml [vintages.final_by.{name}]：month 和 day 须是每年都有的日期"
                             f"（如 month = 10, day = 31）") from exc
        if int(rule.get("years_after", -1)) < 0:
            raise ValueError(f"data/settings.toml [vintages.final_by.{name}]：years_after 须是 0 或正整数")
    default = section.get("default", "")
    if default not in rules:
        raise ValueError(f"data/settings.toml [vintages]：default = “{default}” 不是 [vintages.final_by] 中的规则"
                         f"（可选：{'、'.join(rules) or '无'}）")
    return rules, default


def final_by(frame: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Each row's (indicator, year) usual final day: final_by (Timestamp), rule (its label). An indicator takes the
    rule whose `indicators` list its code, else the default rule."""
    rules, default = final_by_rules(settings)
    owner = {code: name for name, rule in rules.items() for code in rule.get("indicators", [])}
    name = frame["indicator"].map(owner).fillna(default)
    rule = pd.DataFrame([{"name": n, "label": r.get("label", n), "years_after": int(r["years_after"]),
                          "month": int(r["month"]), "day": int(r["day"])} for n, r in rules.items()]).set_index("name")
    r = rule.loc[name.to_numpy()]
    day = pd.to_datetime(pd.DataFrame({"year": frame["year"].to_numpy(dtype=int) + r["years_after"].to_numpy(),
                                       "month": r["month"].to_numpy(), "day": r["day"].to_numpy()}))
    return frame.assign(final_by=day.to_numpy(), rule=r["label"].to_numpy())


def late_provisional(observations: pd.DataFrame, as_of_year: int, today: date, settings: dict) -> pd.DataFrame:
    """The current values (of the regions in the frame, years up to the as-of year) that are still 预计 or 初步 after
    their usual final day (final_by): LATE_COLUMNS, days_late = today − final_by, most overdue first. Sample values
    have no vintage and are never listed."""
    obs = observations.loc[observations["data_status"].isin(PROVISIONAL) & ~observations["is_sample"].astype(bool)
                           & (observations["year"] <= as_of_year)]
    if obs.empty:
        return pd.DataFrame(columns=LATE_COLUMNS)
    obs = final_by(obs, settings)
    late = obs.loc[obs["final_by"] < pd.Timestamp(today)]
    late = late.assign(days_late=(pd.Timestamp(today) - late["final_by"]).dt.days)
    return late.sort_values(["days_late", "region", "indicator", "year"], ascending=[False, True, True, True],
                            kind="stable")[LATE_COLUMNS].reset_index(drop=True)


def revisions(vintages: pd.DataFrame, today: date, months: int | None) -> pd.DataFrame:
    """The revisions among the vintages (db.read_vintages: per key oldest first): each vintage that followed an
    earlier one of the same key, both published (not sample), released (known_from) within the last `months`
    months up to today (None: any time up to today): REVISION_COLUMNS, change = to − from, change_pct = change ÷
    |from| (NaN from 0); newest first. is_current: the later vintage is the current value."""
    keys = ["region", "indicator", "year", "quarter"]
    v = vintages.reset_index(drop=True)
    if v.empty:
        return pd.DataFrame(columns=REVISION_COLUMNS)
    prev = v.groupby(keys, sort=False).shift(1)
    pairs = v.assign(from_status=prev["data_status"], from_value=prev["value"], from_released=prev["known_from"],
                     from_sample=prev["is_sample"])
    since = pd.Timestamp.min if months is None else pd.Timestamp(today) - pd.DateOffset(months=months)
    known = pd.to_datetime(pairs["known_from"])
    keep = (pairs["from_value"].notna() & ~pairs["is_sample"].astype(bool)
            & ~pairs["from_sample"].fillna(True).astype(bool) & (known > since) & (known <= pd.Timestamp(today)))
    out = pairs.loc[keep]
    change = out["value"].astype(float) - out["from_value"].astype(float)
    base = out["from_value"].astype(float).abs()
    out = out.assign(to_status=out["data_status"], to_value=out["value"], released_on=known.loc[out.index],
                     change=change, change_pct=(change / base.where(base > 0)).astype(float))
    return out.sort_values(["released_on", "region", "indicator"], ascending=[False, True, True],
                           kind="stable")[REVISION_COLUMNS].reset_index(drop=True)
