"""A new policy from its 任务分解表 through `cli.py policy check | import | export`: the readings as CSV, the policy
kept in the store (audited, admins only), a second import showing the differences and replacing on confirmation,
the start-up load leaving it alone, the TOML round trip, and bad input refused in Chinese with nothing written."""
from __future__ import annotations

import csv
import io
import shutil
import tomllib
import zipfile
from datetime import date

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

import db
from access import guard
from policyio.catalogue import PolicyInfo
from store import catalogue as cat
from store import policy_export
from store.policy_import import POLICY_FIELDS
from tests import breakdown
from tests.accounts import admin, editor, store_account
from tests.helpers import run_cli
from views import policy_intake as intake
from vocab.accounts import PermissionDenied

CODE = "CY2026-05"
TITLE = "长垣市“十五五”科技创新发展规划"


@pytest.fixture
def store(engine):
    store_account(engine, admin("boss"))
    store_account(engine, editor("科工信局", "clerk"))
    return engine


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def import_args(path, *extra: str) -> list[str]:
    return ["policy", "import", str(path), "--code", CODE, "--title", TITLE, "--as", "boss", *extra]


def clean_import(store, tmp_path, db_path, name="分解表.xlsx", data=None):
    path = write(tmp_path, name, data or breakdown.xlsx_bytes(clean=True))
    res = run_cli(*import_args(path, "--accept-uncertain", "--doc-number", "长政〔2026〕5号"), db_path=db_path)
    assert res.returncode == 0, res.stderr
    return res


# ------------------------------------------------------------------ check

def test_check_prints_one_reading_per_row_as_csv_and_exits_1_on_problems(store, tmp_path, db_path):
    res = run_cli("policy", "check", str(write(tmp_path, "t.xlsx", breakdown.xlsx_bytes())), "--format", "csv",
                  db_path=db_path)
    assert res.returncode == 1
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0]) == ["row", "kind", "indicator", "comparator", "value", "stretch", "unit", "due_year",
                             "lead_unit", "units", "problems"]
    assert len(rows) == 22
    first = rows[0]
    assert (first["kind"], first["indicator"], first["value"], first["unit"], first["due_year"]) == (
        "level", "全社会研发投入强度", "3.2", "%", "2030")
    assert "统计局" in first["problems"]
    tiers = next(r for r in rows if r["stretch"])
    assert (tiers["indicator"], tiers["value"], tiers["stretch"]) == (
        "规模以上工业企业研发活动覆盖率（新）", "60", "70")
    assert sum(bool(r["problems"]) for r in rows) == 3


def test_check_reads_the_word_table_the_same_way(store, tmp_path, db_path):
    def rows(name, data):
        res = run_cli("policy", "check", str(write(tmp_path, name, data)), "--format", "csv", db_path=db_path)
        return [{k: v for k, v in r.items() if k != "row"} for r in csv.DictReader(io.StringIO(res.stdout))]
    assert rows("t.docx", breakdown.docx_bytes()) == rows("t.xlsx", breakdown.xlsx_bytes())


# ------------------------------------------------------------------ import: refused, then confirmed

def test_import_with_a_problem_writes_nothing(store, tmp_path, db_path):
    before = db.dump(store)
    res = run_cli(*import_args(write(tmp_path, "t.xlsx", breakdown.xlsx_bytes()), "--accept-uncertain"),
                  db_path=db_path)
    assert res.returncode == 1
    assert "第 5 行（序号 1）" in res.stderr and "统计局" in res.stderr and "序号 17" in res.stderr
    assert db.dump(store) == before


def test_import_is_for_admins_checked_where_the_write_happens(store, tmp_path, db_path):
    before = db.dump(store)
    res = run_cli("policy", "import", str(write(tmp_path, "t.xlsx", breakdown.xlsx_bytes(clean=True))), "--code",
                  CODE, "--title", TITLE, "--as", "clerk", "--accept-uncertain", db_path=db_path)
    assert res.returncode == 1 and "只有管理账号可以导入政策任务分解表" in res.stderr
    policy = cat.load_policies()[0]
    with pytest.raises(PermissionDenied):
        guard.import_policy_as(store, editor("科工信局"), policy, reason="x")
    assert db.dump(store) == before


