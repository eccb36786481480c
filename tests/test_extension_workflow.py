"""The extension workflow: every (state, action, role) against the specification, then the checked steps
(supervision.actions over the store), each acting on the request as its actor read it."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

import db
from supervision import actions, rules
from vocab.accounts import ROLES, Account, PermissionDenied

UNITS = ["科工信局"]
# The specification, written out by hand (not read from rules.TRANSITIONS): everything else is refused.
ALLOWED = {
    ("none", "request", "editor"): "requested",
    ("requested", "forward", "inspector"): "forwarded",
    ("requested", "return", "inspector"): "returned",
    ("returned", "resubmit", "editor"): "requested",
    ("forwarded", "approve", "admin"): "approved",
    ("forwarded", "reject", "admin"): "rejected",
}
CASES = list(itertools.product(rules.STATES, rules.ACTIONS, ROLES))


def account(role: str, login: str | None = None, units=("科工信局",)) -> Account:
    return Account(login or f"{role}01", f"{role} 用户", role, tuple(units))


def test_the_table_is_the_specification():
    assert rules.TRANSITIONS == ALLOWED


@pytest.mark.parametrize("state, action, role", CASES)
def test_every_transition(state, action, role):
    acc = account(role)
    expected = ALLOWED.get((state, action, role))
    if expected is None:
        with pytest.raises(PermissionDenied) as err:
            rules.extension_step(state, action, acc, units=UNITS, requester="someone_else")
        assert err.value.args[0]  # a Chinese sentence
    else:
        assert rules.extension_step(state, action, acc, units=UNITS, requester="someone_else") == expected


@pytest.mark.parametrize("state, action", list(itertools.product(rules.STATES, rules.ACTIONS)))
def test_not_logged_in_is_refused_everywhere(state, action):
    with pytest.raises(PermissionDenied, match="请先登录"):
        rules.extension_step(state, action, None, units=UNITS)


@pytest.mark.parametrize("state, action, role", [k for k in ALLOWED if k[1] in rules.REVIEW_ACTIONS])
def test_requester_cannot_review_or_decide_their_own_request(state, action, role):
    with pytest.raises(PermissionDenied, match="自己提出"):
        rules.extension_step(state, action, account(role, login="same"), units=UNITS, requester="same")


@pytest.mark.parametrize("state, action", [("none", "request"), ("returned", "resubmit")])
def test_editor_of_another_unit_is_refused(state, action):
    with pytest.raises(PermissionDenied, match="本单位"):
        rules.extension_step(state, action, account("editor", units=("财政局",)), units=UNITS)


@pytest.mark.parametrize("state", rules.OPEN_STATES)
def test_one_open_request_per_milestone(state):
    with pytest.raises(PermissionDenied, match="未办结"):
        rules.extension_step(state, "request", account("editor"), units=UNITS)


@pytest.mark.parametrize("action, kwargs, message", [
    ("request", {"text": " ", "new_date": date(2020, 8, 1), "due_date": date(2020, 6, 30)}, "延期理由"),
    ("request", {"text": "因疫情", "new_date": None, "due_date": date(2020, 6, 30)}, "延期到的日期"),
    ("request", {"text": "因疫情", "new_date": date(2020, 6, 30), "due_date": date(2020, 6, 30)}, "须晚于"),
    ("request", {"text": "因疫情", "new_date": date(2020, 8, 1), "due_date": date(2020, 6, 30), "done": True},
     "已完成"),
    ("forward", {"text": ""}, "审核意见"),
    ("return", {"text": ""}, "退回理由"),
    ("reject", {"text": ""}, "不批准的理由"),
])
def test_inputs_each_step_needs(action, kwargs, message):
    with pytest.raises(ValueError, match=message):
        rules.check_extension_input(action, **kwargs)


def test_approval_note_is_optional():
    rules.check_extension_input("approve", text="")


# ------------------------------------------------------------------ the store

EDITOR = account("editor", "keji01")
INSPECTOR = account("inspector", "ducha01", ())
ADMIN = account("admin", "lingdao01", ())


def milestone_id(engine, title="完成2020年上半年工作计划", clause="二（一）1") -> int:
    m = db.read_milestones(engine, "CY2019-20")
    return int(m.loc[(m["clause"] == clause) & (m["title"] == title), "milestone_id"].iloc[0])


def act(engine, mid: int, action: str, *, account, text: str = "", new_date=None):
    """One step as a page takes it: on the milestone's request as just read (state, new date, version, due date).
    Returns the request id."""
    m = db.read_milestones(engine).set_index("milestone_id").loc[mid]
    if action == "request":
        return actions.request_extension_as(engine, account, mid, new_date=new_date, reason=text,
                                            seen_due_date=m["due_date"])
    req = db.read_extensions(engine).query("milestone_id == @mid").iloc[-1]
    actions.extension_step_as(engine, account, int(req["request_id"]), action, seen_state=req["state"],
                              seen_new_date=req["new_date"], seen_version=int(req["version"]), text=text,
                              new_date=new_date, seen_due_date=m["due_date"])
    return int(req["request_id"])


def test_request_review_approve_moves_the_due_date_and_keeps_the_original(engine):
    mid = milestone_id(engine)
    act(engine, mid, "request", account=EDITOR, text="受疫情影响，验收推迟", new_date=date(2020, 8, 31))
    act(engine, mid, "return", account=INSPECTOR, text="请补充证明材料")
    act(engine, mid, "resubmit", account=EDITOR, text="已补充验收延期通知", new_date=date(2020, 8, 15))
    act(engine, mid, "forward", account=INSPECTOR, text="情况属实，同意上报")
    rid = act(engine, mid, "approve", account=ADMIN, text="同意")
    req = db.read_extensions(engine).set_index("request_id").loc[rid]
    assert (req["state"], req["requester"], req["reviewer"], req["decider"]) == ("approved", "keji01", "ducha01",
                                                                                 "lingdao01")
    assert req["new_date"] == date(2020, 8, 15) and req["review_opinion"] == "情况属实，同意上报"
    m = db.read_milestones(engine).set_index("milestone_id").loc[mid]
    assert m["due_date"] == date(2020, 8, 15) and m["original_due_date"] == date(2020, 6, 30)
    log = db.read_audit(engine, entity="extension_request")
    assert list(log["reason"])[::-1] == ["提出延期申请", "退回", "重新提交", "同意上报", "批准"]
    assert list(log["who"])[::-1] == ["keji01", "ducha01", "keji01", "ducha01", "lingdao01"]
    assert db.read_audit(engine, entity="milestone", limit=1).iloc[0]["reason"] == f"批准延期申请 {rid}"
    # a new request may start after the decision
    act(engine, mid, "request", account=EDITOR, text="再次延期", new_date=date(2020, 9, 30))


def test_rejection_leaves_the_due_date(engine):
    mid = milestone_id(engine)
    act(engine, mid, "request", account=EDITOR, text="理由", new_date=date(2020, 8, 31))
    act(engine, mid, "forward", account=INSPECTOR, text="上报")
    act(engine, mid, "reject", account=ADMIN, text="时间节点不能推迟")
    m = db.read_milestones(engine).set_index("milestone_id").loc[mid]
    assert m["due_date"] == date(2020, 6, 30)


def test_direct_due_date_edit_refused_after_an_approved_extension(engine):
    mid = milestone_id(engine)
    act(engine, mid, "request", account=EDITOR, text="理由", new_date=date(2020, 8, 31))
    act(engine, mid, "forward", account=INSPECTOR, text="上报")
    act(engine, mid, "approve", account=ADMIN)
    with pytest.raises(db.MilestoneError, match="只能通过延期申请"):
        actions.edit_milestones_as(engine, ADMIN, [{"milestone_id": mid, "due_date": date(2020, 12, 1)}])


STEPS = {"request": (EDITOR, "理由", date(2020, 8, 31)), "forward": (INSPECTOR, "同意", None),
         "return": (INSPECTOR, "退回", None), "resubmit": (EDITOR, "理由", date(2020, 8, 31)),
         "approve": (ADMIN, "", None), "reject": (ADMIN, "不行", None)}
PATHS = {"none": [], "requested": ["request"], "returned": ["request", "return"],
         "forwarded": ["request", "forward"]}


# without a request only "request" names something to act on (the rules refuse the rest: test_every_transition)
@pytest.mark.parametrize("state, action", [(s, a) for s in PATHS for a in rules.ACTIONS
                                           if not any(k[:2] == (s, a) for k in ALLOWED)
                                           and (s != "none" or a == "request")])
def test_skipped_or_out_of_order_steps_write_nothing(engine, state, action):
    mid = milestone_id(engine)
    for step in PATHS[state]:
        acc, text, new_date = STEPS[step]
        act(engine, mid, step, account=acc, text=text, new_date=new_date)
    before = db.dump(engine)
    acc, text, new_date = STEPS[action]
    with pytest.raises(PermissionDenied):
        act(engine, mid, action, account=acc, text=text, new_date=new_date)
    assert db.dump(engine) == before


@pytest.mark.parametrize("acc, action, text, new_date, error", [
    (account("editor", "caizheng01", ("财政局",)), "request", "理由", date(2020, 8, 31), PermissionDenied),
    (INSPECTOR, "request", "理由", date(2020, 8, 31), PermissionDenied),
    (None, "request", "理由", date(2020, 8, 31), PermissionDenied),
    (EDITOR, "request", "", date(2020, 8, 31), ValueError),
    (EDITOR, "request", "理由", date(2020, 6, 1), ValueError),
])
def test_refused_requests_write_nothing(engine, acc, action, text, new_date, error):
    mid = milestone_id(engine)
    before = db.dump(engine)
    with pytest.raises(error):
        act(engine, mid, action, account=acc, text=text, new_date=new_date)
    assert db.dump(engine) == before


def test_done_milestone_cannot_be_extended(engine):
    mid = milestone_id(engine, title="完成2019年上半年工作计划")
    before = db.dump(engine)
    with pytest.raises(ValueError, match="已完成"):
        act(engine, mid, "request", account=EDITOR, text="理由", new_date=date(2020, 8, 31))
    assert db.dump(engine) == before
