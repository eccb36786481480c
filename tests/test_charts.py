"""Chart builders on the built-in data: Chinese titles, units on the axes, years as categories, labelled targets,
status colours from labels — for every target and every area."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import db
from metrics.compare import growth_side_by_side, long_growth
from metrics.scorecard import department_scorecard, task_ledger
from metrics.status import target_status
from metrics.summary import status_counts
from metrics.trajectory import trajectories
from store import catalogue
from ui import chart_style, charts, status_tables
from ui.text_width import text_width
from ui.score_tables import SCORE_FORMAT
from vocab import labels


@pytest.fixture(scope="module")
def built(template_db):
    eng = db.make_engine(f"sqlite:///{template_db}")
    targets, observations = db.read_targets(eng), db.read_observations(eng)
    settings = catalogue.load_settings()
    status = target_status(targets, observations, 2019, settings=settings).merge(
        targets[["code", "stages"]], on="code")
    ledger = task_ledger(db.read_tasks(eng), db.read_progress(eng), 2019)
    board = department_scorecard(status, ledger, db.read_task_units(eng), settings)
    regions = target_status(targets, observations, 2019, settings=settings, regions=["长垣市", "河南省"])
    eng.dispose()
    return {"status": status, "observations": observations, "board": board, "regions": regions}


def test_status_counts_table_uses_the_palette_icons_and_labels(built):
    """总览's status distribution is a table (no chart library on the first screen): icon and word, count, share."""
    table = status_tables.counts_table(status_counts(built["status"]))
    assert list(table["status_text"]) == [f"{s.icon} {s.label}" for s in labels.STATUSES]
    assert table["n"].sum() == len(built["status"]) and abs(table["share"].sum() - 100) < 1e-9


def test_every_target_gets_a_labelled_trajectory(built):
    status = status_tables.status_table(built["status"])
    traj = trajectories(built["status"], built["observations"], 2019)
    for _, row in status.iterrows():
        fig = charts.trajectory_figure(traj.loc[traj["code"] == row["code"]], row)
        # the title names the target and its due year (one indicator may have targets due in different years)
        assert fig.layout.title.text.startswith(row["code"]) and row["due_text"] in fig.layout.title.text
        assert fig.layout.xaxis.type == "category"
        assert all(isinstance(x, str) for trace in fig.data for x in (trace.x or []))
        names = {t.name for t in fig.data}
        if row["kind"] != "relative":
            target = [t for t in fig.data if t.name == labels.SERIES_LABELS["target"]]
            assert target, row["code"]
            if row["kind"] != "annual":
                assert target[0].text[0] == f"目标 {row['target_text']}（{row['due_text']}）"
        else:
            assert labels.INDEX_BASE_TEXT.format(year=2018) in fig.layout.yaxis.title.text
            assert {row["region"]} <= names
        if row["kind"] == "milestone":
            assert list(fig.layout.yaxis.ticktext) == list(row["stages"])
        elif row["kind"] != "relative":
            assert row["unit"] in fig.layout.yaxis.title.text


def test_rank_axis_runs_downwards(built):
    row = status_tables.status_table(built["status"]).set_index("code").loc["G00"].copy()
    row["code"] = "G00"
    traj = trajectories(built["status"].loc[built["status"]["code"] == "G00"], built["observations"], 2019)
    assert charts.trajectory_figure(traj, row).layout.yaxis.autorange == "reversed"


def test_small_multiples_one_panel_per_target_of_an_area(built):
    status = status_tables.status_table(built["status"])
    traj = trajectories(built["status"], built["observations"], 2019)
    for area in labels.AREAS:
        rows = status.loc[status["area"] == area]
        fig = charts.small_multiples_figure(traj.loc[traj["code"].isin(rows["code"])], rows, f"{area}领域目标进展")
        titles = [a.text for a in fig.layout.annotations]
        # the whole name (never cut with …), on lines of at most 16 characters, then the target and its due year
        for title, (c, n, t, d) in zip(titles, zip(rows["code"], rows["indicator_name"], rows["target_text"],
                                                   rows["due_text"]), strict=True):
            lines = title.split("<br>")
            assert "".join(lines[:-1]) == f"{c} {n}" and lines[-1] == f"{t}（{d}）" and "…" not in title
            assert all(len(line) <= 16 + len(c) + 1 for line in lines[:-1])
        assert not any(t.showlegend for t in fig.data)
        go.Figure(fig.to_dict())  # assembled without validation: plotly must accept every property


