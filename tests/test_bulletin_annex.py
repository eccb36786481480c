"""The bulletin's annex: every 办结 item of the as-of year with its evidence text and its 佐证材料 files."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
from docx import Document

import db
from access import evidence
from bulletin import build_bulletin, bulletin_data
from bulletin.evidence_annex import ANNEX_TITLE, annex_rows
from store import catalogue
from tests import evidence_files as ef
from tests.accounts import editor
from views import policy as views_policy

KEJI = editor("科工信局", login="keji")


def test_annex_rows_list_the_items_done_in_the_year_with_their_files():
    deadlines = pd.DataFrame({
        "milestone_id": [1, 1, 2, 3], "task_title": ["任务甲"] * 4, "title": ["节点一", "节点一", "节点二", "节点三"],
        "unit": ["科工信局", "财政局", "科工信局", "科工信局"], "state": ["done_on_time", "done_on_time", "done_late", "overdue"],
        "completed_on": ["2020-03-01", "2020-03-01", "2019-12-20", None], "evidence": ["印发通知", "印发通知", "", ""]})
    ledger = pd.DataFrame({"clause": ["二（一）1", "二（一）2"], "title": ["任务甲", "任务乙"], "status": ["done", "in_progress"],
                           "reported_on": ["2020-11-30", "2020-11-30"], "evidence": ["验收报告", ""],
                           "lead_units": ["科工信局", "财政局"], "responsible_units": ["", ""]})
    files = pd.DataFrame({"owner_kind": ["milestone", "task_progress", "task_progress"], "clause": ["二（一）1"] * 3,
                          "milestone_id": [1, None, None], "reported_on": [None, "2020-11-30", "2021-01-05"],
                          "file_name": ["通知.pdf", "验收.docx", "后来.pdf"], "size": [2048, 1024 * 1024 * 3, 10]})
    rows = annex_rows(deadlines, ledger, files, pd.Timestamp("2020-12-31"))
    assert rows.to_dict("records") == [
        {"unit": "科工信局、财政局", "task": "任务甲", "item": "节点一", "completed_on": "2020-03-01",
         "evidence": "印发通知", "files": "通知.pdf（2 KB）"},   # 节点二 was done in 2019, 节点三 is not done
        {"unit": "科工信局", "task": "任务甲", "item": "任务办结", "completed_on": "2020-11-30",
         "evidence": "验收报告", "files": "验收.docx（3.0 MB）"}]  # a file reported after the as-of day is left out


def test_the_bulletin_ends_with_the_annex_of_a_milestone_done_with_files(engine):
    evidence.report_done_as(engine, KEJI, 3, completed_on=date(2020, 6, 28), evidence="总结报告已印发（长科〔2020〕8号）",
                            files=[("总结报告.docx", ef.docx()), ("会议照片.jpg", ef.jpeg())])
    frames = views_policy.load_frames(engine)
    data = bulletin_data(frames, catalogue.load_settings(), policy="CY2019-20", region="长垣市", as_of="2020-12-31",
                         issued=date(2021, 1, 8))
    doc = Document(io.BytesIO(build_bulletin(data)))
    texts = [p.text for p in doc.paragraphs]
    title = texts.index(ANNEX_TITLE)   # its own annex page after the signature: '附件N', then the title
    assert texts[title - 1].startswith("附件") and title > texts.index("2021年1月8日")
    assert any(t.endswith(ANNEX_TITLE) for t in texts[:texts.index("2021年1月8日")])  # named in the 附件 list
    table = doc.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["序号", "责任单位", "任务", "办结事项", "完成日期", "办结情况及佐证说明",
                                                     "佐证材料文件"]
    row = next([c.text for c in r.cells] for r in table.rows[1:] if r.cells[3].text == "完成2020年上半年工作计划")
    assert row[1:2] + row[4:] == ["科工信局", "2020-06-28", "总结报告已印发（长科〔2020〕8号）",
                                  f"总结报告.docx（{round(len(ef.docx()) / 1024)} KB）、会议照片.jpg（2 KB）"]
    assert db.count_attachments(engine) == 2
