"""Vintages in and out (issue 21): the long table, the CSV, the template, the export and both grids carry 数据状态
and 发布日期 as optional columns; a bad one is a Chinese message naming sheet, row and column, and nothing is written;
the preview says whether a row is a new vintage or an earlier one."""
from __future__ import annotations

import io
import shutil
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook

import db
from bench.database import catalogue_only
from dataio import cells, grid, unit_grid
from dataio.exporter import CURRENT_COLUMN, OBSERVATION_SHEET, export_workbook
from dataio.importer import import_workbook
from dataio.template import build_template
from tests.accounts import admin
from tests.xlsx import long_table, to_bytes

HEADER = ("地区", "指标", "期间", "数值", "来源", "备注", "数据状态", "发布日期")
FIRST = ("河南省", "研究与试验发展(R&D)经费投入强度", 2022, 1.86, "2022年河南省R&D经费投入统计公报", "", "初步", "2023-09-18")
REVISED = ("河南省", "研究与试验发展(R&D)经费投入强度", 2022, "1.96%", "2023年河南省R&D经费投入统计公报",
           "推算：2.05 − 0.09", "修订", datetime(2024, 10, 10))


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("vintages_io") / "catalogue.sqlite"
    catalogue_only(f"sqlite:///{path}")
    return path


def fresh(empty_template, tmp_path, name: str = "t"):
    path = tmp_path / f"{name}.sqlite"
    shutil.copy(empty_template, path)
    return db.make_engine(f"sqlite:///{path}")


@pytest.fixture
def eng(empty_template, tmp_path):
    engine = fresh(empty_template, tmp_path)
    yield engine
    engine.dispose()


def henan(engine) -> list[tuple]:
    v = db.read_vintages(engine, "河南省", "rd_intensity").query("year == 2022")
    return list(zip(v["value"], v["data_status"], v["released_on"].dt.date, v["is_current"]))


BOTH = [(1.86, "preliminary", date(2023, 9, 18), False), (1.96, "revised", date(2024, 10, 10), True)]


def test_a_long_table_with_both_releases_keeps_both(eng):
    result = import_workbook(eng, long_table([REVISED, FIRST], header=HEADER), account=admin("张三"))
    assert result.ok, result.problems
    assert list(result.plan["change"]) == ["vintage", "new"]  # the revision replaces the first release
    assert result.summary() == "新增 1 条，修改 1 条，不变 0 条（修改中新版次 1 条）"
    assert henan(eng) == BOTH


def test_the_revision_imported_later_is_a_new_vintage_and_the_first_release_after_it_an_earlier_one(eng):
    import_workbook(eng, long_table([FIRST], header=HEADER), account=admin("张三"))
    second = import_workbook(eng, long_table([REVISED], header=HEADER), account=admin("张三"), dry_run=True)
    assert (second.plan.loc[0, "change"], second.plan.loc[0, "old_value"]) == ("vintage", 1.86)
    assert import_workbook(eng, long_table([REVISED], header=HEADER), account=admin("张三")).ok
    again = import_workbook(eng, long_table([FIRST, REVISED], header=HEADER), account=admin("张三"))
    assert list(again.plan["change"]) == ["unchanged", "unchanged"] and henan(eng) == BOTH


def test_a_first_release_after_its_revision_is_kept_as_an_earlier_vintage(eng):
    import_workbook(eng, long_table([REVISED], header=HEADER), account=admin("张三"))
    result = import_workbook(eng, long_table([FIRST], header=HEADER), account=admin("张三"))
    assert list(result.plan["change"]) == ["earlier"] and henan(eng) == BOTH


def test_files_without_the_columns_correct_the_current_vintage(eng):
    import_workbook(eng, long_table([FIRST], header=HEADER), account=admin("张三"))
    old_file = long_table([FIRST[:4] + ("更正后的出处",)])  # 地区, 指标, 期间, 数值, 来源 only
    result = import_workbook(eng, old_file, account=admin("张三"))
    assert list(result.plan["change"]) == ["update"]
    v = db.read_vintages(eng, "河南省", "rd_intensity")
    assert list(zip(v["source"], v["data_status"])) == [("更正后的出处", "preliminary")]


@pytest.mark.parametrize("status, released, column, message", [
    ("终稿", "2023-09-18", "数据状态", cells.DATA_STATUS_HINT),
    ("初步", "2023-13-45", "发布日期", "发布日期格式不正确：请填写如 2023-09-18 的日期（不知道可留空）"),
    ("初步", (date.today() + timedelta(days=1)).isoformat(), "发布日期",
     f"发布日期 {date.today() + timedelta(days=1):%Y-%m-%d} 晚于今天（{date.today():%Y-%m-%d}）：请填写数据实际发布的日期"),
    ("初步", "2021-12-31", "发布日期", "发布日期 2021-12-31 早于该期间（2022年）开始：请检查发布日期或期间"),
    (None, "2023-09-18", "数据状态", "填写了发布日期 2023-09-18，请同时填写数据状态（预计、初步、核实或修订）"),
])
def test_a_bad_vintage_is_refused_with_its_place_and_nothing_is_written(eng, status, released, column, message):
    before = db.dump(eng)
    result = import_workbook(eng, long_table([FIRST[:6] + (status, released)], header=HEADER), account=admin("张三"))
    assert [(p.sheet, p.row, p.column, p.message) for p in result.problems] == [("数据", 2, column, message)]
    assert db.dump(eng) == before


def test_the_same_vintage_twice_in_one_file_is_a_duplicate(eng):
    result = import_workbook(eng, long_table([FIRST, FIRST], header=HEADER), account=admin("张三"))
    assert [(p.row, p.message) for p in result.problems] == [
        (3, "重复：与第 2 行的地区、指标、期间、数据状态和发布日期相同，请只保留一行")]