def test_scorecard_names_the_groups_in_text_not_only_colour(built):
    board = built["board"]
    fig = charts.scorecard_figure(board)
    bar = fig.data[0]
    ranked = board.loc[board["rank"].notna()].sort_values("rank")
    assert len(bar.y) == len(ranked)
    for name, group, colour in zip(bar.y, ranked["group"].fillna(""), bar.marker.color):
        assert (group in name) if group else "（" not in name
        assert colour == labels.GROUP_COLOURS[group]
    # one formatting of a score: the bar's label is the table's (one decimal), e.g. 76.7, never 77
    assert list(bar.text) == [labels.score_text(v) for v in ranked["score"]] == [f"{v:.1f}" for v in ranked["score"]]
    assert SCORE_FORMAT % 76.66 == labels.score_text(76.66) == "76.7"


def test_growth_bars_one_trace_per_region_with_data(built):
    side = growth_side_by_side(built["regions"], ["长垣市", "河南省"])
    fig = charts.growth_figure(long_growth(side, ["长垣市", "河南省"]))
    assert [t.name for t in fig.data] == ["长垣市", "河南省"]
    assert fig.layout.yaxis.tickformat == ".0%"
    assert pd.Series(fig.data[0].y).notna().any()


def test_provisional_points_are_hollow_and_a_revision_is_a_step(template_db):
    """河南省's R&D intensity viewed through G01 (≥3.8 % by 2020) as of 2023: the 初步 values (2020, 2023) hollow,
    the 核实 and 修订 ones filled, the legend saying so; the 2022 revision (初步 1.86 → 修订 1.96) one step from the
    earlier value (hollow) to the revised one, its hover text the history."""
    from metrics.trajectory import revision_points
    obs = pd.DataFrame({"region": "河南省", "indicator": "rd_intensity", "year": [2019, 2020, 2021, 2022, 2023],
                        "quarter": 0, "value": [1.48, 1.64, 1.75, 1.96, 2.05], "source": "公报", "is_sample": False,
                        "data_status": ["verified", "preliminary", "verified", "revised", "preliminary"]})
    eng = db.make_engine(f"sqlite:///{template_db}")
    targets = db.read_targets(eng)
    eng.dispose()
    status = target_status(targets.loc[targets["code"] == "G01"], obs, 2023, settings=catalogue.load_settings(),
                           regions=["河南省"]).assign(stages=[[]])
    row = status_tables.status_table(status).iloc[0]
    vintages = pd.DataFrame({"region": "河南省", "indicator": "rd_intensity", "year": [2022, 2022], "quarter": 0,
                             "value": [1.86, 1.96], "data_status": ["preliminary", "revised"], "is_sample": False,
                             "known_from": pd.to_datetime(["2023-09-18", "2024-10-10"])})
    steps = revision_points(vintages, row, 2023)
    fig = charts.trajectory_figure(trajectories(status, obs, 2023), row, revisions=steps)
    actual = next(t for t in fig.data if t.name == labels.SERIES_LABELS["actual"])
    assert dict(zip(actual.x, actual.marker.symbol)) == {"2019": "circle", "2020": "circle-open", "2021": "circle",
                                                         "2022": "circle", "2023": "circle-open"}
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert charts.PROVISIONAL_LEGEND in names and charts.REVISION_LEGEND in names
    (step,) = [t for t in fig.data if t.name == charts.REVISION_LEGEND]
    assert (list(step.x), list(step.y), list(step.marker.symbol)) == (
        ["2022", "2022"], [1.86, 1.96], ["circle-open", "line-ew-open"])
    assert step.hovertemplate.startswith("2022年：初步 1.86% (2023-09) → 修订 1.96% (2024-10)")
    go.Figure(fig)   # validates


