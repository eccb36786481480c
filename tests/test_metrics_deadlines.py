"""metrics.deadlines: hand-computed states (with their derivation) and properties that hold for every input."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from metrics.deadlines import (
    DEADLINE_COLUMNS,
    attention,
    chase_counts,
    milestone_deadlines,
)
from vocab import labels

SETTINGS = {"supervision": {"warn_days": 3, "early_warn_days": 7}}
AS_OF = date(2020, 6, 27)


def milestones(*rows: dict) -> pd.DataFrame:
    base = {"policy": "P", "clause": "一", "task_title": "任务", "title": "节点", "units": ["科工信局"],
            "status": "in_progress", "evidence": "", "completed_on": None, "is_sample": False, "version": 1}
    out = []
    for i, r in enumerate(rows, start=1):
        row = {**base, "milestone_id": i, **r}
        row.setdefault("original_due_date", row["due_date"])
        out.append(row)
    return pd.DataFrame(out)


NO_CHASES = pd.DataFrame(columns=["chase_id", "milestone_id", "who", "at", "unit", "message"])
NO_EXTENSIONS = pd.DataFrame(columns=["request_id", "milestone_id", "state"])


def one(row: dict, chases=NO_CHASES, extensions=NO_EXTENSIONS, as_of=AS_OF) -> pd.Series:
    return milestone_deadlines(milestones(row), chases, extensions, as_of, SETTINGS).iloc[0]


@pytest.mark.parametrize("row, state, days_left, days_overdue", [
    # due 30 June, as of 27 June: 3 days left = warn_days → 临期
    ({"due_date": date(2020, 6, 30)}, "due_soon", 3, 0),
    # due today: 0 days left, still 临期 (not yet overdue)
    ({"due_date": date(2020, 6, 27)}, "due_soon", 0, 0),
    # 4 days left: beyond warn_days (3), within early_warn_days (7) → 预警
    ({"due_date": date(2020, 7, 1)}, "early_warning", 4, 0),
    # 7 days left: exactly early_warn_days → 预警
    ({"due_date": date(2020, 7, 4)}, "early_warning", 7, 0),
    # 8 days left → 正常
    ({"due_date": date(2020, 7, 5)}, "normal", 8, 0),
    # due 26 June, as of 27 June: 1 day overdue
    ({"due_date": date(2020, 6, 26)}, "overdue", 0, 1),
    # due 31 Dec 2019, as of 27 June 2020: 31 (Jan) + 29 (Feb) + 31 + 30 + 31 + 27 = 179 days overdue
    ({"due_date": date(2019, 12, 31)}, "overdue", 0, 179),
    # done before the due date → 按期完成 even when the due date has passed
    ({"due_date": date(2019, 12, 31), "status": "done", "completed_on": date(2019, 12, 24)}, "done_on_time", None, 0),
    # done on the due date → 按期完成
    ({"due_date": date(2019, 12, 31), "status": "done", "completed_on": date(2019, 12, 31)}, "done_on_time", None, 0),
    # done 10 days after the due date → 逾期完成
    ({"due_date": date(2019, 12, 31), "status": "done", "completed_on": date(2020, 1, 10)}, "done_late", None, 0),
])
def test_hand_computed_states(row, state, days_left, days_overdue):
    r = one(row)
    assert r["state"] == state
    assert (pd.isna(r["days_left"]) if days_left is None else r["days_left"] == days_left)
    assert r["days_overdue"] == days_overdue


def test_done_late_counts_days_late():
    r = one({"due_date": date(2019, 12, 31), "status": "done", "completed_on": date(2020, 1, 10)})
    assert r["days_late"] == 10


def test_approved_extension_keeps_the_original_date():
    ext = pd.DataFrame([{"request_id": 1, "milestone_id": 1, "state": "approved"}])
    r = one({"due_date": date(2020, 8, 31), "original_due_date": date(2020, 6, 30)}, extensions=ext)
    assert (r["state"], r["extended"], r["extensions"]) == ("extended", True, 1)
    assert r["original_due_date"] == pd.Timestamp(2020, 6, 30) and r["due_date"] == pd.Timestamp(2020, 8, 31)
    # the extended date itself can come near: 临期 wins, extended stays visible
    near = one({"due_date": date(2020, 6, 29), "original_due_date": date(2020, 6, 1)}, extensions=ext)
    assert (near["state"], near["extended"]) == ("due_soon", True)


def test_pending_or_refused_extension_does_not_extend():
    ext = pd.DataFrame([{"request_id": 1, "milestone_id": 1, "state": "forwarded"},
                        {"request_id": 2, "milestone_id": 1, "state": "rejected"}])
    r = one({"due_date": date(2020, 8, 31)}, extensions=ext)
    assert (r["state"], r["extended"], r["open_request"]) == ("normal", False, "forwarded")


def test_one_row_per_unit_and_chases_per_unit():
    at = datetime(2020, 6, 20, tzinfo=UTC)
    chases = pd.DataFrame([{"chase_id": 1, "milestone_id": 1, "who": "d", "at": at, "unit": "财政局", "message": ""},
                           {"chase_id": 2, "milestone_id": 1, "who": "d", "at": at + timedelta(days=2),
                            "unit": "财政局", "message": ""}])
    d = milestone_deadlines(milestones({"due_date": date(2020, 6, 1), "units": ["科工信局", "财政局"]}), chases,
                            NO_EXTENSIONS, AS_OF, SETTINGS)
    assert list(d.columns) == DEADLINE_COLUMNS
    by_unit = d.set_index("unit")
    assert by_unit.loc["财政局", "chases"] == 2 and by_unit.loc["科工信局", "chases"] == 0
    assert by_unit.loc["财政局", "last_chase_at"] == at + timedelta(days=2)
    assert chase_counts(d).set_index("unit")["chases"].to_dict() == {"科工信局": 0, "财政局": 2}


def test_attention_lists_overdue_first_then_nearest():
    d = milestone_deadlines(milestones({"due_date": date(2020, 7, 2)}, {"due_date": date(2020, 6, 28)},
                                       {"due_date": date(2020, 5, 1)}, {"due_date": date(2020, 6, 1)},
                                       {"due_date": date(2020, 9, 1)}), NO_CHASES, NO_EXTENSIONS, AS_OF, SETTINGS)
    assert list(attention(d)["milestone_id"]) == [3, 4, 2, 1]


def test_every_state_has_a_label_colour_and_icon():
    for s in labels.DEADLINE_STATES:
        assert s.label and s.colour.startswith("#") and s.icon
        assert labels.deadline_text(s.key) == f"{s.icon} {s.label}"


DAY = st.dates(min_value=date(2019, 1, 1), max_value=date(2021, 12, 31))


@st.composite
def milestone_rows(draw):
    due = draw(DAY)
    status = draw(st.sampled_from(["not_started", "in_progress", "done"]))
    completed = draw(DAY) if status == "done" else None
    return {"due_date": due, "status": status, "completed_on": completed,
            "units": draw(st.lists(st.sampled_from(["科工信局", "财政局", "组织部"]), min_size=1, max_size=3,
                                   unique=True))}


@hsettings(max_examples=150, deadline=None)
@given(rows=st.lists(milestone_rows(), min_size=1, max_size=8), as_of=DAY,
       approved=st.lists(st.booleans(), min_size=8, max_size=8),
       warn=st.integers(0, 5), extra=st.integers(0, 10))
def test_deadline_properties(rows, as_of, approved, warn, extra):
    ext = pd.DataFrame([{"request_id": i, "milestone_id": i, "state": "approved"}
                        for i in range(1, len(rows) + 1) if approved[i - 1]], columns=["request_id", "milestone_id",
                                                                                        "state"])
    cfg = {"supervision": {"warn_days": warn, "early_warn_days": warn + extra}}
    d = milestone_deadlines(milestones(*rows), NO_CHASES, ext, as_of, cfg)
    assert len(d) == sum(len(r["units"]) for r in rows)
    done = d["status"] == "done"
    # a done milestone is never overdue, near due or extended; a milestone not done is never "done"
    assert set(d.loc[done, "state"]) <= {"done_on_time", "done_late"}
    assert not set(d.loc[~done, "state"]) & {"done_on_time", "done_late"}
    # days_overdue > 0 exactly when overdue, and then it is as_of − due
    assert ((d["days_overdue"] > 0) == (d["state"] == "overdue")).all()
    over = d.loc[d["state"] == "overdue"]
    assert ((pd.Timestamp(as_of) - over["due_date"]).dt.days == over["days_overdue"]).all()
    # not overdue and not done: as_of is on or before the due date; 临期/预警 within their windows
    open_ = d.loc[~done & (d["state"] != "overdue")]
    assert (open_["days_left"] >= 0).all()
    assert (open_.loc[open_["state"] == "due_soon", "days_left"] <= warn).all()
    assert (open_.loc[open_["state"].isin(["normal", "extended"]), "days_left"] > warn + extra).all()
    assert d.loc[done, "days_left"].isna().all()
    # extended only with an approved extension
    assert d.loc[d["state"] == "extended", "extended"].all()
    assert set(d["state"]) <= set(labels.DEADLINE_BY_KEY)