def test_a_confirmed_policy_lives_in_the_store_audited(store, tmp_path, db_path):
    seed_before = db.read_targets(store, "CY2019-20")
    version = db.data_version(store)
    res = clean_import(store, tmp_path, db_path)
    assert "已导入政策 CY2026-05：20 个目标，22 项任务" in res.stdout
    targets = db.read_targets(store, CODE).set_index("code")
    assert len(targets) == 20
    assert (targets.loc["7-1", "tier"], targets.loc["7-1", "value"]) == ("floor", 60)
    assert (targets.loc["7-1s", "tier"], targets.loc["7-1s", "value"]) == ("stretch", 70)
    assert (targets.loc["6-1", "kind"], targets.loc["6-1", "indicator"]) == ("cagr", "tech_contract_turnover")
    assert targets.loc["1-1", "indicator"] == "rd_intensity"        # the seed's series, shared
    assert targets.loc["1-1", "quote"] == breakdown.ROWS[1][1]        # the row's original text
    assert targets.loc["8-1", "indicator"] == "cy2026_05_i02"         # a new indicator, proposed with its unit
    assert targets.loc["8-1", "unit"] == "家"
    tasks = db.read_tasks(store, CODE).set_index("clause")
    assert len(tasks) == 22 and tasks.loc["20", "due_date"] == date(2026, 6, 30)
    assert tasks.loc["11", "lead_units"] == "组织部"
    log = db.read_audit(store)
    mine = log[log["reason"] == "导入任务分解表 分解表.xlsx"]
    assert set(mine["who"]) == {"boss"} and {"policy", "target", "task", "indicator"} <= set(mine["entity"])
    assert db.data_version(store) > version
    assert db.policy_origin(store, CODE) == "import"
    assert db.read_targets(store, "CY2019-20").equals(seed_before)   # the seed's catalogue as it was


def test_importing_the_same_code_again_shows_the_differences_and_replaces_on_confirmation(store, tmp_path, db_path):
    clean_import(store, tmp_path, db_path)
    wb = load_workbook(io.BytesIO(breakdown.xlsx_bytes(clean=True)))
    ws = wb.active
    for row in ws.iter_rows():
        if row[0].value == "2":
            row[1].value = "高新技术企业总数达到220家以上"
        if row[0].value == "22":
            for c in row:
                c.value = None
    out = io.BytesIO()
    wb.save(out)
    path = write(tmp_path, "新版.xlsx", out.getvalue())
    before = db.dump(store)
    res = run_cli(*import_args(path, "--accept-uncertain"), db_path=db_path)
    assert res.returncode == 1 and "请加 --replace" in res.stdout
    assert "220.0" in res.stdout and "删除" in res.stdout
    assert db.dump(store) == before
    res = run_cli(*import_args(path, "--accept-uncertain", "--replace"), db_path=db_path)
    assert res.returncode == 0, res.stderr
    assert db.read_targets(store, CODE).set_index("code").loc["2-1", "value"] == 220
    assert "22" not in set(db.read_tasks(store, CODE)["clause"])
    deleted = db.read_audit(store, entity="task")
    assert f"{CODE}/22" in set(deleted.loc[deleted["action"] == "delete", "entity_key"])


def test_a_replace_that_would_lose_progress_reports_is_refused(store, tmp_path, db_path):
    clean_import(store, tmp_path, db_path)
    db.add_progress(store, CODE, "22", status="in_progress", progress="已建库", evidence="",
                    reported_on=date(2026, 11, 1), reported_by="科工信局", who="boss")
    rows = [r for r in breakdown.rows(clean=True) if r[0] != "22"]
    path = write(tmp_path, "少一行.xlsx", _workbook(rows))
    before = db.dump(store)
    res = run_cli(*import_args(path, "--accept-uncertain", "--replace"), db_path=db_path)
    assert res.returncode == 1 and "任务 22" in res.stderr and "进展记录" in res.stderr
    assert db.dump(store) == before


