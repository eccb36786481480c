"""The app starts under AppTest on a fresh database and shows the catalogue with sample marks."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from views import labels

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def run_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def g02_card(at: AppTest):
    return next(m for m in at.metric if m.label.startswith("G02 "))


def test_app_starts_on_the_overview_with_headline_cards(app_db):
    at = run_app()
    assert not at.exception
    assert "共 53 个目标" in at.caption[0].value
    assert g02_card(at).value == "95 家"


def test_sample_banner_shown(app_db):
    at = run_app()
    assert any(labels.SAMPLE_MARK in w.value for w in at.warning)


def test_as_of_2019_shows_2019_values(app_db):
    at = run_app()
    at.sidebar.selectbox(key="as_of_year").set_value(2019).run()
    assert not at.exception
    assert g02_card(at).value == "76 家"
