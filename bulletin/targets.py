"""The bulletin's table of the targets not met: every judged target that is 未完成 or 无期末数据, with its target and
due year, its value at the due year, the verdict and the lead unit, in the words of views.target_words (the same
texts as the pages, the deck and `cli.py status`)."""
from __future__ import annotations

import pandas as pd

from bulletin.docx_kit import paragraph, table
from views.standing import judged_not_met
from views.target_words import provisional_note, target_words

HEADER = ["编号", "指标", "目标（期限）", "期末值", "结论", "牵头单位"]
ANNEX_TITLE = "已到期未完成目标清单"
ANNEX_SIZE = 10.5  # 五号, like the other annex tables (bulletin.annex)


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


def write_not_met(doc, data, annexes) -> None:
    """The count of the judged targets not met in a sentence, their table in an annex (nothing when every judged
    target is met). data: BulletinData; annexes: bulletin.sections.Annexes."""
    rows = not_met_rows(data.status)
    if not rows:
        return
    note = not_met_note(data.status)

    def draw(doc, data) -> None:
        table(doc, HEADER, rows, size=ANNEX_SIZE)
        if note:
            paragraph(doc, note, size=ANNEX_SIZE, indent=False, line=None)
    n = annexes.add(ANNEX_TITLE, draw)
    paragraph(doc, f"已到期未完成的目标{len(rows)}项（按目标年份年底的数值判定），清单见附件{n}。")

def not_met_note(status: pd.DataFrame) -> str:
    """Under the table: what 暂判 means when a verdict rests on a 预计 or 初步 value, and the sources of the
    published values the verdicts rest on (sample values are marked 示例数据 in the bulletin's head)."""
    rows = judged_not_met(status)
    published = rows.loc[~rows["is_sample"].astype(bool)]
    sources = sorted({s.strip() for text in published["sources"].dropna().astype(str) for s in text.split("；")
                      if s.strip()})
    parts = [PROVISIONAL_NOTE] if any(provisional_note(r) for r in rows.to_dict("records")) else []
    if sources:
        parts.append("公开数据来源：" + "；".join(sources) + "。")
    return "注：" + "".join(parts) if parts else ""


PROVISIONAL_NOTE = "结论前标“暂判”的，依据的是初步数或预计数，待核实数发布后确定。"
