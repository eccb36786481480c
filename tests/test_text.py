"""User text made safe: control characters cleaned on the way in (validation, store writes), escaped for
Markdown on the way out to pages, formula-safe in CSV and Excel exports; the export survives anything stored."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import text

import cli
import db
from dataio.exporter import export_workbook
from dataio.importer import import_workbook
from tests.accounts import admin
from tests.test_dataio_csv import excel_csv
from tests.xlsx import LONG_HEADER
from vocab.text import clean_text, formula_safe, md_escape

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@pytest.mark.parametrize("raw, multiline, expected", [
    ("第一行\x0b第二行", True, "第一行\n第二行"),        # Word's manual line break
    ("第一行\x0b第二行", False, "第一行 第二行"),
    ("a\r\nb\rc", True, "a\nb\nc"),
    ("a\tb", True, "a\tb"),
    ("a\tb\nc", False, "a b c"),
    ("文\x00件\x07名\x1b\x7f", False, "文件名"),
    ("段\u2028落\u2029", True, "段\n落\n"),
    ("普通文字 ABC", False, "普通文字 ABC"),
])
def test_clean_text(raw, multiline, expected):
    assert clean_text(raw, multiline) == expected


@given(st.text(), st.booleans())
def test_clean_text_leaves_no_control_character(raw, multiline):
    cleaned = clean_text(raw, multiline)
    assert not CONTROL.search(cleaned)
    assert multiline or ("\n" not in cleaned and "\t" not in cleaned)
    assert clean_text(cleaned, multiline) == cleaned


@pytest.mark.parametrize("raw, expected", [
    ("[请重新登录](http://x)", r"\[请重新登录\]\(http\:/\/x\)".replace(r"\/", "/")),
    ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
    ("# 标题", r"\# 标题"),
    (":red[红字] **粗**", r"\:red\[红字\] \*\*粗\*\*"),
    ("长垣市科工信局", "长垣市科工信局"),
])
def test_md_escape(raw, expected):
    assert md_escape(raw) == expected


@given(st.text())
def test_md_escape_leaves_no_markdown_syntax_and_loses_nothing(raw):
    escaped = md_escape(raw)
    # CommonMark shows a backslash-escaped ASCII punctuation character as itself: undoing the escapes gives the text
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped) == raw
    assert not re.search(r"(?<!\\)[\[\]()<>*_`#:$~|]", escaped.replace("\\\\", ""))


@pytest.mark.parametrize("raw, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("统计公报", "统计公报"), ("", ""), (-5.0, -5.0), (None, None),
])
def test_formula_safe(raw, expected):
    assert formula_safe(raw) == expected


# ------------------------------------------------------------------ on the way in

def test_imported_texts_are_cleaned_not_refused(engine):
    # a workbook cannot hold control characters (openpyxl refuses them); a CSV pasted from Word can
    data = excel_csv([("长垣市", "高新技术企业总数", 2020, 120, "统计\x0b公报", "第一批\x0b第二批\x07")], "utf-8",
                     header=(*LONG_HEADER, "备注"))
    result = import_workbook(engine, data, account=admin("张三"), reason="导入\x0b", name="a.csv")
    assert result.ok, result.problems
    obs = db.read_observations(engine, regions=["长垣市"], indicators=["hte_count"]).set_index("year")
    assert (obs.loc[2020, "source"], obs.loc[2020, "note"], obs.loc[2020, "entered_by"]) == (
        "统计 公报", "第一批\n第二批", "张三")
    assert db.read_audit(engine, entity="observation").iloc[0]["reason"] == "导入"


def test_add_progress_cleans_its_texts(engine):
    policy = str(db.read_policies(engine)["code"].iloc[0])
    db.add_progress(engine, policy, "二（一）2", status="in_progress", progress="已完成\x0b一半\x00",
                    evidence="文件\x0b1号", reported_on=date(2020, 6, 30), reported_by="科工\x1b信局", who="张\x0b三")
    row = db.read_progress(engine).sort_values("entered_at").iloc[-1]
    assert (row["progress"], row["evidence"], row["reported_by"]) == ("已完成\n一半", "文件\n1号", "科工信局")
    assert db.read_audit(engine, entity="task_progress").iloc[0]["who"] == "张 三"


def test_snapshot_name_is_cleaned(engine):
    from tests.test_snapshots import snap
    snap(engine, name="2020年\x0b四季度会议\x07")
    assert list(db.read_snapshots(engine)["name"]) == ["2020年 四季度会议"]


# ------------------------------------------------------------------ on the way out

def test_export_survives_control_characters_already_stored(engine):
    with engine.begin() as conn:
        task_id = conn.execute(text("SELECT id FROM task LIMIT 1")).scalar_one()
        conn.execute(text("INSERT INTO task_progress (task_id, status, progress, evidence, reported_on, reported_by, "
                          "is_sample, entered_at) VALUES (:t, 'in_progress', :p, :e, '2020-06-30', :b, 0, "
                          "'2020-06-30 10:00:00')"),
                     {"t": task_id, "p": "第一行\x0b第二行", "e": "\x07附件", "b": "=1+1"})
        conn.execute(text("UPDATE observation SET note = :n WHERE id = (SELECT min(id) FROM observation)"),
                     {"n": "备注\x0c\x00"})
    wb = load_workbook(io.BytesIO(export_workbook(engine)))
    ws = wb["任务进展"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    mine = next(r for r in rows if r["进展"] == "第一行\n第二行")
    assert (mine["佐证材料"], mine["填报人"]) == ("附件", "=1+1")
    cell = next(r for r in ws.iter_rows(min_row=2) if r[3].value == "第一行\n第二行")[6]
    assert cell.data_type == "s" and cell.quotePrefix  # text, shown with Excel's own apostrophe, never run
    assert "备注\n" in [c.value for c in wb["观测值"]["H"]]


def test_cli_csv_output_is_formula_safe(engine, db_path, monkeypatch, capsys):
    from tests.test_snapshots import snap
    snap(engine, name="=HYPERLINK(\"http://x\",\"点此\")")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    assert cli.main(["snapshots", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(\"http://x\",\"点此\")"]
    assert rows[0]["as_of_year"] == "2020"


def test_overview_shows_a_meeting_name_literally(app_db):
    from streamlit.testing.v1 import AppTest

    from tests.helpers import APP
    from tests.test_snapshots import snap
    eng = db.make_engine(f"sqlite:///{app_db}")
    snap(eng, name="[请重新登录](http://x)")
    eng.dispose()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    caption = next(c.value for c in at.caption if "请重新登录" in c.value)
    assert caption.startswith(r"与“\[请重新登录\]\(http\://x\)”相比")
