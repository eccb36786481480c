"""Small store defects: a BOM in the built-in CSV, the audit key filter taking _ and % literally, progress
reports dated within the policy period (in the store and in the import's validation)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

import db
from dataio.importer import import_workbook
from store import schema
from tests.accounts import admin
from tests.xlsx import to_bytes

POLICY = "CY2019-20"


def test_builtin_csv_with_a_bom_still_loads(engine, tmp_path, monkeypatch):
    bom_copy = tmp_path / "builtin.csv"
    bom_copy.write_bytes(b"\xef\xbb\xbf" + schema.BUILTIN_OBSERVATIONS.read_bytes())  # Excel's "CSV UTF-8"
    monkeypatch.setattr(schema, "BUILTIN_OBSERVATIONS", bom_copy)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM observation WHERE id = (SELECT min(id) FROM observation)"))
    before = len(db.read_observations(engine))
    assert schema.load_builtin_observations(engine) == 1
    assert len(db.read_observations(engine)) == before + 1


def test_audit_key_filter_takes_underscore_and_percent_literally(engine):
    keys = {r for r in db.read_audit(engine)["entity_key"]}
    assert any("hte_count" in k for k in keys)
    assert db.read_audit(engine, key_contains="hte%count").empty
    assert db.read_audit(engine, key_contains="hte__ount").empty
    assert set(db.read_audit(engine, key_contains="hte_count")["entity_key"]) == {k for k in keys if "hte_count" in k}


@pytest.mark.parametrize("when, message", [
    (date(2002, 6, 30), "报告日期 2002-06-30 超出范围：只接受政策实施以来（2019-01-01）至今天（{today}）之间的日期"),
    (date(2018, 12, 31), "报告日期 2018-12-31 超出范围：只接受政策实施以来（2019-01-01）至今天（{today}）之间的日期"),
    (date.today() + timedelta(days=1), "报告日期 {tomorrow} 超出范围：只接受政策实施以来（2019-01-01）至今天（{today}）之间的日期"),
])
def test_progress_dates_outside_the_policy_period_are_refused(engine, when, message):
    today = date.today()
    expected = message.format(today=f"{today:%Y-%m-%d}", tomorrow=f"{today + timedelta(days=1):%Y-%m-%d}")
    before = db.dump(engine)
    with pytest.raises(ValueError) as exc:
        db.add_progress(engine, POLICY, "二（一）2", status="done", progress="完成", evidence="", reported_on=when,
                        reported_by="科工信局", who="张三")
    assert str(exc.value) == expected
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "任务进展"
    ws.append(["政策", "条款", "状态", "进展", "报告日期", "填报人"])
    ws.append([POLICY, "二（一）2", "已完成", "完成", when.isoformat(), "科工信局"])
    result = import_workbook(engine, to_bytes(wb), account=admin("张三"))
    assert [(p.row, p.column, p.message) for p in result.problems] == [(2, "报告日期", expected)]
    assert db.dump(engine) == before


def test_progress_dates_at_the_bounds_are_accepted(engine):
    for when in (date(2019, 1, 1), date.today()):
        db.add_progress(engine, POLICY, "二（一）2", status="in_progress", progress=f"进展 {when}", evidence="",
                        reported_on=when, reported_by="科工信局", who="张三")
    assert {f"进展 {d}" for d in (date(2019, 1, 1), date.today())} <= set(db.read_progress(engine)["progress"])
