"""ui.html_tables: 总览's tables as HTML. Every text comes back exactly as given (escaped, never markup), the status
cell carries its status colour, a share is a bar within 0–100 %, and 总览 asks the browser for no data grid."""
from __future__ import annotations

import re

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from tests.helpers import html_frames, open_page
from ui import status_tables
from ui.html_tables import html_table
from vocab import labels

# what a user can type into a name (no control characters: HTML turns a CR into a line feed)
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)


def parsed(markup: str):
    return lxml_html.fromstring(f"<div>{markup}</div>")


@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=5), TEXT)
def test_every_text_comes_back_as_typed_and_never_as_markup(rows, header):
    frame = pd.DataFrame(rows, columns=["a", "b"])
    tree = parsed(html_table(frame, {"a": header, "b": "乙"}))
    assert [th.text_content() for th in tree.iter("th")] == [header or "a", "乙"]
    cells = [[td.text_content() for td in tr.iter("td")] for tr in tree.iter("tr")][1:]
    assert cells == [[a, b] for a, b in rows]
    assert {e.tag for e in tree.iter()} <= {"div", "table", "thead", "tbody", "tr", "th", "td"}


def test_hostile_cells_are_escaped():
    frame = pd.DataFrame({"a": ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"],
                          "b": ['" onmouseover="x', "&amp;"]})
    markup = html_table(frame, {"a": "<b>甲</b>", "b": {"label": "乙", "help": '"><script>'}})
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    tree = parsed(markup)
    assert tree.find(".//th[@data-col='b']").get("title") == '"><script>'
    assert [td.text_content() for td in tree.iter("td")] == [*frame.iloc[0], *frame.iloc[1]]


def test_missing_values_read_as_a_dash_and_hidden_columns_are_left_out():
    frame = pd.DataFrame({"code": ["G01", "G02"], "x": [None, float("nan")], "status": ["met", "unmet"]})
    tree = parsed(html_table(frame, {"code": "编号", "x": "数", "status": None}))
    assert [th.get("data-col") for th in tree.iter("th")] == ["code", "x"]
    assert [td.text_content() for td in tree.iter("td")] == ["G01", "—", "G02", "—"]


def test_the_status_cell_carries_its_status_colour_with_icon_and_words():
    status = pd.DataFrame({"status": [s.key for s in labels.STATUSES]})
    frame = status.assign(status_text=[labels.status_text(s.key) for s in labels.STATUSES], code="G01")
    tree = parsed(html_table(frame, {"code": "编号", "status_text": "状态"}, status="status"))
    tinted = [td for td in tree.iter("td") if td.get("style")]
    assert [td.text_content() for td in tinted] == [f"{s.icon} {s.label}" for s in labels.STATUSES]
    assert [td.get("style") for td in tinted] == [f"background-color:{s.colour}33" for s in labels.STATUSES]


def test_a_share_is_a_bar_within_the_cell_and_within_0_to_100():
    counts = pd.DataFrame({"status": ["met", "unmet", "no_data"], "n": [3, 1, 0]})
    table = status_tables.counts_table(counts)
    table.loc[2, "share"] = 140.0   # out of range: the bar stops at its end
    tree = parsed(html_table(table, status_tables.COUNT_COLUMNS, status="status", bars={"share": "share_text"}))
    bars = [span.get("style") for span in tree.iter("span") if span.get("style")]
    assert bars == ["width:75%", "width:25%", "width:100%"]
    assert [tr[-1].text_content() for tr in tree.iter("tr")][1:] == ["75%", "25%", "0%"]


def test_one_line_columns_get_room_for_their_widest_text_up_to_a_cap():
    frame = pd.DataFrame({"unit": ["科工信局", "产业集聚区"], "v": ["✘ 未完成（完成 0%）" * 4, "x"]})
    tree = parsed(html_table(frame, {"unit": "牵头单位", "v": "状态"}, one_line={"unit": 200, "v": 180}))
    widths = {th.get("data-col"): th.get("style") for th in tree.iter("th")}
    assert widths == {"unit": "min-width:90px", "v": "min-width:180px"}   # 5 characters of 14 px and padding


def test_the_overview_shows_its_tables_as_html_and_no_data_grid(app_db):
    at = open_page("overview", 2020, "长垣市")
    assert not at.exception and not at.dataframe
    frames = html_frames(at)
    counts = next(f for f in frames if "n_text" in f.columns)
    assert set(counts["status_text"]) <= {labels.status_text(s.key) for s in labels.STATUSES}
    n_targets = int(re.search(r"共 (\d+) 个目标", at.caption[0].value).group(1))
    assert sum(int(t.split(" ")[0]) for t in counts["n_text"]) == n_targets
    attention = next(f for f in frames if "status_text" in f.columns and "code" in f.columns)
    assert len(attention) and attention["code"].str.match(r"^[A-Z]\d\d$").all()
