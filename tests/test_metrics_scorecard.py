"""Task ledger, department scorecard and status changes, computed by hand."""
from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from metrics.changes import change_counts, status_changes
from metrics.scorecard import department_scorecard, task_ledger
from tests.metrics_helpers import SETTINGS
from vocab import labels

SC = SETTINGS["scorecard"]
P, T = SC["status_points"], SC["task_points"]
LEAD, SHARED = SC["lead_weight"], SC["shared_weight"]


def tasks() -> pd.DataFrame:
    return pd.DataFrame({"policy": "P", "clause": ["t1", "t2", "t3"], "title": ["一", "二", "三"],
                         "due_date": [dt.date(2020, 12, 31), dt.date(2020, 12, 31), dt.date(2020, 6, 30)]})


def progress() -> pd.DataFrame:
    return pd.DataFrame({
        "policy": "P", "clause": ["t1", "t1", "t3"], "id": [1, 2, 3],
        "status": ["in_progress", "done", "in_progress"], "progress": ["推进中", "已完成", "推进中"],
        "evidence": ["", "总结", ""], "reported_on": [dt.date(2020, 6, 30), dt.date(2020, 11, 30), dt.date(2020, 3, 1)],
        "reported_by": "甲局", "is_sample": [False, True, False]})


@pytest.mark.parametrize("as_of, expected", [
    (dt.date(2020, 5, 1), ["not_started", "not_started", "in_progress"]),  # t1 first reported in June
    ("2020-09-30", ["in_progress", "not_started", "overdue"]),   # t3 past due; t1's later update not yet made
    # a year = its 31 December: the due date of t1/t2, not yet overdue on that day (overdue from 1 January)
    (2020, ["done", "not_started", "overdue"]),
    (dt.date(2021, 1, 1), ["done", "overdue", "overdue"]),
    ("2020-06-30", ["in_progress", "not_started", "in_progress"]),  # t3 due 30 June: not overdue on 30 June
    ("2020-07-01", ["in_progress", "not_started", "overdue"]),      # … overdue from 1 July
])
def test_task_ledger_status(as_of, expected):
    led = task_ledger(tasks(), progress(), as_of)
    assert list(led["status"]) == expected
    assert list(led["status_label"]) == [labels.TASK_STATUSES[s] for s in expected]


def test_task_ledger_keeps_the_latest_update_on_or_before_as_of():
    led = task_ledger(tasks(), progress(), "2020-12-01").set_index("clause")
    assert led.loc["t1", "progress"] == "已完成" and led.loc["t1", "updates"] == 2 and led.loc["t1", "is_sample"]
    assert led.loc["t2", "progress"] == "" and led.loc["t2", "updates"] == 0


def task_units() -> pd.DataFrame:
    return pd.DataFrame({"policy": "P", "clause": ["t1", "t1", "t1"], "role": ["lead", "responsible", "responsible"],
                         "department": ["甲局", "丙局", "市直有关部门"], "display_name": ["甲局", "丙局", "各有关部门"],
                         "collective": [False, False, True]})


def status() -> pd.DataFrame:
    return pd.DataFrame({"code": ["X1", "X2"], "status": ["met", "off_track"], "is_sample": [False, False],
                         "lead_units": ["甲局", "乙局"], "responsible_units": ["乙局", ""]})


def with_rule(**kw) -> dict:
    s = copy.deepcopy(SETTINGS)
    s["scorecard"].update(kw)
    return s


ALL_RANKED = with_rule(min_assessed_items=0)  # the small fixture: every unit has one or two items


def card(settings=ALL_RANKED) -> pd.DataFrame:
    ledger = task_ledger(tasks(), progress(), "2020-12-01")  # t1 done
    return department_scorecard(status(), ledger, task_units(), settings).set_index("unit")


def test_scores_are_weighted_points():
    c = card()
    assert c.loc["甲局", "score"] == pytest.approx((LEAD * P["met"] + LEAD * T["done"]) / (2 * LEAD))
    assert c.loc["乙局", "score"] == pytest.approx((SHARED * P["met"] + LEAD * P["off_track"]) / (SHARED + LEAD))
    assert c.loc["丙局", "score"] == pytest.approx(T["done"])
    assert c.loc["甲局", ["targets_led", "targets_shared", "tasks_led", "tasks_shared"]].tolist() == [1, 0, 1, 0]
    assert c.loc["乙局", ["targets_led", "targets_shared", "targets_met", "targets_off_track"]].tolist() == [1, 1, 1, 1]
    assert c.loc["丙局", "tasks_done"] == 1


def test_rank_and_collective_units():
    c = card()
    assert c.loc["甲局", "rank"] == 1 and c.loc["丙局", "rank"] == 1 and c.loc["乙局", "rank"] == 3
    assert c.loc["市直有关部门", "collective"] and pd.isna(c.loc["市直有关部门", "rank"])
    assert c.loc["市直有关部门", "group"] == ""


