"""Which indicators 数据填报 offers and its templates hold: one list, so that a tab and the template it offers count
the same indicators. Pure, over the catalogue frames (indicators, targets with lead_units / responsible_units).

A policy's list is its targeted indicators plus the context indicators no policy targets (地区生产总值 …, shown for
scale); a department's list is the indicators of the policy's targets it leads or shares. An account's list is
also cut to what it may write (access.guard.Scope.indicators), never widened by it: a scope spans every policy."""
from __future__ import annotations

from collections.abc import Collection, Iterable

import pandas as pd

from access.permissions import department_indicators


def entry_indicators(indicators: pd.DataFrame, targets: pd.DataFrame, policy: str, *,
                     departments: Iterable[str] | None = None,
                     writable: Collection[str] | None = None) -> list[str]:
    """Indicator codes in catalogue order: the policy's (targeted and context), or the departments' targeted ones of
    the policy when departments are given; only those in `writable` when it is given."""
    of_policy = targets.loc[targets["policy"] == policy]
    if departments is not None:
        wanted = department_indicators(of_policy, departments)
    else:
        wanted = set(of_policy["indicator"]) | (set(indicators["code"]) - set(targets["indicator"]))
    if writable is not None:
        wanted &= set(writable)
    return [c for c in indicators["code"] if c in wanted]
