"""Hand-computed cases for the vintage columns of metrics.status.target_status (issue 21 §2): actual_status,
benchmark_status, provisional (the status rests on a 预计 or 初步 value), provisional_status (the weakest such value)
and data_released_on."""
from __future__ import annotations

import pandas as pd
import pytest

from metrics.status import target_status
from tests.metrics_helpers import BENCH, SETTINGS, combine, observations, targets


def vintaged(values: dict, statuses: dict, released: dict | None = None, **kw) -> pd.DataFrame:
    """observations() with a 数据状态 per year (missing years: 核实) and a 发布日期 per year (missing: none)."""
    obs = observations(values, **kw)
    released = released or {}
    return obs.assign(data_status=[statuses.get(y, "verified") for y in obs["year"]],
                      released_on=pd.to_datetime([released.get(y) for y in obs["year"]]))


def one(tgt, obs, as_of_year):
    (row,) = target_status(tgt, obs, as_of_year, 0, SETTINGS).to_dict("records")
    return row


def test_a_verdict_on_a_first_release_is_provisional_and_final_once_verified():
    """≥ 100 due 2020, 2020's value 95: 未完成 either way; on 初步 the verdict is provisional, on 核实 it is not."""
    first = one(targets(), vintaged({2018: 52, 2020: 95}, {2020: "preliminary"}), 2020)
    assert (first["status"], first["actual_status"], first["provisional"]) == ("unmet", "preliminary", True)
    final = one(targets(), vintaged({2018: 52, 2020: 95}, {2020: "verified"}), 2020)
    assert (final["status"], final["actual_status"], final["provisional"]) == ("unmet", "verified", False)
    assert (first["provisional_status"], final["provisional_status"]) == ("preliminary", "")
    revised = one(targets(), vintaged({2018: 52, 2020: 101}, {2020: "revised"}), 2020)
    assert (revised["status"], revised["provisional"]) == ("met", False)   # 修订 is not provisional


def test_an_estimate_makes_met_provisional_too():
    row = one(targets(), vintaged({2018: 52, 2020: 100}, {2020: "estimate"}), 2020)
    assert (row["status"], row["actual_status"], row["provisional"]) == ("met", "estimate", True)


def test_a_pace_status_rests_on_the_baseline_a_verdict_does_not():
    """Baseline 0 (2018, 初步), 2019's 50 (核实) against ≥ 100 by 2020: path 50 in 2019, ratio 1 → 进度正常, which
    rests on the baseline (provisional); judged in 2020 on 2020's 80 (核实) → 未完成, which does not."""
    obs = vintaged({2018: 0, 2019: 50, 2020: 80}, {2018: "preliminary"})
    ahead = one(targets(), obs, 2019)
    assert (ahead["status"], ahead["actual_status"], ahead["provisional"]) == ("on_track", "verified", True)
    judged = one(targets(), obs, 2020)
    assert (judged["status"], judged["provisional"]) == ("unmet", False)


@pytest.mark.parametrize("as_of, values, status", [
    (2020, {2018: 52, 2019: 90}, "no_final_data"),   # due 2020, no 2020 value: no verdict to be provisional
    (2022, {2018: 52, 2019: 90}, "no_final_data"),
])
def test_statuses_without_a_value_verdict_are_never_provisional(as_of, values, status):
    row = one(targets(), vintaged(values, {2018: "preliminary", 2019: "preliminary"}), as_of)
    assert row["status"] == status and not row["provisional"]


def test_stale_and_no_data_are_never_provisional():
    stale = one(targets(due_year=2024), vintaged({2018: 52, 2019: 60}, {2018: "estimate", 2019: "estimate"}), 2022)
    assert stale["status"] == "stale" and not stale["provisional"] and stale["actual_status"] == "estimate"
    empty = one(targets(), vintaged({}, {}), 2019)
    assert empty["status"] == "no_data" and not empty["provisional"] and empty["actual_status"] == ""


