"""Due-year verdicts (metrics.verdicts through metrics.status.target_status): hand-computed cases for every kind a
year before, at and after the due year, and the rules that hold for all inputs.

Every case: base year 2018, due 2020, settings from data/settings.toml (on_track 0.95, moderate 0.60, 左右 ±10 %,
relative: clearly above = 1 pp, on track from 0 pp). 2019 is a year ahead (pace), 2020 the due year (the verdict on
2020's value), 2022 two years later (the same verdict; the latest later value beside it)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.status import target_status, target_status_at
from metrics.verdicts import JUDGED_STATUSES, PACE_COLUMNS
from tests.metrics_helpers import BENCH, SETTINGS, cases, combine, observations, targets

VERDICT = ["status", "actual", "actual_year", "attainment", "gap"]


def at(tgt: pd.DataFrame, obs: pd.DataFrame, year: int, quarter: int = 0, **settings_over) -> pd.Series:
    out = target_status(tgt, obs, year, quarter, {**SETTINGS, **settings_over})
    assert len(out) == 1
    return out.iloc[0]


def rel_obs(region: dict, bench: dict) -> pd.DataFrame:
    return combine(observations(region), observations(bench, region=BENCH))


# (name, target, observations, {as-of: expected}) — expected: status, then the numbers that must hold
KINDS = [
    # level ≥ 100. 2019: path 52 + (100 − 52)·½ = 76, ratio (76 − 52) ÷ (76 − 52) = 1 → 进度正常.
    # 2020: 95 of 100 → 未完成, 95 %, gap 5. 2022: still 2020's 95; 2021's 104 is later and reaches 100.
    ("level", targets(), observations({2018: 52, 2019: 76, 2020: 95, 2021: 104}),
     {2019: ("on_track", {"ratio": 1.0}),
      2020: ("unmet", {"actual": 95, "attainment": 0.95, "gap": 5}),
      2022: ("unmet", {"actual": 95, "attainment": 0.95, "later_value": 104, "later_year": 2021,
                       "later_reaches": True})}),
    # milestone: stage 2 (已获批) by 2020. 2019: path 0 + 2·½ = 1, stage 1 → ratio 1.
    # 2020: stage 1 of 2 → 未完成, 50 %. 2022: 2021 reached stage 2 (later, 逾期达到).
    ("milestone", targets(kind="milestone", measure="stage", value=2.0, stages=["未启动", "申报中", "已获批"]),
     observations({2018: 0, 2019: 1, 2020: 1, 2021: 2}),
     {2019: ("on_track", {"ratio": 1.0}),
      2020: ("unmet", {"attainment": 0.5, "gap": 1}),
      2022: ("unmet", {"actual": 1, "later_value": 2, "later_year": 2021, "later_reaches": True})}),
    # annual ≥ 20 a year from 2019. 2019: 22 ≥ 20 → 已完成 (that year). 2020: the due year's own flow 18 → 90 %.
    # 2022: the verdict on 2020's 18; 2021's flow 25 is later.
    ("annual", targets(kind="annual", measure="flow", value=20.0, start_year=2019),
     observations({2019: 22, 2020: 18, 2021: 25}),
     {2019: ("met", {"actual": 22}),
      2020: ("unmet", {"actual": 18, "attainment": 0.9, "gap": 2}),
      2022: ("unmet", {"actual": 18, "later_value": 25, "later_year": 2021, "later_reaches": True})}),
    # cumulative ≥ 50 from 2019. 2019: 20 against 50·½ = 25 (path from 0 at 2018) → ratio 0.8 → 略有滞后.
    # 2020: 20 + 25 = 45 → 90 %, gap 5. 2022: 45 stays; the running sum through 2021 is 55 (later, reaches).
    ("cumulative", targets(kind="cumulative", measure="flow", value=50.0, start_year=2019),
     observations({2019: 20, 2020: 25, 2021: 10}),
     {2019: ("moderate", {"ratio": 0.8}),
      2020: ("unmet", {"actual": 45, "attainment": 0.9, "gap": 5}),
      2022: ("unmet", {"actual": 45, "later_value": 55, "later_year": 2021, "later_reaches": True})}),
    # relative: growth clearly above (≥ 1 pp) the benchmark's. 2019: 5 % vs 5 %, margin 0 → on track.
    # 2020: 110.25/105 − 1 = 5 % vs 113.4/105 − 1 = 8 %: margin −3 pp → 未完成; attainment 110.25 ÷ 105·(1.08 + 0.01).
    # 2022: 2021: 121.275/110.25 − 1 = 10 % vs 115.668/113.4 − 1 = 2 %: later margin +8 pp (reaches).
    ("relative", targets(kind="relative", comparator=">", value=0.0, benchmark=BENCH, measure="flow"),
     rel_obs({2018: 100, 2019: 105, 2020: 110.25, 2021: 121.275}, {2018: 100, 2019: 105, 2020: 113.4, 2021: 115.668}),
     {2019: ("on_track", {"margin_pp": 0.0}),
      2020: ("unmet", {"margin_pp": -3.0, "attainment": 110.25 / (105 * 1.09)}),
      2022: ("unmet", {"margin_pp": -3.0, "later_value": 0.10, "later_margin_pp": 8.0, "later_year": 2021,
                       "later_reaches": True})}),
    # 5 左右 on a count (decimals 0): goal ceil(5 × 0.9) = ceil(4.5) = 5. 2019: path 0 + 5·½ = 2.5, 3 → ratio 1.2.
    # 2020: 4 < 5 → 未完成 with gap 1 (never "0"), 80 %. 2022: 2021's 5 is later and inside the band.
    ("approx", targets(comparator="approx", value=5.0), observations({2018: 0, 2019: 3, 2020: 4, 2021: 5}),
     {2019: ("on_track", {"goal": 5, "ratio": 1.2}),
      2020: ("unmet", {"goal": 5, "gap": 1, "attainment": 0.8}),
      2022: ("unmet", {"actual": 4, "later_value": 5, "later_reaches": True})}),
    # range 1—2 (cumulative from 2019). 2019: 0 against 1·½ → ratio 0 → 明显滞后. 2020: still 0 → 未完成, gap 1.
    # 2022: 0 stays; 2021 brought the sum to 1 (later, inside the range).
    ("range", targets(kind="cumulative", measure="flow", comparator="range", value=None, value_low=1.0,
                      value_high=2.0, start_year=2019),
     observations({2019: 0, 2020: 0, 2021: 1}),
     {2019: ("off_track", {"ratio": 0.0}),
      2020: ("unmet", {"attainment": 0.0, "gap": 1}),
      2022: ("unmet", {"actual": 0, "later_value": 1, "later_reaches": True})}),
    # stretch (力争) ≥ 80 beside a floor (底线) of 60: 2019: path 30 + 50·½ = 55, 50 → ratio 20 ÷ 25 = 0.8.
    # 2020: 68 of 80 → 85 %. 2022: 2021's 85 reaches 80 late.
    ("stretch", targets(value=80.0, tier="stretch"), observations({2018: 30, 2019: 50, 2020: 68, 2021: 85}),
     {2019: ("moderate", {"ratio": 0.8}),
      2020: ("unmet", {"attainment": 0.85, "gap": 12}),
      2022: ("unmet", {"actual": 68, "later_value": 85, "later_reaches": True})}),
    ("floor", targets(value=60.0, tier="floor"), observations({2018: 30, 2019: 50, 2020: 68, 2021: 55}),
     # 2019: path 30 + 30·½ = 45, 50 → ratio 20 ÷ 15. 2020: 68 ≥ 60. 2022: met stays; 2021 fell to 55 (回落).
     {2019: ("on_track", {"ratio": 20 / 15}),
      2020: ("met", {"attainment": 68 / 60}),
      2022: ("met", {"actual": 68, "later_value": 55, "later_year": 2021, "later_reaches": False})}),
    # rank ≤ 10 from 20th. 2019: path 20 − 10·½ = 15, 15th → ratio 1. 2020: 12th → 未完成, 10 ÷ 12, 2 places short.
    # 2022: 2021's 8th place is later.
    ("rank", targets(comparator="<=", value=10.0, measure="rank", unit="位"),
     observations({2018: 20, 2019: 15, 2020: 12, 2021: 8}),
     {2019: ("on_track", {"ratio": 1.0, "attainment": 10 / 15}),
      2020: ("unmet", {"attainment": 10 / 12, "gap": 2}),
      2022: ("unmet", {"actual": 12, "later_value": 8, "later_reaches": True})}),
    # cagr 10 % a year from 2018's 100. 2019: 8 % → ratio 0.8 → 略有滞后. 2020: (118.8/100)^(1/2) − 1 = 8.995 % → 未完成.
    # 2022: 2021: (140/100)^(1/3) − 1 = 11.87 % (later, reaches 10 %).
    ("cagr", targets(kind="cagr", value=10.0, unit="亿元", decimals=2),
     observations({2018: 100, 2019: 108, 2020: 118.8, 2021: 140}),
     {2019: ("moderate", {"actual": 8.0, "ratio": 0.8}),
      2020: ("unmet", {"actual": (1.188 ** 0.5 - 1) * 100, "attainment": (1.188 ** 0.5 - 1) * 10,
                       "gap": 10 - (1.188 ** 0.5 - 1) * 100}),
      2022: ("unmet", {"actual_year": 2020, "later_value": (1.4 ** (1 / 3) - 1) * 100, "later_reaches": True})}),
]


@pytest.mark.parametrize("name, tgt, obs, expected", KINDS, ids=[k[0] for k in KINDS])
def test_each_kind_before_at_and_after_the_due_year(name, tgt, obs, expected):
    for year, (status, numbers) in expected.items():
        row = at(tgt, obs, year)
        assert row["status"] == status, (name, year)
        assert row["judged"] == (year >= 2020) and (row["final_year"] == 2020 if year >= 2020 else
                                                   pd.isna(row["final_year"]))
        for column, value in numbers.items():
            assert row[column] == pytest.approx(value), (name, year, column)
        if year >= 2020:
            assert row["actual_year"] == 2020  # the due year's value, whatever the as-of
            assert all(math.isnan(row[c]) for c in PACE_COLUMNS) and not row["forecast_reaches"]
        else:
            assert not math.isnan(row["ratio"]) and pd.isna(row["later_year"])
    assert pd.isna(at(tgt, obs, 2020)["later_year"])  # nothing after the due year yet


def test_e02_a_2019_target_is_judged_on_2019_not_on_2020():
    """E02: ≥ 60 by 2019; 2019: 52, 2020: 63. At 2020 it reads 未完成（完成 87%）on 52, and 63 is a later value
    (2020年已达 63 家，逾期达到); gap 8 in its unit, no forecast."""
    row = at(targets(due_year=2019, value=60.0), observations({2018: 38, 2019: 52, 2020: 63}), 2020)
    assert row["status"] == "unmet" and row["actual"] == 52 and row["actual_year"] == 2019
    assert row["attainment"] == pytest.approx(52 / 60) and row["gap"] == pytest.approx(8)
    assert row["later_value"] == 63 and row["later_year"] == 2020 and row["later_reaches"]
    assert math.isnan(row["forecast"]) and math.isnan(row["required_annual_increase"])


def test_no_value_for_the_due_year_is_no_final_data():
    """≥ 100 by 2020 with 2019: 76 and 2021: 104 but no 2020 value: 无期末数据 at 2020 and after (not 数据过期, not a
    verdict on 2019 or 2021); the last value before the due year's end stays visible with its year."""
    obs = observations({2018: 52, 2019: 76, 2021: 104})
    for year in (2020, 2023):
        row = at(targets(), obs, year)
        assert row["status"] == "no_final_data" and row["status_label"] == "无期末数据"
        assert row["actual"] == 76 and row["actual_year"] == 2019
        assert math.isnan(row["attainment"]) and math.isnan(row["gap"])
    assert at(targets(), obs, 2023)["later_value"] == 104
    assert at(targets(), observations({}), 2020)["status"] == "no_final_data"  # never a value at all


