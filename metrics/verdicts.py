"""Year-end verdicts: once a target's due period has passed it is judged in final terms, not by pace.

A target is *due* when the as-of period has reached the end of its due year plus `[verdict] years_after_due`
(as-of time ≥ due_year + years_after_due; 2020 and 2020Q4 reach a 2020 target, 2020Q2 does not). A due target is
已完成 `met` or 未完成 `unmet` (its attainment tells by how much: “完成 92%”); the pace statuses 进度正常, 略有滞后,
明显滞后 and 逆向变化 are for targets still ahead. 无数据 and 数据过期 stay: without a current value there is
nothing to judge, and saying so is the verdict the data allow."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

PACE_STATUSES = ("on_track", "moderate", "off_track", "reverse")
EPS = 1e-9


def is_due(due_year: Any, as_of_time: float, settings: dict[str, Any]) -> np.ndarray:
    """True where the as-of time (year Y = Y, quarter q of Y = Y − 1 + q/4) has reached the due year's end."""
    after = float(settings.get("verdict", {}).get("years_after_due", 0))
    return as_of_time >= np.asarray(due_year, dtype=float) + after - EPS


def year_end_verdict(status: pd.Series, due_year: Any, as_of_time: float, settings: dict[str, Any]) -> pd.Series:
    """Status keys with every pace status of a due target replaced by `unmet`; met, stale, no_data unchanged."""
    final = is_due(due_year, as_of_time, settings) & status.isin(PACE_STATUSES).to_numpy()
    return status.where(~final, "unmet")
