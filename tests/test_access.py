"""Accounts and roles: every write path refuses a viewer and an editor of another department with a Chinese
message and writes nothing; permissions follow the catalogue; passwords never reach the audit log, the dump or
the logs; the login throttle and the idle timeout (injected clock); the user CLI."""
from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

import cli
import db
from access import auth, guard
from access.permissions import (
    department_indicators,
    department_tasks,
    writable_indicators,
)
from dataio import importer, unit_grid
from dataio.template import build_template
from store import catalogue
from tests.accounts import PASSWORD, admin, editor, save_as, store_account, viewer
from tests.xlsx import long_table
from views.policy import load_frames, policy_status
from vocab.accounts import PermissionDenied

ZZB = editor("组织部", "zzb_clerk")     # 组织部 leads talent targets, not 科工信局's enterprise targets
KGX = editor("科工信局", "kgx_clerk")
LEADER = viewer("leader")
ROW = {"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0, "value": 123, "source": "认定文件",
       "is_sample": False}
HTE_FILE = long_table([("长垣市", "高新技术企业总数", 2020, 130, "科工信局认定文件")])


def policy_code(engine) -> str:
    return str(db.read_policies(engine)["code"].iloc[0])


def change_id(engine) -> int:
    db.save_observations(engine, [{**ROW, "value": 101}], who="某人")
    return int(db.read_audit(engine, entity="observation").iloc[0]["id"])


def status(engine):
    return policy_status(load_frames(engine), catalogue.load_settings(), policy_code(engine), "长垣市", 2020)


# every write path, as a function of (engine, account)
WRITES = {
    "grid save": lambda e, a: save_as(e, a, [ROW], reason="数据填报"),
    "plan save": lambda e, a: importer.apply_plan(
        e, importer.plan_changes(e, [{**ROW, "note": "", "sheet": "填报表格", "row": 1}]), account=a, reason="填报"),
    "progress report": lambda e, a: guard.add_progress_as(
        e, a, policy_code(e), "二（一）2", status="done", progress="认定高企", evidence="", reported_on=date(2021, 1, 5)),
    "excel import": lambda e, a: importer.import_workbook(e, HTE_FILE, account=a),
    "revert": lambda e, a: guard.revert_as(e, a, change_id(e)),
    "snapshot": lambda e, a: guard.snapshot_as(e, a, status(e), name="四季度会议", meeting_date=date(2020, 12, 20),
                                               policy=policy_code(e), region="长垣市", as_of_year=2020),
    "user add": lambda e, a: guard.add_user_as(e, a, "newbie", role="admin", password=PASSWORD),
    "user passwd": lambda e, a: guard.set_password_as(e, a, "管理员", "another-pass-1"),
    "user disable": lambda e, a: guard.disable_user_as(e, a, "管理员"),
    "user role": lambda e, a: guard.update_user_as(e, a, "zzb_clerk", role="admin"),
}


@pytest.fixture
def stored(engine):
    for account in (ZZB, KGX, LEADER, admin("管理员")):
        store_account(engine, account)
    return engine


@pytest.mark.parametrize("account", [LEADER, ZZB, None], ids=["viewer", "editor of 组织部", "nobody"])
@pytest.mark.parametrize("path", list(WRITES))
def test_every_write_path_refuses_and_writes_nothing(stored, account, path):
    if path == "revert":
        change_id(stored)  # the change to revert exists before the refused attempt
    before = db.dump(stored)
    try:
        result = WRITES[path](stored, account)
    except PermissionDenied as exc:
        message = str(exc)
    else:  # the importer reports an editor's foreign rows as problems of those rows
        assert isinstance(result, importer.ImportResult) and not result.ok and result.written is None
        message = str(result.problems[0])
    assert db.dump(stored) == before
    assert "无权" in message or "请先登录" in message
    if account is ZZB and path in ("grid save", "plan save", "excel import"):
        assert "高新技术企业" in message and "组织部" in message


def test_the_editor_of_the_leading_department_may_write_and_is_audited_by_login(stored):
    counts = save_as(stored, KGX, [ROW], reason="数据填报")
    assert counts["updated"] == 1
    top = db.read_audit(stored, entity="observation").iloc[0]
    assert (top["who"], top["entity_key"]) == ("kgx_clerk", "长垣市/hte_count/2020")
    guard.add_progress_as(stored, KGX, policy_code(stored), "二（一）2", status="done", progress="认定",
                          evidence="", reported_on=date(2021, 1, 5))
    latest = db.read_progress(stored).iloc[-1]
    assert latest["reported_by"] == "kgx_clerk" and db.read_audit(stored, entity="task_progress").iloc[0]["who"] == \
        "kgx_clerk"


