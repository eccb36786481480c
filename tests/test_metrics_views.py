"""The page-side metrics modules (trajectory, summary, compare, quality): hand-made frames with known answers,
consistency with the engine on the built-in data, and properties that hold for any input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import db
from metrics.compare import (
    growth_side_by_side,
    long_growth,
    peer_growth,
    peer_regions,
    regional_rank,
    regions_to_compare,
    top_and_bottom,
)
from metrics.quality import issue_counts, quality_findings
from metrics.standing import area_counts
from metrics.status import target_status, target_status_at
from metrics.summary import (
    filter_ledger,
    headline_cards,
    moved_since,
    needs_attention,
    status_counts,
)
from metrics.trajectory import trajectories
from store import catalogue
from vocab import labels

KEYS = [s.key for s in labels.STATUSES]


@pytest.fixture(scope="module")
def builtin(template_db):
    eng = db.make_engine(f"sqlite:///{template_db}")
    frames = {"targets": db.read_targets(eng), "observations": db.read_observations(eng),
              "regions": db.read_regions(eng), "task_units": db.read_task_units(eng)}
    eng.dispose()
    return frames


def engine_status(builtin, year: int, regions=None, years_after_due: int | None = None) -> pd.DataFrame:
    settings = catalogue.load_settings()
    if years_after_due is not None:
        settings = {**settings, "verdict": {"years_after_due": years_after_due}}
    return target_status(builtin["targets"], builtin["observations"], year, settings=settings, regions=regions)


# ---------------------------------------------------------------- trajectory

def status_row(**over) -> dict:
    row = {"code": "X01", "region": "甲", "indicator": "ind", "kind": "level", "comparator": ">=", "path": "linear",
           "start_year": np.nan, "base_year": 2018, "baseline_year": 2018, "due_year": 2020, "baseline": 10.0,
           "goal": 20.0, "target_value": 20.0, "target_low": np.nan, "actual": 14.0, "actual_year": 2019,
           "forecast": 18.0, "is_sample": False, "benchmark": ""}
    row.update(over)
    return row


def obs(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "indicator", "year", "value"]).assign(
        quarter=0, is_sample=False, source="出处")


def series(traj: pd.DataFrame, name: str) -> dict[int, float]:
    part = traj.loc[traj["series"] == name]
    return dict(zip(part["year"], part["value"]))


def test_level_path_is_linear_from_baseline_to_goal():
    traj = trajectories(pd.DataFrame([status_row()]), obs([("甲", "ind", 2018, 10), ("甲", "ind", 2019, 14)]), 2019)
    assert series(traj, "path") == {2018: 10.0, 2019: 15.0, 2020: 20.0}
    assert series(traj, "actual") == {2018: 10.0, 2019: 14.0}
    assert series(traj, "target") == {2020: 20.0}
    assert series(traj, "forecast") == {2019: 14.0, 2020: 18.0}


def test_compound_path_grows_by_a_constant_rate():
    traj = trajectories(pd.DataFrame([status_row(path="compound", goal=40.0, target_value=40.0)]),
                        obs([("甲", "ind", 2018, 10)]), 2019)
    assert series(traj, "path") == pytest.approx({2018: 10.0, 2019: 20.0, 2020: 40.0})


def test_cumulative_actuals_are_running_sums_from_the_start_year():
    row = status_row(kind="cumulative", start_year=2019, baseline=0.0, goal=10.0, target_value=10.0, actual=7.0,
                     actual_year=2020, forecast=np.nan)
    traj = trajectories(pd.DataFrame([row]), obs([("甲", "ind", y, v) for y, v in
                                                  ((2017, 9), (2018, 9), (2019, 3), (2020, 4))]), 2020)
    assert series(traj, "actual") == {2019: 3.0, 2020: 7.0}
    assert series(traj, "path") == {2018: 0.0, 2019: 5.0, 2020: 10.0}


def test_annual_target_is_drawn_for_every_year_of_the_period():
    row = status_row(kind="annual", start_year=2019, goal=5.0, target_value=5.0)
    traj = trajectories(pd.DataFrame([row]), obs([("甲", "ind", 2019, 4)]), 2019)
    assert series(traj, "target") == {2019: 5.0, 2020: 5.0}
    assert series(traj, "path") == {}


def test_relative_series_are_indexed_to_the_base_year_for_both_regions():
    row = status_row(kind="relative", comparator=">", benchmark="省", goal=np.nan, target_value=0.0)
    traj = trajectories(pd.DataFrame([row]), obs([("甲", "ind", 2018, 50), ("甲", "ind", 2019, 60),
                                                  ("省", "ind", 2018, 200), ("省", "ind", 2019, 210)]), 2019)
    assert series(traj, "actual") == pytest.approx({2018: 100.0, 2019: 120.0})
    assert series(traj, "benchmark") == pytest.approx({2018: 100.0, 2019: 105.0})
    assert series(traj, "target") == {}


def test_baseline_already_beyond_a_lower_is_better_goal_draws_no_path():
    row = status_row(comparator="<=", baseline=5.0, goal=10.0, target_value=10.0)
    traj = trajectories(pd.DataFrame([row]), obs([("甲", "ind", 2018, 5)]), 2019)
    assert series(traj, "path") == {}


def test_observations_after_the_as_of_year_are_not_drawn():
    traj = trajectories(pd.DataFrame([status_row()]), obs([("甲", "ind", 2018, 10), ("甲", "ind", 2020, 30)]), 2019)
    assert max(series(traj, "actual")) == 2018


@pytest.mark.parametrize("year", [2019, 2020])
def test_path_passes_through_the_engines_expected_value(builtin, year):
    """The drawn path and the engine's `expected` are the same formula: equal at the latest whole year. (A judged
    target has no `expected`: the engine is asked for its pace here by judging nothing yet.)"""
    status = engine_status(builtin, year, years_after_due=100)
    traj = trajectories(status, builtin["observations"], year)
    path = traj.loc[traj["series"] == "path"].set_index(["code", "year"])["value"]
    checked = 0
    for _, row in status.loc[status["kind"].isin(["level", "cumulative"]) & status["actual"].notna()].iterrows():
        key = (row["code"], int(row["actual_year"]))
        if key in path.index and row["actual_quarter"] == 0:
            assert path[key] == pytest.approx(row["expected"]), row["code"]
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("year", [2019, 2020])
def test_last_actual_point_is_the_engines_actual(builtin, year):
    status = engine_status(builtin, year)
    traj = trajectories(status, builtin["observations"], year)
    last = traj.loc[traj["series"] == "actual"].groupby("code").last()
    plain = status.loc[status["kind"].isin(["level", "cumulative", "annual", "milestone"]) & status["actual"].notna()]
    actual = traj.loc[traj["series"] == "actual"].set_index(["code", "year"])["value"]
    for _, row in plain.iterrows():
        if row["judged"]:  # judged on the due year's value: a point of the line, later years may follow it
            assert actual[(row["code"], row["actual_year"])] == pytest.approx(row["actual"]), row["code"]
            continue
        assert last.loc[row["code"], "value"] == pytest.approx(row["actual"]), row["code"]
        assert last.loc[row["code"], "year"] == row["actual_year"]


# ---------------------------------------------------------------- summary

def small_status(statuses: list[str], areas: list[str] | None = None, ratios: list[float] | None = None):
    n = len(statuses)
    return pd.DataFrame({
        "code": [f"C{i:02d}" for i in range(n)], "status": statuses,
        "status_order": [labels.STATUS_BY_KEY[s].order for s in statuses],
        "area": areas or ["企业"] * n, "ratio": ratios if ratios is not None else [np.nan] * n,
        "headline": [True] + [False] * (n - 1), "actual": np.arange(n, dtype=float) + 10,
    })


def test_status_counts_lists_every_status_best_first():
    counts = status_counts(small_status(["met", "met", "reverse"]))
    assert list(counts["status"]) == KEYS
    assert dict(zip(counts["status"], counts["n"])) == {**{k: 0 for k in KEYS}, "met": 2, "reverse": 1}


def test_needs_attention_is_furthest_behind_first_then_stale():
    s = small_status(["off_track", "stale", "reverse", "met", "off_track"], ratios=[0.5, np.nan, -0.2, 1.2, 0.1])
    assert list(needs_attention(s)["code"]) == ["C02", "C04", "C00", "C01"]


def test_needs_attention_orders_verdicts_by_attainment():
    """Judged rows have no ratio: 未完成 at 50 % before 未完成 at 90 %, then 无期末数据 (no attainment)."""
    s = small_status(["unmet", "no_final_data", "unmet"]).assign(attainment=[0.9, np.nan, 0.5])
    assert list(needs_attention(s)["code"]) == ["C02", "C00", "C01"]


def test_headline_cards_carry_the_change_since_last_year():
    s = small_status(["met", "on_track"])
    changes = pd.DataFrame({"code": ["C00", "C01"], "status_before": ["on_track", "on_track"],
                            "actual_before": [7.0, 1.0]})
    cards = headline_cards(s, changes)
    assert list(cards["code"]) == ["C00"] and cards.loc[0, "change"] == 3.0


def test_moved_since_keeps_moves_and_new_values_improvements_first():
    changes = pd.DataFrame({"code": ["A", "B", "C", "D"], "direction": ["same", "down", "up", "same"],
                            "value_added": [False, False, False, True]})
    assert list(moved_since(changes)["code"]) == ["C", "B", "D"]
    verdict = pd.concat([changes, pd.DataFrame({"code": ["E"], "direction": ["judged"], "value_added": [False]})])
    assert list(moved_since(verdict)["code"]) == ["E", "C", "B", "D"]  # 到期判定 first


def test_filter_ledger_by_unit_and_status(builtin):
    units = builtin["task_units"]
    ledger = units[["policy", "clause"]].drop_duplicates().assign(status="done").reset_index(drop=True)
    ledger.loc[::2, "status"] = "overdue"
    unit = units["department"].iloc[0]
    led = set(units.loc[units["department"] == unit, "clause"])
    assert set(filter_ledger(ledger, units, [unit])["clause"]) == led
    assert (filter_ledger(ledger, units, None, ["overdue"])["status"] == "overdue").all()
    assert len(filter_ledger(ledger, units)) == len(ledger)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(KEYS), min_size=1, max_size=40), st.data())
def test_summaries_account_for_every_target(statuses, data):
    areas = data.draw(st.lists(st.sampled_from(labels.AREAS), min_size=len(statuses), max_size=len(statuses)))
    ratios = data.draw(st.lists(st.floats(-2, 2) | st.just(np.nan), min_size=len(statuses), max_size=len(statuses)))
    s = small_status(statuses, areas, ratios)
    assert status_counts(s)["n"].sum() == len(s)
    areas = area_counts(s.assign(judged=False))
    assert areas["n_targets"].sum() == len(s)
    attention = needs_attention(s)
    assert len(attention) == sum(k in labels.ATTENTION_STATUSES for k in statuses)
    shuffled = s.sample(frac=1, random_state=1)
    assert list(needs_attention(shuffled)["code"]) == list(attention["code"])


# ---------------------------------------------------------------- compare

def rel_status(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"region": r, "code": c, "kind": "relative", "indicator": c.lower(), "indicator_name": c,
                          "benchmark": "省", "actual_year": 2020, "region_growth": g, "benchmark_growth": 0.1,
                          "margin_pp": (g - 0.1) * 100, "region_growth_avg": g, "benchmark_growth_avg": 0.1,
                          "status": "met"} for r, c, g in rows])


def _peer_case():
    relative = pd.DataFrame({"code": ["R1", "R2"], "indicator": ["i1", "i2"], "indicator_name": ["一", "二"],
                             "actual_year": [2019.0, 2019.0]})
    growth = pd.DataFrame({"region": ["甲", "乙", "丙", "丁", "乙", "甲", "省"],
                           "indicator": ["i1", "i1", "i1", "i1", "i2", "i1", "i1"],
                           "year": [2019, 2019, 2019, 2018, 2019, 2018, 2019],
                           "growth": [0.3, 0.5, 0.1, 0.9, 0.2, 0.8, 0.7]})
    return relative, growth


def test_rank_among_peers_one_is_fastest_in_the_judged_year():
    relative, growth = _peer_case()
    standing = peer_growth(relative, growth, ["甲", "乙", "丙", "丁"])
    # 丁 has only 2018 and 省 is not a peer: R1 ranks 乙 0.5, 甲 0.3, 丙 0.1
    assert list(standing.loc[standing["code"] == "R1", "region"]) == ["乙", "甲", "丙"]
    ranks = regional_rank(relative, standing, "甲").set_index("code")
    assert ranks.loc["R1", "rank"] == 2 and ranks.loc["R1", "n_ranked"] == 3
    assert np.isnan(ranks.loc["R2", "rank"]) and ranks.loc["R2", "n_ranked"] == 1
    assert ranks["n_peers"].to_dict() == {"R1": 2, "R2": 1}


def test_a_region_without_a_peer_with_data_has_no_rank():
    """Only 甲 has 2019 growth among its level: 无同级可比地区 — rank NaN, n_ranked 0, n_peers 0 (not 第 1 位 / 1),
    however slow it grew."""
    relative, growth = _peer_case()
    standing = peer_growth(relative, growth.assign(growth=-0.208), ["甲", "丁"])
    ranks = regional_rank(relative, standing, "甲").set_index("code")
    assert np.isnan(ranks.loc["R1", "rank"]) and ranks.loc["R1", "n_ranked"] == 0 and ranks.loc["R1", "n_peers"] == 0


def test_top_and_bottom_list_each_peer_once():
    relative, growth = _peer_case()
    ends = top_and_bottom(peer_growth(relative, growth, ["甲", "乙", "丙"]), n=2)
    r1 = ends.loc[ends["code"] == "R1"]
    assert list(r1["region"]) == ["乙", "甲", "丙"] and list(r1["end"]) == ["top", "top", "bottom"]


def test_growth_side_by_side_and_long_form():
    s = rel_status([("甲", "R1", 0.3), ("省", "R1", 0.1), ("乙", "R1", np.nan)])
    side = growth_side_by_side(s, ["甲", "乙", "省"])
    assert side.loc[0, "growth::甲"] == 0.3 and side.loc[0, "growth::省"] == 0.1
    long = long_growth(side, ["甲", "乙", "省"])
    assert list(long["region"]) == ["甲", "省"]      # 乙 has no growth value at all


def test_regions_to_compare_walks_up_to_the_benchmark(builtin):
    regions = builtin["regions"]
    assert regions_to_compare(regions, "长垣市", "河南省") == ["长垣市", "新乡市", "河南省"]
    assert regions_to_compare(regions, "河南省", "河南省") == ["河南省"]
    assert "长垣市" in peer_regions(regions, "长垣市") and "河南省" not in peer_regions(regions, "长垣市")


# ---------------------------------------------------------------- quality

def test_quality_findings_flags_each_issue():
    targets = pd.DataFrame({"code": ["A1", "A2", "B1", "C1"], "indicator": ["a", "a", "b", "c"],
                            "indicator_name": ["甲", "甲", "乙", "丙"], "area": "企业", "unit": "家"})
    observations = pd.DataFrame({"region": "长垣市", "indicator": ["a", "a", "b", "b"], "year": [2019, 2020, 2019, 2021],
                                 "value": 1.0, "is_sample": [True, False, False, False],
                                 "source": ["示例", "公报", "", "公报"], "quarter": 0})
    status = pd.DataFrame({"region": "长垣市", "indicator": ["a", "a", "b", "c"], "status": ["met", "met", "stale",
                                                                                          "no_data"]})
    found = quality_findings(targets, observations, status, "长垣市", 2020).set_index("indicator")
    assert found.loc["a", "codes"] == "A1、A2" and found.loc["a", "n_values"] == 2
    assert found.loc["a", "sample"] and not found.loc["a", "no_source"] and not found.loc["a", "stale"]
    assert found.loc["b", "no_source"] and found.loc["b", "stale"] and found.loc["b", "latest_year"] == 2019
    assert found.loc["c", "no_data"] and found.loc["c", "n_values"] == 0
    assert issue_counts(found.reset_index()) == {"no_data": 1, "stale": 1, "sample": 1, "no_source": 1}


def test_several_periods_in_one_pass_equal_one_pass_each(builtin):
    """metrics.status.target_status_at (the band history's four quarter ends at once) gives, for every period,
    exactly target_status's frame for that period, in the order the periods are given."""
    targets = builtin["targets"]
    periods = [(2020, 1), (2020, 2), (2020, 3), (2020, 0), (2017, 0)]
    regions = ["长垣市", "河南省"]
    both = target_status_at(targets, builtin["observations"], periods, catalogue.load_settings(), regions=regions)
    assert list(dict.fromkeys(zip(both["as_of_year"], both["as_of_quarter"]))) == periods
    for (year, quarter), part in both.groupby(["as_of_year", "as_of_quarter"], sort=False):
        one = target_status(targets, builtin["observations"], year, quarter, catalogue.load_settings(),
                            regions=regions)
        assert len(one) > 0
        pd.testing.assert_frame_equal(part.reset_index(drop=True), one)
