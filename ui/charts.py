"""Plotly figure builders: DataFrame in, go.Figure out. No Streamlit, no arithmetic on the data (the numbers come
from metrics/), colours from labels, words from views.target_words. Years are a category axis; titles and axes are Chinese."""
from __future__ import annotations

import copy
import functools
import html
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.chart_style import HOUSE_TEMPLATE, settled
from ui.text_width import text_width
from views import target_words as words
from views import vintage_words
from vocab import labels
from vocab.labels import is_missing

PROVISIONAL_LEGEND = "初步/预计数（空心）"
REVISION_LEGEND = "修订（空心为修订前）"
REVISION_COLOUR = "#8C564B"
SERIES_DASH = {"actual": "solid", "path": "dash", "forecast": "dot", "benchmark": "solid", "target": "dash"}


def _layout_props(title: str, height: int) -> dict:
    """The house style of every figure: its template, title, white background, legend on top."""
    return {"template": HOUSE_TEMPLATE, "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
            "height": height, "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1}}


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return fig.update_layout(_layout_props(title, height))


def _years(values) -> list[str]:
    return [str(int(y)) for y in values]


@settled
def trajectory_figure(traj: pd.DataFrame, row: pd.Series, compact: bool = False,
                      others: pd.DataFrame | None = None, revisions: pd.DataFrame | None = None) -> go.Figure:
    """One target's chart: actuals, the required path, the trend forecast, the target (labelled) and the
    benchmark region; 预计 and 初步 values hollow, each revision a step from the earlier vintage's value to the
    revised one. traj: metrics.trajectory.trajectories rows of this target; row: its status row; others: other
    policies' targets on the same indicator (views.portfolio.other_targets): the drawable ones stand on the same
    series as labelled markers at their due years; revisions: metrics.trajectory.revision_points."""
    drawn = others.loc[others["drawable"].astype(bool)] if others is not None and len(others) else None
    vintage = _vintage_traces(traj, revisions, row)
    years = _years(sorted(traj["year"].unique())) if not traj.empty else []
    if drawn is not None and len(drawn):   # every year from the first to the last due year: distances stay true
        span = [int(y) for y in years] + [int(y) for y in drawn["due_year"]]
        years = _years(range(min(span), max(span) + 1))
    fig = go.Figure(data=_series_traces(traj, row, showlegend=True, compact=compact) + vintage
                    + (_other_target_traces(drawn, row, years) if drawn is not None else []))
    fig.update_layout(xaxis={"type": "category", "categoryorder": "array", "categoryarray": years,
                             "title": {"text": "年份"}},
                      yaxis={"title": {"text": _y_title(row)}, **_value_axis(row)})
    title = f"{row['code']} {words.target_name(row)}（{words.target_text(row)}，{words.due_text(row)}）"
    fig = _layout(fig, title, 300 if compact else 440)
    if vintage:   # more entries than fit beside the title: the legend goes under the chart
        fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0},
                          margin={"b": 70}, height=(300 if compact else 440) + 40)
    return fig


def _other_target_traces(drawn: pd.DataFrame, row: pd.Series, years: list[str]) -> list[dict]:
    """One labelled marker per other policy's target ('十五五科技规划 ≥200家（2030年底）'), its verdict in the hover;
    the label reads away from the nearer edge of the axis (years: the axis's categories), below or above its
    marker in turn by value (two near targets do not cover each other), and the markers stay out of the legend."""
    traces = []
    by_value = list(drawn["value"].astype(float).rank(method="first").astype(int))   # 1 = lowest
    for i, o in enumerate(drawn.to_dict("records")):
        colour = labels.OTHER_POLICY_COLOURS[i % len(labels.OTHER_POLICY_COLOURS)]
        at = str(int(o["due_year"]))
        side = "right" if years.index(at) < len(years) / 2 else "left"
        height = "bottom" if by_value[i] % 2 == 1 else "top"   # the lowest below its marker, the next above …
        verdict = f"：{o['verdict']}" if o["verdict"] else ""
        name = _short(o["policy_name"], 12)
        hover = _text(f"{o['doc_number']} {o['policy_name']} {o['code']}：{o['target_text']}（{o['due_text']}）{verdict}")
        traces.append({
            "type": "scatter", "x": [at], "y": [float(o["value"])], "mode": "markers+text",
            "name": _text(f"{name} {o['code']}"), "showlegend": False,
            "text": [_text(f"{name} {o['target_text']}（{o['due_text']}）")],
            "textposition": f"{height} {side}", "textfont": {"color": colour, "size": 12},
            "marker": {"symbol": "diamond-tall", "size": 15, "color": colour, "line": {"color": "#FFFFFF", "width": 1}},
            "hovertemplate": f"{hover}<extra></extra>"})
    return traces


