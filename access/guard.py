"""The one layer right above the store's write functions: page, CLI and importer all write through here.

Each function checks the account's role (and, for an editor, that every indicator or task belongs to its
departments per the catalogue) before anything is written, raises PermissionDenied with a Chinese sentence when
not, and records the account's login as `who` in the audit log."""
from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import db
from access import auth
from access.permissions import (
    ADMIN_ROLES,
    ALL_DEPARTMENT_ROLES,
    WRITER_ROLES,
    writable_indicators,
    writable_regions,
    writable_tasks,
)
from store import accounts
from vocab.accounts import (
    ROLE_LABELS,
    Account,
    PermissionDenied,
    login_key,
    normal_login,
)


def account_text(account: Account) -> str:
    """'“zzb”（填报 · 组织部）': how messages name an account. The login name, not the display name: logins are
    restricted to plain characters, so the message is safe wherever it is shown (markdown, Excel, terminal)."""
    depts = f" · {'、'.join(account.departments)}" if account.departments else ""
    return f"“{account.login}”（{ROLE_LABELS.get(account.role, account.role)}{depts}）"


def require(account: Account | None, roles: tuple[str, ...], action: str) -> Account:
    """The account when its role is one of roles; else PermissionDenied naming the action."""
    if account is None:
        raise PermissionDenied(f"请先登录：{action}需要登录账号。")
    if account.role not in roles:
        allowed = "、".join(ROLE_LABELS[r] for r in roles)
        raise PermissionDenied(f"账号{account_text(account)}无权{action}：只有{allowed}账号可以{action}。")
    return account


@dataclass(frozen=True)
class Scope:
    """What one account may write: indicator codes, (policy, clause) of tasks and regions, plus names for
    messages (own_regions: the regions a department reports for, named when another region is refused)."""
    indicators: frozenset[str]
    tasks: frozenset[tuple[str, str]]
    indicator_names: dict[str, str]
    regions: frozenset[str] = frozenset()
    own_regions: tuple[str, ...] = ()


def write_scope(engine: Engine, account: Account | None) -> Scope:
    """The account's writable indicators, tasks and regions, from the catalogue in the store (read now: what a
    write is checked against)."""
    inds, policies, regions = db.read_indicators(engine), db.read_policies(engine), db.read_regions(engine)
    if account is None or account.role not in WRITER_ROLES:
        return scope_of(account, inds, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), policies, regions)
    targets = db.read_targets(engine) if account.role not in ALL_DEPARTMENT_ROLES else pd.DataFrame()
    return scope_of(account, inds, db.read_task_units(engine), db.read_tasks(engine), targets, policies, regions)


def scope_of(account: Account | None, indicators: pd.DataFrame, task_units: pd.DataFrame, tasks: pd.DataFrame,
             targets: pd.DataFrame, policies: pd.DataFrame, regions: pd.DataFrame) -> Scope:
    """The scope from catalogue frames already read (a page shows it from its cached frames; the write itself is
    checked by check_writes against the store)."""
    names = dict(zip(indicators["code"], indicators["name"]))
    own = tuple(dict.fromkeys(policies["region"]))
    if account is None or account.role not in WRITER_ROLES:
        return Scope(frozenset(), frozenset(), names, frozenset(), own)
    return Scope(frozenset(writable_indicators(account, targets, names)),
                 frozenset(writable_tasks(account, task_units, zip(tasks["policy"], tasks["clause"]))), names,
                 frozenset(writable_regions(account, policies, regions)), own)


def region_refusal(scope: Scope, account: Account, region: str) -> str:
    """Why the account may not write values of this region (a benchmark or peer region): a Chinese sentence."""
    own = "、".join(scope.own_regions) or "本地区"
    return (f"账号{account_text(account)}无权填报{region}的数据：{region}是对比地区，其数据来自公开统计，只有管理账号"
            f"可以填报；本账号只能填报{own}的数据")