def test_editor_of_zzb_writes_its_own_talent_indicator_but_not_hte(stored):
    save_as(stored, ZZB, [{**ROW, "indicator": "national_talent_new", "value": 3}])
    before = db.dump(stored)
    with pytest.raises(PermissionDenied, match="无权填报指标“高新技术企业"):
        save_as(stored, ZZB, [{**ROW, "indicator": "national_talent_new", "value": 4}, ROW])
    assert db.dump(stored) == before


def test_import_as_the_zzb_editor_names_the_refused_row(stored):
    result = importer.import_workbook(stored, HTE_FILE, account=ZZB, dry_run=True)
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("数据", 2, "指标", "高新技术企业总数")
    assert "只能填报组织部牵头或参与的目标指标和任务" in problem.message


def test_inspector_writes_every_department_but_may_not_revert_or_snapshot(stored):
    inspector = guard.Account(login="ducha", display_name="督查", role="inspector")
    save_as(stored, inspector, [ROW])
    for path in ("revert", "snapshot", "user add"):
        with pytest.raises(PermissionDenied, match="只有管理账号"):
            WRITES[path](stored, inspector)


def test_an_admin_may_not_disable_itself(stored):
    with pytest.raises(PermissionDenied, match="不能停用自己的账号"):
        guard.disable_user_as(stored, admin("管理员"), "管理员")


# ------------------------------------------------------------------ permissions from the catalogue (pure)

TARGETS = pd.DataFrame({"indicator": ["a", "b", "c", "d"],
                        "lead_units": ["科工信局", "组织部", "", "科工信局、财政局"],
                        "responsible_units": ["财政局", "", "", "组织部"]})


@pytest.mark.parametrize("departments, expected", [
    (["科工信局"], {"a", "d"}),   # leads a and d
    (["组织部"], {"b", "d"}),     # leads b, shares d
    (["财政局"], {"a", "d"}),     # shares a, co-leads d
    (["教体局"], set()),
    ([], set()),
])
def test_department_indicators_follow_lead_and_responsible_units(departments, expected):
    assert department_indicators(TARGETS, departments) == expected


def test_department_tasks_follow_the_task_units():
    units = pd.DataFrame({"policy": ["p"] * 3, "clause": ["1", "1", "2"], "role": ["lead", "responsible", "lead"],
                          "department": ["科工信局", "组织部", "财政局"]})
    assert department_tasks(units, ["组织部"]) == {("p", "1")}


@given(st.sets(st.sampled_from(["科工信局", "组织部", "财政局", "教体局"])),
       st.sets(st.sampled_from(["科工信局", "组织部", "财政局", "教体局"])))
def test_more_departments_never_write_less(a, b):
    assert department_indicators(TARGETS, a) <= department_indicators(TARGETS, a | b)
    assert department_indicators(TARGETS, a) | department_indicators(TARGETS, b) == \
        department_indicators(TARGETS, a | b)


@given(st.sampled_from(["viewer", "editor", "inspector", "admin"]))
def test_writable_indicators_by_role(role):
    account = guard.Account(login="x", display_name="x", role=role, departments=("组织部",))
    got = writable_indicators(account, TARGETS, ["a", "b", "c", "d"])
    assert got == {"viewer": set(), "editor": {"b", "d"}}.get(role, {"a", "b", "c", "d"})


def test_the_catalogue_gives_zzb_talent_but_not_hte(engine):
    mine = department_indicators(db.read_targets(engine), ["组织部"])
    assert "national_talent_new" in mine and "hte_count" not in mine


# ------------------------------------------------------------------ passwords: never stored, logged or audited

def test_no_password_or_hash_in_audit_dump_or_logs(engine, caplog):
    caplog.set_level(logging.DEBUG)
    boss = admin("管理员")
    guard.add_user_as(engine, guard.operator_account(), "管理员", role="admin", password="first-Secret-1")
    guard.add_user_as(engine, boss, "clerk", role="editor", password="second-Secret-2", departments=["县委组织部"])
    guard.set_password_as(engine, boss, "clerk", "third-Secret-3")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(engine, "clerk", "wrong-Secret-4")
    auth.authenticate(engine, "clerk", "third-Secret-3")
    with db.session_scope(engine) as s:
        hashes = list(s.scalars(select(db.User.password_hash)))
    assert all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes)  # the library's defaults
    dump = db.dump(engine)
    audit = db.read_audit(engine, entity="user").to_json(force_ascii=False)
    secrets = ["first-Secret-1", "second-Secret-2", "third-Secret-3", "wrong-Secret-4", *hashes, "argon2"]
    for secret in secrets:
        assert secret not in dump and secret not in audit and secret not in caplog.text
    assert "login failed for name 'clerk' from '' (1 in a row)" in caplog.text
    assert db.read_users(engine).set_index("login").loc["clerk", "departments"] == ["组织部"]  # alias → canonical


