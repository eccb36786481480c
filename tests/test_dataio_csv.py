"""The long table as .csv, the way Excel saves it (UTF-8, UTF-8 with BOM, GBK on Chinese Windows): the same checks
and messages as the workbook, row numbers as Excel shows them, an unreadable encoding refused by name."""
from __future__ import annotations

import csv
import io

import pytest

import db
from dataio.importer import import_workbook
from tests.accounts import admin, store_account
from tests.test_dataio_import import GOOD, refused, run_cli, value_of
from tests.xlsx import LONG_HEADER, long_table

PERCENT = ("长垣市", "研发投入强度", 2020, "3.80%", "2020年统计公报")


def excel_csv(rows, encoding: str = "gbk", header=LONG_HEADER) -> bytes:
    """What Excel writes for 另存为 → CSV: comma separated, CRLF line ends, quotes only where needed."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for r in [header, *rows]:
        writer.writerow(["" if v is None else v for v in r])
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_every_encoding_excel_saves_imports(engine, encoding):
    result = import_workbook(engine, excel_csv([GOOD, PERCENT], encoding), account=admin("张三"), name="数据.csv")
    assert result.ok, result.problems
    assert result.written == {"created": 0, "updated": 2, "unchanged": 0, "progress": 0}
    assert value_of(engine, "长垣市", "hte_count", 2020) == 120
    assert value_of(engine, "长垣市", "rd_intensity", 2020) == 3.8


def test_gbk_csv_really_is_not_utf8():
    with pytest.raises(UnicodeDecodeError):
        excel_csv([GOOD]).decode("utf-8")


def test_csv_problems_carry_the_row_numbers_and_messages_of_the_workbook(engine):
    rows = [GOOD, ("长垣市", "高新技术企业总数", 2019, "abc", "x"), ("长垣县", "高新技术企业总数", 2019, 1, "x")]
    from_csv = refused(engine, excel_csv(rows))
    from_xlsx = refused(engine, long_table(rows))
    assert [(p.row, p.column, p.value, p.message) for p in from_csv] == [
        (p.row, p.column, p.value, p.message) for p in from_xlsx]
    assert [(p.sheet, p.row, p.column) for p in from_csv] == [("CSV", 3, "数值"), ("CSV", 4, "地区")]


def test_csv_sheet_is_named_like_the_tab_excel_shows(engine, tmp_path):
    path = tmp_path / "高企数据.csv"
    path.write_bytes(excel_csv([("长垣市", "高新技术企业总数", 2019, "abc", "x")]))
    problems = refused(engine, path)
    assert str(problems[0]) == "工作表“高企数据”第 2 行“数值”列（值：abc）：不是数值：请填写数字，如 1234、1,234 或 3.8%"


def test_csv_with_optional_columns_and_a_multiline_note(engine):
    header = (*LONG_HEADER, "备注", "单位", "指标代码", "示例数据")
    row = ("长垣市", "", 2020, 121, "认定文件", "第一批\n第二批", "家", "hte_count", "否")
    result = import_workbook(engine, excel_csv([row], "utf-8-sig", header), account=admin("张三"), name="a.csv")
    assert result.ok, result.problems
    obs = db.read_observations(engine, regions=["长垣市"], indicators=["hte_count"]).set_index("year")
    assert (obs.loc[2020, "value"], obs.loc[2020, "note"]) == (121, "第一批\n第二批")


def test_undecodable_csv_names_the_accepted_encodings(engine):
    data = "地区,指标,期间,数值,来源\r\n".encode() + b"\xff\xfe\xff\r\n"  # 0xFF is neither UTF-8 nor GB18030
    assert [p.message for p in refused(engine, data)] == [(
        "无法识别 CSV 文件的编码：请用 UTF-8（可带 BOM）或 GBK/GB18030 编码保存"
        "（Excel 中“另存为 → CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”均可）")]


def test_tab_separated_text_is_read_too(engine):
    text = "\r\n".join("\t".join(str(v) for v in r) for r in [LONG_HEADER, GOOD]).encode("gbk")
    assert import_workbook(engine, text, account=admin("张三"), name="data.txt").ok


def test_cli_imports_a_gbk_csv(db_path, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(excel_csv([GOOD]))
    store_account(db.make_engine(f"sqlite:///{db_path}"), admin("张三"))
    out = run_cli("import", str(path), "--as", "张三", db_path=db_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "已导入：新增 0 条，修改 1 条，不变 0 条。"
    assert value_of(db.make_engine(f"sqlite:///{db_path}"), "长垣市", "hte_count", 2020) == 120
