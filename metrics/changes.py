"""What changed between two status frames: "since last year" and "since the last meeting" (snapshots), and which
changes a revised figure made (因数据修订)."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from vocab import labels

_KEEP = ["code", "indicator_name", "status", "status_order", "actual", "judged", "actual_year", "attainment", "ratio",
         "data_released_on"]
DIRECTIONS = ("judged", "revised", "up", "down", "same", "new", "gone")
_CLOSE = 1e-9   # relative tolerance: a number read back from a snapshot is the same number
# a frame without the judged column (a meeting snapshot) was surely not judged where it shows a status only a row
# still ahead of its due year has (a pace status; under the old rule 数据过期 and 无数据 were kept at the due year, so
# those count too); a met or unmet row of such a frame may have been either, and is not called a new verdict
_ONLY_AHEAD = ("on_track", "moderate", "off_track", "reverse", "stale", "no_data")


def status_changes(before: pd.DataFrame, after: pd.DataFrame, revised_after: date | None = None) -> pd.DataFrame:
    """One row per target in either frame (matched on policy, region and code where both frames have them).

    Returns the keys, indicator_name, status_before, status_after, direction, status_move, actual_before,
    actual_after, value_added (a value exists now that did not before), revised, status_label_before/after ('' when
    absent).
    direction: "judged" = the target reached its due year in between (到期判定: its status is a verdict now, not a
    pace status before — not an improvement or a decline; a snapshot without `judged` counts only its pace, stale
    and no-data rows as not judged yet), else "revised" = its status moved because a figure was revised (因数据修订:
    `revised`, below), else "up" (better status), "down", "same", "new" (only after), "gone" (only before).
    status_move: up / down / same by status order for every row in both frames (judged ones too), '' otherwise.
    revised (only with revised_after, e.g. the meeting day of a snapshot): the value of the same year is not the
    one compared with (its actual, attainment or progress ratio differs) and a value the row rests on now was
    released after that day (the engine's data_released_on) — a revision or a later release of the same year's
    figure, not a new year's value."""
    keys = [k for k in ("policy", "region", "code") if k in before.columns and k in after.columns] or ["code"]
    cols = list(dict.fromkeys(keys + _KEEP))
    b = _with_judged(before)[[c for c in cols if (c in before.columns or c == "judged")
                              and c != "data_released_on"]].assign(_pos_b=np.arange(len(before)))
    a = _with_judged(after)[[c for c in cols if c in after.columns or c == "judged"]].assign(
        _pos_a=np.arange(len(after))).rename(columns={"data_released_on": "data_released_on_after"})
    m = b.merge(a, on=keys, how="outer", suffixes=("_before", "_after"), indicator=True)
    m = m.assign(indicator_name=m["indicator_name_after"].fillna(m["indicator_name_before"]))
    # order from today's palette (a snapshot taken before a status was added stores the old numbers)
    order = {s.key: s.order for s in labels.STATUSES}
    order_b = m["status_before"].map(order).astype(float).fillna(m["status_order_before"])
    order_a = m["status_after"].map(order).astype(float).fillna(m["status_order_after"])
    both = m["_merge"] == "both"
    move = np.select([both & (order_a < order_b), both & (order_a > order_b), both], ["up", "down", "same"], "")
    became_judged = both & m["judged_after"].fillna(False).astype(bool) & ~m["judged_before"].fillna(False).astype(bool)
    revised = both & _revised(m, revised_after)
    direction = np.select([m["_merge"] == "right_only", m["_merge"] == "left_only", became_judged,
                           revised & (move != "same")], ["new", "gone", "judged", "revised"], move)
    label = {s.key: s.label for s in labels.STATUSES}
    out = m.assign(
        direction=direction, status_move=move, revised=revised.to_numpy(dtype=bool),
        value_added=m["actual_after"].notna() & m["actual_before"].isna(),
        status_before=m["status_before"].fillna(""), status_after=m["status_after"].fillna(""),
        status_label_before=m["status_before"].map(label).fillna(""),
        status_label_after=m["status_after"].map(label).fillna(""),
    )
    out = out.sort_values(["_pos_a", "_pos_b"], na_position="last", kind="stable")  # the after frame's order
    return out[keys + ["indicator_name", "status_before", "status_after", "direction", "status_move",
                       "actual_before", "actual_after", "value_added", "revised", "status_label_before",
                       "status_label_after"]].reset_index(drop=True)


def _revised(m: pd.DataFrame, revised_after: date | None) -> pd.Series:
    """Rows (of the merged frame) whose figure of the same year changed and was released after the day."""
    if revised_after is None or "data_released_on_after" not in m or "actual_year_before" not in m:
        return pd.Series(False, index=m.index)
    same_year = m["actual_year_before"].astype("Float64").eq(m["actual_year_after"].astype("Float64")).fillna(False)
    differs = pd.Series(False, index=m.index)
    for c in ("actual", "attainment", "ratio"):
        if f"{c}_before" in m and f"{c}_after" in m:
            b, a = m[f"{c}_before"].astype(float), m[f"{c}_after"].astype(float)
            differs |= (b.isna() != a.isna()) | ((b - a).abs() > _CLOSE * np.fmax(b.abs(), a.abs()))
    released = pd.to_datetime(m["data_released_on_after"]) > pd.Timestamp(revised_after)
    return (same_year & differs & released).astype(bool)


def _with_judged(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a bool `judged` column: its own, or (a snapshot) false only where the status is one that
    only a row still ahead of its due year has."""
    if "judged" in frame.columns:
        return frame.assign(judged=frame["judged"].fillna(False).astype(bool))
    return frame.assign(judged=~frame["status"].isin(_ONLY_AHEAD))


def change_counts(changes: pd.DataFrame) -> dict[str, int]:
    """Counts of the rows by direction — judged (到期判定), revised (因数据修订), up, down, same, new, gone: each row
    counted once, so they add up to the rows — and of values added."""
    counts = changes["direction"].value_counts()
    out = {k: int(counts.get(k, 0)) for k in DIRECTIONS}
    out["value_added"] = int(changes["value_added"].fillna(False).astype(bool).sum())
    return out
