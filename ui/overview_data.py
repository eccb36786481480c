"""What 总览 shows, computed once per data version and shared by every session (the page only lays it out): the
period-over sentence, the targets not met by lead unit, the status counts that can occur, the headline cards, the
area counts, what needs attention and what changed since last year. Every number comes from metrics/, every text
from views/ and ui.status_tables."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from metrics.standing import area_counts, possible_statuses
from metrics.summary import headline_cards, needs_attention, status_counts
from ui import results, status_tables
from ui.badges import value_counts
from ui.cache import catalogue_at, data_version
from views import policy as views_policy
from views import standing

ATTENTION_HEAD = ["code", "indicator_name", "status_text", "actual_text", "target_text", "due_text", "gap_text"]


@dataclass(frozen=True)
class Overview:
    status: pd.DataFrame          # status rows with their texts (ui.status_tables.status_table)
    sample: tuple[int, int]       # (sample values, values) among the targets' values
    summary: str | None           # 实施期 … 已结束：…
    not_met: pd.DataFrame         # views.standing.not_met_by_unit
    counts: pd.DataFrame          # metrics.summary.status_counts of the statuses that can occur
    cards: pd.DataFrame           # the headline targets with the change since last year
    areas: pd.DataFrame           # metrics.standing.area_counts of the areas with targets
    attention: pd.DataFrame       # metrics.summary.needs_attention rows with their texts
    attention_columns: list[str]
    moved: pd.DataFrame           # ui.status_tables.change_table since last year
    judged_moves: bool            # some move is a due-year verdict (到期判定)


@st.cache_resource(show_spinner=False, max_entries=16)
def _overview(version: int, policy: str, region: str, as_of_year: int) -> Overview:
    status = results._status_table(version, policy, region, as_of_year)
    changes = results._changes(version, policy, region, as_of_year)
    ledger = results._ledger(version, policy, as_of_year)
    counts = status_counts(status)
    areas = area_counts(status)
    attention = needs_attention(status)
    return Overview(
        status=status, sample=value_counts(status, "actual"),
        summary=standing.period_over_text(status, ledger, views_policy.policy_row(catalogue_at(version), policy)),
        not_met=standing.not_met_by_unit(status),
        counts=counts.loc[counts["status"].isin(possible_statuses(status))].reset_index(drop=True),
        cards=headline_cards(status, changes), areas=areas.loc[areas["n_targets"] > 0].reset_index(drop=True),
        attention=attention,
        attention_columns=status_tables.target_columns(attention, ATTENTION_HEAD, ["lead_units"], pace=["ratio_text"])
        if len(attention) else [],
        moved=status_tables.change_table(changes), judged_moves=bool((changes["direction"] == "judged").any()))


results.page_caches.append(_overview.clear)


def overview(policy: str, region: str, as_of_year: int) -> Overview:
    """Everything 总览 shows for the filters, built once per data version (frames shared read-only: the page only
    draws them)."""
    return _overview(data_version(), policy, region, int(as_of_year))
