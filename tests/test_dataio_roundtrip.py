"""Export → import into an empty database gives the same observations (values, sources, notes, sample flags);
random valid tables round-trip unchanged; random junk files never crash the importer and never write."""
from __future__ import annotations

import io
import shutil
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import db
from dataio.exporter import OBSERVATION_SHEET, export_workbook
from dataio.importer import import_workbook
from dataio.validate import excel_precision
from store import catalogue
from tests.accounts import admin
from tests.xlsx import LONG_HEADER, long_table
from vocab import labels

COLUMNS = ["region", "indicator", "year", "quarter", "value", "source", "note", "is_sample"]


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory):
    """Schema and catalogue only: no observations, no progress."""
    path = tmp_path_factory.mktemp("empty") / "empty.sqlite"
    eng = db.make_engine(f"sqlite:///{path}")
    db.create_schema(eng)
    for policy in catalogue.load_policies():
        db.load_catalogue(eng, policy)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


def fresh(empty_db, tmp_path, name: str):
    path = tmp_path / f"{name}.sqlite"
    shutil.copy(empty_db, path)
    return db.make_engine(f"sqlite:///{path}")


def observations(engine):
    return db.read_observations(engine)[COLUMNS].reset_index(drop=True)


def test_export_reimports_into_an_empty_database_unchanged(engine, empty_db, tmp_path):
    db.save_observations(engine, [{"region": "长垣市", "indicator": "hte_new", "year": 2020, "quarter": 3,
                                   "value": 17, "source": "季报", "note": "前三季度", "is_sample": False}], who="张三")
    target = fresh(empty_db, tmp_path, "target")
    result = import_workbook(target, export_workbook(engine), account=admin("还原"))
    assert result.ok, result.problems[:5]
    before, after = observations(engine), observations(target)
    assert len(before) >= 200 and before["is_sample"].any() and (~before["is_sample"]).any()
    assert after.equals(before)


def test_export_sheets_and_sample_marks(engine):
    wb = load_workbook(io.BytesIO(export_workbook(engine)), read_only=True)
    assert wb.sheetnames == ["说明", OBSERVATION_SHEET, "任务", "任务单位", "任务进展", "修改记录"]
    info = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    n_sample = int(db.read_observations(engine)["is_sample"].sum())
    assert f"其中{labels.SAMPLE_MARK} {n_sample} 条" in info[2] and info[3] == labels.SAMPLE_BANNER
    rows = list(wb[OBSERVATION_SHEET].iter_rows(values_only=True))
    assert rows[0][:9] == ("地区", "指标", "指标代码", "单位", "期间", "数值", "来源", "备注", labels.SAMPLE_MARK)
    g02 = next(r for r in rows if r[2] == "hte_count" and r[4] == "2020" and r[0] == "长垣市")
    assert (g02[5], g02[8]) == (95, "是")
    assert len(list(wb["任务"].iter_rows())) == 42
    progress = list(wb["任务进展"].iter_rows(values_only=True))
    assert len(progress) == len(db.read_progress(engine)) + 1 and progress[1][-1] == "是"
    audit = list(wb["修改记录"].iter_rows(values_only=True))
    assert len(audit) == len(db.read_audit(engine)) + 1


def test_export_keeps_text_that_looks_like_a_formula(engine, empty_db, tmp_path):
    db.save_observations(engine, [{"region": "长垣市", "indicator": "hte_new", "year": 2011, "quarter": 0,
                                   "value": 1, "source": "=SUM(A1)", "note": "#N/A", "is_sample": False}], who="张三")
    target = fresh(empty_db, tmp_path, "target")
    assert import_workbook(target, export_workbook(engine), account=admin("还原")).ok
    row = observations(target).query("indicator == 'hte_new' and year == 2011").iloc[0]
    assert (row["source"], row["note"]) == ("=SUM(A1)", "#N/A")


# ------------------------------------------------------------------ random valid tables

def indicator_values(code: str) -> st.SearchStrategy[float]:
    """Valid values for an indicator, from its catalogue bounds, with at most 15 significant digits (what a
    workbook holds: Excel keeps 15, and the importer rounds to 15)."""
    return _values(code).map(excel_precision)


def _values(code: str) -> st.SearchStrategy[float]:
    spec = INDICATORS[code]
    if spec["stages"]:
        return st.integers(0, len(spec["stages"]) - 1).map(float)
    if spec["unit"] == "%":
        return st.floats(0, 100, allow_nan=False)
    low = spec["min"] or 0
    if spec["decimals"] == 0:
        return st.integers(int(low), 10**9).map(float)
    return st.floats(low, 1e12, allow_nan=False)


INDICATORS = {i["code"]: i for i in catalogue.load_policies()[0].indicators}
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30).map(
    str.strip)
KEY = st.tuples(st.sampled_from(["长垣市", "新乡市", "河南省"]), st.sampled_from(sorted(INDICATORS)),
                st.integers(2010, 2025), st.integers(0, 4))


@st.composite
def tables(draw):
    keys = draw(st.lists(KEY, min_size=1, max_size=25, unique=True))
    return [{"region": r, "indicator": i, "year": y, "quarter": q, "value": draw(indicator_values(i)),
             "source": draw(TEXT.filter(bool)), "note": draw(TEXT), "is_sample": draw(st.booleans())}
            for r, i, y, q in keys]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tables())
