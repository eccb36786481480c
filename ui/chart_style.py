"""The house style of every chart, and how a finished figure carries it to the browser.

Charts are shown with theme=None (ui.plots): Streamlit's own chart theme turns on plotly's automargin for every axis,
and automargin draws a figure twice in the browser (about 65 ms more main-thread time for the twelve-panel 分领域
figure, 80 ms on 对比分析). Axes keep automargin where labels are names of unknown width; the small multiples and
对比分析's charts leave it off and reserve their margins (ui.charts).

A built figure is `settle`d: the house template is written into the layout itself, with no template object left,
and the layout gets a data revision (a digest of the traces). Why: Streamlit's chart element hands plotly a fresh
copy of the figure right after drawing it, and plotly.js redraws the whole figure when the copy has a template
object (a new one, to plotly) or its data arrays are new objects without an unchanged data revision; with neither,
the second pass only checks (measured in chromium on the 分领域 figure: 60-85 ms → 20-30 ms). A change of the data
changes the digest, so changed data is always drawn."""
from __future__ import annotations

import copy
import functools
import hashlib
import re
from collections.abc import Callable

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from vocab import labels

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
TEXT, MUTED, GRID, AXIS_LINE = "#31333F", "#6B6F7B", "#E5E9F0", "#BBBBBB"
_AXIS = {"automargin": True, "gridcolor": GRID, "zerolinecolor": AXIS_LINE, "linecolor": AXIS_LINE,
         "tickcolor": AXIS_LINE, "tickfont": {"color": MUTED, "size": 12},
         "title": {"font": {"color": MUTED, "size": 13}}}
HOUSE_TEMPLATE = {"layout": {
    "font": {"family": FONT, "size": 13, "color": TEXT}, "colorway": list(labels.REGION_COLOURS),
    "title": {"font": {"size": 16, "color": TEXT, "weight": 600}},
    "paper_bgcolor": "#FFFFFF", "plot_bgcolor": "#FFFFFF",
    "xaxis": {**_AXIS, "showgrid": False, "zeroline": False}, "yaxis": _AXIS,
    "legend": {"font": {"size": 12, "color": TEXT}, "bgcolor": "rgba(0,0,0,0)"},
    "hoverlabel": {"bgcolor": "#FFFFFF", "bordercolor": "#D5DAE5", "font": {"family": FONT, "size": 12, "color": TEXT}},
    "annotationdefaults": {"font": {"color": TEXT}},
}}
_AXIS_NAME = re.compile(r"^([xy]axis)\d*$")
_PER_ITEM = ("xaxis", "yaxis", "annotationdefaults")
# plotly.js turns an axis line and tick marks on when their colour is set in the figure itself (not by a template):
# a baked axis keeps them off unless the figure asks for them, as with the template
_AS_WITH_A_TEMPLATE = {"showline": False, "ticks": ""}


def _under(defaults: dict, explicit: dict) -> dict:
    """`explicit` laid over `defaults`, nested settings merged (an explicit value always wins)."""
    out = copy.deepcopy(defaults)
    for key, value in explicit.items():
        out[key] = _under(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def data_revision(fig: go.Figure) -> str:
    """A digest of the figure's traces: equal for equal data, different when anything drawn changes."""
    return hashlib.sha256(to_json_plotly(fig.to_plotly_json()["data"]).encode()).hexdigest()[:16]


def settle(fig: go.Figure) -> go.Figure:
    """The figure with its template written into its layout (every axis, title, legend and annotation as the
    template would style it; what the figure sets itself wins), no template object, and a data revision; in
    place, returned."""
    layout = fig.layout.to_plotly_json()
    house = (layout.pop("template", None) or {}).get("layout", {})
    baked = _under({k: v for k, v in house.items() if k not in _PER_ITEM}, layout)
    for name in {"xaxis", "yaxis", *(k for k in layout if _AXIS_NAME.match(k))}:
        baked[name] = _under({**_AS_WITH_A_TEMPLATE, **house.get(_AXIS_NAME.match(name).group(1), {})},
                             layout.get(name, {}))
    if layout.get("annotations"):
        baked["annotations"] = [_under(house.get("annotationdefaults", {}), a) for a in layout["annotations"]]
    baked["datarevision"] = data_revision(fig)
    fig.layout = baked
    fig.layout.template = None
    return fig


def settled(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """A figure builder whose figures are settled (settle) when built."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> go.Figure:
        return settle(build(*args, **kwargs))
    return wrapper
