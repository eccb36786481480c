"""The reads of 修改记录, cached per data version: the audit log with its keys in words (views.audit_log), the
batches an admin may undo, and the entries of one batch."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

import db
import ui
from views import audit_log as words


def _names() -> dict:
    c = ui.catalogue_frames()
    return words.key_names(c["indicators"], c["policies"])


def _timezone() -> str:
    return str(ui.settings().get("supervision", {}).get("timezone", "Asia/Shanghai"))


@st.cache_data(show_spinner=False, max_entries=16)
def _log(version: int, entity: str | None, who: str | None, since: date | None, until: date | None) -> pd.DataFrame:
    audit = db.read_audit(ui.engine(), entity=entity, who=who, since=since, until=until)
    return words.log_frame(audit, _names(), _timezone())


def log(entity: str | None, who: str | None, text: str | None, since: date | None,
        until: date | None) -> pd.DataFrame:
    """The audit log, newest first, filtered by object, person, dates and a text in its keys (words or codes)."""
    return words.matching(_log(ui.data_version(), entity, who, since, until), text)


@st.cache_data(show_spinner=False, max_entries=2)
def _batches(version: int) -> pd.DataFrame:
    return words.open_batches(db.read_batches(ui.engine()), _timezone())


def open_batches() -> pd.DataFrame:
    """The imports and grid saves an admin may undo as one (never the built-in data load), newest first."""
    return _batches(ui.data_version())


@st.cache_data(show_spinner=False, max_entries=8)
def _batch(version: int, batch_id: str, day: date) -> dict:
    # a batch is one transaction: its entries are on the day of its first one (or the next, across midnight)
    audit = db.read_audit(ui.engine(), since=day, until=day + timedelta(days=1))
    entries = words.log_frame(audit.loc[(audit["batch_id"] == batch_id)
                                        & audit["entity"].isin(db.REVERTIBLE)], _names(), _timezone())
    return words.batch_details(entries, _names())


def batch_details(batch_id: str, at) -> dict:
    """views.audit_log.batch_details of one batch of open_batches() (its id and the time of its first entry)."""
    return _batch(ui.data_version(), str(batch_id), pd.Timestamp(at).date())


def readable(message: object) -> str:
    """A message of the store's with its value keys in words (views.audit_log.in_words), for the pages to show."""
    return words.in_words(str(message), _names())