def refused_indicators(scope: Scope, codes: Iterable[str]) -> list[str]:
    """The codes outside the scope, in first-seen order."""
    return list(dict.fromkeys(c for c in codes if c not in scope.indicators))


def refused_tasks(scope: Scope, tasks: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(t for t in tasks if tuple(t) not in scope.tasks))


def check_writes(engine: Engine, account: Account | None, indicators: Iterable[str] = (),
                 tasks: Iterable[tuple[str, str]] = (), regions: Iterable[str] = ()) -> None:
    """PermissionDenied unless the account may write every one of these indicators and tasks, in every one of
    these regions."""
    require(account, WRITER_ROLES, "填报或修改数据")
    scope = write_scope(engine, account)
    if bad_regions := [r for r in dict.fromkeys(regions) if r not in scope.regions]:
        raise PermissionDenied(region_refusal(scope, account, "、".join(bad_regions)) + "。未写入任何数据。")
    bad_inds = refused_indicators(scope, indicators)
    bad_tasks = refused_tasks(scope, tasks)
    if not bad_inds and not bad_tasks:
        return
    what = [f"指标“{scope.indicator_names.get(c, c)}”（{c}）" for c in bad_inds[:5]]
    what += [f"任务 {clause}" for _, clause in bad_tasks[:5]]
    more = len(bad_inds) + len(bad_tasks) - len(what)
    depts = "、".join(account.departments) or "本单位"
    raise PermissionDenied(f"账号{account_text(account)}无权填报{'、'.join(what)}" + (f"等 {len(what) + more} 项" if more else "")
                           + f"：只能填报{depts}牵头或参与的目标指标和任务。未写入任何数据。")


# ------------------------------------------------------------------ data writes

def add_progress_as(engine: Engine, account: Account | None, policy_code: str, clause: str, *, status: str,
                    progress: str, evidence: str, reported_on: date, reported_by: str = "",
                    is_sample: bool = False, session: Session | None = None) -> int:
    """db.add_progress after the check; the reporter defaults to the account's display name. Returns its id."""
    check_writes(engine, account, tasks=[(policy_code, clause)])
    return db.add_progress(engine, policy_code, clause, status=status, progress=progress, evidence=evidence,
                    reported_on=reported_on, reported_by=reported_by or account.display_name, who=account.login,
                    is_sample=is_sample, session=session)


def save_plan_as(engine: Engine, account: Account | None, rows: list[dict[str, Any]],
                 progress: list[dict[str, Any]], *, reason: str) -> dict[str, int]:
    """Observations and progress updates (an import, a grid save) checked together, then written in one
    transaction: all or nothing."""
    check_writes(engine, account, indicators=[r["indicator"] for r in rows],
                 tasks=[(p["policy"], p["clause"]) for p in progress], regions=[r["region"] for r in rows])
    counts = {"created": 0, "updated": 0, "unchanged": 0, "progress": 0}
    with db.session_scope(engine) as s:
        if rows:
            counts.update(db.save_observations(engine, rows, who=account.login, reason=reason, session=s))
        for p in progress:
            db.add_progress(engine, p["policy"], p["clause"], status=p["status"], progress=p["progress"],
                            evidence=p["evidence"], reported_on=p["reported_on"], reported_by=p["reported_by"],
                            who=account.login, is_sample=bool(p["is_sample"]), session=s)
            counts["progress"] += 1
    return counts


def revert_as(engine: Engine, account: Account | None, audit_id: int, *, reason: str = "") -> None:
    """db.revert_change, for admins only."""
    require(account, ADMIN_ROLES, "撤销修改")
    db.revert_change(engine, audit_id, who=account.login, reason=reason)


def snapshot_as(engine: Engine, account: Account | None, status: pd.DataFrame, **kwargs: Any) -> int:
    """db.save_snapshot (name, meeting_date, policy, region, as_of_year), for admins only."""
    require(account, ADMIN_ROLES, "保存会议快照")
    return db.save_snapshot(engine, status, who=account.login, **kwargs)


