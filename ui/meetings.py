"""The reads of 汇报材料, cached per data version: the meeting snapshots of a policy and region, and the deck's
inputs for the filters (compared with a snapshot or not)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import db
import ui
from deck import DeckData
from deck.data import deck_data
from views import policy as views_policy


@st.cache_data(show_spinner=False, max_entries=8)
def _snapshots(version: int, policy: str | None, region: str | None) -> pd.DataFrame:
    return db.read_snapshots(ui.engine(), policy, region)


def snapshots(policy: str | None = None, region: str | None = None) -> pd.DataFrame:
    """The meeting snapshots (of a policy and region, when given), latest meeting first."""
    return _snapshots(ui.data_version(), policy, region)


@st.cache_data(show_spinner=False)
def _meeting_data(version: int, policy: str, region: str, as_of_year: int, snapshot_id: int | None) -> DeckData:
    snapshot = None
    if snapshot_id is not None:
        meta = _snapshots(version, None, None).set_index("id").loc[snapshot_id]
        snapshot = (meta, db.read_snapshot(ui.engine(), snapshot_id))
    return deck_data(ui.frames(policy, region), ui.settings(), policy=policy, region=region, as_of_year=as_of_year,
                     snapshot=snapshot)


def meeting_data(policy: str, region: str, as_of_year: int, snapshot_id: int | None) -> DeckData:
    """The deck's inputs for the filters, cached until the data change (a saved snapshot changes them too)."""
    return _meeting_data(ui.data_version(), policy, region, int(as_of_year), snapshot_id)


def status_known_on(policy: str, region: str, as_of_year: int, known_on) -> pd.DataFrame:
    """The statuses as the figures known on a meeting's day gave them (each value's vintage released by then), as
    `cli.py snapshot --date` freezes them; not cached (a snapshot is saved once)."""
    known = views_policy.load_frames(ui.engine(), known_on=known_on)
    return views_policy.policy_status(known, ui.settings(), policy, region, int(as_of_year))
