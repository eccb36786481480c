"""Summaries of the status frame for the overview and the accountability pages: headline cards, counts by status,
the needs-attention list, and the task-ledger filter. Pure pandas; the statuses
themselves come from metrics.status.target_status."""
from __future__ import annotations

import pandas as pd

from vocab import labels

STATUS_KEYS = [s.key for s in labels.STATUSES]
ORDER = {s.key: s.order for s in labels.STATUSES}
BEHIND = ("unmet", "reverse", "off_track", "moderate")
NO_DATA = ("stale", "no_final_data", "no_data")  # no current value to judge or to show


def headline_cards(status: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """The headline targets (status column `headline`) with the change of their actual value since the previous
    year. changes: metrics.changes.status_changes(previous year, this year).

    Returns the status columns plus status_before, actual_before, change (actual − actual_before; NaN when
    either is missing)."""
    head = status.loc[status["headline"].fillna(False).astype(bool)]
    before = changes[["code", "status_before", "actual_before"]]
    out = head.merge(before, on="code", how="left")
    return out.assign(change=out["actual"] - out["actual_before"]).reset_index(drop=True)


def status_counts(status: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """How many targets have each status, best first: every status listed (zeros included), or only `keys` — e.g.
    metrics.standing.possible_statuses(status), which leaves out the statuses that cannot occur at this as-of."""
    keys = STATUS_KEYS if keys is None else [k for k in STATUS_KEYS if k in keys]
    counts = status["status"].value_counts().reindex(keys, fill_value=0)
    return pd.DataFrame({
        "status": keys,
        "label": [labels.STATUS_BY_KEY[k].label for k in keys],
        "n": counts.to_numpy().astype("int64"),
    })


def needs_attention(status: pd.DataFrame) -> pd.DataFrame:
    """Targets of labels.ATTENTION_STATUSES (未完成, 明显滞后, 逆向变化, 数据过期, 无期末数据), the furthest behind first
    (lowest progress ratio; then the rows without a ratio — verdicts by lowest attainment, then stale data —,
    then by status order and code)."""
    rows = status.loc[status["status"].isin(labels.ATTENTION_STATUSES)]
    by = ["ratio", "attainment", "status_order", "code"] if "attainment" in rows else ["ratio", "status_order", "code"]
    return rows.sort_values(by, na_position="last").reset_index(drop=True)


def filter_ledger(ledger: pd.DataFrame, task_units: pd.DataFrame, units: list[str] | None = None,
                  statuses: list[str] | None = None) -> pd.DataFrame:
    """The task ledger restricted to tasks that the given units lead or share, and to the given status keys.
    Empty or None filters keep everything."""
    keep = pd.Series(True, index=ledger.index)
    if units:
        clauses = task_units.loc[task_units["department"].isin(units), ["policy", "clause"]].drop_duplicates()
        key = ledger["policy"] + "|" + ledger["clause"]
        keep &= key.isin(clauses["policy"] + "|" + clauses["clause"])
    if statuses:
        keep &= ledger["status"].isin(statuses)
    return ledger.loc[keep].reset_index(drop=True)


def moved_since(changes: pd.DataFrame) -> pd.DataFrame:
    """The rows of metrics.changes.status_changes worth reporting: a due-year verdict, a status that moved, a
    target that appeared or went, or a value that arrived. Verdicts (到期判定) first, then improvements, declines,
    the rest."""
    rows = changes.loc[(changes["direction"] != "same") | changes["value_added"].fillna(False).astype(bool)]
    rank = {"judged": 0, "up": 1, "down": 2, "new": 3, "gone": 4, "same": 5}
    return (rows.assign(_r=rows["direction"].map(rank)).sort_values(["_r", "code"]).drop(columns="_r")
                .reset_index(drop=True))


def furthest_behind(status: pd.DataFrame, limit: int = 2) -> pd.DataFrame:
    """The targets furthest behind: worst status first, then lowest progress ratio, then lowest attainment."""
    behind = status.loc[status["status"].isin(BEHIND)]
    return behind.sort_values(["status_order", "ratio", "attainment"], ascending=[False, True, True],
                              na_position="last").head(limit)
