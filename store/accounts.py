"""User accounts: login name, display name, role, departments, password hash and the login bookkeeping.

The store keeps only argon2id hashes (made by access.auth); no function here takes or returns a password, and the
audit rows of account changes never carry the hash. Who may call these is decided one layer up (access.guard)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import pandas as pd
from sqlalchemy import JSON, Boolean, DateTime, Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from store import catalogue as cat
from store.audit import write_audit
from store.engine import now, read_session, session_scope
from store.models import Base
from store.reads import frame_of
from store.sync import normalise_name
from vocab.accounts import ROLE_LABELS, ROLES, Account

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{2,40}$")
USER_COLUMNS = ("login", "display_name", "role", "departments", "active", "created_at", "last_login",
                "failed_count", "locked_until")


class User(Base):
    """One account. `departments`: canonical names from data/departments.toml (what an editor reports for)."""
    __tablename__ = "user"
    # db.dump leaves out the hash and the login bookkeeping: a login is not a change of data, and dumps are compared
    __table_args__ = ({"info": {"dump_omit": ("password_hash", "last_login", "failed_count", "locked_until")}},)
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(12))
    departments: Mapped[list] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def account(self) -> Account:
        return Account(login=self.login, display_name=self.display_name, role=self.role,
                       departments=tuple(self.departments or ()))


def department_names() -> dict[str, str]:
    """Every spelling in data/departments.toml (name, full name, aliases; width and spaces folded) → canonical name."""
    table: dict[str, str] = {}
    for spec in cat.load_toml("departments.toml")["departments"]:
        for n in [spec["name"], spec["full_name"], *spec.get("aliases", [])]:
            table[normalise_name(n)] = spec["name"]
    return table


def canonical_departments(names: Iterable[str]) -> list[str]:
    """Department names as data/departments.toml's canonical names (aliases accepted), in order, without repeats;
    an unknown name raises ValueError with a Chinese message."""
    table = department_names()
    out: list[str] = []
    for name in names:
        canonical = table.get(normalise_name(str(name)))
        if canonical is None:
            raise ValueError(f"单位“{name}”不在 data/departments.toml 的单位表中，请使用其中的单位名称（如“科工信局”）。")
        if canonical not in out:
            out.append(canonical)
    return out


def _check_fields(login: str, role: str, departments: list[str]) -> None:
    if not LOGIN_PATTERN.match(login):
        raise ValueError(f"用户名“{login}”无效：请用 2—40 个字母、数字、汉字或 _ . @ -，不含空格。")
    if role not in ROLES:
        raise ValueError(f"角色“{role}”无效：可选 " + "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ROLES) + "。")
    if role == "editor" and not departments:
        raise ValueError("填报账号必须至少属于一个单位（--department）。")


def _public(u: User) -> dict:
    """What the audit log may record about an account: never the hash."""
    return {"display_name": u.display_name, "role": u.role, "departments": list(u.departments or []),
            "active": bool(u.active)}


def create_user(engine: Engine, login: str, *, role: str, password_hash: str, departments: Iterable[str] = (),
                display_name: str = "", who: str) -> Account:
    """Add an account (audited without the hash); a taken login name or bad field raises ValueError."""
    login = login.strip()
    depts = canonical_departments(departments)
    _check_fields(login, role, depts)
    with session_scope(engine) as s:
        if s.scalar(select(User).where(User.login == login)) is not None:
            raise ValueError(f"用户名“{login}”已存在。")
        u = User(login=login, display_name=(display_name or login).strip()[:60], role=role, departments=depts,
                 password_hash=password_hash, active=True, created_at=now(), failed_count=0)
        s.add(u)
        s.flush()
        write_audit(s, who=who, action="create", entity="user", key=login, old=None, new=_public(u),
                    reason="新建账号")
        return u.account()


def _get(s, login: str) -> User:
    u = s.scalar(select(User).where(User.login == login.strip()))
    if u is None:
        raise ValueError(f"用户“{login}”不存在。")
    return u


def update_user(engine: Engine, login: str, *, who: str, role: str | None = None,
                departments: Iterable[str] | None = None, display_name: str | None = None,
                active: bool | None = None) -> Account:
    """Change an account's role, departments, display name or active flag (audited old → new, no hash)."""
    with session_scope(engine) as s:
        u = _get(s, login)
        old = _public(u)
        depts = canonical_departments(departments) if departments is not None else list(u.departments or [])
        new_role = role if role is not None else u.role
        _check_fields(u.login, new_role, depts)
        u.role, u.departments = new_role, depts
        if display_name is not None:
            u.display_name = display_name.strip()[:60] or u.login
        if active is not None:
            u.active = active
            if active:
                u.failed_count, u.locked_until = 0, None
        new = _public(u)
        if new != old:
            write_audit(s, who=who, action="update", entity="user", key=u.login, old=old, new=new,
                        reason="停用账号" if active is False else "修改账号")
        return u.account()


def set_password_hash(engine: Engine, login: str, password_hash: str, *, who: str) -> None:
    """Replace an account's password hash and lift any lock; audited as a password change, without any hash."""
    with session_scope(engine) as s:
        u = _get(s, login)
        u.password_hash, u.failed_count, u.locked_until = password_hash, 0, None
        write_audit(s, who=who, action="update", entity="user", key=u.login, old=None, new=None, reason="修改密码")


def login_record(engine: Engine, login: str) -> tuple[Account, str, bool, int, datetime | None] | None:
    """(account, password hash, active, failed_count, locked_until) for access.auth; None for an unknown name."""
    with read_session(engine) as s:
        u = s.scalar(select(User).where(User.login == login.strip()))
        if u is None:
            return None
        return u.account(), u.password_hash, bool(u.active), int(u.failed_count or 0), u.locked_until


def record_login(engine: Engine, login: str, *, at: datetime, failed_count: int,
                 locked_until: datetime | None, success: bool) -> None:
    """Login bookkeeping (failure count, lock, last login). Logged by access.auth, not audited: a login changes
    no data, and the audit id is the pages' cache key."""
    with session_scope(engine) as s:
        u = _get(s, login)
        u.failed_count, u.locked_until = failed_count, locked_until
        if success:
            u.last_login = at


def active_account(engine: Engine, login: str) -> Account | None:
    """The account as stored now (role and departments may have changed since login); None when disabled/unknown."""
    with read_session(engine) as s:
        u = s.scalar(select(User).where(User.login == login, User.active.is_(True)))
        return u.account() if u else None


def read_users(engine: Engine) -> pd.DataFrame:
    """Every account without its hash: login, display_name, role, departments, active, created_at, last_login,
    failed_count, locked_until."""
    df = frame_of(engine, select(*[getattr(User, c) for c in USER_COLUMNS]).order_by(User.id))
    return df.assign(active=df["active"].astype(bool))
