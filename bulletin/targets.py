"""The bulletin's table of the targets not met: every judged target that is 未完成 or 无期末数据, with its target and
due year, its value at the due year, the verdict and the lead unit, in the words of views.target_words (the same
texts as the pages, the deck and `cli.py status`)."""
from __future__ import annotations

import pandas as pd

from bulletin.docx_kit import paragraph, table
from views.standing import judged_not_met
from views.target_words import target_words

HEADER = ["编号", "指标", "目标（期限）", "期末值", "结论", "牵头单位"]
WIDTHS_MM = [12, 36, 29, 29, 29, 21]   # 156 mm: the type area of GB/T 9704; most rows two lines


def not_met_rows(status: pd.DataFrame) -> list[list[str]]:
    """One row of texts per judged target not met, in the status frame's order."""
    rows = judged_not_met(status)
    out = []
    for r in rows.to_dict("records"):
        w = target_words(r)
        value = f"{w.value}（{w.value_year}）" if w.value_year and w.value_year != f"{int(r['due_year'])}年" else w.value
        if r["kind"] == "relative":
            value = w.gap or value   # the two growth rates say why a growth target is not met
        out.append([w.code, w.name, f"{w.target}（{w.due}）", value, w.verdict, str(r.get("lead_units") or "—")])
    return out


def write_not_met(doc, data) -> None:
    """A sentence with the count, then the table (nothing when every judged target is met). data: BulletinData."""
    rows = not_met_rows(data.status)
    if not rows:
        return
    paragraph(doc, f"已到期未完成的目标{len(rows)}项，清单如下（按目标年份年底的数值判定）。")
    table(doc, HEADER, rows, WIDTHS_MM)
