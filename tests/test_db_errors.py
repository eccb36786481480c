"""Database errors on the import and entry paths: a locked database, a constraint, a text longer than its column.
Each gives a Chinese message (no traceback), nothing written, and on the page what the user typed is kept."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import event, text

import db
from dataio.importer import import_workbook
from store import limits
from tests.accounts import admin, store_account
from tests.test_dataio_import import GOOD
from tests.entry_pages import open_page
from tests.xlsx import long_table, to_bytes

POLICY = "CY2019-20"
LOCKED = "数据库正忙（他人正在保存），本次未写入任何数据：请稍后再保存一次，您填写的内容仍保留。"


def impatient_engine(url: str | None = None, make_engine=db.make_engine):
    """An engine like the app's that waits 50 ms (not the app's 5 s) for a lock, so a locked database fails fast."""
    eng = make_engine(url)

    @event.listens_for(eng, "connect")
    def _short_wait(dbapi_conn, _record) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=50")

    return eng


@pytest.fixture
def impatient(db_path):
    eng = impatient_engine(f"sqlite:///{db_path}")
    yield eng
    eng.dispose()


@contextmanager
def locked(path):
    """Another process in the middle of a write: holds SQLite's write lock until the block ends."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        con.execute("ROLLBACK")
        con.close()


def progress_sheet(reported_by: str = "科工信局") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "任务进展"
    ws.append(["政策", "条款", "状态", "进展", "报告日期", "填报人"])
    ws.append([POLICY, "二（一）2", "进行中", "推进中", "2020-06-30", reported_by])
    return to_bytes(wb)


def test_import_into_a_locked_database_says_so_and_writes_nothing(impatient, db_path):
    before = db.dump(impatient)
    with locked(db_path):
        result = import_workbook(impatient, long_table([GOOD]), account=admin("张三"))
    assert [str(p) for p in result.problems] == [f"文件：{LOCKED}"]
    assert result.written is None
    assert db.dump(impatient) == before


def test_a_constraint_refusing_the_write_says_so_and_writes_nothing(engine):
    with engine.begin() as conn:  # stands for any constraint the database enforces at write time
        conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON task_progress "
                          "BEGIN SELECT RAISE(ABORT, 'refused by a constraint'); END"))
    before = db.dump(engine)
    result = import_workbook(engine, progress_sheet(), account=admin("张三"))
    assert [p.message for p in result.problems] == [
        "保存失败：与数据库中已有的记录冲突（可能他人刚刚保存了同一项），本次未写入任何数据：请刷新后核对再保存。"]
    assert db.dump(engine) == before


def test_a_name_longer_than_its_column_is_refused_before_the_database(engine):
    name = "长" * (limits.NAME_LENGTH + 1)
    before = db.dump(engine)
    result = import_workbook(engine, progress_sheet(name), account=admin("张三"))
    assert [(p.sheet, p.row, p.column, p.message) for p in result.problems] == [
        ("任务进展", 2, "填报人", "填报人过长（61 字）：最多 60 字，请缩短后重新填写")]
    with pytest.raises(ValueError, match="报告单位 / 人过长（61 字）：最多 60 字"):
        db.add_progress(engine, POLICY, "二（一）2", status="done", progress="完成", evidence="",
                        reported_on=date(2020, 6, 30), reported_by=name, who="张三")
    assert db.dump(engine) == before


@pytest.fixture
def page_store(app_db):
    """The app's database with 管理员 (admin)."""
    eng = db.make_engine(f"sqlite:///{app_db}")
    store_account(eng, admin("管理员"))
    yield eng
    eng.dispose()


def test_page_keeps_the_progress_text_when_the_database_is_locked(page_store, app_db, monkeypatch):
    eng = page_store
    monkeypatch.setattr(db, "make_engine", impatient_engine)  # the app's engine (made on its first run) too
    at = open_page("pages/entry.py", who="管理员")
    at.selectbox(key="progress_task").set_value("二（一）2").run()
    at.text_area(key="progress_text").set_value("认定高企 12 家")
    with locked(app_db):  # the app waits its busy timeout (50 ms here), then gives up
        next(b for b in at.button if b.label == "提交进展").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [LOCKED]
    assert at.text_area(key="progress_text").value == "认定高企 12 家"
    assert "认定高企 12 家" not in set(db.read_progress(eng)["progress"])
    next(b for b in at.button if b.label == "提交进展").click().run()
    assert "认定高企 12 家" in set(db.read_progress(eng)["progress"])
    assert at.text_area(key="progress_text").value == ""
