"""Hand-computed cases for metrics.status.target_status: every kind, every status boundary."""
from __future__ import annotations

import math

import numpy as np
import pytest

from metrics.status import OUTPUT, target_status
from tests.metrics_helpers import (
    BENCH,
    REGION,
    SETTINGS,
    combine,
    observations,
    targets,
)

ON_TRACK = SETTINGS["status"]["on_track"]
MODERATE = SETTINGS["status"]["moderate"]
TOL = SETTINGS["tolerance"]["approximate"]
CLEARLY = SETTINGS["relative"]["clearly_above_pp"]


def one(tgt, obs, as_of_year, as_of_quarter=0, **kw):
    out = target_status(tgt, obs, as_of_year, as_of_quarter, SETTINGS, **kw)
    assert len(out) == 1
    return out.iloc[0]


# ------------------------------------------------------------------ level, linear path

# baseline 0 in 2018, target 100 in 2020: the path value in 2019 is 50
@pytest.mark.parametrize("actual, status", [
    (50 * ON_TRACK, "on_track"),              # exactly 95 %
    (50 * ON_TRACK - 0.01, "moderate"),
    (50 * MODERATE, "moderate"),              # exactly 60 %
    (50 * MODERATE - 0.01, "off_track"),
    (0.0, "off_track"),                       # no progress: ratio 0
    (60.0, "on_track"),                       # ahead of the path but not met
    (100.0, "met"),
])
def test_level_status_boundaries(actual, status):
    row = one(targets(), observations({2018: 0, 2019: actual}), 2019)
    assert row["expected"] == pytest.approx(50)
    assert row["ratio"] == pytest.approx(actual / 50)
    assert row["status"] == status


def test_level_decreasing_is_reverse():
    row = one(targets(), observations({2018: 20, 2019: 10}), 2019)
    assert row["expected"] == pytest.approx(60)
    assert row["ratio"] == pytest.approx((10 - 20) / (60 - 20))
    assert row["status"] == "reverse"


def test_builtin_g02_example():
    """G02 at 2020: baseline 52 (2018), actual 95, target 100 → ratio (95 − 52) ÷ (100 − 52) ≈ 0.90 (略有滞后 by
    pace), but 2020 is the due year: the year-end verdict is 未完成 at 95 %."""
    row = one(targets(), observations({2016: 22, 2017: 35, 2018: 52, 2019: 76, 2020: 95}), 2020)
    assert row["baseline"] == 52 and row["actual"] == 95 and row["expected"] == 100
    assert row["ratio"] == pytest.approx(43 / 48)
    assert row["status_label"] == "未完成"
    assert row["attainment"] == pytest.approx(0.95) and row["gap"] == pytest.approx(5)
    assert row["required_annual_increase"] == pytest.approx(5)  # due now: the whole gap this year
    assert row["actual_annual_increase"] == pytest.approx(43 / 2)


def test_met_on_the_due_year_and_forecast_is_the_actual():
    row = one(targets(), observations({2018: 52, 2019: 76, 2020: 100}), 2020)
    assert row["status"] == "met" and row["ratio"] == pytest.approx(1)
    assert row["forecast"] == 100 and row["forecast_reaches"]


def test_overshoot_is_met_with_attainment_above_one():
    row = one(targets(), observations({2018: 52, 2019: 130}), 2019)
    assert row["status"] == "met"
    assert row["attainment"] == pytest.approx(1.3) and row["gap"] == pytest.approx(-30)
    assert row["required_annual_increase"] == 0


def test_required_pace_spreads_the_gap_over_the_years_left():
    row = one(targets(due_year=2022), observations({2018: 20, 2019: 40}), 2019)
    assert row["years_remaining"] == 3 and row["years_elapsed"] == 1
    assert row["required_annual_increase"] == pytest.approx(60 / 3)
    assert row["required_growth_rate"] == pytest.approx((100 / 40) ** (1 / 3) - 1)
    assert row["actual_growth_rate"] == pytest.approx(1.0)  # 20 → 40 in one year


def test_missing_years_use_the_latest_value_judged_at_its_own_year():
    obs = observations({2018: 40, 2020: 100})
    row = one(targets(), obs, 2019)  # no 2019 value: the 2018 value, against the path in 2018
    assert row["actual_year"] == 2018 and row["expected"] == pytest.approx(40)
    assert row["status"] == "on_track"
    row = one(targets(due_year=2022), obs.iloc[:1], 2020)
    assert row["status"] == "stale"  # two years old: more than the allowed lag