# ------------------------------------------------------------------ throttle and idle timeout (injected clock)

class Clock:
    def __init__(self) -> None:
        self.t = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


@pytest.mark.parametrize("failures, seconds", [(4, 0), (5, 60), (6, 120), (7, 240), (9, 600), (40, 600)])
def test_lock_grows_with_failures(failures, seconds):
    assert auth.lock_seconds(failures, auth.access_settings()) == seconds


def test_five_failures_lock_the_name_even_for_the_right_password(engine):
    store_account(engine, KGX)
    clock = Clock()
    for i in range(4):
        with pytest.raises(auth.LoginFailed, match="^用户名或密码错误。$"):
            auth.authenticate(engine, "kgx_clerk", f"wrong-{i}", clock=clock)
    with pytest.raises(auth.LoginFailed, match="^用户名或密码错误。请 60 秒后再试。$"):
        auth.authenticate(engine, "kgx_clerk", "wrong-5", clock=clock)
    clock.advance(seconds=59)
    with pytest.raises(auth.LoginFailed, match="请 2 秒后再试"):
        auth.authenticate(engine, "kgx_clerk", PASSWORD, clock=clock)
    clock.advance(seconds=2)
    with pytest.raises(auth.LoginFailed, match="请 120 秒后再试"):  # the sixth failure doubles the lock
        auth.authenticate(engine, "kgx_clerk", "wrong-6", clock=clock)
    clock.advance(seconds=121)
    assert auth.authenticate(engine, "kgx_clerk", PASSWORD, clock=clock) == KGX
    users = db.read_users(engine).set_index("login")
    assert users.loc["kgx_clerk", "failed_count"] == 0


def test_unknown_and_disabled_accounts_cannot_log_in(stored):
    with pytest.raises(auth.LoginFailed, match="^用户名或密码错误。$"):
        auth.authenticate(stored, "nobody", PASSWORD)
    guard.disable_user_as(stored, admin("管理员"), "kgx_clerk")
    with pytest.raises(auth.LoginFailed, match="^用户名或密码错误。$"):  # the right password is not confirmed
        auth.authenticate(stored, "kgx_clerk", PASSWORD)


def test_session_ends_after_the_idle_time(stored):
    clock, state = Clock(), {}
    auth.start_session(state, KGX, stored, clock=clock)
    clock.advance(minutes=29)
    assert auth.session_account(state, stored, clock=clock) == KGX
    clock.advance(minutes=30)  # exactly the idle time since the last click: still in
    assert auth.session_account(state, stored, clock=clock) == KGX
    clock.advance(minutes=30, seconds=1)
    assert auth.session_account(state, stored, clock=clock) is None
    assert auth.SESSION_KEY not in state and state["_session_expired"]


def test_a_disabled_account_loses_its_session_at_once(stored):
    state: dict = {}
    auth.start_session(state, KGX, stored)
    guard.disable_user_as(stored, admin("管理员"), "kgx_clerk")
    assert auth.session_account(state, stored) is None


# ------------------------------------------------------------------ the CLI