def _text(user_text: str) -> str:
    """User text (an imported policy's names) as plotly text: its <b>, <br>, <a href> shown, never drawn, and no
    %{…} read as a hover field."""
    return html.escape(user_text, quote=False).replace("%{", "%&#123;")


def _y_title(row: pd.Series) -> str:
    if row["kind"] == "relative":
        return labels.INDEX_BASE_TEXT.format(year=int(row["base_year"]))
    if row["kind"] == "cumulative":
        return f"累计（{row['unit']}）"
    return f"单位：{row['unit']}"


def _axis_decimals(info: pd.Series) -> int:
    """The decimals a chart writes a value with: the indicator's (catalogue `decimals`, as the tables: 3.50%);
    an index of a growth target (base year = 100) with one."""
    if info["kind"] == "relative":
        return 1
    return 0 if is_missing(info["decimals"]) else int(info["decimals"])


def _value_axis(info: pd.Series) -> dict:
    """Value-axis settings: ticks with the indicator's decimals (one number format per indicator); stage names on a
    milestone's axis; a rank axis runs downwards (1 = best on top)."""
    props: dict = {"tickformat": f",.{_axis_decimals(info) if info['kind'] != 'relative' else 0}f"}
    if info.get("measure") == "rank":
        props["autorange"] = "reversed"
    stages = _stages(info)
    if stages:
        props.update(tickvals=list(range(len(stages))), ticktext=stages, range=[-0.3, len(stages) - 0.6],
                     title={"text": None})
    return props


def _stages(info: pd.Series) -> list[str]:
    """A milestone's stage names (empty for other kinds)."""
    stages = info.get("stages")
    if info["kind"] != "milestone" or stages is None or not len(stages):
        return []
    return [str(x) for x in stages]