def test_missing_baseline_falls_back_to_the_earliest_value_and_keeps_the_base_year_path():
    row = one(targets(), observations({2019: 70, 2020: 90}), 2020)
    assert row["baseline"] == 70 and row["baseline_year"] == 2019 and row["base_year"] == 2018
    assert row["expected"] == pytest.approx(100)
    assert row["ratio"] == pytest.approx((90 - 70) / (100 - 70))


def test_only_one_observation_has_no_trend():
    row = one(targets(due_year=2022), observations({2020: 60}), 2020)
    assert row["ratio"] == 0 and row["status"] == "off_track"
    assert math.isnan(row["forecast"]) and math.isnan(row["forecast_linear"])
    assert not row["forecast_reaches"]
    row = one(targets(), observations({2020: 60}), 2020)  # the due year's value is the forecast
    assert row["forecast"] == 60 and not row["forecast_reaches"]


def test_baseline_equal_to_target():
    met = one(targets(), observations({2018: 100, 2019: 100}), 2019)
    assert met["status"] == "met" and met["ratio"] == 1
    fell = one(targets(), observations({2018: 100, 2019: 90}), 2019)
    assert fell["status"] == "reverse" and np.isfinite(fell["ratio"])


def test_as_of_the_base_year_nothing_is_required_yet():
    row = one(targets(), observations({2018: 40}), 2018)
    assert row["expected"] == 40 and row["ratio"] == 1 and row["status"] == "on_track"


def test_empty_observations_give_no_data_rows():
    out = target_status(targets({"code": "A"}, {"code": "B", "kind": "relative", "comparator": ">", "value": 0.0,
                                                "benchmark": BENCH}), observations({}), 2020, 0, SETTINGS)
    assert list(out["status"]) == ["no_data", "no_data"] and not out["is_sample"].any()
    assert list(out.columns) == OUTPUT


def test_no_observation_is_no_data():
    row = one(targets(), observations({2018: 40}, indicator="other"), 2019)
    assert row["status"] == "no_data" and row["status_label"] == "无数据"
    assert math.isnan(row["actual"]) and math.isnan(row["ratio"])


# ------------------------------------------------------------------ ≤ targets

@pytest.mark.parametrize("actual, status", [(15, "on_track"), (10, "met"), (8, "met"), (19, "off_track"),
                                            (25, "reverse")])
def test_at_most_target_progress_is_downward(actual, status):
    # rank 20 in 2018, ≤ 10 by 2020: the path value in 2019 is 15
    row = one(targets(comparator="<=", value=10.0, measure="rank"), observations({2018: 20, 2019: actual}), 2019)
    assert row["expected"] == pytest.approx(15)
    assert row["ratio"] == pytest.approx((20 - actual) / (20 - 15))
    assert row["attainment"] == pytest.approx(10 / actual)
    assert row["gap"] == pytest.approx(actual - 10)
    assert row["status"] == status


# ------------------------------------------------------------------ compound path

@pytest.mark.parametrize("actual, status", [(110, "on_track"), (105, "off_track"), (121, "met"), (95, "reverse")])
def test_compound_path_compares_growth_rates(actual, status):
    # 100 in 2018 to 121 in 2020 needs 10 % a year
    row = one(targets(value=121.0, path="compound"), observations({2018: 100, 2019: actual}), 2019)
    assert row["expected"] == pytest.approx(110)
    if status != "met":
        assert row["ratio"] == pytest.approx((actual / 100 - 1) / 0.10)
    assert row["status"] == status


# ------------------------------------------------------------------ staleness

def test_annual_staleness_allows_the_configured_lag():
    lag = SETTINGS["staleness"]["annual_lag_years"]
    obs = observations({2018: 0, 2019: 60})
    assert one(targets(due_year=2025), obs, 2019 + lag)["status"] != "stale"
    assert one(targets(due_year=2025), obs, 2019 + lag + 1)["status"] == "stale"


def test_quarterly_staleness_counts_quarters():
    lag = SETTINGS["staleness"]["quarterly_lag_quarters"]
    tgt = targets(frequency="quarterly", due_year=2025)
    obs = observations({2018: 0, (2020, 4 - lag): 30})
    assert one(tgt, obs, 2020)["status"] != "stale"
    assert one(tgt, observations({2018: 0, (2020, 3 - lag): 30}), 2020)["status"] == "stale"


