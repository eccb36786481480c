"""Colour bands (绿 / 黄 / 橙 / 红) of the department scorecard, and each unit's band over the last quarters.

Two rules (`[scorecard] bands`): "quartile" — the ranked units split into four by their rank: band index
⌊(rank − 1) × 4 ÷ n⌋ with rank 1 = best and tied scores sharing the better rank, so equal scores share a band and
with four or more distinct scores every band has a unit; "thresholds" — score ≥ band_thresholds[0] 绿,
≥ [1] 黄, ≥ [2] 橙, else 红. Units that are not ranked (collective, too few assessed items) get no band ("")."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from vocab import labels

BAND_KEYS = [b.key for b in labels.COLOUR_BANDS]


def score_bands(scorecard: pd.DataFrame, settings: dict[str, Any]) -> pd.Series:
    """Band key per scorecard row (labels.COLOUR_BANDS keys; "" for units that are not ranked).

    scorecard: metrics.scorecard.department_scorecard (score, ranked)."""
    sc = settings["scorecard"]
    rule = sc.get("bands", "quartile")
    ranked = scorecard["ranked"].astype(bool)
    score = scorecard["score"].astype(float)
    if rule == "quartile":
        n = int(ranked.sum())
        rank = score.where(ranked).rank(ascending=False, method="min")
        index = np.floor((rank - 1) * 4 / max(n, 1))
    elif rule == "thresholds":
        cuts = [float(c) for c in sc.get("band_thresholds", [85, 70, 60])]
        if len(cuts) != 3 or sorted(cuts, reverse=True) != cuts:
            raise ValueError(f"settings.toml [scorecard] band_thresholds = {cuts}：应为三个从高到低的分数，如 [85, 70, 60]")
        index = pd.Series(np.select([score >= cuts[0], score >= cuts[1], score >= cuts[2]], [0, 1, 2], 3),
                          index=scorecard.index, dtype=float)
    else:
        raise ValueError(f"settings.toml [scorecard] bands = {rule!r}：应为 quartile 或 thresholds")
    keys = np.asarray(BAND_KEYS, dtype=object)
    idx = index.where(ranked).fillna(-1).astype(int).to_numpy()
    return pd.Series(np.where(idx >= 0, keys[np.clip(idx, 0, 3)], ""), index=scorecard.index, dtype=object)


def with_bands(scorecard: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """The scorecard with `band` (key) and `band_label` (icon + word, '' when not ranked) columns."""
    band = score_bands(scorecard, settings)
    return scorecard.assign(band=band, band_label=band.map(lambda k: labels.colour_band_text(k) if k else ""))


def band_history(scorecards: dict[str, pd.DataFrame], settings: dict[str, Any]) -> pd.DataFrame:
    """Each unit's band per period: one row per unit, one column per period (in the given order), cells are band
    keys ("" when the unit was not ranked or not listed then).

    scorecards: period label (e.g. '2020Q3') → department_scorecard as of that period's end."""
    periods = list(scorecards)
    parts = [pd.DataFrame({"unit": s["unit"].to_numpy(), "period": p, "band": score_bands(s, settings).to_numpy()})
             for p, s in scorecards.items()]
    if not parts:
        return pd.DataFrame(columns=["unit"])
    long = pd.concat(parts, ignore_index=True)
    wide = long.pivot(index="unit", columns="period", values="band").reindex(columns=periods).fillna("")
    latest = wide[periods[-1]].map({k: i for i, k in enumerate(BAND_KEYS)}).fillna(len(BAND_KEYS))
    wide = wide.assign(_o=latest).sort_values(["_o", "unit"]).drop(columns="_o")
    wide.columns.name = None
    return wide.reset_index()
