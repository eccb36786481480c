"""Every policy side by side (views.portfolio) and an indicator shared by two policies: the list's states, review
points and counts; the other policy's targets on one series (the chart has both); what carries over into the
successor; and the pieces a policy other than the seed needed (the sidebar's default year, growth ranking without
growth targets, a cagr target's level on the chart)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.compare import peer_growth
from metrics.standing import policy_standing
from metrics.trajectory import trajectories
from store import catalogue
from tests.helpers import engine_at
from tests.portfolio_db import CODE, SEED, SHORT_TITLE, with_imported_policy
from ui import charts
from views import policy as views
from views import portfolio
from views.target_words import target_words

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def frames(template_db, tmp_path_factory) -> views.Frames:
    path = with_imported_policy(template_db, tmp_path_factory.mktemp("portfolio") / "tracker.sqlite")
    with engine_at(path) as eng:
        return views.load_frames(eng)


@pytest.fixture(scope="module")
def settings() -> dict:
    return catalogue.load_settings()


def status_of(frames, settings, policy, year):
    return views.policy_status(frames, settings, policy, "长垣市", year)


def row_of(status: pd.DataFrame, code: str) -> dict:
    return status.loc[status["code"] == code].iloc[0].to_dict()


# ------------------------------------------------------------------ state and review point

@pytest.mark.parametrize(("today", "state"), [
    (date(2025, 12, 31), "pending"),    # before 1 January of the start year
    (date(2026, 1, 1), "running"),      # the first day of the period
    (date(2030, 12, 31), "running"),    # its last day
    (date(2031, 1, 1), "over"),         # the day after
])
def test_a_policy_state_is_read_off_the_date(today, state):
    assert portfolio.policy_state({"start_year": 2026, "end_year": 2030}, today) == state


def test_a_running_policy_without_data_opens_on_this_year_not_its_end_year(frames):
    # 长垣市 has no value of a 十五五 indicator since its base year 2025: before, the default was the end year
    # 2030, which judged every target (无期末数据) four years early
    years, default = views.as_of_years(frames, CODE, "长垣市", 2026)
    assert years == [2026, 2027, 2028, 2029, 2030]
    assert default == 2026
    assert views.as_of_years(frames, CODE, "长垣市", 2024)[1] == 2026    # not started: its first year
    assert views.as_of_years(frames, CODE, "长垣市", 2033)[1] == 2030    # over without data: its last year


def test_the_list_has_one_line_per_policy_latest_start_first(frames, settings):
    rows = portfolio.portfolio(lambda code: frames, frames, settings, TODAY)
    assert list(rows["code"]) == [CODE, SEED]
    assert list(rows["state_label"]) == ["实施中", "已结束"]
    assert list(rows["period"]) == ["2026—2030年", "2019—2020年"]
    seed, new = rows.set_index("code").loc[SEED], rows.set_index("code").loc[CODE]
    # over: read at its end year and on its last day; running: the latest year with data (none: this year), today
    assert (seed["as_of_year"], seed["tasks_on"]) == (2020, date(2021, 1, 1))   # the day after the period
    assert (new["as_of_year"], new["tasks_on"]) == (2026, TODAY)


def test_the_counts_add_up_and_agree_with_the_policy_standing(frames, settings):
    rows = portfolio.portfolio(lambda code: frames, frames, settings, TODAY).set_index("code")
    for code, year, day in ((SEED, 2020, "2021-01-01"), (CODE, 2026, TODAY.isoformat())):
        r = rows.loc[code]
        assert r["targets"] == r["met"] + r["unmet"] + r["no_final_data"] + r["in_progress"]
        status = status_of(frames, settings, code, year)
        ledger = views.policy_ledger(frames, code, pd.Timestamp(day))
        s = policy_standing(status, ledger, views.policy_row(frames, code), year)
        assert (r["met"], r["unmet"], r["in_progress"], r["tasks_done"], r["tasks_overdue"]) == (
            s.met, s.unmet, s.in_progress, s.tasks_done, s.tasks_overdue)
    seed, new = rows.loc[SEED], rows.loc[CODE]
    assert (seed["targets"], seed["tasks"], seed["in_progress"]) == (53, 41, 0)   # over: every target judged
    assert (new["targets"], new["tasks"], new["unmet"], new["no_final_data"]) == (20, 22, 0, 0)  # nothing due yet
    # 十五五 tasks by 2026-12-06: row 20 (due 2026-06-30, no report) is overdue; row 22 is due 2026-12-31, not yet
    assert new["tasks_overdue"] == 1


def test_a_policy_not_started_counts_nothing_overdue(frames, settings):
    entry = portfolio.policy_entry(frames, settings, CODE, date(2025, 6, 1))
    assert entry["state"] == "pending" and entry["as_of_year"] == 2025 and entry["tasks_overdue"] == 0
    assert entry["unmet"] == entry["no_final_data"] == 0


# ------------------------------------------------------------------ one series, every policy's target

def test_the_other_policys_targets_on_a_shared_indicator(frames, settings):
    later = status_of(frames, settings, CODE, 2026)
    seed = status_of(frames, settings, SEED, 2026)
    assert portfolio.policies_sharing(frames, CODE, "hte_count") == [SEED]
    others = portfolio.other_targets(row_of(later, "2-1"), [seed], frames["policies"]).set_index("code")
    assert list(others.index) == ["E01", "G02", "R03"]            # by due year: 2019, 2020, 2020
    assert others.loc["G02", "label"] == "创新驱动提速增效工程 ≥100家（2020年底）"
    assert others.loc["G02", "verdict"] == target_words(row_of(seed, "G02")).verdict   # the seed's own verdict
    assert others.loc["G02", "value"] == 100
    assert list(others["drawable"]) == [True, True, False]         # R03 is a growth margin, not a level
    back = portfolio.other_targets(row_of(seed, "G02"), [status_of(frames, settings, CODE, 2020)],
                                   frames["policies"])
    assert back[["code", "label", "value"]].to_dict("records") == [
        {"code": "2-1", "label": f"{SHORT_TITLE} ≥200家（2030年底）", "value": 200.0}]
    assert back["verdict"].iloc[0] == ""      # at 2020 the 十五五 policy has not started: no status to show


def test_the_shared_indicator_chart_draws_both_policies_targets_on_one_series(frames, settings):
    later = status_of(frames, settings, CODE, 2026)
    seed = status_of(frames, settings, SEED, 2026)
    row = row_of(seed, "G02")
    others = portfolio.other_targets(row, [later], frames["policies"])
    traj = portfolio.shared_series(seed.loc[seed["code"] == "G02"], frames["observations"], 2026, others)
    fig = charts.trajectory_figure(traj, pd.Series(row), others=others)
    by_name = {t.name: t for t in fig.data}
    own, other = by_name["目标值"], by_name[f"{SHORT_TITLE} 2-1"]
    assert (list(own.x), list(own.y)) == (["2020"], [100.0])
    assert (list(other.x), list(other.y)) == (["2030"], [200.0])
    assert other.text[0] == f"{SHORT_TITLE} ≥200家（2030年底）"
    actual = by_name["实际值"]
    assert "2018" in actual.x and "2020" in actual.x              # one series: the same values on both charts
    years = list(fig.layout.xaxis.categoryarray)
    assert years == [str(y) for y in range(int(years[0]), 2031)]  # every year up to the later due year


def test_the_later_policy_chart_reaches_back_to_the_shared_series(frames, settings):
    later = status_of(frames, settings, CODE, 2026)
    row = row_of(later, "2-1")
    others = portfolio.other_targets(row, [status_of(frames, settings, SEED, 2026)], frames["policies"])
    own_only = trajectories(later.loc[later["code"] == "2-1"], frames["observations"], 2026)
    shared = portfolio.shared_series(later.loc[later["code"] == "2-1"], frames["observations"], 2026, others)
    actual = shared.loc[shared["series"] == "actual", "year"]
    assert own_only.loc[own_only["series"] == "actual"].empty     # from 2023 on, 长垣市 has no value yet
    assert actual.min() <= 2016 and actual.max() == 2020           # from the seed's base year 2018 less two
    fig = charts.trajectory_figure(shared, pd.Series(row), others=others)
    names = [t.name for t in fig.data]
    assert {"创新驱动提速增效工程 E01", "创新驱动提速增效工程 G02"} <= set(names)
    assert "创新驱动提速增效工程 R03" not in names                 # a growth margin is named, not drawn


# ------------------------------------------------------------------ what carries over

def test_what_carries_over_into_the_later_policy(frames, settings):
    assert portfolio.later_policies(frames, SEED) == [CODE]
    assert portfolio.later_policies(frames, CODE) == []
    seed = status_of(frames, settings, SEED, 2020)
    later = [status_of(frames, settings, c, 2020) for c in portfolio.later_policies(frames, SEED)]
    carried = portfolio.carried_over(seed, later, frames["policies"]).set_index("code")
    assert carried.loc["G01", "successor_target"] == "≥3.2%（2030年底）"
    assert carried.loc["G02", "successor_target"] == "≥200家（2030年底）"
    assert carried.loc["G02", "successor_doc"] == "长政〔2026〕5号"
    assert carried.loc["G02", "verdict"] == target_words(row_of(seed, "G02")).verdict
    assert "G03" not in carried.index   # an indicator the 十五五 table does not name


# ------------------------------------------------------------------ what a policy other than the seed needed

def test_growth_ranking_without_growth_targets_is_empty_not_an_error():
    relative = pd.DataFrame({"code": pd.Series(dtype=str), "indicator": pd.Series(dtype=str),
                             "indicator_name": pd.Series(dtype=str), "actual_year": pd.Series(dtype=float)})
    growth = pd.DataFrame({"region": [], "indicator": [], "year": [], "growth": []})   # no rows read: float columns
    assert peer_growth(relative, growth, ["长垣市"]).empty


def test_a_cagr_target_stands_on_its_indicators_axis(frames, settings):
    # 13-1 地区生产总值年均增长7%以上 by 2030: baseline = the latest value before the base year 2025, the
    # published 2024 GDP; the marker is that value grown 7% a year for 2030 − 2024 = 6 years
    later = status_of(frames, settings, CODE, 2026)
    row = row_of(later, "13-1")
    assert row["baseline_year"] == 2024
    traj = trajectories(later.loc[later["code"] == "13-1"], frames["observations"], 2026)
    target = traj.loc[traj["series"] == "target"]
    assert list(target["year"]) == [2030]
    assert target["value"].iloc[0] == pytest.approx(row["baseline"] * 1.07 ** 6)
    path = traj.loc[traj["series"] == "path"].set_index("year")["value"]
    assert path[2024] == pytest.approx(row["baseline"])
    assert path[2027] == pytest.approx(row["baseline"] * 1.07 ** 3)   # compounding, not a straight line


def test_a_policy_name_is_text_on_the_chart_never_markup(frames, settings):
    seed = status_of(frames, settings, SEED, 2026)
    row = row_of(seed, "G02")
    policies = frames["policies"].assign(short_title=lambda p: p["short_title"].where(
        p["code"] != CODE, '<a href="http://x">点我</a><br>%{y}'))
    others = portfolio.other_targets(row, [status_of(frames, settings, CODE, 2026)], policies)
    traj = portfolio.shared_series(seed.loc[seed["code"] == "G02"], frames["observations"], 2026, others)
    fig = charts.trajectory_figure(traj, pd.Series(row), others=others)
    marker = next(t for t in fig.data if t.name.endswith(" 2-1"))
    assert "<a" not in marker.text[0] and "&lt;a href" in marker.text[0]
    assert "<a" not in marker.hovertemplate and "<br>" not in marker.name
    assert "%{y}" not in marker.hovertemplate.replace("<extra></extra>", "")