def test_a_relative_target_rests_on_the_benchmark_values_of_the_growth():
    """甲县 100 → 110 (核实), 乙省 100 → 105 with 2020 初步: margin 5 pp → 已完成, provisional through the benchmark;
    benchmark_status names the benchmark's 2020 value. With 乙省's 2019 初步 instead (the growth's base) too."""
    tgt = targets(kind="relative", comparator=">", value=0.0, benchmark=BENCH, measure="flow")
    region = vintaged({2019: 100, 2020: 110}, {})
    row = one(tgt, combine(region, vintaged({2019: 100, 2020: 105}, {2020: "preliminary"}, region=BENCH)), 2020)
    assert row["status"] == "met" and row["margin_pp"] == pytest.approx(5)
    assert (row["actual_status"], row["benchmark_status"], row["provisional"]) == ("verified", "preliminary", True)
    row = one(tgt, combine(region, vintaged({2019: 100, 2020: 105}, {2019: "preliminary"}, region=BENCH)), 2020)
    assert (row["benchmark_status"], row["provisional"]) == ("verified", True)
    row = one(tgt, combine(region, vintaged({2019: 100, 2020: 105}, {}, region=BENCH)), 2020)
    assert (row["benchmark_status"], row["provisional"]) == ("verified", False)


def test_benchmark_status_is_blank_for_other_kinds():
    assert one(targets(), vintaged({2018: 52, 2020: 95}, {}), 2020)["benchmark_status"] == ""


def test_a_cumulative_target_rests_on_every_flow_summed():
    """Flows 2019 30 (预计) + 2020 40 (核实) against ≥ 100 from 2019: 70 → 未完成, provisional through 2019's flow;
    actual_status is the latest flow's."""
    tgt = targets(kind="cumulative", start_year=2019.0, measure="flow")
    row = one(tgt, vintaged({2019: 30, 2020: 40}, {2019: "estimate"}), 2020)
    assert row["actual"] == pytest.approx(70) and row["status"] == "unmet"
    assert (row["actual_status"], row["provisional"]) == ("verified", True)


def test_a_cagr_target_rests_on_both_ends():
    """年均增长 ≥ 10 % from 2018's 100 (初步) to 2020's 121 (核实): 10 % a year → 已完成, provisional: the rate
    rests on the base-year value as much as on the latest."""
    tgt = targets(kind="cagr", value=10.0)
    row = one(tgt, vintaged({2018: 100, 2020: 121}, {2018: "preliminary"}), 2020)
    assert row["actual"] == pytest.approx(10) and row["status"] == "met" and row["provisional"]


def test_data_released_on_is_the_latest_release_of_the_values_used():
    obs = vintaged({2018: 52, 2020: 95}, {}, released={2018: "2019-09-30", 2020: "2021-10-09"})
    assert one(targets(), obs, 2020)["data_released_on"] == pd.Timestamp("2021-10-09")
    sample = observations({2018: 52, 2020: 95}, sample=True).assign(released_on=pd.Timestamp("2021-10-09"))
    assert pd.isna(one(targets(), sample, 2020)["data_released_on"])   # 示例数据 have no release history


def test_a_value_without_a_release_date_counts_from_the_day_it_was_entered():
    obs = vintaged({2018: 52, 2020: 95}, {}).assign(entered_at=pd.Timestamp("2022-03-01 09:30", tz="UTC"))
    assert one(targets(), obs, 2020)["data_released_on"] == pd.Timestamp("2022-03-01")


def test_frames_without_vintage_columns_read_as_unstated():
    row = one(targets(), observations({2018: 52, 2020: 95}), 2020)
    assert (row["actual_status"], row["provisional"]) == ("unstated", False) and pd.isna(row["data_released_on"])


def test_a_later_value_does_not_change_the_vintage_of_the_verdict():
    """Judged in 2022 on 2020's 核实 95; 2021's 初步 120 is only the later value: the verdict is final."""
    row = one(targets(), vintaged({2018: 52, 2020: 95, 2021: 120}, {2021: "preliminary"}), 2022)
    assert (row["status"], row["later_value"], row["provisional"]) == ("unmet", 120, False)
    assert row["actual_status"] == "verified"


def test_provisional_status_is_the_weakest_value_counted():
    """2019's flow 预计 and 2020's 初步 summed: 预计 is the weaker; a pace status whose baseline is 预计 and actual
    初步 says 预计 too; a verdict on the same values ignores the baseline's 预计 and says 初步."""
    tgt = targets(kind="cumulative", start_year=2019.0, measure="flow")
    row = one(tgt, vintaged({2019: 30, 2020: 40}, {2019: "estimate", 2020: "preliminary"}), 2020)
    assert (row["provisional_status"], row["actual_status"]) == ("estimate", "preliminary")
    obs = vintaged({2018: 0, 2019: 50, 2020: 80}, {2018: "estimate", 2019: "preliminary", 2020: "preliminary"})
    assert one(targets(), obs, 2019)["provisional_status"] == "estimate"
    assert one(targets(), obs, 2020)["provisional_status"] == "preliminary"
