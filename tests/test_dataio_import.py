"""The import: a corpus of bad files, each refused with the exact problem and the database byte-for-byte unchanged;
what clerks really type accepted; the filled template changes the store and the dashboard's status."""
from __future__ import annotations

import io
import zipfile

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook

import db
from dataio.importer import import_workbook
from dataio.template import build_template
from dataio.validate import Problem
from metrics.status import target_status
from store import catalogue
from tests.accounts import admin, store_account
from tests.helpers import run_cli
from tests.office import convert
from tests.xlsx import LONG_HEADER, fill_template, long_table, to_bytes

GOOD = ("长垣市", "高新技术企业总数", 2020, 120, "科工信局认定文件")


def refused(engine, data: bytes) -> list[Problem]:
    """Import for real (not a dry run) and check that nothing at all was written."""
    before = db.dump(engine)
    result = import_workbook(engine, data, account=admin("张三"))
    assert not result.ok and result.written is None
    assert db.dump(engine) == before
    return result.problems


def one(engine, data: bytes) -> tuple:
    problems = refused(engine, data)
    assert len(problems) == 1, problems
    p = problems[0]
    return p.sheet, p.row, p.column, p.value, p.message


def value_of(engine, region: str, code: str, year: int, quarter: int = 0) -> float:
    obs = db.read_observations(engine, regions=[region], indicators=[code])
    return obs.set_index(["year", "quarter"]).loc[(year, quarter), "value"]


# ------------------------------------------------------------------ files that are not (readable) workbooks