def test_a_year_to_date_quarter_is_not_the_due_year_value():
    """An annual target with only 2020Q3 (year-to-date 15 of 20) has no 2020 value: 无期末数据 at 2020."""
    tgt = targets(kind="annual", measure="flow", value=20.0, start_year=2019)
    assert at(tgt, observations({2019: 22, (2020, 3): 15}), 2020)["status"] == "no_final_data"
    assert at(tgt, observations({2019: 22, (2020, 4): 21}), 2020)["status"] == "met"  # Q4 = the whole year


@pytest.mark.parametrize("year, quarter, judged", [(2020, 2, False), (2020, 3, False), (2020, 4, True),
                                                   (2020, 0, True)])
def test_judged_from_the_due_year_end(year, quarter, judged):
    """Mid-2020 (2020Q2: time 2019.5) is a year-to-date view, still by pace; Q4 and the whole year judge."""
    row = at(targets(), observations({2018: 52, 2019: 76, (2020, 2): 85, 2020: 95}), year, quarter)
    assert row["judged"] == judged
    assert (row["status"] == "unmet") == judged


def test_years_after_due_postpones_the_verdict_but_not_its_data():
    """[verdict] years_after_due = 1: at 2020 the target is still read by pace; at 2021 it is judged on 2020's 95,
    not on 2021's 101."""
    obs = observations({2018: 52, 2019: 76, 2020: 95, 2021: 101})
    later = {"verdict": {"years_after_due": 1}}
    assert at(targets(), obs, 2020, **later)["status"] == "moderate"  # ratio (95 − 52) ÷ 48 = 0.896
    row = at(targets(), obs, 2021, **later)
    assert row["status"] == "unmet" and row["actual"] == 95 and row["later_value"] == 101