def test_a_gbk_csv_carries_the_vintage(eng):
    text = "地区,指标代码,期间,数值,来源,数据状态,发布日期\n新乡市,rd_intensity,2020,2.22,公报,初步数,2021/10/9\n" \
           "新乡市,rd_intensity,2020,2.25,中新网 2022-09-07,修订,2022年9月7日\n"
    result = import_workbook(eng, text.encode("gb18030"), account=admin("张三"), name="新乡.csv")
    assert result.ok, result.problems
    v = db.read_vintages(eng, "新乡市", "rd_intensity")
    assert list(zip(v["value"], v["data_status"], v["released_on"].dt.date)) == [
        (2.22, "preliminary", date(2021, 10, 9)), (2.25, "revised", date(2022, 9, 7))]


def test_the_template_has_the_two_columns_and_reads_them_for_every_year_of_a_row(eng):
    wb = load_workbook(io.BytesIO(build_template(eng, region="河南省", years=range(2021, 2024))))
    ws = wb["总体"]
    header = {c.value: c.column for c in ws[3]}
    checks = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    assert header["数据状态"] == header["备注"] + 1 and header["发布日期"] == header["备注"] + 2
    assert checks["I"].formula1 == '"预计,初步,核实,修订"' and checks["J"].type == "date"
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "rd_intensity")
    for col, value in ((2021, 1.75), (2022, 1.86), ("来源（必填）", "2022年公报"), ("数据状态", "初步"),
                       ("发布日期", datetime(2023, 9, 18))):
        ws.cell(row=row, column=header[col], value=value)
    result = import_workbook(eng, to_bytes(wb), account=admin("张三"))
    assert result.ok, result.problems
    obs = db.read_observations(eng, regions=["河南省"])
    assert list(zip(obs["year"], obs["data_status"], obs["released_on"].dt.date)) == [
        (2021, "preliminary", date(2023, 9, 18)), (2022, "preliminary", date(2023, 9, 18))]


def test_the_export_carries_every_vintage_and_reimports_into_an_empty_database(eng, empty_template, tmp_path):
    import_workbook(eng, long_table([FIRST, REVISED], header=HEADER), account=admin("张三"))
    data = export_workbook(eng)
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(wb[OBSERVATION_SHEET].iter_rows(values_only=True))
    cols = {name: i for i, name in enumerate(rows[0])}
    assert [(r[cols["数值"]], r[cols["数据状态"]], r[cols["发布日期"]].date(), r[cols[CURRENT_COLUMN]]) for r in rows[1:]] \
        == [(1.86, "初步", date(2023, 9, 18), "否"), (1.96, "修订", date(2024, 10, 10), "是")]
    assert "另有较早版次 1 条" in next(wb["说明"].iter_rows(values_only=True, min_row=3))[0]
    target = fresh(empty_template, tmp_path, "target")
    assert import_workbook(target, data, account=admin("还原")).ok
    assert henan(target) == BOTH


def test_the_grid_shows_the_vintage_and_a_changed_status_is_a_new_vintage(eng):
    import_workbook(eng, long_table([FIRST], header=HEADER), account=admin("张三"))
    base = grid.grid_frame(db.read_observations(eng), "河南省", "rd_intensity", [])
    assert (base.loc[0, "data_status"], base.loc[0, "released_on"]) == ("初步", date(2023, 9, 18))
    assert grid.grid_entries(base, base[list(grid.GRID_COLUMNS)].copy(), "河南省", "rd_intensity") == []
    edited = base[list(grid.GRID_COLUMNS)].copy()
    edited.loc[0, ["value", "data_status", "released_on"]] = ["1.96", "修订", date(2024, 10, 10)]
    (entry,) = grid.grid_entries(base, edited, "河南省", "rd_intensity")
    assert (entry.value, entry.data_status, entry.released_on, entry.columns["data_status"]) == (
        "1.96", "修订", date(2024, 10, 10), "数据状态")


def test_the_unit_grid_shows_the_vintage_of_the_period(eng):
    import_workbook(eng, long_table([FIRST], header=HEADER), account=admin("张三"))
    base = unit_grid.unit_grid_frame(db.read_indicators(eng), db.read_observations(eng), "河南省",
                                     ["rd_intensity", "rd_expenditure"], 2022, 0)
    assert base.loc[0, "data_status"] == "初步" and pd.isna(base.loc[1, "data_status"])
    edited = base.copy()
    edited.loc[1, ["value", "source", "data_status"]] = ["1143.26", "2022年公报", "初步"]
    (entry,) = unit_grid.unit_grid_entries(base, edited, "河南省", 2022, 0)
    assert (entry.code, entry.data_status, entry.released_on) == ("rd_expenditure", "初步", None)


@pytest.mark.parametrize("cell, expected", [
    ("初步", "preliminary"), (" 核实 ", "verified"), ("初步核算", "preliminary"), ("初步核实", "verified"),
    ("最终核实", "verified"), ("修订数", "revised"), ("预计", "estimate"), ("未注明", "unstated"),
    ("revised", "revised"), (None, None), ("", None), (float("nan"), None)])
def test_data_status_spellings(cell, expected):
    assert cells.parse_data_status(cell) == (expected, "")


def test_release_dates_accept_excel_dates_and_text():
    for cell in (datetime(2023, 9, 18), date(2023, 9, 18), pd.Timestamp("2023-09-18"), "2023/9/18", "2023年9月18日"):
        assert cells.parse_release_date(cell, 2022) == (date(2023, 9, 18), "")
    assert cells.parse_release_date(pd.NaT, 2022) == (None, "")