def test_units_with_too_few_assessed_items_are_not_ranked():
    c = card(with_rule(min_assessed_items=2))
    assert c.loc["甲局", "assessed"] == 2 and c.loc["甲局", "rank"] == 1
    assert c.loc["丙局", "assessed"] == 1 and pd.isna(c.loc["丙局", "rank"]) and c.loc["丙局", "group"] == ""
    assert not c.loc["丙局", "ranked"]


def test_missing_data_is_not_a_verdict():
    """Targets without data and tasks never reported do not count: nobody is criticised for an empty database."""
    st = status().assign(status="no_data")
    ledger = task_ledger(tasks(), progress().iloc[0:0], 2021)  # no reports: all overdue, but none reported
    c = department_scorecard(st, ledger, task_units(), with_rule(min_assessed_items=1)).set_index("unit")
    assert (c["assessed"] == 0).all() and (c["group"] == "").all() and c["rank"].isna().all()


def test_top_bottom_groups_respect_the_score_floors():
    c = card(with_rule(rule="top_bottom", praise_top_n=1, criticise_bottom_n=1, praise_min_score=80,
                       criticise_max_score=60, min_assessed_items=0))
    assert c.loc["甲局", "group"] == labels.PRAISE and c.loc["丙局", "group"] == labels.PRAISE  # tied first
    expected_b = labels.CRITICISE if c.loc["乙局", "score"] <= 60 else ""
    assert c.loc["乙局", "group"] == expected_b
    nobody = card(with_rule(rule="top_bottom", praise_top_n=1, criticise_bottom_n=1, praise_min_score=101,
                            criticise_max_score=-1, min_assessed_items=0))
    assert (nobody["group"] == "").all()


def test_threshold_rule():
    c = card(with_rule(rule="thresholds", praise_min_score=100, criticise_max_score=99, min_assessed_items=0))
    assert c.loc["甲局", "group"] == labels.PRAISE and c.loc["乙局", "group"] == labels.CRITICISE


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="rule"):
        card(with_rule(rule="lottery", min_assessed_items=0))


# (milestone deductions and the score's parts: tests/test_metrics_deductions.py)


# ------------------------------------------------------------------ status changes

def frame(rows) -> pd.DataFrame:
    order = {s.key: s.order for s in labels.STATUSES}
    df = pd.DataFrame(rows, columns=["code", "status", "actual"])
    return df.assign(policy="P", region="甲县", indicator_name=df["code"] + "指标", status_order=df["status"].map(order))


def test_status_changes_directions():
    before = frame([("A", "met", 10), ("B", "on_track", 5), ("C", "no_data", np.nan), ("D", "moderate", 3)])
    after = frame([("A", "met", 11), ("B", "moderate", 5), ("C", "on_track", 7), ("E", "met", 1)])
    ch = status_changes(before, after).set_index("code")
    assert ch["direction"].to_dict() == {"A": "same", "B": "down", "C": "up", "E": "new", "D": "gone"}
    assert list(ch.index) == ["A", "B", "C", "E", "D"]  # the after frame's order, then what is gone
    assert ch["value_added"].to_dict() == {"A": False, "B": False, "C": True, "E": True, "D": False}
    assert ch.loc["B", "status_label_after"] == "略有滞后" and ch.loc["E", "status_before"] == ""
    assert ch.loc["A", "actual_before"] == 10 and ch.loc["A", "actual_after"] == 11


def test_a_due_year_verdict_is_not_an_improvement_or_a_decline():
    """B was 略有滞后 a year ahead and is 未完成 at its due year: direction "judged" (到期判定), its status move
    "down" kept apart; A was judged before and after: its move is an ordinary one. Counts add up to the rows."""
    before = frame([("A", "unmet", 8), ("B", "moderate", 5), ("C", "on_track", 5)]).assign(judged=[True, False, False])
    after = frame([("A", "met", 10), ("B", "unmet", 6), ("C", "on_track", 6)]).assign(judged=[True, True, False])
    ch = status_changes(before, after).set_index("code")
    assert ch["direction"].to_dict() == {"A": "up", "B": "judged", "C": "same"}
    assert ch["status_move"].to_dict() == {"A": "up", "B": "down", "C": "same"}
    counts = change_counts(ch)
    assert counts["judged"] == 1 and counts["up"] == 1 and counts["down"] == 0
    assert sum(counts[k] for k in ("judged", "up", "down", "same", "new", "gone")) == len(ch)


def test_a_snapshot_without_the_judged_column_reads_its_verdicts_from_the_status():
    """A meeting snapshot stores no `judged`: 略有滞后 was surely ahead of its due year (B: a new verdict); 已完成 and
    未完成 may have been verdicts already (A, C: ordinary moves, never called a new verdict)."""
    before = frame([("A", "unmet", 8), ("B", "moderate", 5), ("C", "met", 9)])
    after = frame([("A", "unmet", 8), ("B", "unmet", 6), ("C", "unmet", 7)]).assign(judged=True)
    assert status_changes(before, after).set_index("code")["direction"].to_dict() == {
        "A": "same", "B": "judged", "C": "down"}