def _by_series(traj: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One target's trajectory rows split by series (one groupby instead of a filter per series)."""
    return dict(tuple(traj.groupby("series", sort=False))) if not traj.empty else {}


def _series_traces(traj: pd.DataFrame, info: pd.Series, showlegend: bool, compact: bool,
                   axes: dict | None = None) -> list[dict]:
    """The scatter traces of one target (plain dicts, so that many charts build in one batch)."""
    axes = axes or {}
    decimals, unit = _axis_decimals(info), ("" if info["kind"] == "relative" else str(info["unit"]))
    hover = f"%{{x}}年：%{{y:,.{decimals}f}}{unit}<extra>%{{fullData.name}}</extra>"   # '3.50%', as in the tables
    traces = []
    parts = _by_series(traj)
    for series in ("path", "forecast", "benchmark", "actual"):
        part = parts.get(series)
        if part is None or part.empty:
            continue
        name = labels.SERIES_LABELS[series]
        if series == "benchmark":
            name = f"{info['benchmark']}" if isinstance(info.get("benchmark"), str) and info["benchmark"] else name
        elif series == "actual" and info["kind"] == "relative":
            name = str(info["region"])
        traces.append({
            "type": "scatter", "x": _years(part["year"]), "y": part["value"].tolist(), "name": name,
            "mode": "lines+markers" if series in ("actual", "benchmark") else "lines", "legendgroup": series,
            "showlegend": showlegend, "hovertemplate": hover,
            "line": {"color": labels.SERIES_COLOURS[series], "dash": SERIES_DASH[series],
                     "width": 3 if series == "actual" else 2},
            "marker": {"size": 8 if series == "actual" else 6, "symbol": _point_symbols(part, series)}, **axes})
    target = parts.get("target")
    if target is not None and not target.empty:
        text = f"{words.target_text(info)}（{words.due_text(info)}）"
        yearly = info["kind"] == "annual"
        traces.append({
            "type": "scatter", "x": _years(target["year"]), "y": target["value"].tolist(),
            "name": labels.SERIES_LABELS["target"], "mode": "lines+markers" if yearly else "markers+text",
            "legendgroup": "target", "showlegend": showlegend,
            "text": None if (yearly or compact) else [f"目标 {text}"] * len(target), "textposition": "top left",
            "textfont": {"color": labels.SERIES_COLOURS["target"], "size": 13},
            "line": {"color": labels.SERIES_COLOURS["target"], "dash": "dash", "width": 2},
            "marker": {"symbol": "star", "size": 12 if compact else 16, "color": labels.SERIES_COLOURS["target"]},
            "hovertemplate": f"%{{x}}年目标：{text}<extra></extra>", **axes})
    return traces


def _point_symbols(part: pd.DataFrame, series: str) -> list[str] | str:
    """Each point's marker: a sample value an open diamond (actual series), a 预计 or 初步 value an open circle, a
    final one a filled circle."""
    if series not in ("actual", "benchmark"):
        return "circle"
    sample = part["is_sample"].to_numpy(dtype=bool) & (series == "actual")
    provisional = part["provisional"].to_numpy(dtype=bool) if "provisional" in part else [False] * len(part)
    return ["diamond-open" if s else "circle-open" if p else "circle" for s, p in zip(sample, provisional)]


def _vintage_traces(traj: pd.DataFrame, revisions: pd.DataFrame | None, info: pd.Series) -> list[dict]:
    """The legend's explanation of hollow points (初步数（空心）) when the chart has any, and each revision as a
    step at its year: the earlier vintage's value (hollow, grey) joined to the revised value by a dotted line."""
    traces = []
    shown = traj.loc[traj["series"].isin(["actual", "benchmark"])] if not traj.empty else traj
    if "provisional" in shown and shown["provisional"].any():   # the hollow points once more, named in the legend
        points = shown.loc[shown["provisional"]]
        traces.append({"type": "scatter", "x": _years(points["year"]), "y": points["value"].tolist(),
                       "name": PROVISIONAL_LEGEND, "mode": "markers", "showlegend": True,
                       "legendgroup": "provisional", "hovertemplate": "%{x}年：初步数或预计数<extra></extra>",
                       "marker": {"symbol": "circle-open", "size": 9, "color": labels.SERIES_COLOURS["actual"],
                                  "line": {"width": 2}}})
    if revisions is None or revisions.empty:
        return traces
    decimals = 0 if is_missing(info["decimals"]) else int(info["decimals"])
    unit = str(info["unit"] or "")
    for i, r in enumerate(revisions.to_dict("records")):
        before = vintage_words.vintage_text({"value": r["from_value"], "data_status": r["from_status"],
                                             "released_on": r["from_day"], "is_sample": False}, unit, decimals)
        after = vintage_words.vintage_text({"value": r["to_value"], "data_status": r["to_status"],
                                            "released_on": r["to_day"], "is_sample": False}, unit, decimals)
        year = str(int(r["year"]))
        # the earlier value hollow, a tick at the revised value, a dotted step between them
        traces.append({"type": "scatter", "x": [year, year], "y": [r["from_value"], r["to_value"]],
                       "name": REVISION_LEGEND, "mode": "lines+markers", "legendgroup": "revision",
                       "showlegend": i == 0, "line": {"color": REVISION_COLOUR, "dash": "dot", "width": 2},
                       "marker": {"symbol": ["circle-open", "line-ew-open"], "size": 11, "color": REVISION_COLOUR,
                                  "line": {"width": 2, "color": REVISION_COLOUR}},
                       "hovertemplate": f"{year}年：{before} → {after}<extra></extra>"})
    return traces


# small charts are read, not zoomed: no mode bar, no drag layers (plotly draws a figure of twelve panels faster);
# hovering still shows each value
SMALL_MULTIPLES_CONFIG = {"displayModeBar": False, "scrollZoom": False, "doubleClick": False}
PANEL_HEIGHT, PANEL_GAP = 250, 105   # px: a small chart, and below it its year labels and the next one's title
TOP, BOTTOM = 115, 45                # px: the figure's title and the first row's three-line titles; the last
                                     # row's year labels (upright when crowded)
TICK_GAP = 14                        # px between a value label and its axis (tick and padding)


def _grid_height(nrows: int) -> int:
    return TOP + BOTTOM + PANEL_HEIGHT * nrows + PANEL_GAP * (nrows - 1)


def _panel_title(code: str, name: str, target: str, due: str, width: int = 16) -> str:
    """A small chart's title, never cut: the code and the whole indicator name (a long name on two lines of at most
    `width` characters), then the target and its due year."""
    name_lines = [name[i:i + width] for i in range(0, len(name), width)] or [""]
    return "<br>".join([f"{code} {name_lines[0]}", *name_lines[1:], f"{target}（{due}）"])


@functools.lru_cache(maxsize=32)
def _grid(nrows: int, cols: int) -> dict:
    """make_subplots' layout for an nrows × cols grid with a title slot per panel (axes domains and the title
    annotations), computed once per shape: make_subplots validates every axis it makes, which took longer than the
    charts themselves."""
    spacing = PANEL_GAP / (_grid_height(nrows) - TOP - BOTTOM) if nrows > 1 else 0.1
    titles = [f"\u0000{i}" for i in range(nrows * cols)]
    return make_subplots(rows=nrows, cols=cols, subplot_titles=titles, horizontal_spacing=0.07,
                         vertical_spacing=spacing).to_dict()["layout"]


def _number_room(values, tickformat: str) -> int:
    """The px the value labels of a numeric axis need beside it: the largest magnitude among the values with the
    axis's number format (plotly's ticks never go past the data by more than its 5 % padding: the bound takes 10 %),
    with a minus sign when a value is negative, and the tick and its padding."""
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").dropna()
    top = float(numbers.abs().max()) * 1.1 if len(numbers) else 0.0
    sign = "−" if len(numbers) and float(numbers.min()) < 0 else ""
    return text_width(sign + format(top, tickformat)) + TICK_GAP


def _names_room(names) -> int:
    """The px an axis of names (stages, indicators) needs beside it: the widest name, the tick and its padding."""
    return max((text_width(str(n)) for n in names), default=0) + TICK_GAP


def _tick_room(values: pd.Series, info: pd.Series) -> int:
    """The px a small chart's value labels need left of its axis: its stage names, or its numbers (_number_room)."""
    stages = _stages(info)
    return _names_room(stages) if stages else _number_room(values, _value_axis(info)["tickformat"])


AXIS_TITLE_ROOM = 28   # px: an axis title (13 px) and its distance from the tick labels


@settled
def small_multiples_figure(traj: pd.DataFrame, rows: pd.DataFrame, title: str, cols: int = 3) -> go.Figure:
    """A small chart per target of an area (actuals, path, target, benchmark), one figure for the whole area.
    rows: the area's status rows with `target_text` and `due_text` (status_tables.status_table); the page's caption
    explains the lines.
    The traces are this module's own plain dicts on a layout make_subplots made, so the figure is assembled without
    validating it again (tests/test_charts.py validates the result). No axis has automargin (a second drawing in the
    browser): the left margin holds the first column's widest value label (_tick_room), the foot the year labels."""
    n = len(rows)
    nrows = max(1, math.ceil(n / cols))
    subtitles = [_panel_title(code, name, target, due) for code, name, target, due in
                 zip(rows["code"], rows["indicator_name"], rows["target_text"], rows["due_text"])]
    layout = copy.deepcopy(_grid(nrows, cols))
    layout["annotations"] = [{**a, "text": t, "font": {"size": 12}}
                             for a, t in zip(layout.get("annotations", []), subtitles)]
    years = _years(sorted(traj["year"].unique())) if not traj.empty else []
    by_code = dict(tuple(traj.loc[traj["series"] != "forecast"].groupby("code")))
    traces, left = [], TICK_GAP
    for i, (_, row) in enumerate(rows.iterrows()):
        suffix = "" if i == 0 else str(i + 1)
        part = by_code.get(row["code"], traj.iloc[0:0])
        traces += _series_traces(part, row, showlegend=False, compact=True,
                                 axes={"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
        layout[f"xaxis{suffix}"].update({"type": "category", "categoryorder": "array", "categoryarray": years,
                                         "automargin": False})
        layout[f"yaxis{suffix}"].update({**_value_axis(row), "automargin": False})
        if i % cols == 0:
            left = max(left, _tick_room(part["value"], row))
    layout.update(_layout_props(title, _grid_height(nrows)), dragmode=False)
    layout["margin"] = {**layout["margin"], "l": left, "t": TOP, "b": BOTTOM}
    return go.Figure(data=traces, layout=layout, _validate=False)


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def _wrap(name: str, width: int = 6) -> str:
    """Break a long Chinese label into lines of `width` characters for a category axis."""
    return "<br>".join(name[i:i + width] for i in range(0, len(name), width))


@settled
def growth_figure(long: pd.DataFrame, title: str = "增速对比") -> go.Figure:
    """Grouped bars: one group per indicator, one bar per region (growth as a fraction, shown as %).
    long: metrics.compare.long_growth."""
    fig = go.Figure()
    for i, (region, part) in enumerate(long.groupby("region", sort=False)):
        fig.add_trace(go.Bar(x=[_wrap(n) for n in part["indicator_name"]], y=part["growth"], name=region,
                             marker_color=labels.REGION_COLOURS[i % len(labels.REGION_COLOURS)],
                             texttemplate="%{y:.1%}", textposition="outside", cliponaxis=False,
                             hovertemplate=f"{region} %{{x}}：%{{y:.1%}}<extra></extra>"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="增长率（%）", tickformat=".0%", automargin=False)
    fig.update_xaxes(title=None, tickangle=0, automargin=False)
    lines = max((len(_wrap(n).split("<br>")) for n in long["indicator_name"]), default=1)
    fig = _layout(fig, title, 420)
    # margins reserved, not automargin (a second drawing): the % labels and the axis title on the left, the
    # indicator names (wrapped to `lines` lines) below
    return fig.update_layout(margin={"l": _number_room(long["growth"], ".0%") + AXIS_TITLE_ROOM,
                                     "b": 16 * lines + TICK_GAP})


@settled
def scorecard_figure(scorecard: pd.DataFrame, title: str = "部门综合得分") -> go.Figure:
    """Horizontal bars of each ranked unit's score, best on top, coloured by group and named with it (通报表扬 /
    通报批评), so that colour is never the only cue. scorecard: metrics.scorecard.department_scorecard (units
    without a rank, e.g. collective ones, are left out)."""
    board = scorecard.loc[scorecard["rank"].notna()].sort_values("rank")
    group = board["group"].fillna("")
    colours = [labels.GROUP_COLOURS.get(g, labels.GROUP_COLOURS[""]) for g in group]
    names = [f"{u}（{g}）" if g else u for u, g in zip(board["unit"], group)]
    texts = [labels.score_text(v) for v in board["score"]]  # the table's rounding (one formatting of a score)
    fig = go.Figure(go.Bar(x=board["score"], y=names, orientation="h", marker_color=colours, text=texts,
                           textposition="outside", cliponaxis=False, customdata=texts,
                           hovertemplate="%{y}：%{customdata} 分<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=None, type="category", showgrid=False)   # no line between bars
    fig.update_xaxes(title="得分（0–100）", range=[0, 108])
    return _layout(fig, title, max(300, 24 * len(board) + 100))


@settled
def peer_figure(standing: pd.DataFrame, region: str, title: str = "同级地区增速分布") -> go.Figure:
    """One row per indicator: every peer's growth as a grey dot, the chosen region as a large labelled marker.
    standing: metrics.compare.peer_growth."""
    fig = go.Figure()
    names = [_short(n, 12) for n in standing["indicator_name"]]
    others = standing["region"] != region
    fig.add_trace(go.Box(x=standing.loc[others, "growth"], y=[n for n, o in zip(names, others) if o],
                         orientation="h", name="同级地区", boxpoints="all", jitter=0.4, pointpos=0,
                         marker=dict(color="#9DB4CC", size=5), line=dict(color="#7F7F7F"), fillcolor="rgba(0,0,0,0)",
                         hoverinfo="x"))
    mine = standing.loc[~others]
    fig.add_trace(go.Scatter(x=mine["growth"], y=[_short(n, 12) for n in mine["indicator_name"]], mode="markers+text",
                             name=region, marker=dict(color=labels.REGION_COLOURS[0], size=14, symbol="diamond"),
                             text=[f"{region} 第{int(r)}位" for r in mine["rank"]], textposition="top center",
                             hovertemplate=f"{region} %{{y}}：%{{x:.1%}}<extra></extra>"))
    fig.update_xaxes(title="最新年度增长率（%）", tickformat=".0%", automargin=False)
    fig.update_yaxes(title=None, type="category", automargin=False)
    fig = _layout(fig, title, max(300, 70 * standing["code"].nunique() + 120))
    # margins reserved, not automargin: the indicator names on the left, the % labels and the axis title below
    return fig.update_layout(margin={"l": _names_room(names),
                                     "b": 16 + AXIS_TITLE_ROOM})
