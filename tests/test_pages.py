"""Every dashboard page under AppTest, for each as-of year and region: no exception, and the figures on the page
are the ones the metrics engine computes for the same database (the expected frames are computed here with the
engine, never typed in)."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import db
from metrics.changes import status_changes
from metrics.scorecard import department_scorecard, task_ledger
from metrics.status import target_status
from metrics.summary import moved_since, needs_attention, status_counts
from store import catalogue
from ui import tables
from views import labels
from views import policy as views

APP = str(Path(__file__).resolve().parent.parent / "app.py")
POLICY = "CY2019-20"
YEARS = (2019, 2020)
REGIONS = ("长垣市", "河南省")
PAGES = ("overview", "detail", "areas", "departments", "compare", "quality")


def open_page(page: str, year: int, region: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.selectbox(key="as_of_year").set_value(year)
    at.sidebar.selectbox(key="region").set_value(region).run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def expected_status(path: Path, year: int, region: str) -> pd.DataFrame:
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        return target_status(db.read_targets(eng, POLICY), db.read_observations(eng), year,
                             settings=catalogue.load_settings(), regions=[region])
    finally:
        eng.dispose()


def value_text(row: pd.Series) -> str:
    """What a card shows as the actual value: the number with its unit, a milestone's stage name."""
    if row["kind"] == "milestone" and isinstance(row["actual_stage"], str) and row["actual_stage"]:
        return row["actual_stage"]
    text = labels.number_text(row["actual"], int(row["decimals"]))
    return text if text == "—" else f"{text} {row['unit']}"


def plotly_array(value) -> list:
    """A plotly JSON array, decoded when plotly wrote it as typed binary data."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def frame_by_columns(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first dataframe on the page that has all these columns."""
    for df in at.dataframe:
        value = df.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no dataframe with columns {columns}")


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("page", PAGES)
def test_page_renders(app_db, page, year, region):
    at = open_page(page, year, region)
    assert at.title[0].value in (labels.APP_TITLE, labels.PAGE_TITLES[page])
    assert any(f"截至 {year} 年" in c.value for c in at.caption)


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_overview_shows_the_engine_figures(app_db, year, region):
    at = open_page("overview", year, region)
    status = expected_status(app_db, year, region)
    heads = status.loc[status["headline"].astype(bool)]
    cards = {m.label.split(" ")[0]: m for m in at.metric}
    assert set(cards) == set(heads["code"])
    for _, row in heads.iterrows():
        assert cards[row["code"]].value == value_text(row)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert plotly_array(chart["data"][0]["x"]) == list(status_counts(status)["n"])
    attention = needs_attention(status)
    if len(attention):
        shown = frame_by_columns(at, "code", "status_text", "ratio_text")
        assert list(shown["code"]) == list(attention["code"])
        assert list(shown["status_text"]) == [labels.status_text(k) for k in attention["status"]]
    moved = moved_since(status_changes(expected_status(app_db, year - 1, region), status))
    if len(moved):
        shown = frame_by_columns(at, "before", "after")
        assert list(shown["code"]) == list(moved["code"])
        assert list(shown["after"]) == [labels.status_text(k) for k in moved["status_after"]]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_sample_banner_follows_the_data(app_db, year, region):
    at = open_page("overview", year, region)
    uses_sample = bool(expected_status(app_db, year, region)["is_sample"].any())
    assert any(labels.SAMPLE_MARK in w.value for w in at.warning) == uses_sample


@pytest.mark.parametrize("year", YEARS)
def test_detail_shows_each_kind_of_target(app_db, year):
    region = "长垣市"
    status = expected_status(app_db, year, region).set_index("code")
    at = open_page("detail", year, region)
    one_per_kind = status.reset_index().drop_duplicates("kind")["code"]
    for code in one_per_kind:
        at.selectbox(key="detail_code").set_value(code).run()
        assert not at.exception
        row = status.loc[code]
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["实际值"] == value_text(row)
        assert metrics["完成率"] == tables._percent(row["attainment"])
        assert metrics["进度比"] == tables._percent(row["ratio"])
        behind = frame_by_columns(at, "item", "value").set_index("item")["value"]
        if row["actual"] == row["actual"]:
            assert behind[f"实际值（{int(row['actual_year'])}年）"].startswith(
                labels.number_text(row["actual"], int(row["decimals"])))
        sources = frame_by_columns(at, "period", "source")
        assert (sources["source"] != "").all()
        assert (sources["period"].str[:4].astype(int) <= year).all()
        if row["kind"] in ("level", "milestone"):
            assert sources.loc[sources["region"] == region, "value"].iloc[-1] == pytest.approx(row["actual"])
        assert any(row["quote"] in m.value for m in at.markdown)


