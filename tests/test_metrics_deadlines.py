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
NO_EXTENSIONS = pd.DataFrame(columns=["request_id", "milestone_id", "state", "old_date", "new_date", "decided_at"])


def extension(request_id: int, milestone_id: int, state: str, old: date | None = None, new: date | None = None,
              decided: datetime | None = None) -> dict:
    """One db.read_extensions row (decided_at: when the leader approved or rejected it, UTC)."""
    return {"request_id": request_id, "milestone_id": milestone_id, "state": state, "old_date": old, "new_date": new,
            "decided_at": decided}


def utc(day: date, hour: int = 2) -> datetime:
    """A stored timestamp (UTC) on a day: 02:00 UTC is 10:00 in 长垣, the same day."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


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
    ext = pd.DataFrame([extension(1, 1, "approved", date(2020, 6, 30), date(2020, 8, 31), utc(date(2020, 6, 20)))])
    r = one({"due_date": date(2020, 8, 31), "original_due_date": date(2020, 6, 30)}, extensions=ext)
    assert (r["state"], r["extended"], r["extensions"]) == ("extended", True, 1)
    assert r["original_due_date"] == pd.Timestamp(2020, 6, 30) and r["due_date"] == pd.Timestamp(2020, 8, 31)
    # the extended date itself can come near: 临期 wins, extended stays visible
    ext = pd.DataFrame([extension(1, 1, "approved", date(2020, 6, 1), date(2020, 6, 29), utc(date(2020, 5, 20)))])
    near = one({"due_date": date(2020, 6, 29), "original_due_date": date(2020, 6, 1)}, extensions=ext)
    assert (near["state"], near["extended"]) == ("due_soon", True)


def test_pending_or_refused_extension_does_not_extend():
    ext = pd.DataFrame([extension(1, 1, "forwarded", date(2020, 8, 31), date(2020, 9, 30)),
                        extension(2, 1, "rejected", date(2020, 8, 31), date(2020, 9, 30), utc(date(2020, 6, 1)))])
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


@hsettings(max_examples=80, deadline=None)
@given(rows=st.lists(milestone_rows(), min_size=1, max_size=8), as_of=DAY,
       approved=st.lists(st.booleans(), min_size=8, max_size=8),
       warn=st.integers(0, 5), extra=st.integers(0, 10))
def test_deadline_properties(rows, as_of, approved, warn, extra):
    ext = pd.DataFrame([extension(i, i, "approved", rows[i - 1]["due_date"], rows[i - 1]["due_date"],
                                  utc(date(2019, 1, 1)))
                        for i in range(1, len(rows) + 1) if approved[i - 1]], columns=list(NO_EXTENSIONS.columns))
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


# ------------------------------------------------------------------ the past stays the past

def test_a_completion_after_the_as_of_day_does_not_count_for_it():
    # due 31 Aug, done on 15 Nov: as of 30 Sep it was open and 30 days overdue (1 Sep … 30 Sep);
    # as of 15 Nov it is 逾期完成, 76 days late (30 Sep + 31 Oct + 15 Nov = 30 + 31 + 15 = 76)
    row = {"due_date": date(2020, 8, 31), "status": "done", "completed_on": date(2020, 11, 15), "evidence": "总结"}
    then = one(row, as_of=date(2020, 9, 30))
    assert (then["state"], then["days_overdue"], then["status"]) == ("overdue", 30, "in_progress")
    assert pd.isna(then["completed_on"]) and then["evidence"] == ""
    now = one(row, as_of=date(2020, 11, 15))
    assert (now["state"], now["days_late"], now["status"]) == ("done_late", 76, "done")


def test_an_extension_counts_from_the_day_it_was_approved():
    # planned 30 Jun, extended to 31 Aug by an approval on 10 Jul (UTC 02:00 = 10:00 in 长垣)
    ext = pd.DataFrame([extension(1, 1, "approved", date(2020, 6, 30), date(2020, 8, 31), utc(date(2020, 7, 10)))])
    row = {"due_date": date(2020, 8, 31), "original_due_date": date(2020, 6, 30)}
    # 9 Jul: not yet approved → due 30 Jun, 9 days overdue
    before = one(row, extensions=ext, as_of=date(2020, 7, 9))
    assert (before["state"], before["days_overdue"], before["extended"], before["extensions"]) == ("overdue", 9, False, 0)
    assert before["due_date"] == pd.Timestamp(2020, 6, 30)
    # 10 Jul: approved that day → due 31 Aug, 52 days left (21 + 31) → 已延期
    after = one(row, extensions=ext, as_of=date(2020, 7, 10))
    assert (after["state"], after["days_left"], after["extensions"]) == ("extended", 52, 1)


def test_an_approval_late_in_the_utc_day_belongs_to_the_next_day_in_changyuan():
    # approved 9 Jul 17:00 UTC = 10 Jul 01:00 in 长垣: as of 9 Jul not yet approved
    ext = pd.DataFrame([extension(1, 1, "approved", date(2020, 6, 30), date(2020, 8, 31),
                                  utc(date(2020, 7, 9), hour=17))])
    row = {"due_date": date(2020, 8, 31), "original_due_date": date(2020, 6, 30)}
    assert one(row, extensions=ext, as_of=date(2020, 7, 9))["state"] == "overdue"
    assert one(row, extensions=ext, as_of=date(2020, 7, 10))["state"] == "extended"


def test_an_extension_approved_after_completion_does_not_turn_late_into_on_time():
    # due 30 Jun, done 10 Jul (10 days late); an extension to 31 Aug approved on 20 Jul changes nothing
    ext = pd.DataFrame([extension(1, 1, "approved", date(2020, 6, 30), date(2020, 8, 31), utc(date(2020, 7, 20)))])
    r = one({"due_date": date(2020, 8, 31), "original_due_date": date(2020, 6, 30), "status": "done",
             "completed_on": date(2020, 7, 10)}, extensions=ext, as_of=date(2020, 9, 30))
    assert (r["state"], r["days_late"]) == ("done_late", 10)


def test_two_extensions_move_the_date_in_the_order_approved():
    # 30 Jun → 31 Jul (approved 1 Jun) → 31 Aug (approved 20 Jul)
    ext = pd.DataFrame([extension(1, 1, "approved", date(2020, 6, 30), date(2020, 7, 31), utc(date(2020, 6, 1))),
                        extension(2, 1, "approved", date(2020, 7, 31), date(2020, 8, 31), utc(date(2020, 7, 20)))])
    row = {"due_date": date(2020, 8, 31), "original_due_date": date(2020, 6, 30)}
    assert one(row, extensions=ext, as_of=date(2020, 5, 31))["due_date"] == pd.Timestamp(2020, 6, 30)
    assert one(row, extensions=ext, as_of=date(2020, 7, 1))["due_date"] == pd.Timestamp(2020, 7, 31)
    assert one(row, extensions=ext, as_of=date(2020, 7, 20))["due_date"] == pd.Timestamp(2020, 8, 31)
    assert one(row, extensions=ext, as_of=date(2020, 7, 20))["extensions"] == 2


def test_chases_count_from_the_day_they_were_made():
    chases = pd.DataFrame([{"chase_id": 1, "milestone_id": 1, "who": "d", "at": utc(date(2020, 6, 20)),
                            "unit": "科工信局", "message": ""},
                           {"chase_id": 2, "milestone_id": 1, "who": "d", "at": utc(date(2020, 6, 28)),
                            "unit": "科工信局", "message": ""}])
    assert one({"due_date": date(2020, 6, 1)}, chases=chases)["chases"] == 1           # as of 27 June
    assert one({"due_date": date(2020, 6, 1)}, chases=chases, as_of=date(2020, 6, 28))["chases"] == 2


@hsettings(max_examples=30, deadline=None)
@given(rows=st.lists(milestone_rows(), min_size=1, max_size=6), as_of=DAY, after=st.integers(1, 400),
       move=st.integers(1, 200))
def test_events_after_the_as_of_day_never_change_its_report(rows, as_of, after, move):
    """Completing milestones under way, approving extensions and chasing, all after the as-of day, leave its rows
    as they were (a milestone completed later reads 推进中 on the as-of day)."""
    later = as_of + timedelta(days=after)
    before = milestone_deadlines(milestones(*rows), NO_CHASES, NO_EXTENSIONS, as_of, SETTINGS)
    changed = [{**r, "status": "done", "completed_on": later} if r["status"] == "in_progress" else dict(r)
               for r in rows]
    ext = pd.DataFrame([extension(i, i, "approved", r["due_date"], r["due_date"] + timedelta(days=move), utc(later))
                        for i, r in enumerate(rows, start=1) if r["status"] != "done"],
                       columns=list(NO_EXTENSIONS.columns))
    for i, r in enumerate(changed, start=1):  # the store moves the due date when it approves
        if rows[i - 1]["status"] != "done":
            r["due_date"] = r["due_date"] + timedelta(days=move)
            r["original_due_date"] = rows[i - 1]["due_date"]
    chases = pd.DataFrame([{"chase_id": i, "milestone_id": i, "who": "d", "at": utc(later), "unit": r["units"][0],
                            "message": ""} for i, r in enumerate(rows, start=1)])
    after_frame = milestone_deadlines(milestones(*changed), chases, ext, as_of, SETTINGS)
    cols = ["milestone_id", "unit", "due_date", "status", "state", "days_left", "days_overdue", "chases",
            "extended", "extensions", "days_late", "completed_on"]
    pd.testing.assert_frame_equal(after_frame[cols], before[cols])


# ------------------------------------------------------------------ a past report on the built-in store

def _states(engine, as_of: str, unit: str = "科工信局") -> tuple[int, int]:
    from store import catalogue
    from views import policy as views_policy
    frames = views_policy.load_catalogue_frames(engine)
    d = views_policy.policy_deadlines(frames, catalogue.load_settings(), "CY2019-20", as_of)
    mine = d.loc[d["unit"] == unit, "state"]
    return int((mine == "overdue").sum()), int((mine == "done_late").sum())


def test_a_later_completion_leaves_a_past_report_as_it_was(engine):
    """Issue 17 §5 / issue 18 item 12: as of 2020-09-30 科工信局 had 30 overdue and 4 done-late milestones (the
    issue's count on the built-in sample plans); marking one of the overdue ones done on 2020-11-15 leaves
    2020-09-30 at 30 and 4, and from 2020-11-15 on it is done late: 29 and 5 (no milestone of the built-in plans
    falls due between those days: they are due on 30 June and 31 December)."""
    import db
    from supervision import actions
    from tests.accounts import admin
    assert _states(engine, "2020-09-30") == (30, 4)
    frames = db.read_milestones(engine, "CY2019-20")
    m = frames.loc[frames["units"].map(lambda u: "科工信局" in u) & (frames["status"] != "done")
                   & (pd.to_datetime(frames["due_date"]) < pd.Timestamp(2020, 9, 30))].iloc[0]
    actions.edit_milestones_as(engine, admin(), [{"milestone_id": int(m["milestone_id"]),
                                                  "expected_version": int(m["version"]), "status": "done",
                                                  "completed_on": date(2020, 11, 15)}])
    assert _states(engine, "2020-09-30") == (30, 4)
    assert _states(engine, "2020-11-15") == (29, 5)


def test_local_day_reads_naive_utc_and_aware_timestamps_alike():
    """SQLite gives naive datetimes (UTC), PostgreSQL aware ones: 2020-07-09 17:00 UTC is 10 July in 长垣 either way."""
    from metrics.deadlines import local_day
    naive, aware = datetime(2020, 7, 9, 17), datetime(2020, 7, 9, 17, tzinfo=UTC)
    assert list(local_day(pd.Series([naive, aware, None]))[:2]) == [pd.Timestamp(2020, 7, 10)] * 2
    assert local_day(pd.Series([naive]), "UTC").iloc[0] == pd.Timestamp(2020, 7, 9)


@pytest.mark.parametrize("as_of, overdue", [(date(2020, 12, 30), False), (date(2020, 12, 31), False),
                                            (date(2021, 1, 1), True)])
def test_a_task_and_a_milestone_due_the_same_day_fall_overdue_the_same_day(as_of, overdue):
    """One deadline rule: due 31 December is not overdue on 31 December, for the ledger as for the milestones."""
    from metrics.scorecard import task_ledger
    due = date(2020, 12, 31)
    tasks = pd.DataFrame({"policy": "P", "clause": ["一"], "title": ["任务"], "due_date": [due]})
    progress = pd.DataFrame({"policy": "P", "clause": ["一"], "id": [1], "status": ["in_progress"], "progress": [""],
                             "evidence": [""], "reported_on": [date(2020, 6, 1)], "reported_by": [""],
                             "is_sample": [False]})
    task = task_ledger(tasks, progress, as_of).iloc[0]
    milestone = one({"due_date": due}, as_of=as_of)
    assert (task["status"] == "overdue") == (milestone["state"] == "overdue") == overdue