def test_a_met_target_is_met_even_when_stale():
    row = one(targets(due_year=2025), observations({2018: 0, 2019: 120}), 2024)
    assert row["status"] == "met"


# ------------------------------------------------------------------ annual targets, quarterly pro-rating

def test_annual_target_uses_the_year_own_flow():
    tgt = targets(kind="annual", measure="flow", value=20.0, start_year=2019)
    obs = observations({2018: 15, 2019: 22, 2020: 18})
    assert one(tgt, obs, 2019)["status"] == "met"
    row = one(tgt, obs, 2020)
    assert row["actual"] == 18 and row["baseline"] == 0 and row["expected"] == 20
    assert row["ratio"] == pytest.approx(0.9) and row["status"] == "unmet"  # 2020 is the due year
    assert one(tgt.assign(due_year=2021), obs, 2020)["status"] == "moderate"  # a year to go: by pace


@pytest.mark.parametrize("ytd, status", [(10, "on_track"), (6, "moderate"), (5.9, "off_track"), (20, "met")])
def test_annual_target_pro_rated_by_quarter(ytd, status):
    tgt = targets(kind="annual", measure="flow", value=20.0, start_year=2019)
    row = one(tgt, observations({2019: 22, (2020, 1): 3, (2020, 2): ytd}), 2020, 2)
    assert row["actual_year"] == 2020 and row["actual_quarter"] == 2
    assert row["expected"] == pytest.approx(20 * 2 / 4)
    assert row["ratio"] == pytest.approx(ytd / 10)
    assert row["status"] == status


def test_annual_target_before_its_start_year_is_no_data():
    tgt = targets(kind="annual", measure="flow", value=20.0, start_year=2019)
    assert one(tgt, observations({2018: 15}), 2018)["status"] == "no_data"


# ------------------------------------------------------------------ cumulative targets

def test_cumulative_sums_flows_from_the_start_year():
    tgt = targets(kind="cumulative", measure="flow", value=50.0, start_year=2019)
    obs = observations({2018: 99, 2019: 20, 2020: 30})
    row = one(tgt, obs, 2019)
    assert row["actual"] == 20 and row["baseline"] == 0 and row["expected"] == pytest.approx(25)
    assert row["ratio"] == pytest.approx(0.8) and row["status"] == "moderate"
    assert row["forecast"] == pytest.approx(40) and not row["forecast_reaches"]  # (2018, 0), (2019, 20) → 2020
    assert one(tgt, obs, 2020)["actual"] == 50
    assert one(tgt, obs, 2020)["status"] == "met"


def test_cumulative_with_a_missing_year_counts_it():
    tgt = targets(kind="cumulative", measure="flow", value=50.0, start_year=2019, due_year=2021)
    row = one(tgt, observations({2019: 20, 2021: 10}), 2021)
    assert row["actual"] == 30 and row["missing_years"] == 1


def test_cumulative_quarter_adds_the_year_to_date():
    tgt = targets(kind="cumulative", measure="flow", value=50.0, start_year=2019)
    row = one(tgt, observations({2019: 20, (2020, 2): 12}), 2020, 2)
    assert row["actual"] == 32
    assert row["expected"] == pytest.approx(50 * 1.5 / 2)


# ------------------------------------------------------------------ 左右 and ranges

@pytest.mark.parametrize("actual, status, band", [
    (10.0, "met", "inside"), (10 * (1 - TOL), "met", "inside"), (10 * (1 + TOL) + 1, "met", "above"),
    (10 * (1 - TOL) - 0.5, None, "below")])
def test_approximate_target_is_met_inside_the_band_and_overshoot_is_flagged(actual, status, band):
    row = one(targets(comparator="approx", value=10.0), observations({2018: 0, 2020: actual}), 2020)
    assert row["goal"] == pytest.approx(10 * (1 - TOL))
    assert row["band_position"] == band
    if status:
        assert row["status"] == status
    else:
        assert row["status"] != "met"


@pytest.mark.parametrize("actual, met, band", [(1, True, "inside"), (2, True, "inside"), (3, True, "above"),
                                               (0, False, "below")])
def test_range_target(actual, met, band):
    tgt = targets(kind="cumulative", measure="flow", comparator="range", value=None, value_low=1.0, value_high=2.0,
                  start_year=2019)
    row = one(tgt, observations({2019: 0, 2020: actual}), 2020)
    assert (row["status"] == "met") == met and row["band_position"] == band
    assert row["target_low"] == 1 and row["target_high"] == 2


