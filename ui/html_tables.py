"""Small read-only tables drawn as plain HTML (st.html) instead of st.dataframe, on 总览.

Why: st.dataframe's grid is the heaviest thing a first page asks of the browser. On 总览 after a server start it
cost about 250 ms of the browser's main thread (its script chunk, Arrow, the canvas grid), whether the page showed
one table or four (measured with CDP Performance.getMetrics, 4 starts each way). 总览 is the page a leader opens
first and reads, not a page to sort or search in, so its tables are HTML: they also wrap long text instead of
cutting it, and print and project as drawn. Every cell and header is escaped here; the status cell is tinted
in its status colour (the icon and words carry the meaning, as in status_tables.styled)."""
from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from ui.text_width import text_width
from vocab import labels

FONT_PX = 14   # the tables' text, as Streamlit's (0.875rem)
PAD = 2 * 9 + 2   # a cell's padding on both sides (Streamlit's boxes are border-box) and rounding

CLASS = "tracker-table"


def table_style() -> str:
    """The tables' style block, in the theme's colours (.streamlit/config.toml: header background, borders, text),
    so that they look like the st.dataframe tables on the other pages. st.html puts a block of style alone out of
    the page's flow."""
    from streamlit import config

    def theme(name: str, default: str) -> str:
        return str(config.get_option(f"theme.{name}") or default)

    header, border = theme("dataframeHeaderBackgroundColor", "#EEF2F7"), theme("borderColor", "#D5DDE8")
    text = theme("textColor", "#1A1A1A")
    return (f"<style>.{CLASS}{{width:100%;border-collapse:collapse;font-size:{FONT_PX}px;line-height:1.45;"
            f"color:{text};margin-bottom:1rem}}"
            f".{CLASS} th{{text-align:left;font-weight:600;background:{header};border-bottom:1px solid {border};"
            f"padding:6px {PAD // 2 - 1}px;white-space:nowrap}}"
            f".{CLASS} td{{border-bottom:1px solid {border};padding:6px {PAD // 2 - 1}px;vertical-align:top}}"
            f".{CLASS} td.nowrap{{white-space:nowrap}}"
            f".{CLASS} .bar{{display:inline-block;width:60px;height:8px;margin-right:6px;border-radius:4px;"
            f"background:{border};vertical-align:middle}}"
            f".{CLASS} .bar span{{display:block;height:100%;border-radius:4px;"
            f"background:{labels.SERIES_COLOURS['actual']}}}"
            f"</style>")


def _label(spec) -> str:
    """A column's header from a label or an st.column_config dict."""
    return str(spec.get("label") or "") if isinstance(spec, Mapping) else str(spec)


def _help(spec) -> str:
    return str(spec.get("help") or "") if isinstance(spec, Mapping) else ""


def _text(value) -> str:
    return "—" if labels.is_missing(value) else str(value)


def html_table(frame: pd.DataFrame, columns: Mapping[str, object], *, status: str | None = None,
               tinted: str = "status_text", bars: Mapping[str, str] = {}, nowrap: tuple[str, ...] = (),
               one_line: Mapping[str, int] = {}) -> str:
    """The shown `columns` of `frame` ({column: header or st.column_config dict; None hides it}) as an escaped HTML
    table. With `status` (the column of status keys), the `tinted` cell gets its status colour. `bars` draws a
    0–100 column as a bar with its text ({share column: text column}). `nowrap` columns keep to one line (codes,
    counts, due years). `one_line` ({column: px}) keeps the browser's layout from squeezing a column below its
    widest text, up to that many px (a verdict, a unit's name: longer ones wrap). Each header carries its column
    name (data-col) and its help as a tooltip."""
    shown = [c for c, spec in columns.items() if spec is not None and c in frame.columns]
    floor = {c: min(cap, max([text_width(_text(v), FONT_PX) + PAD for v in frame[c]], default=0))
             for c, cap in one_line.items() if c in shown}
    head = "".join(
        f'<th data-col="{html.escape(c)}"' + (f' title="{html.escape(_help(columns[c]))}"' if _help(columns[c]) else "")
        + (f' style="min-width:{floor[c]}px"' if floor.get(c) else "")
        + f">{html.escape(_label(columns[c]) or c)}</th>" for c in shown)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for c in shown:
            attrs = ' class="nowrap"' if c in nowrap or c in bars else ""
            if status and c == tinted:
                attrs += f' style="background-color:{labels.STATUS_BY_KEY[record[status]].colour}33"'
            if c in bars:
                share = 0.0 if labels.is_missing(record[c]) else min(max(float(record[c]), 0.0), 100.0)
                body = (f'<span class="bar"><span style="width:{share:.0f}%"></span></span>'
                        f"{html.escape(_text(record[bars[c]]))}")
            else:
                body = html.escape(_text(record[c]))
            cells.append(f"<td{attrs}>{body}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="{CLASS}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