def test_a_met_target_that_falls_back_later_stays_met():
    """已完成 on 2020's 100; 2022's 90 is shown as a later value that does not reach (2022年回落至 90)."""
    row = at(targets(), observations({2018: 52, 2020: 100, 2022: 90}), 2023)
    assert row["status"] == "met" and row["actual"] == 100
    assert row["later_value"] == 90 and row["later_year"] == 2022 and not row["later_reaches"]


def test_the_later_value_is_a_whole_year_and_its_sample_flag_is_its_own():
    """Later values are whole years (a 2022Q2 value is not 2022's); the row's is_sample is the due year's data,
    later_is_sample the later value's."""
    obs = combine(observations({2018: 52, 2020: 95}), observations({2021: 104, (2022, 2): 120}, sample=True))
    row = at(targets(), obs, 2022, 2)
    assert row["later_year"] == 2021 and row["later_value"] == 104
    assert not row["is_sample"] and row["later_is_sample"]


def test_unmet_attainment_never_reaches_one():
    """A 左右 goal rounded up can exceed a fractional value: 4.6 左右 on a count → goal ceil(4.14) = 5; 4.7 is short
    of 5 yet above 4.6: 未完成 with an attainment below 1 (not 102 %)."""
    row = at(targets(comparator="approx", value=4.6), observations({2018: 0, 2020: 4.7}), 2020)
    assert row["goal"] == 5 and row["status"] == "unmet" and row["attainment"] < 1