def test_other_targets_have_no_band():
    assert one(targets(), observations({2018: 0, 2019: 50}), 2019)["band_position"] == ""


# ------------------------------------------------------------------ floor and stretch

def test_floor_met_while_stretch_is_not():
    tgt = targets({"code": "E05", "value": 60.0, "tier": "floor"}, {"code": "E06", "value": 80.0, "tier": "stretch"})
    out = target_status(tgt, observations({2018: 30, 2020: 68}), 2020, 0, SETTINGS)
    assert list(out["code"]) == ["E05", "E06"]
    assert list(out["status"]) == ["met", "unmet"]      # due in 2020: the stretch target is 未完成
    assert out.loc[1, "ratio"] == pytest.approx((68 - 30) / (80 - 30))
    assert out.loc[1, "attainment"] == pytest.approx(68 / 80)


# ------------------------------------------------------------------ milestones

def test_milestone_stages():
    tgt = targets(kind="milestone", measure="stage", value=2.0, stages=["未启动", "申报中", "已获批"], unit="阶段")
    row = one(tgt, observations({2018: 0, 2019: 1}), 2019)
    assert row["expected"] == 1 and row["ratio"] == 1 and row["status"] == "on_track"
    assert row["actual_stage"] == "申报中" and row["target_stage"] == "已获批"
    row = one(tgt, observations({2018: 0, 2020: 2}), 2020)
    assert row["status"] == "met" and row["actual_stage"] == "已获批"
    row = one(tgt, observations({2018: 0, 2020: 1}), 2020)
    assert row["ratio"] == pytest.approx(0.5) and row["status"] == "unmet"  # due: 未完成, not 明显滞后


# ------------------------------------------------------------------ relative targets

def rel(region_values, bench_values, due_year=2020):
    tgt = targets(kind="relative", comparator=">", value=0.0, benchmark=BENCH, measure="flow", due_year=due_year)
    return one(tgt, combine(observations(region_values), observations(bench_values, region=BENCH)), 2020)


@pytest.mark.parametrize("region_2020, status", [
    (108 + CLEARLY, "met"),            # margin exactly clearly_above_pp
    (108.5, "on_track"),               # above the benchmark, not clearly
    (106, "moderate"),                 # 6 % vs 8 %: ratio 0.75
    (103, "off_track"),                # ratio 0.375
    (95, "reverse"),                   # shrinking while the benchmark grows
])
def test_relative_status_from_the_margin(region_2020, status):
    region, bench = {2018: 90, 2019: 100, 2020: region_2020}, {2018: 95, 2019: 100, 2020: 108}
    assert rel(region, bench, due_year=2021)["status"] == status  # a year ahead: judged by pace
    row = rel(region, bench)
    assert row["region_growth"] == pytest.approx(region_2020 / 100 - 1)
    assert row["benchmark_growth"] == pytest.approx(0.08)
    assert row["margin_pp"] == pytest.approx(region_2020 - 108)
    # the relative target is due in 2020: every status short of met is the year-end verdict 未完成
    assert row["status"] == (status if status == "met" else "unmet")
    if status not in ("met", "on_track"):
        assert row["ratio"] == pytest.approx((region_2020 / 100 - 1) / 0.08)
    assert row["goal"] == pytest.approx(100 * (1 + 0.08 + CLEARLY / 100))
    assert row["region_growth_avg"] == pytest.approx((region_2020 / 90) ** 0.5 - 1)
    assert row["benchmark_growth_avg"] == pytest.approx((108 / 95) ** 0.5 - 1)


def test_relative_against_a_shrinking_benchmark():
    row = rel({2019: 100, 2020: 95}, {2019: 100, 2020: 90})
    assert row["margin_pp"] == pytest.approx(5) and row["status"] == "met"


def test_relative_without_the_benchmark_is_no_data():
    assert rel({2019: 100, 2020: 110}, {2017: 100})["status"] == "no_data"


def test_relative_uses_the_latest_year_both_regions_have():
    row = rel({2018: 100, 2019: 110, 2020: 130}, {2018: 100, 2019: 105})
    assert row["actual_year"] == 2019 and row["margin_pp"] == pytest.approx(5)


# ------------------------------------------------------------------ provenance, regions, forecast

def test_is_sample_and_sources_cover_every_value_used():
    obs = combine(observations({2018: 52}, source="示例", sample=True), observations({2020: 95}, source="公报"))
    row = one(targets(), obs, 2020)
    assert row["is_sample"] and row["sources"] == "公报；示例"
    row = one(targets(), combine(observations({2018: 52}, source="公报"), observations({2020: 95}, source="公报")),
              2020)
    assert not row["is_sample"] and row["sources"] == "公报"