def rename_snapshot_as(engine: Engine, account: Account | None, snapshot_id: int, name: str) -> None:
    """db.rename_snapshot, for admins only."""
    require(account, ADMIN_ROLES, "重命名会议快照")
    db.rename_snapshot(engine, snapshot_id, name, who=account.login)


def delete_snapshot_as(engine: Engine, account: Account | None, snapshot_id: int, *, reason: str = "") -> None:
    """db.delete_snapshot, for admins only."""
    require(account, ADMIN_ROLES, "删除会议快照")
    db.delete_snapshot(engine, snapshot_id, who=account.login, reason=reason)


def revert_batch_as(engine: Engine, account: Account | None, batch_id: str, *, reason: str = "") -> int:
    """db.revert_batch (one write transaction undone as one action), for admins only; never the built-in data
    load (written by db.SYSTEM_USER when the database was made)."""
    require(account, ADMIN_ROLES, "撤销整批修改")
    batches = db.read_batches(engine, min_changes=1, limit=None)
    if (batches.loc[batches["batch_id"] == batch_id, "who"] == db.SYSTEM_USER).any():
        raise ValueError("内置数据的载入不能整批撤销：请逐条撤销需要更正的数值，或在“数据填报”中改正后保存。")
    return db.revert_batch(engine, batch_id, who=account.login, reason=reason)


# ------------------------------------------------------------------ user management (admins)

def add_user_as(engine: Engine, account: Account | None, login: str, *, role: str, password: str,
                departments: Iterable[str] = (), display_name: str = "") -> Account:
    """Create an account with an argon2id hash of the password; audited without it."""
    require(account, ADMIN_ROLES, "管理账号")
    accounts.check_login_name(normal_login(login))  # before the (deliberately slow) hash
    return accounts.create_user(engine, login, role=role, password_hash=auth.hash_password(password),
                                departments=departments, display_name=display_name, who=account.login)


def set_password_as(engine: Engine, account: Account | None, login: str, password: str) -> None:
    """A new password for an account: admins for anyone, every account for itself."""
    if account is None or login_key(account.login) != login_key(login):
        require(account, ADMIN_ROLES, "修改他人的密码")
    accounts.set_password_hash(engine, login, auth.hash_password(password), who=account.login)


def update_user_as(engine: Engine, account: Account | None, login: str, **changes: Any) -> Account:
    """Change role, departments, display name or active flag; an admin cannot disable or demote itself."""
    require(account, ADMIN_ROLES, "管理账号")
    if login_key(login) == login_key(account.login) and (changes.get("active") is False
                                           or changes.get("role") not in (None, *ADMIN_ROLES)):
        raise PermissionDenied("不能停用自己的账号或取消自己的管理权限：请由另一位管理员操作。")
    return accounts.update_user(engine, login, who=account.login, **changes)


def disable_user_as(engine: Engine, account: Account | None, login: str) -> Account:
    """Disable an account (it can no longer log in; its open sessions end at their next click)."""
    return update_user_as(engine, account, login, active=False)


def operator_account() -> Account:
    """The server's operator at the command line (`cli.py user ...`): whoever runs the CLI on the server already
    holds the database, so no password is asked; the audit log records the operating-system user."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Account(login=f"cli:{name}"[:60], display_name="服务器操作员", role="admin")


def cli_account(engine: Engine, login: str) -> Account:
    """The active account named by `--as NAME` on the command line; ValueError when unknown or disabled."""
    account = accounts.active_account(engine, login)
    if account is None:
        raise ValueError(f"账号“{login}”不存在或已停用（用 python cli.py user list 查看）。")
    return account


# ------------------------------------------------------------------ policies (admins)

def import_policy_as(engine: Engine, account: Account | None, policy, *, reason: str, replace: bool = False
                     ) -> dict[str, int]:
    """db.save_imported_policy (a policy confirmed from its 任务分解表, audited), for admins only."""
    require(account, ADMIN_ROLES, "导入政策任务分解表")
    return db.save_imported_policy(engine, policy, who=account.login, reason=reason, replace=replace)