def test_approx_on_a_non_count_keeps_its_band():
    """5.0 左右 with one decimal (not a count): goal 5 × 0.9 = 4.5, 4.6 is inside the band: 已完成."""
    row = at(targets(comparator="approx", value=5.0, decimals=1, unit="%", measure="ratio"),
             observations({2018: 0, 2020: 4.6}), 2020)
    assert row["goal"] == pytest.approx(4.5) and row["status"] == "met" and row["band_position"] == "inside"


def test_a_growth_rate_from_zero_is_no_value():
    """cagr from a base-year value of 0 has no growth rate: 无数据 a year ahead, 无期末数据 at the due year (not 未完成
    with an empty attainment)."""
    tgt, obs = targets(kind="cagr", value=10.0), observations({2018: 0, 2019: 5, 2020: 8})
    assert at(tgt, obs, 2019)["status"] == "no_data" and pd.isna(at(tgt, obs, 2019)["actual_year"])
    assert at(tgt, obs, 2020)["status"] == "no_final_data"


def test_a_rank_ahead_of_its_target_is_100_percent():
    """3rd place against “≤ 10” is the whole target: attainment 1, not 10 ÷ 3 = 333 %."""
    assert at(targets(comparator="<=", value=10.0, measure="rank"), observations({2018: 5, 2020: 3}),
              2020)["attainment"] == 1