def test_relative_sample_benchmark_marks_the_row():
    tgt = targets(kind="relative", comparator=">", value=0.0, benchmark=BENCH, measure="flow")
    obs = combine(observations({2019: 100, 2020: 110}),
                  observations({2019: 100, 2020: 105}, region=BENCH, sample=True, source="示例"))
    assert one(tgt, obs, 2020)["is_sample"]


def test_regions_list_gives_every_target_for_every_region():
    obs = combine(observations({2018: 0, 2019: 50}), observations({2018: 0, 2019: 10}, region="丙县"))
    out = target_status(targets(), obs, 2019, 0, SETTINGS, regions=[REGION, "丙县", "丁县"])
    assert list(out["region"]) == [REGION, "丙县", "丁县"]
    assert list(out["status"]) == ["on_track", "off_track", "no_data"]


def test_forecasts_linear_and_compound():
    obs = observations({2018: 100, 2019: 110, 2020: 121})
    row = one(targets(value=150.0, due_year=2022), obs, 2020)
    slope, intercept = np.polyfit([2018, 2019, 2020], [100, 110, 121], 1)
    assert row["forecast_linear"] == pytest.approx(intercept + slope * 2022)
    assert row["forecast_compound"] == pytest.approx(121 * 1.1 ** 2)
    assert row["forecast"] == row["forecast_linear"] and not row["forecast_reaches"]
    row = one(targets(value=140.0, due_year=2022, path="compound"), obs, 2020)
    assert row["forecast"] == pytest.approx(146.41) and row["forecast_reaches"]


def test_output_has_every_contract_column():
    out = target_status(targets(), observations({2018: 0}), 2019, 0, SETTINGS)
    assert list(out.columns) == OUTPUT
    contract = ("policy region code indicator indicator_name area unit decimals kind comparator tier clause quote "
                "start_year due_year benchmark headline task_clause lead_units responsible_units target_value "
                "target_low target_high base_year baseline actual actual_year actual_quarter years_elapsed "
                "years_remaining is_sample sources attainment gap expected required_annual_increase "
                "required_growth_rate actual_annual_increase actual_growth_rate ratio region_growth "
                "benchmark_growth margin_pp forecast_linear forecast_compound forecast forecast_reaches status "
                "status_label status_order").split()
    assert not set(contract) - set(out.columns)


# ------------------------------------------------------------------ year-end verdicts (metrics.verdicts)

@pytest.mark.parametrize("as_of, quarter, status", [
    (2019, 0, "moderate"),    # a year ahead: by pace. path 2019 = 76, actual 70: ratio (70−52)÷(76−52) = 0.75
    (2020, 2, "moderate"),    # mid-2020: still ahead (time 2019.5 < 2020); the 2019 value is the actual
    (2020, 0, "unmet"),       # the due year itself: 未完成
    (2020, 4, "unmet"),       # Q4 = the whole year
    (2021, 0, "unmet"),       # after the due year (the 2019 value is 2 years old, but a due target is judged)
])
def test_verdict_replaces_the_pace_status_from_the_due_year(as_of, quarter, status):
    settings = {**SETTINGS, "staleness": {**SETTINGS["staleness"], "annual_lag_years": 5}}
    out = target_status(targets(), observations({2018: 52, 2019: 70}), as_of, quarter, settings)
    assert out.iloc[0]["status"] == status
    assert out.iloc[0]["attainment"] == pytest.approx(0.70)


def test_verdict_keeps_met_stale_and_no_data():
    tgt = targets({"code": "A"}, {"code": "B", "indicator": "b"}, {"code": "C", "indicator": "c"})
    obs = combine(observations({2018: 52, 2020: 100}), observations({2016: 10, 2017: 20}, indicator="b"))
    out = target_status(tgt, obs, 2020, 0, SETTINGS).set_index("code")["status"]
    assert out.to_dict() == {"A": "met", "B": "stale", "C": "no_data"}


def test_verdict_waits_years_after_due():
    settings = {**SETTINGS, "verdict": {"years_after_due": 1}}
    obs = observations({2018: 52, 2020: 95})
    assert one(targets(), obs, 2020)["status"] == "unmet"
    assert target_status(targets(), obs, 2020, 0, settings).iloc[0]["status"] == "moderate"
