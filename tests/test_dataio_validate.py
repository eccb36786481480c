"""Validation rules for one value and one table: what clerks type is accepted, everything else is refused with a
Chinese message naming the place — and every problem is reported, not only the first."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import db
from dataio.validate import (
    Entry,
    Problem,
    Rules,
    check_value,
    parse_number,
    validate_entries,
)
from vocab.periods import parse_period


@pytest.fixture(scope="module")
def rules(template_db) -> Rules:
    eng = db.make_engine(f"sqlite:///{template_db}")
    r = Rules.from_frames(db.read_indicators(eng), db.read_regions(eng), db.read_policies(eng))
    eng.dispose()
    return r


def entry(row: int = 2, **kw) -> Entry:
    cells = {"region": "长垣市", "indicator": "高新技术企业总数", "period": 2020, "value": 95, "source": "科工信局"}
    return Entry(sheet="数据", row=row, **{**cells, **kw})


@pytest.mark.parametrize("raw, expected", [
    (1234, (1234.0, "")), ("1,234", (1234.0, "")), ("1，234", (1234.0, "")), (" 12 ", (12.0, "")),
    ("3.8%", (3.8, "%")), ("３．８％", (3.8, "%")), ("１２３４", (1234.0, "")), ("95家", (95.0, "家")),
    ("12万元", (12.0, "万元")), ("-3", (-3.0, "")), (".5", (0.5, "")), ("1,234.5", (1234.5, "")),
])
def test_numbers_as_clerks_type_them(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("abc", "不是数值"), ("1,23", "不是数值"), ("12abc", "不是数值"), ("#DIV/0!", "公式错误 #DIV/0!"),
    ("#N/A", "公式错误 #N/A"), ("=A1/B1", "公式文本"), (True, "不是数值"), (float("nan"), "不是有效的数值"),
    (datetime(2020, 1, 1), "日期"), ("1.2.3", "不是数值"),
])
def test_what_is_not_a_number(raw, message):
    assert message in parse_number(raw)


@pytest.mark.parametrize("raw, expected", [
    (2020, (2020, 0)), (2020.0, (2020, 0)), ("2020", (2020, 0)), ("2020年", (2020, 0)), ("２０２０年", (2020, 0)),
    ("2020Q3", (2020, 3)), ("2020q3", (2020, 3)), ("2020-Q3", (2020, 3)), ("2020年第三季度", (2020, 3)),
    ("2020年3季度", (2020, 3)), ("2020年度", (2020, 0)), (" 2020 ", (2020, 0)), ("2020.0", (2020, 0)),
])
def test_periods(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("2020Q5", "期间格式不正确"), ("二〇二〇", "期间格式不正确"), (None, "期间为空"), (date(2020, 12, 31), "不能填写日期"),
    (2020.5, "期间格式不正确"),
])
def test_bad_periods(raw, message):
    assert message in parse_period(raw)


@pytest.mark.parametrize("code, raw, expected", [
    ("rd_intensity", 3.8, 3.8), ("rd_intensity", "3.8%", 3.8), ("rd_intensity", "３．８％", 3.8),
    ("rd_intensity", 0, 0.0), ("rd_intensity", 100, 100.0),
    ("rd_intensity", 380, "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"),
    ("rd_intensity", "380%", "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"),
    ("rd_intensity", -1, "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"),
    ("hte_count", "1,234", 1234.0), ("hte_count", "95家", 95.0), ("hte_count", -3, "数值不能为负数（单位：家）"),
    ("hte_count", 12.5, "该指标单位为“家”，应填写整数"),
    ("hte_count", "3%", "该指标单位为“家”，不是百分比：请去掉百分号，填写家数"),
    ("rd_expenditure", "12万元", "单位不符：该指标单位为“亿元”，表中写的是“万元”；请按“亿元”换算后填写"),
    ("rd_expenditure", 12.34, 12.34),
    ("county_innovation_rank", 0, "数值不能小于 1（单位：位）"),
    ("innovative_county", "申报中", 1.0), ("innovative_county", 2, 2.0), ("innovative_county", " 已获批 ", 2.0),
    ("innovative_county", 3, "阶段指标请填写：未启动、申报中、已获批（或序号 0—2）"),
    ("innovative_county", "完成", "阶段指标请填写：未启动、申报中、已获批（或序号 0—2）"),
    ("hte_count", None, "数值为空：请填写数值，或删除这一行"),
])
def test_value_rules(rules, code, raw, expected):
    assert check_value(rules.indicators[code], raw) == expected


@pytest.mark.parametrize("name", ["高新技术企业总数", "高企数量", " 高新技术 企业数 ", "hte_count", "ＨＴＥ＿ｃｏｕｎｔ".lower()])
def test_indicator_names_codes_and_aliases(rules, name):
    clean, problems = validate_entries([entry(indicator=name)], rules)
    assert problems == [] and clean[0]["indicator"] == "hte_count"


def test_a_valid_row_is_clean(rules):
    clean, problems = validate_entries([entry(note=" 年报 ", period="2020年")], rules)
    assert problems == []
    assert clean == [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0, "value": 95.0,
                      "source": "科工信局", "note": "年报", "is_sample": False, "sheet": "数据", "row": 2}]


def test_every_problem_of_every_row_is_reported(rules):
    entries = [entry(row=2, region="长垣县", value="abc"), entry(row=3, indicator="不存在的指标", source=" "),
               entry(row=4, period=2030), entry(row=5, indicator="研发投入强度", value=380)]
    clean, problems = validate_entries(entries, rules)
    assert clean == []
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "地区", "长垣县"), (2, "数值", "abc"), (3, "指标", "不存在的指标"), (3, "来源", ""), (4, "期间", "2030"),
        (5, "数值", "380")]
    assert problems[0].message.startswith("地区“长垣县”不在地区表中；可填写：长垣市、新乡市、河南省")
    assert problems[3].message == "来源不能为空：请填写数据出处（如“2020年长垣市统计公报”）"
    assert problems[4].message == "期间超出跟踪范围：只接受 2010—2025 年的数据"
    assert problems[5].message == "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"


def test_unknown_indicator_suggests_the_closest_name(rules):
    _, problems = validate_entries([entry(indicator="高新技术企业总量")], rules)
    assert problems[0].message == "指标“高新技术企业总量”不在政策目录中，是否为“高新技术企业总数”？"


def test_code_and_name_must_agree(rules):
    _, problems = validate_entries([entry(indicator="高新技术企业总数", code="hte_new")], rules)
    assert problems[0].message.startswith("指标名称与指标代码不一致：代码 hte_new 是“新增高新技术企业”")


def test_unit_column_must_match(rules):
    _, problems = validate_entries([entry(indicator="全社会研发投入", unit="万元", value=12)], rules)
    assert [(p.column, p.value, p.message) for p in problems] == [
        ("单位", "万元", "单位不符：该指标单位为“亿元”，表中为“万元”；请按“亿元”换算后填写，并把单位改回“亿元”")]


def test_duplicates_within_the_file_name_the_first_row(rules):
    entries = [entry(row=2), entry(row=3, indicator="高企数量", period="2020年"), entry(row=4, period="2020Q3"),
               Entry(sheet="其他", row=7, region="长垣市", code="hte_count", period=2020, value=1, source="x")]
    clean, problems = validate_entries(entries, rules)
    assert [(p.sheet, p.row, p.message) for p in problems] == [
        ("数据", 3, "重复：与第 2 行的地区、指标、期间相同，请只保留一行"),
        ("其他", 7, "重复：与工作表“数据”第 2 行的地区、指标、期间相同，请只保留一行")]
    assert [(c["row"], c["quarter"]) for c in clean] == [(2, 0), (4, 3)]


def test_problem_text_names_sheet_row_column_and_value():
    p = Problem("企业", 5, "2019", "abc", "不是数值：请填写数字，如 1234、1,234 或 3.8%")
    assert str(p) == "工作表“企业”第 5 行“2019”列（值：abc）：不是数值：请填写数字，如 1234、1,234 或 3.8%"


JUNK = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.floats(), st.booleans(), st.datetimes(),
                 st.dates(), st.sampled_from(["3.8%", "#DIV/0!", "１２３", "2020年第三季度", "长垣市", "hte_count", " "]))


@settings(max_examples=120, deadline=None)
@given(region=JUNK, indicator=JUNK, code=JUNK, period=JUNK, value=JUNK, unit=JUNK, source=JUNK, note=JUNK,
       sample=JUNK)
def test_junk_in_any_cell_gives_problems_never_an_exception(rules, region, indicator, code, period, value, unit,
                                                            source, note, sample):
    e = Entry(sheet="s", row=2, region=region, indicator=indicator, code=code, period=period, value=value,
              unit=unit, source=source, note=note, is_sample=sample)
    clean, problems = validate_entries([e], rules)
    assert len(clean) + bool(problems) == 1
    assert all(isinstance(p.message, str) and p.message for p in problems)
    for row in clean:
        assert isinstance(row["value"], float) and row["source"]


def test_values_keep_fifteen_significant_digits_like_excel(rules):
    clean, _ = validate_entries([entry(indicator="全社会研发投入", value="1.3999218270184741")], rules)
    assert clean[0]["value"] == 1.39992182701847


def test_minus_zero_is_stored_as_zero(rules):
    clean, _ = validate_entries([entry(value="-0")], rules)
    assert str(clean[0]["value"]) == "0.0"