def encrypted_workbook() -> bytes:
    plain = io.BytesIO(long_table([GOOD]))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", out)
    return out.getvalue()


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize("make, message", [
    (lambda: b"", "文件是空的（0 字节）：请重新导出或选择正确的文件"),
    (lambda: b"%PDF-1.4\n\x00\x01binary",
     "文件不是 Excel 工作簿（.xlsx）或 CSV 文件：请上传用模板填写的 .xlsx 文件，或含“地区、指标、期间、数值、来源”列的表格"
     "（.xlsx 或 .csv）"),
    (encrypted_workbook, "文件设置了打开密码，无法读取：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，"
                         "清空密码）后另存为 .xlsx 再上传"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后再上传"),
    (zip_without_workbook, "无法读取工作簿（KeyError）：文件可能已损坏，请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"),
    (lambda: to_bytes(Workbook()), "工作簿是空的：没有任何数据"),
    (lambda: long_table([]), "工作簿中没有可导入的数值：请在模板的年份列或长表的“数值”列中填写数据"),
])
def test_unreadable_files_are_refused(engine, make, message):
    assert one(engine, make()) == ("", None, "", "", message)


def test_encrypted_file_really_is_an_ole_container():
    assert encrypted_workbook()[:4] == b"\xd0\xcf\x11\xe0"


def test_sheet_without_header(engine):
    data = long_table([("长垣市", "高企", 2020, 1, "x")], header=("a", "b", "c", "d", "e"))
    assert one(engine, data) == ("数据", None, "", "", "找不到表头：需要“指标”（或“指标代码”）列，以及“期间”和“数值”两列"
                                                      "（长表），或年份列（填报模板）；如果这不是数据表，请删除该工作表")


def test_missing_source_column(engine):
    data = long_table([("长垣市", "高企数量", 2020, 1)], header=("地区", "指标", "期间", "数值"))
    problems = refused(engine, data)
    assert (problems[0].column, problems[0].message) == ("来源", "缺少“来源”列：每个数值都要写明数据出处")


# ------------------------------------------------------------------ one problem per file, exact

@pytest.mark.parametrize("row, expected", [
    (("长垣市", "高新技术企业总数", 2019, "九十五", "统计"), ("数值", "九十五", "不是数值：请填写数字，如 1234、1,234 或 3.8%")),
    (("长垣市", "高新技术企业总数", 2019, "#DIV/0!", "统计"), ("数值", "#DIV/0!", "公式错误 #DIV/0!：请检查公式或直接填写数值")),
    (("长垣市", "高新技术企业总量", 2020, 1, "统计"), ("指标", "高新技术企业总量", "指标“高新技术企业总量”不在政策目录中，是否为“高新技术企业总数”？")),
    (("长垣市", "全社会研发投入强度", 2020, 380, "统计"), ("数值", "380", "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）")),
    (("长垣市", "高新技术企业总数", 2030, 1, "统计"), ("期间", "2030", "期间超出跟踪范围：只接受 2010—2025 年的数据")),
    (("长垣市", "高新技术企业总数", 2009, 1, "统计"), ("期间", "2009", "期间超出跟踪范围：只接受 2010—2025 年的数据")),
    (("长垣市", "高新技术企业总数", 2019, -5, "统计"), ("数值", "-5", "数值不能为负数（单位：家）")),
    (("长垣市", "高新技术企业总数", 2019, 5, None), ("来源", "", "来源不能为空：请填写数据出处（如“2020年长垣市统计公报”）")),
    (("长垣县", "高新技术企业总数", 2020, 5, "统计"), ("地区", "长垣县", "地区“长垣县”不在地区表中；可填写：长垣市、新乡市、河南省"
                                                         "（新增地区请先在 data/regions.toml 中登记）")),
    (("长垣市", "全社会研发投入", 2020, "1200万元", "统计"), ("数值", "1200万元", "单位不符：该指标单位为“亿元”，表中写的是“万元”；"
                                                               "请按“亿元”换算后填写")),
])
def test_bad_row_refused_with_exact_message(engine, row, expected):
    assert one(engine, long_table([GOOD, row])) == ("数据", 3, *expected)


def test_unit_column_mismatch(engine):
    data = long_table([("长垣市", "全社会研发投入", 2020, 1200, "统计", "万元")], header=(*LONG_HEADER, "单位"))
    assert one(engine, data) == ("数据", 2, "单位", "万元", "单位不符：该指标单位为“亿元”，表中为“万元”；"
                                                      "请按“亿元”换算后填写，并把单位改回“亿元”")


def test_duplicate_row(engine):
    data = long_table([GOOD, ("长垣市", "高企数量", "2020年", 121, "统计")])
    assert one(engine, data) == ("数据", 3, "期间", "2020年", "重复：与第 2 行的地区、指标、期间相同，请只保留一行")


def test_formula_error_from_a_real_formula(engine):
    """Excel stores a formula's last result; openpyxl writes the cached error the same way (t="e")."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(list(LONG_HEADER))
    ws.append(["长垣市", "新增高新技术企业", 2020, "#DIV/0!", "计算"])
    assert ws["D2"].data_type == "e"
    assert one(engine, to_bytes(wb))[2:] == ("数值", "#DIV/0!", "公式错误 #DIV/0!：请检查公式或直接填写数值")


def test_every_problem_in_a_file_is_listed_at_once(engine):
    rows = [GOOD, ("长垣县", "高企数量", "2019年", "abc", None), (None, None, None, None, None),
            ("长垣市", "未知指标", "2020Q5", 3, "x"), ("长垣市", "研发投入强度", 2020, "３８０％", "统计局")]
    problems = refused(engine, long_table(rows))
    assert [(p.row, p.column) for p in problems] == [(3, "地区"), (3, "数值"), (3, "来源"), (5, "指标"), (5, "期间"),
                                                     (6, "数值")]


def test_one_bad_row_among_many_writes_nothing(engine):
    rows = [("长垣市", "高新技术企业总数", y, 100 + y - 2010, "统计") for y in range(2010, 2021)]
    rows.append(("长垣市", "新增高新技术企业", 2020, "n/a", "统计"))
    assert len(refused(engine, long_table(rows))) == 1


def test_problems_in_several_sheets(engine):
    wb = Workbook()
    a = wb.active
    a.title = "甲"
    a.append(list(LONG_HEADER))
    a.append(["长垣市", "高企数量", 2020, "x", "统计"])
    b = wb.create_sheet("乙")
    b.append(list(LONG_HEADER))
    b.append(["长垣市", "高企数量", 2020, 5, "统计"])
    problems = refused(engine, to_bytes(wb))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("甲", 2, "数值"), ("乙", 2, "期间")]
    assert problems[1].message == "重复：与工作表“甲”第 2 行的地区、指标、期间相同，请只保留一行"


# ------------------------------------------------------------------ what clerks really type is accepted

def test_clerk_spellings_are_accepted(engine):
    rows = [("长垣市 ", " 高企数量", "2020年", "1,234", "科工信局 "),
            (None, None, None, None, None),
            ("长垣市", "研发投入强度", "２０２０", "３．８％", "统计公报"),
            ("长垣市", "R&D经费投入强度", "2019年", " 3.1 ", "统计公报"),
            ("长垣市", "新增高新技术企业", "2020年第三季度", "12家", "季报"),
            ("长垣市", "全国创新型县（市）创建", 2020, "申报中", "科技局文件")]
    result = import_workbook(engine, long_table(rows), account=admin("张三"))
    assert result.ok, result.problems
    assert result.written == {"created": 1, "updated": 4, "unchanged": 0, "progress": 0}
    assert value_of(engine, "长垣市", "hte_count", 2020) == 1234
    assert value_of(engine, "长垣市", "rd_intensity", 2020) == 3.8
    assert value_of(engine, "长垣市", "rd_intensity", 2019) == 3.1
    assert value_of(engine, "长垣市", "hte_new", 2020, 3) == 12
    assert value_of(engine, "长垣市", "innovative_county", 2020) == 1
    obs = db.read_observations(engine, indicators=["hte_count"], regions=["长垣市"]).set_index("year")
    assert obs.loc[2020, "source"] == "科工信局" and not obs.loc[2020, "is_sample"]


def test_percent_formatted_cell_means_what_excel_shows(engine):
    """A clerk types 3.8% into Excel: the file holds 0.038 formatted as a percentage."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(LONG_HEADER))
    ws.append(["长垣市", "研发投入强度", 2020, 0.038, "统计公报"])
    ws["D2"].number_format = "0.0%"
    assert import_workbook(engine, to_bytes(wb), account=admin("张三")).ok
    assert value_of(engine, "长垣市", "rd_intensity", 2020) == 3.8


def test_merged_header_cells_and_a_title_row(engine):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "长垣市创新指标统计表（2020年）"
    ws.merge_cells("A1:F1")
    ws["A2"], ws["B2"], ws["C2"], ws["E2"], ws["F2"] = "地区", "指标", "本期数据", "来源（必填）", "备注"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:D2")
    ws.merge_cells("E2:E3")
    ws["C3"], ws["D3"] = "期间", "数值"
    ws.append(["长垣市", "高新技术企业总数", 2020, 130, "科工信局", "已核"])
    ws.append([])
    ws.append(["长垣市", "高新技术企业总数", 2019, 80, "科工信局", None])
    result = import_workbook(engine, to_bytes(wb), account=admin("张三"))
    assert result.ok, result.problems
    assert list(result.plan["row"]) == [4, 6]
    assert value_of(engine, "长垣市", "hte_count", 2020) == 130


def test_dry_run_previews_old_and_new_and_writes_nothing(engine):
    before = db.dump(engine)
    result = import_workbook(engine, long_table([GOOD, ("长垣市", "高企数量", 2010, 7, "年鉴")]), account=admin("张三"),
                             dry_run=True)
    assert result.ok and result.written is None
    assert db.dump(engine) == before
    plan = result.plan.set_index("year")
    assert (plan.loc[2020, "change"], plan.loc[2020, "old_value"], plan.loc[2020, "value"]) == ("update", 95, 120)
    assert plan.loc[2010, "change"] == "new" and plan.loc[2010, "old_value"] != plan.loc[2010, "old_value"]
    assert result.summary() == "新增 1 条，修改 1 条，不变 0 条"


def test_reimporting_the_same_file_changes_nothing(engine):
    data = long_table([GOOD])
    import_workbook(engine, data, account=admin("张三"))
    before = db.dump(engine)
    result = import_workbook(engine, data, account=admin("张三"))
    assert result.counts() == {"new": 0, "update": 0, "unchanged": 1}
    assert db.dump(engine) == before


def test_import_is_audited_with_who_and_reason(engine):
    import_workbook(engine, long_table([GOOD]), account=admin("王五"), reason="2020年报")
    entry = db.read_audit(engine, entity="observation").iloc[0]
    assert (entry["who"], entry["reason"], entry["entity_key"]) == ("王五", "2020年报", "长垣市/hte_count/2020")
    assert (entry["old"]["value"], entry["new"]["value"], entry["source"]) == (95, 120, "科工信局认定文件")


# ------------------------------------------------------------------ the template

def test_template_layout(engine):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(build_template(engine)))
    assert wb.sheetnames == ["说明", "总体", "企业", "平台", "人才", "机构", "项目", "知识产权", "乡村振兴"]
    ws = wb["企业"]
    assert [c.value for c in ws[3]] == ["指标代码", "指标", "单位", 2018, 2019, 2020, "来源（必填）", "备注", "数据状态",
                                        "发布日期"]
    assert (ws["A1"].value, ws["B1"].value, ws.freeze_panes) == ("地区", "长垣市", "D4")
    assert (ws["A4"].value, ws["C4"].value) == ("hte_count", "家")
    checks = {str(dv.sqref): (dv.type, dv.operator, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert checks["D4:F4"] == ("whole", "greaterThanOrEqual", "0")
    total = wb["总体"]
    rd_row = next(r for r in range(4, total.max_row + 1) if total.cell(r, 1).value == "rd_intensity")
    rd = {str(dv.sqref): dv for dv in total.data_validations.dataValidation}[f"D{rd_row}:F{rd_row}"]
    assert (rd.type, rd.formula1, rd.formula2) == ("decimal", "0", "100")
    indicators = db.read_indicators(engine)
    codes = [ws.cell(r, 1).value for s in wb.sheetnames[1:] for ws in [wb[s]] for r in range(4, ws.max_row + 1)]
    assert sorted(codes) == sorted(indicators["code"])


def test_empty_template_imports_as_no_values(engine):
    assert one(engine, build_template(engine))[4] == "工作簿中没有可导入的数值：请在模板的年份列或长表的“数值”列中填写数据"


def test_filled_template_changes_the_store_and_the_status(engine):
    targets = db.read_targets(engine)
    settings = catalogue.load_settings()

    def g02():
        status = target_status(targets, db.read_observations(engine), 2020, settings=settings, regions=["长垣市"])
        return status.set_index("code").loc["G02"]

    assert g02()["status"] != "met" and g02()["actual"] == 95
    data = fill_template(build_template(engine), {("企业", "hte_count", 2020): 120, ("总体", "rd_intensity", 2020): "3.9%",
                                                  ("总体", "rd_intensity", 2019): 3.2},
                         {("企业", "hte_count"): "市科工信局认定文件", ("总体", "rd_intensity"): "统计公报"})
    result = import_workbook(engine, data, account=admin("李四"))
    assert result.ok, result.problems
    assert result.written == {"created": 0, "updated": 3, "unchanged": 0, "progress": 0}
    assert value_of(engine, "长垣市", "rd_intensity", 2020) == 3.9
    after = g02()
    assert (after["actual"], after["status"]) == (120, "met")


def test_template_for_another_region_and_its_problems(engine):
    data = fill_template(build_template(engine, region="新乡市"), {("企业", "hte_count", 2019): "abc",
                                                                 ("企业", "hte_new", 2020): 5},
                         {("企业", "hte_count"): "统计"})
    problems = refused(engine, data)
    assert [(p.sheet, p.row, p.column, p.value) for p in problems] == [("企业", 4, "2019", "abc"), ("企业", 5, "来源", "")]


def test_template_unit_changed_by_the_clerk(engine):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(fill_template(build_template(engine), {("总体", "rd_expenditure", 2019): 1200,
                                                                       ("总体", "rd_expenditure", 2020): 1300},
                                                {("总体", "rd_expenditure"): "统计"})))
    ws = wb["总体"]
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "rd_expenditure")
    ws.cell(row, 3, "万元")
    assert one(engine, to_bytes(wb)) == ("总体", row, "单位", "万元", "单位不符：该指标单位为“亿元”，表中为“万元”；"
                                                                "请按“亿元”换算后填写，并把单位改回“亿元”")