def test_cli_user_commands(db_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "from-the-env-1")
    assert cli.main(["user", "add", "boss", "--role", "admin", "--display", "局长"]) == 0
    monkeypatch.delenv("TRACKER_ADMIN_PASSWORD")
    typed = iter(["typed-secret-2", "typed-secret-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert cli.main(["user", "add", "clerk", "--role", "editor", "--department", "组织部"]) == 0
    assert cli.main(["user", "add", "bad", "--role", "editor", "--password", "long-enough-3"]) == 1
    assert cli.main(["user", "add", "bad", "--role", "editor", "--department", "火星局", "--password", "x" * 9]) == 1
    err = capsys.readouterr().err
    assert "填报账号必须至少属于一个单位" in err and "单位“火星局”不在 data/departments.toml" in err
    eng = db.make_engine(f"sqlite:///{db_path}")
    assert auth.authenticate(eng, "boss", "from-the-env-1").display_name == "局长"
    assert auth.authenticate(eng, "clerk", "typed-secret-2").departments == ("组织部",)
    typed = iter(["new-secret-4", "new-secret-4"])
    assert cli.main(["user", "passwd", "clerk"]) == 0
    assert auth.authenticate(eng, "clerk", "new-secret-4")
    assert cli.main(["user", "disable", "clerk"]) == 0
    capsys.readouterr()
    assert cli.main(["user", "list", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("login,display_name,role,departments,active,created_at,last_login,failed_count,"
                                   "locked_until")
    assert "clerk,clerk,editor 填报,组织部,False" in out and "argon2" not in out and "secret" not in out
    audit = db.read_audit(eng, entity="user")
    assert set(audit["who"]) == {guard.operator_account().login}


def test_cli_writes_check_the_account_named_by_as(db_path, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    eng = db.make_engine(f"sqlite:///{db_path}")
    store_account(eng, ZZB)
    path = tmp_path / "hte.xlsx"
    path.write_bytes(HTE_FILE)
    before = db.dump(eng)
    assert cli.main(["import", str(path), "--as", "zzb_clerk"]) == 2
    assert "无权填报此项" in capsys.readouterr().err
    assert cli.main(["import", str(path)]) == 1
    assert "--as" in capsys.readouterr().err
    assert cli.main(["snapshot", "--meeting", "m", "--as-of", "2020", "--as", "zzb_clerk"]) == 1
    assert "只有管理账号可以保存会议快照" in capsys.readouterr().err
    assert cli.main(["import", str(path), "--as", "ghost"]) == 1
    assert db.dump(eng) == before


def test_init_creates_no_account(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert cli.main(["init", "--no-sample"]) == 0
    assert db.read_users(db.make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")).empty


# ------------------------------------------------------------------ 本单位填报 and the department template

def test_department_template_holds_only_its_indicators(engine):
    mine = sorted(department_indicators(db.read_targets(engine), ["组织部"]))
    wb = load_workbook(io.BytesIO(build_template(engine, indicators=mine, department="组织部")))
    codes = {ws.cell(row=r, column=1).value for ws in wb.worksheets[1:] for r in range(4, ws.max_row + 1)}
    assert codes == set(mine)
    assert any("填报单位：组织部" in str(c.value) for c in wb["说明"]["A"])


def test_unit_grid_shows_last_value_and_writes_changed_rows(engine):
    obs = db.read_observations(engine, regions=["长垣市"])
    inds = db.read_indicators(engine)
    base = unit_grid.unit_grid_frame(inds, obs, "长垣市", ["hte_count", "rd_intensity"], 2021, 0)
    hte = base.set_index("code").loc["hte_count"]
    assert (hte["last_value"], hte["last_period"], hte["value"], hte["allowed"]) == ("95", "2020", "", "≥ 0，整数")
    assert base.set_index("code").loc["rd_intensity", "allowed"] == "0—100"
    edited = base.copy()
    edited.loc[0, ["value", "source"]] = ["101", "认定文件"]
    (entry,) = unit_grid.unit_grid_entries(base, edited, "长垣市", 2021, 0)
    assert (entry.code, entry.period, entry.value, entry.row) == (base.loc[0, "code"], "2021", "101", 1)
    assert unit_grid.seen_versions(base, "长垣市", 2021, 0) == {}


# ------------------------------------------------------------------ regions: a department writes its own region

HENAN = {**ROW, "region": "河南省", "value": 9999, "source": "改写"}
HENAN_FILE = long_table([("河南省", "高新技术企业总数", 2020, 9999, "改写")])
INSPECTOR = guard.Account(login="ducha", display_name="督查", role="inspector")


@pytest.mark.parametrize("account", [KGX, INSPECTOR], ids=["editor of 科工信局", "inspector"])
@pytest.mark.parametrize("path", ["grid save", "unit save"])
def test_benchmark_regions_are_written_by_admins_only(stored, account, path):
    before = db.dump(stored)
    with pytest.raises(PermissionDenied, match="河南省") as err:
        if path == "grid save":
            save_as(stored, account, [HENAN], reason="数据填报")
        else:
            importer.apply_plan(stored, importer.plan_changes(stored, [{**HENAN, "note": "", "sheet": "本单位填报",
                                                                         "row": 1}]), account=account, reason="填报")
    assert "只有管理账号" in str(err.value) and "长垣市" in str(err.value)
    assert db.dump(stored) == before


def test_an_editor_importing_a_benchmark_value_is_refused_naming_the_region(stored):
    before = db.dump(stored)
    result = importer.import_workbook(stored, HENAN_FILE, account=KGX)
    (problem,) = result.problems
    assert (problem.row, problem.column, problem.value) == (2, "地区", "河南省")
    assert "河南省" in problem.message and "只有管理账号" in problem.message and result.written is None
    assert db.dump(stored) == before


def test_an_admin_writes_a_benchmark_value_and_the_editor_its_own_region(stored):
    save_as(stored, admin("管理员"), [HENAN])
    save_as(stored, KGX, [ROW])
    saved = db.read_observations(stored, ["河南省", "长垣市"], ["hte_count"]).query("year == 2020")
    assert dict(zip(saved["region"], saved["value"])) == {"河南省": 9999, "长垣市": 123}
