"""The sentences of views.sentences (key messages for the meeting): hand-made status rows in, the exact sentences
out; and the frame functions behind them (metrics.summary, metrics.changes). One target's own texts:
tests/test_target_words.py."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deck.style import shorten, text_width
from metrics.changes import change_counts
from metrics.summary import furthest_behind
from views import sentences as messages
from vocab import labels

BASE = dict(policy="P", region="长垣市", area="企业", unit="家", decimals=0, kind="level", comparator=">=", tier=None,
            benchmark=None, headline=False, target_low=math.nan, target_high=math.nan, actual_year=2020,
            years_remaining=0, required_annual_increase=0.0, required_growth_rate=math.nan, region_growth=math.nan,
            benchmark_growth=math.nan, margin_pp=math.nan, lead_units="科工信局", actual_stage="", target_stage="",
            ratio=1.0, attainment=1.0, gap=0.0, due_year=2020, judged=False, measure="stock")


def status_row(code: str, name: str, status: str, actual: float, target: float, **kw) -> dict:
    s = labels.STATUS_BY_KEY[status]
    return {**BASE, "code": code, "indicator_name": name, "status": status, "status_label": s.label,
            "status_order": s.order, "actual": actual, "target_value": target, **kw}


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_overview_counts_every_status():
    f = frame(status_row("A", "甲", "met", 10, 10), status_row("B", "乙", "on_track", 5, 10),
              status_row("C", "丙", "moderate", 4, 10), status_row("D", "丁", "reverse", 1, 10))
    assert messages.overview_message(f, 2020, "长垣市") == (
        "截至2020年，长垣市4项目标：已完成1项、进度正常1项、略有滞后1项、逆向变化1项。")
    judged = f.assign(judged=True, status=["met", "unmet", "unmet", "no_final_data"])
    assert messages.overview_message(judged, 2020, "长垣市") == (
        "截至2020年，长垣市4项目标均已到期：已完成1项、未完成2项、无期末数据1项。")
    assert messages.overview_message(f.assign(judged=[True, True, False, False]), 2020, "长垣市").startswith(
        "截至2020年，长垣市4项目标中2项已到期：")


def test_gap_with_years_left_states_the_required_pace():
    row = pd.Series(status_row("G02", "高新技术企业总数", "moderate", 76, 100, actual_year=2019, years_remaining=1,
                               gap=24.0, required_annual_increase=24.0, required_growth_rate=0.3158))
    assert messages.gap_message(row) == (
        "高新技术企业总数略有滞后：实际76家（2019年），目标≥100家（2020年底），距目标还差 24家；2020年底前还需新增 24家。")


def test_gap_at_the_due_year_is_a_verdict_and_asks_for_remedies():
    row = pd.Series(status_row("I02", "重大新型研发机构", "unmet", 0, 1, gap=1.0, attainment=0.0, tier="stretch",
                               judged=True))
    assert messages.gap_message(row) == (
        "重大新型研发机构（力争）未完成（完成 0%）：期末值0家（2020年），目标≥1家（2020年底），期末差距 1家，"
        "需说明原因并提出补救措施。")


def test_a_later_value_stands_beside_the_verdict():
    row = pd.Series(status_row("E02", "国家科技型中小企业", "unmet", 52, 60, actual_year=2019, due_year=2019, gap=8.0,
                               attainment=52 / 60, judged=True, later_value=63.0, later_year=2020,
                               later_reaches=True))
    assert messages.gap_message(row) == (
        "国家科技型中小企业未完成（完成 87%）：期末值52家（2019年），目标≥60家（2019年底），期末差距 8家；"
        "2020年已达 63家，逾期达到，需说明原因并提出补救措施。")


def test_relative_gap_compares_growth_rates():
    row = pd.Series(status_row("R04", "新增高新技术企业", "reverse", 19, 32, kind="relative", comparator=">",
                               benchmark="河南省", region_growth=-0.208, benchmark_growth=0.338, margin_pp=-54.6))
    assert messages.gap_message(row) == (
        "新增高新技术企业逆向变化：增速 -20.8%，河南省 33.8%，需加快增长才能在2020年底前实现“增速明显高于河南省”的要求。")
    judged = row.copy()
    judged[["status", "judged"]] = ["unmet", True]
    assert messages.gap_message(judged) == (
        "新增高新技术企业未完成：增速 -20.8%，河南省 33.8%，未实现“增速明显高于河南省”的要求（2020年底）。")


def test_furthest_behind_is_worst_status_then_lowest_ratio():
    f = frame(status_row("A", "甲", "moderate", 8, 10, ratio=0.7), status_row("B", "乙", "off_track", 5, 10, ratio=0.5),
              status_row("C", "丙", "off_track", 2, 10, ratio=0.1), status_row("D", "丁", "met", 10, 10))
    assert list(furthest_behind(f, 3)["code"]) == ["C", "B", "A"]


def test_data_message_names_the_lead_units():
    f = frame(status_row("A", "甲", "no_data", math.nan, 10, lead_units="组织部"),
              status_row("B", "乙", "stale", 3, 10, lead_units="科工信局、组织部"), status_row("C", "丙", "met", 10, 10))
    assert messages.data_message(f, 2020) == (
        "2项目标缺少截至2020年的有效数据（数据过期、无数据），无法判断完成情况，请科工信局、组织部尽快报送。")


def test_key_messages_are_three_to_five_and_start_with_the_overview():
    f = frame(status_row("A", "甲", "met", 10, 10), status_row("B", "乙", "off_track", 5, 10, gap=5.0),
              status_row("C", "丙", "reverse", 1, 10, gap=9.0), status_row("D", "丁", "no_data", math.nan, 10))
    out = messages.key_messages(f, 2020, "长垣市")
    assert 3 <= len(out) <= 5
    assert out[0].startswith("截至2020年") and out[1] == "已完成1项：甲10家（目标≥10家，2020年底）。"
    assert out[2].startswith("丙逆向变化") and out[3].startswith("乙明显滞后") and "缺少" in out[4]


def test_milestones_speak_in_stages():
    row = pd.Series(status_row("M02", "全国创新型县（市）创建", "off_track", 1, 2, kind="milestone",
                               actual_stage="申报中", target_stage="已获批", unit="阶段"))
    assert messages.actual_phrase(row) == "申报中（2020年）"


def test_change_counts_and_message():
    changes = pd.DataFrame({"direction": ["up", "down", "down", "same", "new"],
                            "value_added": [False, True, False, False, True]})
    assert change_counts(changes) == {"judged": 0, "revised": 0, "up": 1, "down": 2, "same": 1, "new": 1, "gone": 0,
                                      "value_added": 2}
    assert messages.change_message(changes, "一季度会议") == "与“一季度会议”相比：状态上升1项、下降2项、不变1项，新增数据2项。"


@given(st.text(alphabet=st.sampled_from("长垣市高新技术企业ABC123（）% "), max_size=60),
       st.floats(min_value=3, max_value=40))
def test_shorten_never_exceeds_the_width(text, width):
    out = shorten(text, width)
    assert text_width(out) <= width
    assert out == text or (out.endswith("…") and text.startswith(out[:-1]))


@pytest.mark.parametrize("text,width,expected", [("高新技术企业总数", 20, "高新技术企业总数"),
                                                 ("高新技术产业增加值占规上工业增加值比重", 10, "高新技术产业增加值…")])
def test_shorten_cases(text, width, expected):
    assert shorten(text, width) == expected


def test_the_gap_of_a_share_is_in_percentage_points():
    row = pd.Series(status_row("R01", "研发投入强度", "moderate", 1.6, 2.0, unit="%", decimals=2, actual_year=2019,
                               years_remaining=1, gap=0.4, required_annual_increase=0.4, measure="ratio"))
    assert messages.gap_message(row) == (
        "研发投入强度略有滞后：实际1.60%（2019年），目标≥2%（2020年底），距目标还差 0.4个百分点；"
        "2020年底前还需提高 0.4个百分点。")


def test_the_change_of_a_share_on_an_overview_card_is_in_percentage_points():
    from ui import status_tables
    assert status_tables.year_change_text(pd.Series({"change": 0.4, "unit": "%", "decimals": 2})) == "+0.40个百分点"
    assert status_tables.year_change_text(pd.Series({"change": 19.0, "unit": "家", "decimals": 0})) == "+19家"


@given(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(["家", "%", "亿元", "个"]), st.integers(0, 3))
def test_a_difference_never_reads_as_percent(value, unit, decimals):
    text = labels.difference_text(value, unit, decimals, signed=True)
    assert not text.endswith("%") and text.endswith("个百分点" if unit == "%" else unit)


# ---------------------------------------------------------------- one test for a missing value, one percent formatter

MISSING = [None, math.nan, float("nan"), pd.NA, pd.NaT, np.float32("nan"), np.float64("nan"), np.datetime64("NaT")]


@pytest.mark.parametrize("value", MISSING, ids=repr)
def test_is_missing_knows_every_missing_value(value):
    assert labels.is_missing(value)
    assert labels.number_text(value) == "—" and labels.percent_text(value) == "—"


@given(st.one_of(st.floats(allow_nan=False), st.integers(), st.text(), st.booleans(), st.dates(),
                 st.datetimes().map(pd.Timestamp), st.decimals(allow_nan=False),
                 st.lists(st.floats(), max_size=3), st.just(np.array([1.0, math.nan]))))
def test_is_missing_is_false_for_every_present_value(value):
    assert labels.is_missing(value) is False


@given(st.one_of(st.floats(), st.sampled_from(MISSING), st.integers(-10**6, 10**6)))
def test_is_missing_agrees_with_pandas_on_scalars(value):
    assert labels.is_missing(value) == bool(pd.isna(value))


@given(st.floats(-100, 100, allow_nan=False), st.integers(0, 3))
def test_percent_text_is_the_share_times_100_with_fixed_decimals(value, decimals):
    text = labels.percent_text(value, decimals)
    assert text.endswith("%") and text == f"{value * 100:,.{decimals}f}%"
    assert labels.percent_text(0.953) == "95%" and labels.percent_text(0.953, 1) == "95.3%"


def test_one_audit_record_reads_the_same_on_every_page():
    from ui import tables
    record = {"value": 95.0, "is_sample": True, "source": "统计公报"}
    assert tables.audit_value_text(record) == "95 [示例数据]（统计公报）"
    assert tables.audit_value_text({"value": 1.25}) == "1.25"
    assert tables.audit_value_text(None) == "—" and tables.audit_value_text(math.nan) == "—"
    assert tables.audit_value_text({"status": "done"}) == '{"status": "done"}'
    audit = pd.DataFrame({"at": [pd.Timestamp("2021-01-01")], "who": ["张三"], "action": ["update"],
                          "entity_key": ["长垣市/hte_count/2020"], "old": [record], "new": [{"value": 102.0}],
                          "reason": [None]})
    shown = tables.audit_table(audit).iloc[0]
    assert (shown["old"], shown["new"], shown["action"]) == ("95 [示例数据]（统计公报）", "102", "修改")


def test_pace_and_forecast_sentences():
    from views import target_words as words
    row = pd.Series(status_row("G02", "高新技术企业总数", "moderate", 76, 100, gap=24.0, due_year=2022,
                               years_remaining=2, required_annual_increase=12.0, measure="stock",
                               forecast=90.0, forecast_reaches=False))
    assert words.pace_text(row) == "2022年底前还需新增 24家（每年约 12家）"
    assert words.forecast_text(row) == "按目前趋势，2022年预计达到 90家，难以完成目标。"
    assert words.forecast_text(row.copy().replace({90.0: math.nan})) == "数据不足，暂不作趋势预测。"
    relative = pd.Series(status_row("R04", "新增高新技术企业", "reverse", 19, 32, kind="relative", comparator=">",
                                    benchmark="河南省", margin_pp=-54.6))
    assert words.pace_text(relative) == "增速需明显高于河南省：目前低 54.6个百分点"
    assert "暂无数据" in words.pace_text(relative.copy().replace({-54.6: pd.NA}))