@pytest.mark.slow
def test_libreoffice_opens_and_resaves_the_filled_template(engine, tmp_path, lo_profile):
    """The template is a valid workbook for LibreOffice Calc, and a file re-saved by Calc imports the same."""
    path = tmp_path / "template.xlsx"
    path.write_bytes(fill_template(build_template(engine), {("企业", "hte_count", 2020): 123},
                                   {("企业", "hte_count"): "统计"}))
    for fmt, outdir in (("csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "csv"), ("xlsx", tmp_path / "calc")):
        convert(path, outdir, fmt, lo_profile)
    assert "创新驱动目标督导看板" in (tmp_path / "csv" / "template.csv").read_text(encoding="utf-8")
    result = import_workbook(engine, tmp_path / "calc" / "template.xlsx", account=admin("张三"))
    assert result.ok, result.problems
    assert value_of(engine, "长垣市", "hte_count", 2020) == 123


# ------------------------------------------------------------------ the command line

def test_cli_import_refuses_a_bad_file_with_every_problem_on_stderr(db_path, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(long_table([GOOD, ("长垣市", "高企数量", 2019, "abc", "x"), ("长垣市", "研发投入强度", 2020, 380, "x")]))
    eng = db.make_engine(f"sqlite:///{db_path}")
    store_account(eng, admin("张三"))
    before = db.dump(eng)
    out = run_cli("import", str(path), "--as", "张三", db_path=db_path)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert lines[0] == "错误：发现 2 处问题，未写入任何数据。"
    assert lines[1] == "工作表“数据”第 3 行“数值”列（值：abc）：不是数值：请填写数字，如 1234、1,234 或 3.8%"
    assert lines[2] == "工作表“数据”第 4 行“数值”列（值：380）：百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"
    assert db.dump(eng) == before


def test_cli_dry_run_then_import_then_export(db_path, tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(long_table([GOOD]))
    eng = db.make_engine(f"sqlite:///{db_path}")
    store_account(eng, admin("张三"))
    before = db.dump(eng)
    out = run_cli("import", str(path), "--dry-run", db_path=db_path)
    assert out.returncode == 0 and out.stdout.strip() == "检查通过（--dry-run，未写入）：新增 0 条，修改 1 条，不变 0 条。"
    assert db.dump(eng) == before
    out = run_cli("import", str(path), "--as", "张三", db_path=db_path)
    assert out.returncode == 0 and out.stdout.strip() == "已导入：新增 0 条，修改 1 条，不变 0 条。"
    assert db.read_audit(eng, entity="observation").iloc[0]["who"] == "张三"
    export = tmp_path / "all.xlsx"
    out = run_cli("export", str(export), db_path=db_path)
    assert out.returncode == 0 and export.read_bytes()[:2] == b"PK"


def test_cli_import_of_a_missing_file(db_path, tmp_path):
    out = run_cli("import", str(tmp_path / "nope.xlsx"), "--dry-run", db_path=db_path)
    assert out.returncode == 1 and "nope.xlsx" in out.stderr


def test_template_years_are_configurable_and_history_is_welcome(engine):
    from openpyxl import load_workbook
    data = build_template(engine, years=range(2010, 2021))
    assert [c.value for c in load_workbook(io.BytesIO(data))["企业"][3]][3:14] == list(range(2010, 2021))
    filled = fill_template(data, {("企业", "hte_count", 2012): 21}, {("企业", "hte_count"): "2012年统计年鉴"})
    assert import_workbook(engine, filled, account=admin("张三")).written["created"] == 1
    assert value_of(engine, "长垣市", "hte_count", 2012) == 21