# ------------------------------------------------------------------ rules for all inputs

RELAXED = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(cases(), st.integers(1, 3), st.floats(0, 1000).map(lambda v: round(v, 3)))
def test_a_later_value_never_changes_a_verdict(case, after, value):
    """Adding (or replacing) a value for a year after a target's due year changes none of its verdict numbers."""
    tgt, obs, as_of = case
    before = target_status(tgt, obs, as_of, 0, SETTINGS).set_index("code")
    judged = before.index[before["judged"]]
    due = tgt.set_index("code")["due_year"]
    added = []
    for code in judged:
        row = tgt.set_index("code").loc[code]
        year = int(due[code]) + after
        obs = obs[~((obs["indicator"] == row["indicator"]) & (obs["year"] == year))]
        added.append(observations({year: value}, indicator=row["indicator"]))
    now = target_status(tgt, combine(obs, *added), as_of, 0, SETTINGS).set_index("code")
    pd.testing.assert_frame_equal(before.loc[judged, VERDICT], now.loc[judged, VERDICT])


@RELAXED
@given(cases())
def test_every_as_of_after_the_due_year_gives_the_same_verdict(case):
    """as-of Y ≥ the due year: the same status, actual, attainment and gap for every Y (2019 … 2026), always one of
    met / unmet / no_final_data."""
    tgt, obs, _ = case
    out = target_status_at(tgt, obs, [(y, 0) for y in range(2019, 2027)], SETTINGS)
    judged = out.loc[out["as_of_year"] >= out["due_year"]]
    assert judged["judged"].all() and judged["status"].isin(JUDGED_STATUSES).all()
    first = judged.groupby("code")[VERDICT].transform("first")
    pd.testing.assert_frame_equal(judged[VERDICT], first[VERDICT])
    assert not out.loc[out["as_of_year"] < out["due_year"], "judged"].any()


@RELAXED
@given(cases())
def test_several_periods_in_one_pass_equal_one_period_at_a_time(case):
    tgt, obs, _ = case
    periods = [(2019, 0), (2020, 2), (2020, 0), (2023, 0)]
    both = target_status_at(tgt, obs, periods, SETTINGS)
    for (year, quarter), part in both.groupby(["as_of_year", "as_of_quarter"], sort=False):
        one = target_status(tgt, obs, year, quarter, SETTINGS)
        pd.testing.assert_frame_equal(part.reset_index(drop=True), one)


def test_judged_rows_have_no_pace_numbers_on_the_builtin_like_mix():
    """One frame with every kind at 2022: each judged row has NaN pace columns and a verdict status."""
    tgt = pd.concat([k[1] for k in KINDS], ignore_index=True).assign(code=[f"K{i:02d}" for i in range(len(KINDS))],
                                                                      indicator=[f"i{i}" for i in range(len(KINDS))])
    obs = combine(*[k[2].assign(indicator=f"i{i}") for i, k in enumerate(KINDS)])
    out = target_status(tgt, obs, 2022, 0, SETTINGS)
    assert out["judged"].all() and out["status"].isin(JUDGED_STATUSES).all()
    assert np.isnan(out[list(PACE_COLUMNS)].to_numpy(dtype=float)).all()
    assert list(out["status"]) == [k[3][2022][0] for k in KINDS]
