"""The score's parts and its 督办 deductions (metrics.scorecard, metrics.deductions), computed by hand."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from metrics.deductions import DEDUCTION_COLUMNS, deduction_rules, milestone_deductions
from metrics.scorecard import department_scorecard, task_ledger
from tests.metrics_helpers import SETTINGS
from tests.test_metrics_scorecard import progress, status, task_units, tasks
from vocab import labels

RULES = {"total_cap": 10, "overdue_milestone": {"points": 1.0, "cap": 6},
         "late_milestone": {"points": 0.5, "cap": 3}, "extension": {"points": 0.5, "cap": 2}}


def settings(**deductions) -> dict:
    s = copy.deepcopy(SETTINGS)
    s["scorecard"].update(min_assessed_items=0, deductions={**RULES, **deductions})
    return s


def deadlines(*rows: tuple[str, str, int, bool]) -> pd.DataFrame:
    """(unit, state, approved extensions, is_sample) → milestone_deadlines rows (the columns the scorecard reads)."""
    return pd.DataFrame(rows, columns=["unit", "state", "extensions", "is_sample"])


def card(dl: pd.DataFrame | None, cfg: dict | None = None, st_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    ledger = task_ledger(tasks(), progress(), "2020-12-01")  # t1 done (a sample report)
    return department_scorecard(status() if st_frame is None else st_frame, ledger, task_units(),
                                cfg or settings(), deadlines=dl).set_index("unit")


def test_parts_add_up_to_the_score():
    # 乙局: X1 met shared (0.5 × 100) + X2 off_track led (1 × 25) = 75 over weight 1.5 → 50.0; no task
    # → target part 50.0, task part 0.0. 甲局: X1 met led (1 × 100) + t1 done led (1 × 100) = 200 over 2 → 100.0,
    # target part 100 ÷ 2 = 50.0, task part 100.0 − 50.0 = 50.0.
    c = card(None)
    assert c.loc["乙局", ["target_points", "task_points", "base_score", "deduction", "score"]].tolist() == \
        [50.0, 0.0, 50.0, 0.0, 50.0]
    assert c.loc["甲局", ["target_points", "task_points", "base_score", "score"]].tolist() == [50.0, 50.0, 100.0, 100.0]
    assert (c["targets_assessed"] + c["tasks_assessed"] == c["assessed"]).all()
    assert set(DEDUCTION_COLUMNS) <= set(c.columns) and (c["deduction"] == 0).all()


def test_a_score_is_rounded_once_and_its_parts_add_up_exactly():
    # 乙局 with X2 moderate instead: (0.5 × 100 + 1 × 60) ÷ 1.5 = 73.333… → 73.3; 丙局 is t1's shared unit:
    # 0.5 × 100 ÷ 0.5 = 100. Three targets for 戊局 (led): met, unmet, moderate = (100 + 30 + 60) ÷ 3 = 63.333…
    st_frame = pd.DataFrame({"code": ["X1", "X2", "X3", "X4", "X5"],
                             "status": ["met", "moderate", "met", "unmet", "moderate"], "is_sample": False,
                             "lead_units": ["甲局", "乙局", "戊局", "戊局", "戊局"],
                             "responsible_units": ["乙局", "", "", "", ""]})
    c = card(None, st_frame=st_frame)
    assert c.loc["乙局", "score"] == 73.3 and c.loc["戊局", "score"] == 63.3
    shown = c[["target_points", "task_points"]].sum(axis=1).round(labels.SCORE_DECIMALS)
    assert (shown == c["base_score"]).all()


def test_deductions_per_item_with_their_cases():
    # 甲局: one published milestone 已逾期 (1 × 1.0) and one 逾期完成 (1 × 0.5) = 1.5 points;
    # 乙局: two approved extensions on one milestone (2 × 0.5) = 1.0; 丙局: a *sample* milestone 已逾期 costs
    # nothing but is counted; 丁局 has no score row (ignored).
    c = card(deadlines(("甲局", "overdue", 0, False), ("甲局", "done_late", 0, False), ("乙局", "extended", 2, False),
                       ("乙局", "normal", 0, False), ("丙局", "overdue", 0, True), ("丁局", "overdue", 0, False)))
    assert c.loc["甲局", ["overdue_milestone_cases", "overdue_milestone_deduction", "late_milestone_cases",
                         "late_milestone_deduction", "deduction", "score"]].tolist() == [1, 1.0, 1, 0.5, 1.5, 98.5]
    assert c.loc["乙局", ["extensions", "extension_cases", "extension_deduction", "score"]].tolist() == \
        [2, 2, 1.0, 49.0]
    assert c.loc["丙局", ["milestones", "milestones_overdue", "milestones_sample", "overdue_milestone_cases",
                         "deduction", "score"]].tolist() == [1, 1, 1, 0, 0.0, 100.0]
    assert "丁局" not in c.index
    assert c.loc["丙局", "rank"] == 1 and c.loc["甲局", "rank"] == 2   # the ranking follows the deducted scores


def test_each_item_and_the_total_are_capped():
    # 甲局: 10 milestones 已逾期 × 1.0 = 10 → cap 6; 8 逾期完成 × 0.5 = 4 → cap 3; 6 extensions × 0.5 = 3 → cap 2;
    # 6 + 3 + 2 = 11 → total cap 10 → score 100 − 10 = 90
    rows = ([("甲局", "overdue", 0, False)] * 10 + [("甲局", "done_late", 0, False)] * 8
            + [("甲局", "extended", 1, False)] * 6)
    c = card(deadlines(*rows))
    assert c.loc["甲局", ["overdue_milestone_deduction", "late_milestone_deduction", "extension_deduction",
                         "deduction", "score"]].tolist() == [6.0, 3.0, 2.0, 10.0, 90.0]
    tight = card(deadlines(*rows), settings(total_cap=4))
    assert tight.loc["甲局", ["deduction", "score"]].tolist() == [4.0, 96.0]


def test_deductions_never_push_a_score_below_zero():
    # 乙局 with X2 reverse (0 points) shared-only X1 met: (0.5 × 100 + 1 × 0) ÷ 1.5 = 33.3; 50 overdue × 1 → cap
    # raised to 100 and total to 100: 50 points off → 0, not −16.7
    st_frame = status().assign(status=["met", "reverse"])
    c = card(deadlines(*[("乙局", "overdue", 0, False)] * 50),
             settings(total_cap=100, overdue_milestone={"points": 1.0, "cap": 100}), st_frame)
    assert c.loc["乙局", ["base_score", "deduction", "score"]].tolist() == [33.3, 50.0, 0.0]


def test_negative_settings_are_refused_with_their_name():
    with pytest.raises(ValueError, match=r"overdue_milestone.points"):
        deduction_rules({"overdue_milestone": {"points": -1, "cap": 5}})
    with pytest.raises(ValueError, match="total_cap"):
        deduction_rules({"total_cap": -1})


def test_without_settings_nothing_is_deducted():
    d = milestone_deductions(deadlines(("甲局", "overdue", 3, False)), pd.Index(["甲局"]), {})
    assert d.loc["甲局", "milestones_overdue"] == 1 and d.loc["甲局", "deduction"] == 0.0


def test_not_assessed_statuses_are_not_scored():
    # X2 without a value for its due year (无期末数据) counts like 无数据: 乙局 is scored on X1 alone (shared, met)
    for missing in ("no_data", "no_final_data"):
        c = card(None, st_frame=status().assign(status=["met", missing]))
        assert c.loc["乙局", ["targets_assessed", "score"]].tolist() == [1, 100.0]


def test_a_unit_on_sample_data_is_never_criticised():
    # 乙局 scores 50.0 (see above), last of three, under criticise_max_score 60 → 通报批评 on published data;
    # the same statuses resting on sample values: listed, ranked, scored, but not criticised — and nobody else is
    # criticised in its place (甲局 and 丙局 share first place at 100)
    cfg = settings()
    cfg["scorecard"].update(rule="top_bottom", criticise_bottom_n=1, criticise_max_score=60, praise_min_score=101)
    published = card(None, cfg)
    assert published.loc["乙局", "group"] == labels.CRITICISE and not published.loc["乙局", "is_sample"]
    sample = card(None, cfg, status().assign(is_sample=[True, True]))
    assert sample.loc["乙局", ["score", "rank", "is_sample", "group"]].tolist() == [50.0, 3, True, ""]
    assert (sample["group"] == "").all()


@hsettings(max_examples=15, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["甲局", "乙局", "丙局"]),
                               st.sampled_from(["overdue", "done_late", "done_on_time", "extended", "normal"]),
                               st.integers(0, 3)), min_size=1, max_size=12),
       flags=st.lists(st.booleans(), min_size=12, max_size=12))
def test_sample_milestones_never_cost_points(rows, flags):
    """Marking any milestones as sample never lowers a score, never changes a group to 通报批评, and the score
    with every milestone sample is the score without milestones."""
    cfg = settings()
    cfg["scorecard"].update(rule="thresholds", praise_min_score=99, criticise_max_score=99)
    published = card(deadlines(*[(u, s, e, False) for u, s, e in rows]), cfg).sort_index()
    mixed = card(deadlines(*[(u, s, e, f) for (u, s, e), f in zip(rows, flags)]), cfg).sort_index()
    sample = card(deadlines(*[(u, s, e, True) for u, s, e in rows]), cfg).sort_index()
    assert (mixed["score"] >= published["score"]).all()
    assert not ((mixed["group"] == labels.CRITICISE) & (published["group"] != labels.CRITICISE)).any()
    pd.testing.assert_series_equal(sample["score"], card(None, cfg).sort_index()["score"])
    assert np.allclose(published["deduction"], published[[c for c in published.columns
                                                         if c.endswith("_deduction")]].sum(axis=1).clip(upper=10))
