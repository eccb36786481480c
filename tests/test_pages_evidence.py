"""佐证材料 on the pages (AppTest): a clerk attaches files to a progress report, reports a milestone done and asks for
an extension with files; a hostile file is refused with the Chinese sentence and nothing stored; the reviewers see
the files with download buttons; a visitor gets no download; the bytes are served only to a session logged in then;
the extension form proposes a date one month ahead."""
from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

import db
from access import auth
from access import evidence as access_evidence
from tests import evidence_files as ef
from tests.accounts import store_account
from tests.helpers import start_on
from tests.test_pages_supervision import (
    EDITOR,
    INSPECTOR,
    POLICY,
    open_departments,
    refusals,
)
from ui import evidence as evidence_ui
from ui.milestone_panels import default_extension_date, one_month_after
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape

MILESTONE = 3  # 二（一）1 完成2020年上半年工作计划 (科工信局, due 2020-06-30)


def open_entry(account: Account | None) -> AppTest:
    at = start_on("pages/entry.py")
    if account is not None:
        eng = db.make_engine()
        if account.login not in set(db.read_users(eng)["login"]):
            store_account(eng, account)
        eng.dispose()
        auth.start_session(at.session_state, account, eng)
    at.run()
    at.selectbox(key="progress_task").set_value("二（一）1").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit_progress(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.text_area(key="progress_text").set_value("已完成项目立项")
    at.text_input(key="progress_evidence").set_value("长科〔2020〕3号")
    at.file_uploader(key="progress_files/0").set_value([(n, d, "application/octet-stream") for n, d in files])
    next(b for b in at.button if b.label == "提交进展").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def downloads(at: AppTest) -> dict[str, bool]:
    """Download buttons of 佐证材料: label → enabled."""
    return {b.label: not b.disabled for b in at.get("download_button") if b.label.startswith("下载 ")}


def test_a_clerk_attaches_files_to_a_progress_report(app_db):
    at = submit_progress(open_entry(EDITOR), [("立项批复.pdf", ef.pdf()), ("现场照片.jpg", ef.jpeg())])
    eng = db.make_engine()
    files = db.read_attachments(eng)
    latest = db.read_progress(eng).iloc[-1]
    eng.dispose()
    assert list(zip(files["file_name"], files["owner_id"])) == [("立项批复.pdf", latest["id"]),
                                                               ("现场照片.jpg", latest["id"])]
    assert any("佐证材料 2 件" in s.value for s in at.success)
    history = next(d.value for d in at.tabs[2].dataframe if "材料文件" in d.value.columns)
    assert history.iloc[0]["材料文件"] == "2 件"
    assert downloads(at) == {"下载 立项批复.pdf": True, "下载 现场照片.jpg": True}


@pytest.mark.parametrize("case", ["renamed-elf", "svg-script"])
def test_a_hostile_file_on_the_progress_tab_is_refused_and_nothing_stored(app_db, case):
    at = open_entry(EDITOR)
    eng = db.make_engine()
    before = db.dump(eng)
    name, data, word = ef.hostile(case)
    at = submit_progress(at, [(name, data)])
    assert any(word in e.value and "未保存任何材料" in e.value for e in at.error)
    assert db.dump(eng) == before
    eng.dispose()
    assert at.text_area(key="progress_text").value == "已完成项目立项"  # what was typed stays


def test_a_visitor_sees_the_files_but_cannot_download(app_db):
    submit_progress(open_entry(EDITOR), [("立项批复.pdf", ef.pdf())])
    at = open_entry(None)
    assert downloads(at) == {"下载 立项批复.pdf": False}
    assert any("登录后可下载" in c.value for c in at.caption)


def test_the_bytes_are_served_only_to_a_session_logged_in_when_served(app_db):
    eng = db.make_engine()
    store_account(eng, INSPECTOR)
    access_evidence.attach_as(eng, INSPECTOR, "milestone", MILESTONE, [("批复.pdf", ef.pdf())])
    aid = int(db.read_attachments(eng)["attachment_id"].iloc[0])
    session: dict = {}
    auth.start_session(session, INSPECTOR, eng)
    assert evidence_ui.served_bytes(session, eng, {}, aid) == ef.pdf()
    auth.end_session(session)  # logged out after the page was drawn
    with pytest.raises(PermissionDenied, match="请先登录"):
        evidence_ui.served_bytes(session, eng, {}, aid)
    auth.start_session(session, INSPECTOR, eng)
    db.update_user(eng, INSPECTOR.login, who="测试", active=False)  # disabled since
    with pytest.raises(PermissionDenied, match="请先登录"):
        evidence_ui.served_bytes(session, eng, {}, aid)
    eng.dispose()


def test_done_report_and_extension_with_files_reach_the_reviewers(app_db):
    at = open_departments(EDITOR)
    at.selectbox(key="done_milestone").set_value(MILESTONE).run()
    at.date_input(key="done_date").set_value(date(2020, 6, 26))
    at.text_area(key="done_text").set_value("上半年计划已完成，总结已印发")
    at.file_uploader(key="done_files/0").set_value([("总结.docx", ef.docx(), "application/octet-stream")])
    at.button(key="FormSubmitter:done_report-报送办结").click().run()
    assert not refusals(at), refusals(at)
    other = 4  # 二（一）1 完成2020年全年工作任务并形成总结 (科工信局, due 2020-12-31)
    at.selectbox(key="ext_milestone").set_value(other).run()
    assert at.date_input(key=f"ext_new_date/{other}").value == date(2021, 1, 31)
    at.text_area(key="ext_reason").set_value("上级批复未下达")
    at.file_uploader(key="ext_files/0").set_value([("函件.pdf", ef.pdf(), "application/pdf")])
    at.button(key="FormSubmitter:extension_request-提交延期申请").click().run()
    assert not refusals(at), refusals(at)
    # the unit's open request with its file, and the task ledger's files (the milestone's report)
    assert downloads(at) == {"下载 函件.pdf": True, "下载 总结.docx": True}
    assert any("本单位未办结延期申请的佐证材料" in m.value for m in at.markdown)

    eng = db.make_engine()
    m = db.read_milestones(eng).set_index("milestone_id").loc[MILESTONE]
    assert (m["status"], m["completed_on"]) == ("done", date(2020, 6, 26))
    files = db.read_attachments(eng)
    eng.dispose()
    assert list(zip(files["owner_kind"], files["file_name"])) == [("milestone", "总结.docx"),
                                                                 ("extension_request", "函件.pdf")]

    at = open_departments(INSPECTOR, as_of=date(2020, 7, 1))
    review = next(d.value for d in at.dataframe if "files" in d.value.columns and "request_id" in d.value.columns)
    assert review["files"].tolist() == ["1 件"]
    done = next(d.value for d in at.dataframe if "evidence" in d.value.columns and "files" in d.value.columns)
    row = done.loc[done["milestone_id"] == MILESTONE].iloc[0]
    assert (row["files"], row["evidence"]) == ("1 件", "上半年计划已完成，总结已印发")
    assert downloads(at) == {"下载 函件.pdf": True, "下载 总结.docx": True}


def test_a_hostile_file_refuses_the_done_report(app_db):
    at = open_departments(EDITOR)
    eng = db.make_engine()
    before = db.dump(eng)
    at.selectbox(key="done_milestone").set_value(MILESTONE).run()
    at.text_area(key="done_text").set_value("已完成")
    at.file_uploader(key="done_files/0").set_value([("证书.png", ef.SVG_WITH_SCRIPT, "image/png")])
    at.button(key="FormSubmitter:done_report-报送办结").click().run()
    assert any("SVG" in r and "未保存任何材料" in r for r in refusals(at))
    assert db.dump(eng) == before
    eng.dispose()


@pytest.mark.parametrize("due, when, expected", [
    (date(2020, 6, 30), date(2020, 6, 27), date(2020, 7, 30)),    # not yet due: a month after the due date
    (date(2020, 6, 30), date(2020, 9, 27), date(2020, 10, 27)),   # overdue: a month after the 督办日期
    (date(2020, 12, 31), date(2020, 9, 27), date(2021, 1, 31)),   # across the year
    (date(2021, 1, 31), date(2020, 9, 27), date(2021, 2, 28)),    # the month's last day
    (date(2024, 1, 30), date(2023, 1, 1), date(2024, 2, 29)),     # leap year
])
def test_the_extension_form_proposes_a_month_ahead(due, when, expected):
    assert default_extension_date(due, when) == expected
    assert default_extension_date(due, when) > max(due, when)


def test_one_month_after_is_never_more_than_31_days_on():
    day = date(2019, 1, 1)
    while day.year < 2021:
        later = one_month_after(day)
        assert 28 <= (later - day).days <= 31 and later.day <= day.day
        day = date.fromordinal(day.toordinal() + 1)


def test_the_task_ledger_lists_the_files_behind_its_tasks(app_db):
    eng = db.make_engine()
    access_evidence.add_progress_as(eng, EDITOR, POLICY, "二（一）1", status="in_progress", progress="已立项",
                                    evidence="见附件", reported_on=date(2020, 6, 1), files=[("立项.pdf", ef.pdf())])
    access_evidence.attach_as(eng, EDITOR, "milestone", MILESTONE, [("清单.xlsx", ef.xlsx())])
    eng.dispose()
    at = open_departments(INSPECTOR)
    expander = next(e for e in at.expander if e.label.startswith("台账佐证材料"))
    assert expander.label == "台账佐证材料（1 项任务，2 件文件）"
    table = next(d.value for d in expander.dataframe if "事项" in d.value.columns)
    assert table[["事项", "文件"]].values.tolist() == [["进展报告 2020-06-01", "立项.pdf"],
                                                     ["节点 完成2020年上半年工作计划", "清单.xlsx"]]
    assert downloads(at) == {"下载 立项.pdf": True, "下载 清单.xlsx": True}


def test_the_uploader_deletes_a_file_through_the_page_and_it_is_audited(app_db):
    at = submit_progress(open_entry(EDITOR), [("传错的.pdf", ef.pdf())])
    at.text_input(key="progress_evidence_delete_reason").set_value("传错了文件")
    at.button(key="FormSubmitter:progress_evidence_delete-删除所选材料").click().run()
    assert not at.exception and md_escape("已删除佐证材料“传错的.pdf”。") in [s.value for s in at.success]
    eng = db.make_engine()
    assert db.count_attachments(eng) == 0
    entry = db.read_audit(eng, entity="attachment").iloc[0]
    eng.dispose()
    assert (entry["action"], entry["who"], entry["reason"], entry["old"]["file_name"]) == (
        "delete", EDITOR.login, "传错了文件", "传错的.pdf")
    assert downloads(at) == {}
