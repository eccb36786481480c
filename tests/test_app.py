"""The app starts under AppTest on a fresh database and shows the catalogue with sample marks; no page relies on
Streamlit's magic."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from vocab import labels

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def run_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def g02_card(at: AppTest):
    return next(m for m in at.metric if m.label.startswith("G02 "))


def test_app_starts_on_the_overview_with_headline_cards(app_db):
    at = run_app()
    assert not at.exception
    assert "共 53 个目标" in at.caption[0].value
    assert g02_card(at).value == "95家"


def test_the_year_list_reaches_the_present_and_starts_on_the_latest_data(app_db):
    """The policy ran 2019—2020, but it is read afterwards: the years reach the present one; the default as-of is
    the latest year the region has data for (2020 in the built-in data); the list starts at the base year 2018."""
    from datetime import date
    at = run_app()
    years = at.sidebar.selectbox(key="as_of_year")
    assert years.value == 2020
    assert years.options[0] == "2018年" and years.options[-1] == f"{date.today().year}年"


def test_sample_banner_shown(app_db):
    at = run_app()
    assert any(labels.SAMPLE_MARK in w.value for w in at.warning)


def test_as_of_2019_shows_2019_values(app_db):
    at = run_app()
    at.sidebar.selectbox(key="as_of_year").set_value(2019).run()
    assert not at.exception
    assert g02_card(at).value == "83家"  # the sample 2019 count, regenerated around the published 66 of 2018


def test_no_page_relies_on_magic():
    """Streamlit's magic is off (.streamlit/config.toml): a bare expression in app.py or a page would no longer be
    shown, so there must be none (docstrings and calls are not magic)."""
    import ast
    import tomllib
    root = Path(APP).parent
    assert tomllib.loads((root / ".streamlit" / "config.toml").read_text())["runner"]["magicEnabled"] is False
    bare = []
    for script in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text())):
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call | ast.Await) and not (
                    isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                bare.append(f"{script.name}:{node.lineno}")
    assert not bare, bare


def test_shared_frames_stay_unchanged_whatever_a_caller_does(app_db):
    """Pages share one read of the catalogue and observations per data version (ui._catalogue): what a caller does
    to the frames it got never reaches the next caller."""
    import ui
    first = ui.frames("CY2019-20", "长垣市")
    targets, obs = first["targets"].copy(), first["observations"].copy()
    first["targets"].loc[first["targets"].index[0], "value"] = -1.0
    first["targets"]["added"] = 1
    first["observations"].drop(first["observations"].index, inplace=True)
    first["indicators"] = None
    again = ui.frames("CY2019-20", "长垣市")
    assert again["targets"].equals(targets) and again["observations"].equals(obs)
    assert again["indicators"] is not None and len(again["observations"]) > 0
