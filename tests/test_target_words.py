"""views.target_words: hand-built status rows (the columns of metrics.status.target_status, with the issue-17 verdict
columns judged / later_value / later_year / later_reaches / later_margin_pp) in, the exact texts out — for each kind
of target before, at and after its due year, with the arithmetic behind each number beside it."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from views import standing
from views import target_words as words
from vocab import labels

NAN = math.nan


def row(**kw) -> dict:
    """A status row: a ≥ level target in 家 due 2020, judged as of 2020, unless the keywords say otherwise."""
    base = dict(code="X01", indicator_name="高新技术企业总数", region="长垣市", unit="家", decimals=0, kind="level",
                comparator=">=", measure="stock", tier=None, benchmark=None, target_value=100.0, target_low=NAN,
                target_high=NAN, due_year=2020, as_of_year=2020, as_of_quarter=0, judged=True, final_year=2020,
                actual=95.0, actual_year=2020, attainment=0.95, gap=5.0, status="unmet", actual_stage="",
                target_stage="", stages=None, region_growth=NAN, benchmark_growth=NAN, margin_pp=NAN,
                required_annual_increase=NAN, years_remaining=0.0, forecast=NAN, forecast_reaches=False,
                region_growth_avg=NAN, benchmark_growth_avg=NAN, later_value=NAN, later_year=pd.NA,
                later_reaches=False, later_margin_pp=NAN)
    return {**base, **kw}


SHARE = dict(indicator_name="全社会研发投入强度", unit="%", decimals=2, measure="ratio", target_value=3.8)
BEFORE = dict(judged=False, final_year=pd.NA, as_of_year=2019)


def test_a_share_short_by_a_hair_reads_99_7_not_100():
    # 3.79 ÷ 3.8 = 0.99737 → 0 decimals would print 100 %: one decimal, rounded down → 99.7 %
    r = row(**SHARE, actual=3.79, attainment=3.79 / 3.8, gap=0.01)
    w = words.target_words(r)
    assert (w.value, w.target, w.due) == ("3.79%", "≥3.8%", "2020年底")   # value: 2 decimals; target as written
    assert w.attainment == "99.7%" and w.verdict == "未完成（完成 99.7%）"
    assert w.gap == "0.01个百分点" and w.gap_phrase == "期末差距 0.01个百分点"   # 3.8 − 3.79, a share's gap in pp
    assert (w.pace, w.forecast, w.later) == ("", "", "")


@pytest.mark.parametrize("attainment, text", [(0.92, "未完成（完成 92%）"), (0.999, "未完成（完成 99.9%）"),
                                              (NAN, "未完成")])
def test_the_unmet_verdict_names_the_attainment(attainment, text):
    assert words.verdict_text(row(attainment=attainment)) == text
    assert words.verdict_text(row(**BEFORE, status="moderate", attainment=attainment)) == "略有滞后"


def test_g01_at_its_due_year():
    # 3.50 ÷ 3.8 = 0.921 → 92 %; gap 3.8 − 3.5 = 0.30 → written with the fewest decimals: 0.3
    w = words.target_words(row(**SHARE, actual=3.5, attainment=3.5 / 3.8, gap=0.3))
    assert (w.value, w.attainment, w.verdict, w.gap_phrase) == ("3.50%", "92%", "未完成（完成 92%）",
                                                                 "期末差距 0.3个百分点")


def test_a_share_before_its_due_year_has_pace_and_forecast():
    # 2019: 3.10 of 3.8, 0.7 pp still to add in the year left; linear trend reaches 3.50 in 2020
    r = row(**SHARE, **BEFORE, actual=3.1, actual_year=2019, attainment=3.1 / 3.8, gap=0.7, status="moderate",
            required_annual_increase=0.7, years_remaining=1.0, forecast=3.5, forecast_reaches=False)
    w = words.target_words(r)
    assert (w.verdict, w.gap_phrase) == ("略有滞后", "距目标还差 0.7个百分点")
    assert w.pace == "2020年底前还需提高 0.7个百分点"
    assert w.forecast == "按目前趋势，2020年预计达到 3.50%，难以完成目标。"


def test_a_judged_share_reached_later_says_so_beside_the_verdict():
    # as of 2023: judged on 2020 (3.79), the 2021 value 3.85 ≥ 3.8 reaches the goal late; the verdict stays
    r = row(**SHARE, as_of_year=2023, actual=3.79, attainment=3.79 / 3.8, gap=0.01, later_value=3.85,
            later_year=2021, later_reaches=True)
    w = words.target_words(r)
    assert w.verdict == "未完成（完成 99.7%）" and w.later == "2021年已达 3.85%，逾期达到"


def test_e02_is_judged_on_2019_and_2020_is_a_remark():
    # due 2019: 52 of 60 → 86.7 % → 87 %, gap 8; the 2020 value 63 reaches 60 late
    r = row(code="E02", indicator_name="国家科技型中小企业", target_value=60.0, due_year=2019, final_year=2019,
            actual=52.0, actual_year=2019, attainment=52 / 60, gap=8.0, later_value=63.0, later_year=2020,
            later_reaches=True)
    w = words.target_words(r)
    assert (w.value, w.value_year, w.target, w.due) == ("52家", "2019年", "≥60家", "2019年底")
    assert (w.verdict, w.gap_phrase, w.later) == ("未完成（完成 87%）", "期末差距 8家", "2020年已达 63家，逾期达到")
    assert "可以完成" not in words.notes_line(r) and "按目前趋势" not in words.notes_line(r)


def test_a_met_target_that_fell_back_keeps_its_verdict():
    # due 2019: 84 ≥ 80 met (84 ÷ 80 = 105 %); 2020: 78 < 80 → a remark, not a new verdict
    r = row(target_value=80.0, due_year=2019, actual=84.0, actual_year=2019, attainment=84 / 80, gap=-4.0,
            status="met", later_value=78.0, later_year=2020, later_reaches=False)
    w = words.target_words(r)
    assert (w.verdict, w.attainment, w.gap, w.later) == ("已完成", "105%", "", "2020年回落至 78家")


def test_unmet_without_a_later_reach_says_still_short():
    r = row(later_value=97.0, later_year=2021, later_reaches=False)
    assert words.later_text(r) == "2021年为 97家，仍未达到"


@pytest.mark.parametrize("place, attainment, status, shown, verdict, gap", [
    (3, 1.0, "met", "100%", "已完成", ""),            # min(1, 10 ÷ 3): never 333 %
    (3, 10 / 3, "met", "100%", "已完成", ""),         # an engine value above 1 is still capped in words
    (12, 10 / 12, "unmet", "83%", "未完成（完成 83%）", "2位"),  # 10 ÷ 12 = 0.833; 12 − 10 = 2 places
])
def test_rank_targets(place, attainment, status, shown, verdict, gap):
    r = row(code="G00", indicator_name="全省县（市）科技创新综合位次", unit="位", comparator="<=", measure="rank",
            target_value=10.0, actual=float(place), attainment=attainment, gap=place - 10.0, status=status)
    w = words.target_words(r)
    assert (w.value, w.target, w.attainment, w.verdict, w.gap) == (f"第{place}位", "前10位", shown, verdict, gap)


def test_a_rank_before_its_due_year_moves_up():
    r = row(unit="位", comparator="<=", measure="rank", target_value=10.0, actual=12.0, attainment=10 / 12, gap=2.0,
            status="off_track", **BEFORE)
    assert words.pace_text(r) == "2020年底前位次还需前移 2位"


@pytest.mark.parametrize("judged, verdict, gap_phrase, pace", [
    (False, "略有滞后", "距目标还差 1次", "2020年还需新增 1次"),   # an annual target: this year's flow
    (True, "未完成（完成 75%）", "期末差距 1次", ""),                # 3 of 4 → 75 %
])
def test_annual_targets(judged, verdict, gap_phrase, pace):
    r = row(kind="annual", measure="flow", unit="次", target_value=4.0, actual=3.0, attainment=0.75, gap=1.0,
            status="unmet" if judged else "moderate", judged=judged, as_of_year=2020 if judged else 2019)
    w = words.target_words(r)
    assert (w.verdict, w.gap_phrase, w.pace) == (verdict, gap_phrase, pace)


def test_cumulative_targets_speak_in_their_unit():
    # 39 of 50 people since 2019: 78 %, 11 short
    r = row(kind="cumulative", measure="flow", unit="名", target_value=50.0, actual=39.0, attainment=0.78, gap=11.0)
    assert (words.verdict_text(r), words.gap_phrase(r)) == ("未完成（完成 78%）", "期末差距 11名")


def test_relative_targets_compare_growth_rates_and_name_the_benchmark():
    # R04: 19 firms after 24 → −20.8 %; 河南省 +33.8 %; margin −54.6 pp
    r = row(code="R04", indicator_name="新增高新技术企业", kind="relative", comparator=">", measure="flow",
            benchmark="河南省", actual=19.0, attainment=0.5875, gap=13.3, region_growth=-0.208,
            benchmark_growth=0.338, margin_pp=-54.6)
    w = words.target_words(r)
    assert w.target == "增速明显高于河南省" and "基准地区" not in words.notes_line(r)
    assert (w.attainment, w.verdict) == ("", "未完成")          # no attainment in words for a growth target
    assert w.gap == w.gap_phrase == "增速 -20.8%，河南省 33.8%"
    assert words.margin_text(r) == "低 54.6个百分点"
    before = row(**{**r, **BEFORE, "status": "reverse"})
    assert words.pace_text(before) == "增速需明显高于河南省：目前低 54.6个百分点"
    later = row(**{**r, "later_value": 0.05, "later_year": 2021, "later_margin_pp": 2.0, "later_reaches": True})
    assert words.later_text(later) == "2021年增速 5.0%，高于河南省 2.0个百分点，逾期达到"


@pytest.mark.parametrize("kw, target", [
    (dict(comparator="approx", target_value=15.0, unit="项"), "15项左右"),
    (dict(comparator="range", target_value=NAN, target_low=1.0, target_high=2.0, unit="项"), "1—2项"),
    (dict(comparator=">=", target_value=100.0), "≥100家"),
    (dict(comparator=">=", target_value=90.0, unit="%", decimals=1), "≥90%"),
    (dict(comparator="<=", target_value=2.5, unit="%", decimals=2), "≤2.5%"),
    (dict(kind="cagr", target_value=10.0, unit="%"), "年均增长≥10%"),
])
def test_target_phrases_as_the_policy_writes_them(kw, target):
    assert words.target_text(row(**kw)) == target


def test_an_approximate_target_short_of_its_band():
    # 5 左右 on a count: goal ceil(4.5) = 5 (engine); 4 → 80 %, 1 short (never a gap of 0 beside 未完成)
    r = row(comparator="approx", target_value=5.0, actual=4.0, attainment=0.8, gap=1.0)
    assert (words.target_text(r), words.verdict_text(r), words.gap_phrase(r)) == ("5家左右", "未完成（完成 80%）",
                                                                                 "期末差距 1家")


def test_a_gap_that_is_not_zero_never_reads_zero():
    assert words.gap_text(row(gap=0.5)) == "0.5家"          # 0 decimals would print 0 (or 1) beside 未完成
    assert words.gap_text(row(**SHARE, gap=0.001)) == "0.001个百分点"


def test_milestones_speak_in_stages():
    stages = ["未启动", "申报中", "已获批"]
    r = row(kind="milestone", unit="阶段", measure="stage", target_value=2.0, actual=1.0, attainment=0.5, gap=1.0,
            actual_stage="申报中", target_stage="已获批", stages=stages)
    w = words.target_words(r)
    assert (w.value, w.target, w.attainment, w.verdict, w.gap) == ("申报中", "已获批", "", "未完成", "")
    assert words.pace_text(row(**{**r, **BEFORE, "status": "off_track"})) == "2020年底前需达到“已获批”"
    assert words.later_text(row(**{**r, "later_value": 2.0, "later_year": 2021, "later_reaches": True})) == \
        "2021年已达 “已获批”，逾期达到"


def test_floor_and_stretch_targets_are_named():
    assert words.target_name(row(indicator_name="高新后备企业入库数", tier="stretch")) == "高新后备企业入库数（力争）"


def test_no_value_for_the_due_year():
    r = row(status="no_final_data", actual=NAN, actual_year=pd.NA, attainment=NAN, gap=NAN)
    w = words.target_words(r)
    assert (w.value, w.value_year, w.attainment, w.verdict, w.gap_phrase) == ("无数据", "", "", "无期末数据", "")


@pytest.mark.parametrize("status, label", [("stale", "数据过期"), ("no_data", "无数据"), ("on_track", "进度正常")])
def test_before_the_due_year_the_status_is_the_pace_status(status, label):
    assert words.verdict_text(row(**BEFORE, status=status)) == label


def test_judged_without_the_engine_column_falls_back_to_the_as_of_period():
    r = {k: v for k, v in row().items() if k != "judged"}
    assert words.is_judged({**r, "as_of_year": 2020, "as_of_quarter": 0})
    assert words.is_judged({**r, "as_of_year": 2020, "as_of_quarter": 4})
    assert not words.is_judged({**r, "as_of_year": 2020, "as_of_quarter": 2})
    assert not words.is_judged({**r, "as_of_year": 2019, "as_of_quarter": 0})


def test_status_basis_follows_the_due_years():
    judged, ahead = row(), row(**BEFORE, status="moderate")
    assert words.status_basis(pd.DataFrame([judged])).startswith("各目标均已到期")
    assert words.status_basis(pd.DataFrame([ahead])) == "状态按进度比判定（见数据说明）"
    assert words.status_basis(pd.DataFrame([judged, ahead])).startswith("已到期目标按目标年份年底的数值判定")


POLICY_ROW = {"code": "P", "start_year": 2019, "end_year": 2020}


def test_period_over_summary_and_the_not_met_by_unit():
    rows = pd.DataFrame([row(code="A", lead_units="科工信局", status="met", attainment=1.0, gap=0.0),
                         row(code="B", lead_units="科工信局、组织部"),
                         row(code="C", lead_units="", status="no_final_data", actual=NAN, attainment=NAN, gap=NAN)]
                        ).assign(is_sample=False)
    ledger = pd.DataFrame({"status": ["done", "overdue", "overdue"], "is_sample": False})
    assert standing.period_over_text(rows, ledger, POLICY_ROW) == (
        "实施期 2019—2020 年已结束：3 项目标完成 1 项、未完成 2 项（其中无期末数据 1 项）；3 项任务已完成 1 项、已逾期 2 项。")
    assert standing.period_over_text(rows.assign(as_of_year=2019), ledger, POLICY_ROW) is None
    # a target due after the period's end is counted apart, not as 未完成
    later = pd.concat([rows, pd.DataFrame([row(code="D", **{**BEFORE, "as_of_year": 2020}, due_year=2021, status="on_track",
                                                         is_sample=False)])])
    assert "未完成 2 项（其中无期末数据 1 项）、尚未到期 1 项；" in standing.period_over_text(later, ledger, POLICY_ROW)
    by_unit = standing.not_met_by_unit(rows)
    assert list(by_unit["unit"]) == ["科工信局", "组织部", standing.NO_LEAD_UNIT]
    assert by_unit.iloc[0]["items"] == ["B 高新技术企业总数（2020年底，完成 95%）"]
    assert by_unit.iloc[2]["items"] == ["C 高新技术企业总数（2020年底，无期末数据）"]


# ---------------------------------------------------------------- properties

KINDS = ["level", "annual", "cumulative", "relative", "milestone"]


@settings(max_examples=60, deadline=None)
@given(attainment=st.floats(0, 1.5, allow_nan=False), kind=st.sampled_from(KINDS),
       comparator=st.sampled_from([">=", "<=", "approx"]), rank=st.booleans())
def test_an_unmet_row_never_reads_100_percent(attainment, kind, comparator, rank):
    r = row(kind=kind, comparator=comparator, measure="rank" if rank else "stock", attainment=attainment,
            benchmark="河南省", region_growth=0.01, benchmark_growth=0.02, margin_pp=-1.0)
    text = words.attainment_text(r)
    assert text not in ("100%", "100.0%") and "100%" not in words.verdict_text(r)
    if text:
        assert float(text.rstrip("%")) < 100


PACE_WORDS = ("按目前趋势", "还需提高", "还需新增", "每年需", "可以完成", "难以完成", "需加快增长", "今后每年")


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(KINDS), status=st.sampled_from(["met", "unmet", "no_final_data"]),
       gap=st.floats(-5, 50, allow_nan=False), later=st.one_of(st.none(), st.floats(0, 200, allow_nan=False)),
       measure=st.sampled_from(["stock", "ratio", "rank", "flow"]))
def test_a_judged_row_says_no_pace_and_no_forecast(kind, status, gap, later, measure):
    r = row(kind=kind, status=status, gap=gap, measure=measure, benchmark="河南省", region_growth=0.1,
            benchmark_growth=0.05, margin_pp=5.0, forecast=120.0, forecast_reaches=True, required_annual_increase=3.0,
            years_remaining=2.0, later_value=NAN if later is None else later, later_year=pd.NA if later is None
            else 2021, stages=["未启动", "申报中", "已获批"])
    said = " ".join(str(v) for v in words.target_words(r).__dict__.values())
    assert not [p for p in PACE_WORDS if p in said], said
    assert words.target_words(r).verdict.startswith(labels.STATUS_BY_KEY[status].label)


def test_the_bulletin_rows_of_the_targets_not_met():
    from bulletin.targets import not_met_rows
    rows = pd.DataFrame([
        row(code="A", lead_units="科工信局", status="met", attainment=1.0, gap=0.0),
        row(code="E02", indicator_name="国家科技型中小企业", target_value=60.0, due_year=2019, actual=52.0,
            actual_year=2019, attainment=52 / 60, gap=8.0, lead_units="科工信局"),
        row(code="C", status="no_final_data", actual=NAN, actual_year=pd.NA, attainment=NAN, gap=NAN, lead_units=""),
        row(code="D", **BEFORE, status="off_track", lead_units="组织部")])   # not judged yet: not listed
    assert not_met_rows(rows) == [
        ["E02", "国家科技型中小企业", "≥60家（2019年底）", "52家", "未完成（完成 87%）", "科工信局"],
        ["C", "高新技术企业总数", "≥100家（2020年底）", "无数据", "无期末数据", "—"]]