def test_every_chart_carries_the_house_style_in_its_layout_and_a_data_revision(built):
    """Pages show charts with theme=None (ui.plots): each figure brings its own style, the house template written into
    its layout (no template object, which would make plotly.js redraw the figure when Streamlit hands it a copy), and a
    data revision that follows the data (ui.chart_style)."""
    status = status_tables.status_table(built["status"])
    traj = trajectories(built["status"], built["observations"], 2019)
    row = built["status"].iloc[0]
    area = status.loc[status["area"] == labels.AREAS[0]]
    figures = [charts.trajectory_figure(traj.loc[traj["code"] == row["code"]], row),
               charts.small_multiples_figure(traj.loc[traj["code"].isin(area["code"])], area, "t"),
               charts.scorecard_figure(built["board"])]
    for fig in figures:
        layout = json.loads(pio.to_json(fig))["layout"]
        assert layout.get("template") is None
        assert layout["font"]["color"] == chart_style.TEXT and layout["paper_bgcolor"] == "#FFFFFF"
        axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
        assert {"xaxis", "yaxis"} <= set(axes)
        assert all(layout[k]["tickfont"]["color"] == chart_style.MUTED and layout[k]["showline"] is False for k in axes)
        assert all(a["font"]["color"] == chart_style.TEXT for a in layout.get("annotations", []))
        assert layout["datarevision"] == chart_style.data_revision(fig)
    assert figures[0].layout.yaxis.automargin is True   # labels of unknown width push the margin
    again = charts.trajectory_figure(traj.loc[traj["code"] == row["code"]], row)
    assert again.layout.datarevision == figures[0].layout.datarevision
    moved = traj.assign(value=traj["value"] + 1)
    assert charts.trajectory_figure(moved.loc[moved["code"] == row["code"]], row).layout.datarevision != \
        figures[0].layout.datarevision


def test_settling_keeps_what_the_figure_sets_itself():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), layout={
        "template": chart_style.HOUSE_TEMPLATE, "xaxis": {"showline": True, "gridcolor": "#000000"},
        "yaxis2": {"title": {"text": "单位"}}, "annotations": [{"text": "甲", "font": {"size": 9}}],
        "font": {"size": 20}})
    layout = chart_style.settle(fig).to_plotly_json()["layout"]
    assert "template" not in layout
    assert layout["xaxis"]["showline"] is True and layout["xaxis"]["gridcolor"] == "#000000"
    assert layout["xaxis"]["showgrid"] is False and layout["yaxis"]["gridcolor"] == chart_style.GRID
    assert layout["yaxis2"]["title"] == {"text": "单位", "font": {"color": chart_style.MUTED, "size": 13}}
    assert layout["annotations"][0]["font"] == {"size": 9, "color": chart_style.TEXT}
    assert layout["font"] == {"size": 20, "family": chart_style.FONT, "color": chart_style.TEXT}


def test_small_multiples_reserve_their_margins_instead_of_automargin(built):
    """No axis of the twelve-panel figure has automargin (it draws the figure twice in the browser); the left
    margin holds the first column's widest value label, so a panel with larger values gets a wider margin, and
    the browser test (tests/e2e/test_pages_browser.py) checks that no label is cut."""
    status = status_tables.status_table(built["status"])
    traj = trajectories(built["status"], built["observations"], 2019)
    rows = status.loc[status["area"] == labels.AREAS[0]]
    part = traj.loc[traj["code"].isin(rows["code"])]
    fig = charts.small_multiples_figure(part, rows, "t")
    axes = [k for k in fig.to_dict()["layout"] if k.startswith(("xaxis", "yaxis"))]
    assert len(axes) >= 2 * len(rows)
    assert all(fig.layout[k].automargin is False for k in axes)
    first = rows.iloc[0]
    values = part.loc[part["code"] == first["code"], "value"]
    widest = format(float(values.abs().max()), fig.layout.yaxis.tickformat)
    assert fig.layout.margin.l >= text_width(widest) + charts.TICK_GAP
    bigger = part.assign(value=part["value"].where(part["code"] != first["code"], part["value"] * 10_000))
    assert charts.small_multiples_figure(bigger, rows, "t").layout.margin.l > fig.layout.margin.l
