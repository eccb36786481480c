"""metrics.standing: where the policy stands (the overview's first screen), per-area counts, possible statuses —
hand-made frames with known answers, and the built-in data after its period."""
from __future__ import annotations

import pandas as pd
import pytest

import db
from metrics.scorecard import task_ledger
from metrics.standing import area_counts, policy_standing, possible_statuses
from metrics.status import target_status
from metrics.summary import status_counts
from store import catalogue
from vocab import labels

POLICY = {"code": "P", "start_year": 2019, "end_year": 2020}


def status(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """(area, status, judged) rows."""
    return pd.DataFrame(rows, columns=["area", "status", "judged"]).assign(is_sample=False)


def ledger(statuses: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"status": statuses, "is_sample": False})


MIX = status([("企业", "met", True), ("企业", "unmet", True), ("企业", "met", False), ("企业", "moderate", False),
              ("平台", "no_final_data", True), ("平台", "on_track", False)])


@pytest.mark.parametrize("year, quarter, over", [(2020, 0, True), (2020, 3, False), (2021, 0, True),
                                                 (2019, 0, False)])
def test_the_period_is_over_from_the_end_of_its_last_year(year, quarter, over):
    assert policy_standing(MIX, ledger([]), POLICY, year, quarter).period_over == over


def test_policy_standing_counts():
    """6 targets: met 2 (one ahead of its due year), unmet 1, no_final_data 1, in progress 2 (moderate, on_track);
    tasks: done 2, overdue 1, in progress 1, not started 1."""
    s = policy_standing(MIX, ledger(["done", "done", "overdue", "in_progress", "not_started"]), POLICY, 2020)
    assert (s.targets, s.judged, s.met, s.unmet, s.no_final_data, s.in_progress) == (6, 3, 2, 1, 1, 2)
    assert s.met + s.unmet + s.no_final_data + s.in_progress == s.targets
    assert (s.tasks, s.tasks_done, s.tasks_overdue, s.tasks_in_progress, s.tasks_not_started) == (5, 2, 1, 1, 1)
    assert not s.is_sample
    sample = policy_standing(MIX, ledger(["done"]).assign(is_sample=True), POLICY, 2020)
    assert sample.is_sample


def test_area_counts_count_instead_of_a_median():
    """企业: 2 of 4 met, 1 unmet, 1 in progress (the met one ahead of its due year counts as met); 人才: no targets."""
    out = area_counts(MIX).set_index("area")
    assert list(out.index) == list(labels.AREAS)
    e = out.loc["企业"]
    assert (e["n_targets"], e["n_met"], e["n_unmet"], e["n_in_progress"], e["n_judged"]) == (4, 2, 1, 1, 2)
    assert out.loc["平台", "n_no_final_data"] == 1 and out.loc["平台", "on_track"] == 1
    assert out.loc["人才"].drop("n_targets").sum() == 0 and out.loc["人才", "n_targets"] == 0


@pytest.mark.parametrize("judged, expected", [
    ([True, True], ["met", "unmet", "no_final_data"]),
    ([False], ["met", "on_track", "moderate", "off_track", "reverse", "stale", "no_data"]),
    ([True, False], [s.key for s in labels.STATUSES]),
    ([], []),
])
def test_possible_statuses(judged, expected):
    frame = status([("企业", "met", j) for j in judged])
    assert possible_statuses(frame) == expected
    assert list(status_counts(frame, possible_statuses(frame))["status"]) == expected


def test_builtin_data_after_the_period(template_db):
    """The built-in data at 2020: the period 2019—2020 is over, every target judged. Issue 17 read 27 met, 26 unmet
    with E01 (≥ 80 by 2019) and E02 (≥ 60 by 2019) met on 2020's values. On their 2019 values: E02 52 < 60 未完成;
    E01's sample 2019 value is 83 since the sample series was regenerated around the published 2018 count of 66
    (36, 49, 66, 83, 95), so E01 stays 已完成: 26 met, 27 unmet, none without final data. The status chart keeps
    three bars."""
    eng = db.make_engine(f"sqlite:///{template_db}")
    try:
        targets, obs = db.read_targets(eng), db.read_observations(eng)
        tasks, progress, policies = db.read_tasks(eng), db.read_progress(eng), db.read_policies(eng)
    finally:
        eng.dispose()
    st = target_status(targets, obs, 2020, 0, catalogue.load_settings())
    row = policies.iloc[0].to_dict()
    s = policy_standing(st, task_ledger(tasks, progress, 2020), row, 2020)
    assert s.period_over and s.targets == 53 and s.judged == 53
    assert (s.met, s.unmet, s.no_final_data, s.in_progress) == (26, 27, 0, 0)
    assert s.tasks == 41 and s.is_sample
    assert possible_statuses(st) == ["met", "unmet", "no_final_data"]
