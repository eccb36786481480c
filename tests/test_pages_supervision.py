"""部门督办 page, 督办 part (AppTest): the 临期与逾期 list equals the engine's, and each role sees and uses its forms."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import db
from access import auth
from metrics.deadlines import attention
from store import catalogue
from supervision import actions
from tests.accounts import store_account
from tests.helpers import start_on
from ui import tables
from ui.milestone_panels import REFUSED_ICON
from views import policy as views_policy
from vocab import labels
from vocab.accounts import Account

POLICY = "CY2019-20"
AS_OF = date(2020, 6, 27)
EDITOR = Account("keji01", "科工信填报员", "editor", ("科工信局",))
INSPECTOR = Account("ducha01", "督查员", "inspector", ())
ADMIN = Account("lingdao01", "分管领导", "admin", ())


def open_departments(account: Account | None, as_of: date = AS_OF) -> AppTest:
    """The page with the account logged in (stored first when new, then a session started as the login form does)."""
    at = start_on("pages/departments.py")
    if account is not None:
        eng = db.make_engine()
        if account.login not in set(db.read_users(eng)["login"]):
            store_account(eng, account)
        auth.start_session(at.session_state, account, eng)
        eng.dispose()
    at.run()
    at.date_input(key="deadline_as_of").set_value(as_of).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_by_key(at: AppTest, key: str) -> pd.DataFrame:
    """The 临期与逾期 list is the first deadline table on the page, 本单位待办 the second."""
    found = [df.value for df in at.dataframe if "state_text" in df.value.columns]
    position = {"deadline_attention": 0, "unit_todo": 1}[key]
    assert len(found) > position, f"no dataframe {key}"
    return found[position]


def refusals(at: AppTest) -> list[str]:
    return [e.value for e in at.error if e.icon == REFUSED_ICON]


def engine_deadlines(path: Path, as_of: date = AS_OF) -> pd.DataFrame:
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        return views_policy.policy_deadlines(views_policy.load_catalogue_frames(eng), catalogue.load_settings(), POLICY, as_of)
    finally:
        eng.dispose()


def test_attention_list_equals_the_engine(app_db):
    at = open_departments(None)
    shown = frame_by_key(at, "deadline_attention")
    expected = attention(engine_deadlines(app_db))
    assert len(expected) == 41  # every task's 2020-06-30 milestone, 3 days ahead: 临期
    assert list(zip(shown["milestone_id"], shown["unit"])) == list(zip(expected["milestone_id"], expected["unit"]))
    assert set(shown["state_text"]) == {labels.deadline_text("due_soon")} and set(shown["days_text"]) == {"剩余 3 天"}
    assert (shown["data_text"] == labels.SAMPLE_MARK).all()
    assert not at.main.button  # nobody logged in: no forms (only the sidebar's login form)
    assert not [s for s in at.subheader if s.value.startswith(labels.SUPERVISION_TITLES["todo"])]


def test_unit_filter(app_db):
    at = open_departments(None, date(2020, 9, 27))
    at.multiselect(key="deadline_units").set_value(["组织部"]).run()
    shown = frame_by_key(at, "deadline_attention")
    assert set(shown["unit"]) == {"组织部"} and (shown["state_text"] == labels.deadline_text("overdue")).all()
    assert set(shown["days_text"]) == {"逾期 89 天"}  # 30 June → 27 September: 31 + 31 + 27 = 89


def test_editor_sees_own_todo_and_requests_an_extension(app_db):
    at = open_departments(EDITOR)
    todo = frame_by_key(at, "unit_todo")
    assert set(todo["unit"]) == {"科工信局"} and list(todo["due_date"]) == sorted(todo["due_date"])
    # every open item of the unit on the 督办日期, not the first dozen
    expected = views_policy.unit_todo(engine_deadlines(app_db), ["科工信局"])
    assert list(todo["milestone_id"]) == list(expected["milestone_id"]) and len(todo) == 60
    assert "截至督办日期 2020-06-27 未完成的推进节点共 60 个。" in [c.value for c in at.caption]
    assert not [b for b in at.button if b.label in ("催办", "保存节点修改")]
    mid = int(todo["milestone_id"].iloc[0])
    at.selectbox(key="ext_milestone").set_value(mid).run()
    at.date_input(key=f"ext_new_date/{mid}").set_value(date(2020, 8, 31))
    at.text_area(key="ext_reason").set_value("受疫情影响，专家评审推迟")
    at.button(key="FormSubmitter:extension_request-提交延期申请").click().run()
    assert not at.exception and not refusals(at)
    eng = db.make_engine(f"sqlite:///{app_db}")
    req = db.read_extensions(eng).iloc[-1]
    eng.dispose()
    assert (req["milestone_id"], req["state"], req["requester"], req["new_date"]) == (mid, "requested", "keji01",
                                                                                      date(2020, 8, 31))


def test_a_refused_request_shows_the_reason_and_writes_nothing(app_db):
    at = open_departments(EDITOR)
    eng = db.make_engine(f"sqlite:///{app_db}")
    before = db.dump(eng)
    at.button(key="FormSubmitter:extension_request-提交延期申请").click().run()  # no reason
    assert any("请填写延期理由" in e for e in refusals(at))
    assert db.dump(eng) == before
    eng.dispose()


def test_inspector_chases_and_reviews_admin_approves(app_db):
    eng = db.make_engine(f"sqlite:///{app_db}")
    m = db.read_milestones(eng, POLICY)
    mid = int(m.loc[(m["clause"] == "二（一）1") & (m["title"] == "完成2020年上半年工作计划"), "milestone_id"].iloc[0])
    actions.request_extension_as(eng, EDITOR, mid, reason="理由", new_date=date(2020, 8, 31),
                                 seen_due_date=date(2020, 6, 30))

    at = open_departments(INSPECTOR)
    at.selectbox(key="chase_target").set_value(f"{mid}|科工信局")
    at.button(key="FormSubmitter:chase-催办").click().run()
    assert not refusals(at)
    assert db.read_chases(eng)[["milestone_id", "unit", "who"]].values.tolist() == [[mid, "科工信局", "ducha01"]]
    # the chase was made today: it counts from today on, not for the 督办日期 2020-06-27 (the past stays the past)
    def chased(shown: pd.DataFrame) -> pd.Series:
        return shown.loc[(shown["milestone_id"] == mid) & (shown["unit"] == "科工信局"), "chases"]
    assert chased(frame_by_key(at, "deadline_attention")).tolist() == [0]
    today = pd.Timestamp.now(tz=catalogue.load_settings()["supervision"]["timezone"]).date()  # the bureau's day
    at.date_input(key="deadline_as_of").set_value(today).run()
    assert chased(frame_by_key(at, "deadline_attention")).tolist() == [1]
    at.date_input(key="deadline_as_of").set_value(AS_OF).run()
    at.text_area(key="step_requested_text").set_value("情况属实，同意上报")
    at.button(key="FormSubmitter:step_requested-同意上报").click().run()
    assert not refusals(at) and db.read_extensions(eng).iloc[-1]["state"] == "forwarded"

    at = open_departments(ADMIN)
    at.button(key="FormSubmitter:step_forwarded-批准").click().run()
    assert not refusals(at)
    after = db.read_milestones(eng).set_index("milestone_id").loc[mid]
    assert (after["due_date"], after["original_due_date"]) == (date(2020, 8, 31), date(2020, 6, 30))
    eng.dispose()


def test_milestone_grid_changes_become_store_changes():
    m = pd.DataFrame([{"milestone_id": 5, "clause": "一", "title": "节点", "due_date": date(2020, 6, 30),
                       "units": ["科工信局"], "status": "in_progress", "evidence": "", "completed_on": None,
                       "is_sample": True, "version": 3}])
    before = tables.milestone_editor_frame(m)
    after = before.assign(status="已完成", completed_on=date(2020, 6, 28), units="科工信局、财政局")
    assert tables.milestone_changes(before, after, {5: 3}) == [
        {"milestone_id": 5, "expected_version": 3, "completed_on": date(2020, 6, 28), "units": ["科工信局", "财政局"],
         "status": "done"}]
    assert tables.milestone_changes(before, before.copy(), {5: 3}) == []


@pytest.mark.parametrize("account, grid", [(INSPECTOR, True), (ADMIN, True), (EDITOR, False),
                                           (Account("leader01", "查看", "viewer", ()), False)])
def test_milestone_grid_only_for_inspectors_and_admins(app_db, account, grid):
    at = open_departments(account)
    assert any(s.value == labels.SUPERVISION_TITLES["edit"] for s in at.subheader) == grid
