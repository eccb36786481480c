"""The words about a value's vintages (issue 21): a key's history ('初步 1.86% (2023-09) → 修订 1.96% (2024-10)'),
and the display texts of 数据质量's two vintage tables (provisional values past their usual final release, the
revisions of the last months with their size). Pure: frames in, frames and strings out; numbers are written as
views.target_words and vocab.labels write them."""
from __future__ import annotations

import pandas as pd

from vocab import labels
from vocab.labels import is_missing

KEY = ["region", "indicator", "year", "quarter"]


def _indicator(indicators: pd.DataFrame, code: str) -> dict:
    """The catalogue row of an indicator code (name, unit, decimals); the code itself when unknown."""
    known = indicators.set_index("code")
    if code in known.index:
        row = known.loc[code]
        return {"name": str(row["name"]), "unit": str(row["unit"] or ""),
                "decimals": 0 if is_missing(row["decimals"]) else int(row["decimals"])}
    return {"name": code, "unit": "", "decimals": 2}


def amount(value: float, unit: str, decimals: int) -> str:
    """'1.86%', '901.27亿元' ('—' when missing)."""
    number = labels.number_text(value, decimals)
    return number if number == "—" else labels.with_unit(number, unit)


def vintage_text(row: dict, unit: str, decimals: int) -> str:
    """One vintage: '初步 1.86% (2023-09)'; a value without a release date by the month it was recorded; a sample
    value '示例数据 3.50%'."""
    value = amount(row["value"], unit, decimals)
    if bool(row["is_sample"]):
        return f"{labels.SAMPLE_MARK} {value}"
    day = row["released_on"] if not is_missing(row.get("released_on")) else row.get("known_from")
    when = "" if is_missing(day) else f" ({pd.Timestamp(day):%Y-%m})"
    return f"{labels.data_status_text(row['data_status'])} {value}{when}"


def history_text(rows: pd.DataFrame, unit: str, decimals: int) -> str:
    """A key's vintages, oldest first, joined by arrows: '初步 1.86% (2023-09) → 修订 1.96% (2024-10)'."""
    return " → ".join(vintage_text(r, unit, decimals) for r in rows.to_dict("records"))


def history_table(vintages: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The keys of db.read_vintages that have more than one vintage, as 目标详情 shows them: region, indicator_name,
    period, history (history_text), current (the current vintage's words); latest period first."""
    columns = ["region", "indicator_name", "period", "history", "current"]
    if vintages.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for key, part in vintages.groupby(KEY, sort=False):
        if len(part) < 2:
            continue
        ind = _indicator(indicators, key[1])
        current = part.loc[part["is_current"]].to_dict("records")
        rows.append({"region": key[0], "indicator_name": ind["name"], "period": str(part["period"].iloc[-1]),
                     "year": key[2], "history": history_text(part, ind["unit"], ind["decimals"]),
                     "current": vintage_text(current[0], ind["unit"], ind["decimals"]) if current else ""})
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(rows).sort_values(["year", "region"], ascending=[False, True], kind="stable")[columns] \
        .reset_index(drop=True)


def late_table(late: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """metrics.quality.late_provisional as texts: region, indicator_name, period, value, data_status, released_on,
    final_by, rule, days_late, source."""
    out = []
    for r in late.to_dict("records"):
        ind = _indicator(indicators, r["indicator"])
        out.append({"region": r["region"], "indicator_name": ind["name"], "period": str(r["period"]),
                    "value": amount(r["value"], ind["unit"], ind["decimals"]),
                    "data_status": labels.data_status_text(r["data_status"]),
                    "released_on": "" if is_missing(r["released_on"]) else f"{pd.Timestamp(r['released_on']):%Y-%m-%d}",
                    "final_by": f"{pd.Timestamp(r['final_by']):%Y-%m-%d}", "rule": r["rule"],
                    "days_late": int(r["days_late"]), "source": str(r["source"] or "")})
    return pd.DataFrame(out, columns=["region", "indicator_name", "period", "value", "data_status", "released_on",
                                      "final_by", "rule", "days_late", "source"])


def revision_table(revisions: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """metrics.quality.revisions as texts: region, indicator_name, period, before ('初步 1.86% (2023-09)'), after
    ('修订 1.96% (2024-10)'), change ('+0.10个百分点（+5.4%）')."""
    out = []
    for r in revisions.to_dict("records"):
        ind = _indicator(indicators, r["indicator"])
        unit, decimals = ind["unit"], ind["decimals"]
        before = {"value": r["from_value"], "data_status": r["from_status"], "released_on": r["from_released"],
                  "is_sample": False}
        after = {"value": r["to_value"], "data_status": r["to_status"], "released_on": r["released_on"],
                 "is_sample": False}
        share = "" if is_missing(r["change_pct"]) else f"（{r['change_pct']:+.1%}）"
        out.append({"region": r["region"], "indicator_name": ind["name"], "period": str(r["period"]),
                    "before": vintage_text(before, unit, decimals), "after": vintage_text(after, unit, decimals),
                    "change": labels.difference_text(r["change"], unit, decimals, signed=True) + share})
    return pd.DataFrame(out, columns=["region", "indicator_name", "period", "before", "after", "change"])