def test_random_valid_tables_round_trip(empty_db, tmp_path, rows):
    source = fresh(empty_db, tmp_path, "source")
    target = fresh(empty_db, tmp_path, "target")
    try:
        db.save_observations(source, rows, who="张三")
        result = import_workbook(target, export_workbook(source), account=admin("还原"))
        assert result.ok, result.problems[:3]
        assert observations(target).equals(observations(source))
        assert result.written["created"] == len(rows)
    finally:
        source.dispose()
        target.dispose()
        for p in tmp_path.glob("*.sqlite*"):
            p.unlink()


# ------------------------------------------------------------------ random junk never crashes, never writes

JUNK = st.one_of(st.none(), st.text(max_size=15), st.integers(-10**12, 10**12), st.floats(allow_nan=False),
                 st.booleans(), st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
                 st.sampled_from(["#DIV/0!", "#REF!", "3.8%", "１，２３４", "长垣市", "hte_count", "2020年第三季度", "地区",
                                  "期间", "数值"]))


def clean_text(v):
    """openpyxl refuses control characters in cells; a workbook cannot hold them, so neither can the junk."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(JUNK.map(clean_text), min_size=0, max_size=7), max_size=6),
       header=st.sampled_from([LONG_HEADER, (*LONG_HEADER, "单位", "备注", "示例数据"), ("指标代码", "指标", "单位", 2019, 2020,
                                                                                 "来源"), ("x", "y")]))
def test_junk_cells_give_problems_not_crashes(engine, header, rows):
    before = db.dump(engine)
    result = import_workbook(engine, long_table(rows, header=header, above=[("地区", "长垣市")]), account=admin("张三"),
                             dry_run=False)
    if not result.ok:
        assert db.dump(engine) == before
        assert all(p.message for p in result.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000) | st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b))
def test_random_bytes_are_refused(engine, data):
    result = import_workbook(engine, data, account=admin("张三"), dry_run=True)
    # refused as a file, or (text without NUL bytes is read as a CSV, sheet "CSV") as a table without a header
    assert not result.ok and result.problems[0].sheet in ("", "CSV") and result.problems[0].message


PROGRESS = ["policy", "clause", "status", "progress", "evidence", "reported_on", "reported_by", "is_sample"]


def progress(engine):
    return db.read_progress(engine)[PROGRESS].assign(is_sample=lambda d: d["is_sample"].astype(bool)).reset_index(
        drop=True)


def test_task_progress_round_trips_and_is_not_added_twice(engine, empty_db, tmp_path):
    from datetime import date
    db.add_progress(engine, "CY2019-20", "二（一）2", status="done", progress="认定高企 12 家", evidence="=HYPERLINK(x)",
                    reported_on=date(2021, 1, 5), reported_by="科工信局", who="张三")
    target = fresh(empty_db, tmp_path, "target")
    data = export_workbook(engine)
    result = import_workbook(target, data, account=admin("还原"))
    assert result.ok and result.written["progress"] == len(db.read_progress(engine)) > 40
    assert progress(target).equals(progress(engine))
    before = db.dump(target)
    again = import_workbook(target, data, account=admin("还原"))
    # every row of the export is unchanged: each current value and each earlier vintage it holds (the built-in
    # first releases 河南省 2022 1.86 % and 新乡市 2020 2.22 % beside their revisions)
    assert again.new_progress() == 0 and again.counts()["unchanged"] == len(db.read_vintages(engine))
    assert len(db.read_vintages(engine)) == len(observations(engine)) + 2
    assert db.dump(target) == before


def test_bad_progress_rows_are_refused_with_exact_messages(engine):
    from openpyxl import Workbook

    from tests.xlsx import to_bytes
    wb = Workbook()
    ws = wb.active
    ws.title = "任务进展"
    ws.append(["政策", "条款", "状态", "进展", "佐证材料", "报告日期", "填报人", "示例数据"])
    ws.append(["CY2019-20", "二（一）9", "进行中", "x", "", "2020-12-31", "科工信局", "否"])
    ws.append(["CY2019-20", "二(一)2", "已逾期", "x", "", "2020-13-01", "", "否"])
    ws.append(["CY2019-20", "二（一）2", "已完成", "", "", datetime(2020, 12, 31), "科工信局", "否"])
    before = db.dump(engine)
    result = import_workbook(engine, to_bytes(wb), account=admin("张三"))
    assert [(p.row, p.column, p.value, p.message) for p in result.problems] == [
        (2, "条款", "二（一）9", "任务条款“二（一）9”不在 CY2019-20 的重点任务中（如 二（一）1）"),
        (3, "状态", "已逾期", "状态请填写：未启动、进行中、已完成（“已逾期”由系统按完成时限判断）"),
        (3, "报告日期", "2020-13-01", "日期格式不正确：请填写如 2020-12-31 的日期"),
        (3, "填报人", "", "填报人为空：请填写报告单位或填报人"),
        (4, "进展", "", "进展为空：请填写做了什么、到了哪一步")]
    assert db.dump(engine) == before


def test_a_workbook_with_only_task_progress(engine):
    from openpyxl import Workbook

    from tests.xlsx import to_bytes
    wb = Workbook()
    ws = wb.active
    ws.title = "任务进展"
    ws.append(["条款", "状态", "进展", "报告日期", "填报人"])
    ws.append(["二（一）2", "已完成", "认定高企 12 家", "2021年1月5日", "科工信局"])
    result = import_workbook(engine, to_bytes(wb), account=admin("张三"))
    assert result.ok, result.problems
    assert result.plan.empty and result.written["progress"] == 1
    latest = db.read_progress(engine).iloc[-1]
    assert (latest["clause"], latest["status"], str(latest["reported_on"]), latest["policy"]) == (
        "二（一）2", "done", "2021-01-05", "CY2019-20")