def test_a_policy_file_code_is_never_replaced_by_a_table(store, tmp_path, db_path):
    before = db.dump(store)
    path = write(tmp_path, "t.xlsx", breakdown.xlsx_bytes(clean=True))
    res = run_cli("policy", "import", str(path), "--code", "CY2019-20", "--title", "x", "--as", "boss",
                  "--accept-uncertain", "--replace", db_path=db_path)
    assert res.returncode == 1 and "data/policies/" in res.stderr
    assert db.dump(store) == before


def test_the_start_up_load_leaves_an_imported_policy_alone(store, tmp_path, db_path):
    clean_import(store, tmp_path, db_path)
    exported = tmp_path / "cy2026.toml"
    assert run_cli("policy", "export", CODE, "-o", str(exported), db_path=db_path).returncode == 0
    edited = exported.read_text(encoding="utf-8").replace("value = 200.0", "value = 1.0")
    exported.write_text(edited, encoding="utf-8")
    file_policy = cat.load_policy(exported)        # a file in data/policies with the same code
    before = db.dump(store)
    assert db.load_catalogue(store, file_policy) is False
    db.open_db(store)
    db.init_db(store)
    assert db.dump(store) == before


# ------------------------------------------------------------------ export: the TOML round trip

def test_export_loads_back_as_the_same_catalogue(store, tmp_path, db_path, template_db):
    clean_import(store, tmp_path, db_path, name="t.docx", data=breakdown.docx_bytes(clean=True))
    out = tmp_path / "out.toml"
    res = run_cli("policy", "export", CODE, "-o", str(out), db_path=db_path)
    assert res.returncode == 0, res.stderr
    loaded, stored = cat.load_policy(out), db.stored_policy(store, CODE)
    assert (loaded.targets, loaded.tasks, loaded.indicators) == (stored.targets, stored.tasks, stored.indicators)
    assert [getattr(loaded, f) for f in POLICY_FIELDS] == [getattr(stored, f) for f in POLICY_FIELDS]
    shutil.copy(template_db, tmp_path / "other.sqlite")   # the file loaded into another database
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        assert db.load_catalogue(other, loaded) is True
        columns = ["code", "indicator", "kind", "comparator", "value", "value_low", "value_high", "due_year",
                   "tier", "quote", "lead_units", "responsible_units"]
        assert db.read_targets(other, CODE)[columns].equals(db.read_targets(store, CODE)[columns])
    finally:
        other.dispose()


def test_the_seed_policy_exports_as_its_own_file(store, tmp_path, db_path):
    out = tmp_path / "seed.toml"
    assert run_cli("policy", "export", "CY2019-20", "-o", str(out), db_path=db_path).returncode == 0
    loaded, source = cat.load_policy(out), cat.load_policies()[0]
    assert (loaded.targets, loaded.tasks) == (source.targets, source.tasks)
    used = {t["indicator"] for t in source.targets}
    assert {i["code"]: i for i in loaded.indicators} == {i["code"]: i for i in source.indicators if i["code"] in used}


def test_export_of_an_unknown_code_is_a_chinese_message(store, tmp_path, db_path):
    res = run_cli("policy", "export", "NOPE", "-o", str(tmp_path / "x.toml"), db_path=db_path)
    assert res.returncode == 1 and "数据库中没有政策 NOPE" in res.stderr


# ------------------------------------------------------------------ bad input: a Chinese message, nothing written

