"""Every text an AppTest run shows a user — headings, markdown, captions, notices, metrics, table headers and the
cells of the shown columns, chart titles and labels, select options, buttons — and the words no user should see in
it: code and file names, English, placeholders."""
from __future__ import annotations

import json
import re

from lxml import html as lxml_html
from streamlit.testing.v1 import AppTest

# file and command names, raw column names, missing-value placeholders, '2020Q1', English words (three letters or
# more; the file types and office programs a user chooses between are words of the UI)
CODE_WORDS = re.compile(r"cli\.py|\.toml|data/|\bNone\b|\bNaN\b|\bnan\b|\bNaT\b|\d{4}Q[1-4]|[A-Za-z_]{3,}")
ALLOWED = {"PowerPoint", "Word", "Excel", "PDF", "JPEG", "PNG", "DOCX", "XLSX", "XLSM", "XLS", "CSV"}
HOVER_CODE = ("extra", "fullData", "name", "customdata")   # plotly's hover template syntax, never drawn as such
TAGS = re.compile(r"<[^>]+>")


def _plot_texts(spec: dict) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "name", "ticktext", "hovertemplate", "texttemplate"):
                    values = value if isinstance(value, list) else [value]
                    out.extend((f"chart {key}", str(v)) for v in values if isinstance(v, str))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(spec)
    return out


def page_texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) for everything the run shows (HTML tags removed)."""
    out: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        out += [(kind, TAGS.sub("", e.value)) for e in at.get(kind)]
    for m in at.metric:
        out += [("metric", m.label), ("metric", m.value), ("metric", str(m.delta or ""))]
    for table in at.dataframe:
        frame, proto = table.value, table.proto
        config = json.loads(proto.columns) if proto.columns else {}
        order = [c for c in proto.column_order if c in frame.columns] or list(frame.columns)
        for column in order:
            conf = config.get(column, {})
            if conf.get("hidden"):
                continue
            out.append(("table header", str(conf.get("label") or column)))
            out += [(f"cell {column}", str(v)) for v in frame[column].tolist() if not isinstance(v, (int, float))
                    or v != v]   # numbers are drawn by the column's format; NaN would read None
    for element in at.get("html"):   # ui.html_tables: headers, header tooltips and cells as drawn; no style block
        tree = lxml_html.fromstring(f"<div>{element.value}</div>")
        for node in tree.iter():
            if node.tag == "style":
                continue
            out += [("html", t) for t in (node.text, node.tail, node.get("title")) if t and t.strip()]
    for chart in at.get("plotly_chart"):
        out += _plot_texts(json.loads(chart.proto.spec))
    for box in at.selectbox:
        out += [("select", box.label), *[("option", str(o)) for o in box.options]]
    out += [("button", b.label) for b in at.button]
    return out


def code_words(at: AppTest) -> set[tuple[str, str, str]]:
    """(where, word, text) for every code word, English word or placeholder shown."""
    found = set()
    for where, text in page_texts(at):
        for match in CODE_WORDS.finditer(text):
            word = match.group(0)
            if word in ALLOWED or (where == "chart hovertemplate" and word in HOVER_CODE):
                continue
            found.add((where, word, text[:80]))
    return found