def test_detail_history_lists_the_edits(app_db):
    eng = db.make_engine(f"sqlite:///{app_db}")
    db.save_observations(eng, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                "value": 97.0, "source": "测试出处", "is_sample": False, "note": ""}],
                         who="测试员", reason="更正")
    eng.dispose()
    at = open_page("detail", 2020, "长垣市")
    at.selectbox(key="detail_code").set_value("G02").run()
    history = frame_by_columns(at, "who", "old", "new")
    assert history.iloc[0]["who"] == "测试员" and history.iloc[0]["new"] == "97.00"
    assert {m.label: m.value for m in at.metric}["实际值"] == "97 家"


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_areas_tables_are_the_engine_rows(app_db, year, region):
    at = open_page("areas", year, region)
    status = expected_status(app_db, year, region)
    shown = pd.concat([df.value for df in at.dataframe], ignore_index=True)
    expected = pd.concat([status.loc[status["area"] == a] for a in labels.AREAS], ignore_index=True)
    assert list(shown["code"]) == list(expected["code"])
    assert list(shown["status_text"]) == [labels.status_text(k) for k in expected["status"]]
    assert list(shown["value_text"]) == [value_text(row) for _, row in expected.iterrows()]
    assert [h.value.split("（")[0] for h in at.header] == [a for a in labels.AREAS if a in set(status["area"])]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_departments_scorecard_and_ledger(app_db, year, region):
    at = open_page("departments", year, region)
    eng = db.make_engine(f"sqlite:///{app_db}")
    ledger = task_ledger(db.read_tasks(eng, POLICY), db.read_progress(eng, POLICY), year)
    board = department_scorecard(expected_status(app_db, year, region), ledger, db.read_task_units(eng, POLICY),
                                 catalogue.load_settings())
    eng.dispose()
    shown = frame_by_columns(at, "rank", "unit", "score")
    ranked = board.sort_values("rank", na_position="last")
    assert list(shown["unit"]) == list(ranked["unit"])
    assert shown["score"].round(6).tolist() == ranked["score"].round(6).tolist()
    for group in (labels.PRAISE, labels.CRITICISE):
        members = "、".join(board.loc[board["group"] == group].sort_values("rank")["unit"]) or "本期无"
        assert any(members == box.value for box in [*at.success, *at.error])
    tasks = frame_by_columns(at, "clause", "status_text", "progress")
    assert list(tasks["clause"]) == list(ledger["clause"])
    assert list(tasks["status"]) == list(ledger["status"])


def test_ledger_filters_by_unit_and_status(app_db):
    at = open_page("departments", 2020, "长垣市")
    eng = db.make_engine(f"sqlite:///{app_db}")
    units = db.read_task_units(eng, POLICY)
    ledger = task_ledger(db.read_tasks(eng, POLICY), db.read_progress(eng, POLICY), 2020)
    eng.dispose()
    unit = "组织部"
    clauses = set(units.loc[units["department"] == unit, "clause"])
    at.multiselect(key="ledger_units").set_value([unit]).run()
    shown = frame_by_columns(at, "clause", "status_text", "progress")
    assert set(shown["clause"]) == clauses
    at.multiselect(key="ledger_status").set_value(["overdue"]).run()
    shown = frame_by_columns(at, "clause", "status_text", "progress")
    expected = ledger.loc[ledger["clause"].isin(clauses) & (ledger["status"] == "overdue"), "clause"]
    assert list(shown["clause"]) == list(expected)


@pytest.mark.parametrize("year", YEARS)
def test_compare_shows_the_engine_growth_rates(app_db, year):
    region = "长垣市"
    at = open_page("compare", year, region)
    status = expected_status(app_db, year, region)
    bench = expected_status(app_db, year, "河南省")
    rel = status.loc[status["kind"] == "relative"].set_index("code")
    shown = frame_by_columns(at, "code", "margin").set_index("code")
    assert list(shown.index) == list(rel.index)
    for code, row in rel.iterrows():
        assert shown.loc[code, f"growth::{region}"] == tables._pct(row["region_growth"])
        assert shown.loc[code, "margin"] == ("—" if row["margin_pp"] != row["margin_pp"]
                                             else f"{row['margin_pp']:+,.1f}")
        assert shown.loc[code, "status_text"] == labels.status_text(row["status"])
    if "growth::河南省" in shown.columns:
        own = bench.loc[bench["kind"] == "relative"].set_index("code")["region_growth"]
        assert list(shown["growth::河南省"]) == [tables._pct(v) for v in own.reindex(shown.index)]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_quality_counts_agree_with_the_engine(app_db, year, region):
    at = open_page("quality", year, region)
    status = expected_status(app_db, year, region)
    counts = {m.label: int(m.value.split(" ")[0]) for m in at.metric}
    stale = status.loc[status["status"] == "stale", "indicator"].nunique()
    assert counts[labels.QUALITY_LABELS["stale"]] == stale
    eng = db.make_engine(f"sqlite:///{app_db}")
    obs = db.read_observations(eng, regions=[region])
    eng.dispose()
    used = set(status["indicator"])
    upto = obs.loc[obs["year"] <= year]
    assert counts[labels.QUALITY_LABELS["no_data"]] == len(used - set(upto["indicator"]))
    assert counts[labels.QUALITY_LABELS["sample"]] == len(set(upto.loc[upto["is_sample"], "indicator"]) & used)


def test_departments_shows_colour_bands_and_the_bulletin_button(app_db):
    """颜色分档: every ranked unit with its band per quarter (icon + word) as the engine computes it; the
    督查通报 download button."""
    at = open_page("departments", 2020, "长垣市")
    eng = db.make_engine(f"sqlite:///{app_db}")
    frames = views.load_frames(eng)
    eng.dispose()
    history = views.policy_band_history(frames, catalogue.load_settings(), POLICY, "长垣市", 2020)
    shown = frame_by_columns(at, "unit", "score", "2020Q4")
    assert list(shown.columns[2:]) == ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]
    expected = history.set_index("unit")["2020Q4"].map(labels.colour_band_text)
    assert shown.set_index("unit")["2020Q4"].to_dict() == expected.loc[shown["unit"]].to_dict()
    assert set(shown["2020Q4"]) == {labels.colour_band_text(b.key) for b in labels.COLOUR_BANDS}
    buttons = at.get("download_button")
    assert any("督查通报" in b.proto.label for b in buttons)