def _workbook(rows, header=breakdown.HEADER, title=breakdown.PERIOD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append([r[1]] if r[0] is None else list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _macro_docx() -> bytes:
    """A .docm (macro-enabled, with a VBA project) saved under a .docx name."""
    src = zipfile.ZipFile(io.BytesIO(breakdown.docx_bytes(clean=True)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
            z.writestr(item, data)
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    return out.getvalue()


def _empty_docx() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


BAD = {
    "empty_table": (lambda: _workbook([]), "只有表头"),
    "empty_document": (_empty_docx, "没有表格内容"),
    "no_header": (lambda: _workbook([("1", "x")], header=("编号", "内容", "备注")), "没有找到任务分解表的表头"),
    "due_before_start": (lambda: _workbook([("1", "高新技术企业总数达到200家", "科工信局", "", "2024年底前")]),
                         "完成年份 2024 年早于政策实施期开始（2026 年）"),
    "duplicate_seq": (lambda: _workbook([("1", "高新技术企业总数达到200家", "科工信局", "", "2030年"),
                                         ("1", "完善政策体系", "科工信局", "", "2027年")]), "序号“1”重复"),
    "macros_renamed": (_macro_docx, "含有宏代码"),
    "rows_5000": (lambda: _workbook([(str(i), "完善政策体系", "科工信局", "", "2027年") for i in range(5000)]),
                  "超过任务分解表的上限 1000 行"),
    "old_doc": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 Word（.doc）"),
    "pdf": (lambda: b"%PDF-1.4\n", "不是 Excel 工作簿（.xlsx）或 Word 文档（.docx）"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gets_a_chinese_message_and_writes_nothing(store, tmp_path, db_path, case):
    build, message = BAD[case]
    path = write(tmp_path, "分解表.docx" if case in ("macros_renamed", "empty_document") else "分解表.xlsx", build())
    before = db.dump(store)
    res = run_cli(*import_args(path, "--accept-uncertain"), db_path=db_path)
    assert res.returncode == 1 and message in res.stderr, res.stderr
    assert db.dump(store) == before


def test_a_60_mb_file_is_refused_before_it_is_read(store, tmp_path, db_path):
    path = tmp_path / "大文件.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(60 * 1024 * 1024)    # sparse: 60 MB on paper, nothing to read
    before = db.dump(store)
    res = run_cli(*import_args(path), db_path=db_path)
    assert res.returncode == 1 and "文件有 60.0 MB，超过上限 20 MB" in res.stderr
    assert db.dump(store) == before


def test_a_second_create_of_the_same_code_is_refused_inside_the_write(store):
    got = intake.read_breakdown(store, breakdown.xlsx_bytes(clean=True))
    policy = intake.policy_of(store, got.readings, PolicyInfo(code=CODE, title=TITLE, plan=got.plan),
                              accept_doubts=True)
    db.save_imported_policy(store, policy, who="boss", reason="第一次")
    before = db.dump(store)
    with pytest.raises(ValueError, match="已导入过（可能他人刚刚导入）"):
        db.save_imported_policy(store, policy, who="boss2", reason="同时")   # the page of a second admin
    assert db.dump(store) == before


def test_the_period_comes_from_the_title_or_the_command_line(store, tmp_path, db_path):
    rows = [("1", "高新技术企业总数达到200家", "科工信局", "", "每年")]
    path = write(tmp_path, "无标题.xlsx", _workbook(rows, title="任务分解表"))
    res = run_cli("policy", "check", str(path), db_path=db_path)
    assert res.returncode == 1 and "无法从表格标题判断政策实施期" in res.stderr
    res = run_cli("policy", "check", str(path), "--start-year", "2026", "--end-year", "2030", "--format", "csv",
                  db_path=db_path)
    assert res.returncode == 0, res.stderr
    assert list(csv.DictReader(io.StringIO(res.stdout)))[0]["due_year"] == "2030"


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_survives_the_toml_writer(text):
    assert tomllib.loads(f"x = {policy_export._string(text)}")["x"] == text


def test_an_import_and_a_replace_on_postgresql(pg_cluster):
    """The same write on PostgreSQL (which enforces column lengths), and the start-up load leaving it alone."""
    eng = db.make_engine(pg_cluster.create_database("policy_import"))
    try:
        db.init_db(eng, with_sample=False)
        got = intake.read_breakdown(eng, breakdown.docx_bytes(clean=True))
        policy = intake.policy_of(eng, got.readings, PolicyInfo(code=CODE, title=TITLE, plan=got.plan),
                                  accept_doubts=True)
        guard.import_policy_as(eng, admin("boss"), policy, reason="导入任务分解表 t.docx")
        guard.import_policy_as(eng, admin("boss"), policy, reason="再次导入", replace=True)
        before = db.dump(eng)
        db.open_db(eng)
        assert db.dump(eng) == before
        assert db.stored_policy(eng, CODE).targets == policy.targets
    finally:
        eng.dispose()
