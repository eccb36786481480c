"""The app starts under AppTest on a fresh database and shows the catalogue with sample marks."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

import labels

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def run_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def test_app_starts_and_lists_every_target(app_db):
    at = run_app()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 53
    row = table.set_index("code").loc["G02"]
    assert row["actual"] == 95 and row["data_text"] == labels.SAMPLE_MARK


def test_sample_banner_shown(app_db):
    at = run_app()
    assert any(labels.SAMPLE_MARK in w.value for w in at.warning)


def test_as_of_2019_shows_2019_values(app_db):
    at = run_app()
    at.sidebar.selectbox(key="as_of_year").set_value(2019).run()
    assert not at.exception
    assert at.dataframe[0].value.set_index("code").loc["G02", "actual"] == 76
