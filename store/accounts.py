"""User accounts: login name, display name, role, departments, password hash, and the login throttle.

The store keeps only argon2id hashes (made by access.auth); no function here takes or returns a password, and the
audit rows of account changes never carry the hash. Who may call these is decided one layer up (access.guard).
Login names are compared by vocab.accounts.login_key (NFKC, case folded), held in a unique column."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from store import catalogue as cat
from store.audit import write_audit
from store.engine import now, read_session, session_scope
from store.models import Base
from store.reads import frame_of
from store.sync import normalise_name
from vocab.accounts import (
    NAME_LENGTH,
    ROLE_LABELS,
    ROLES,
    Account,
    clean_name,
    login_key,
    normal_login,
    valid_login,
)

USER_COLUMNS = ("login", "display_name", "role", "departments", "active", "created_at", "last_login",
                "failed_count", "locked_until")
THROTTLE_FORGET = timedelta(days=1)  # a (name, source) without an attempt for this long starts again from zero


class User(Base):
    """One account. `departments`: canonical names from data/departments.toml (what an editor reports for);
    `login_key`: the name as compared (unique); `session_epoch`: raised by a password change, which ends every
    session opened before it."""
    __tablename__ = "user"
    # db.dump leaves out the hash and the login bookkeeping: a login is not a change of data, and dumps are compared
    __table_args__ = (UniqueConstraint("login_key", name="uq_user_login_key"),
                      {"info": {"dump_omit": ("password_hash", "last_login", "session_epoch")}})
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    login_key: Mapped[str] = mapped_column(String(NAME_LENGTH))
    display_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(12))
    departments: Mapped[list] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def account(self) -> Account:
        return Account(login=self.login, display_name=self.display_name, role=self.role,
                       departments=tuple(self.departments or ()))


class LoginThrottle(Base):
    """Failed logins in a row per (login key, source address), for names that exist and names that do not alike,
    so that a lock tells nothing about which names exist. Not audited, left out of db.dump (bookkeeping)."""
    __tablename__ = "login_throttle"
    __table_args__ = ({"info": {"dump_skip": True}},)
    login_key: Mapped[str] = mapped_column(String(NAME_LENGTH), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_attempt: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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


def check_login_name(login: str) -> None:
    """ValueError with a Chinese message unless the (normal_login) name may be a login."""
    if not valid_login(login):
        raise ValueError(f"用户名“{clean_name(login)}”无效：请用 2—40 个字母、数字、汉字或 _ . @ -，不含空格。")


def _check_fields(login: str, role: str, departments: list[str]) -> None:
    check_login_name(login)
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
    """Add an account (audited without the hash); a taken login name (ignoring case and width) or a bad field
    raises ValueError."""
    login = normal_login(login)
    depts = canonical_departments(departments)
    _check_fields(login, role, depts)
    taken = ValueError(f"用户名“{login}”已存在（用户名不区分大小写和全角半角）。")
    try:
        with session_scope(engine) as s:
            if s.scalar(select(User.id).where(User.login_key == login_key(login))) is not None:
                raise taken
            u = User(login=login, login_key=login_key(login), display_name=clean_name(display_name) or login,
                     role=role, departments=depts, password_hash=password_hash, active=True, created_at=now(),
                     session_epoch=0)
            s.add(u)
            s.flush()
            write_audit(s, who=who, action="create", entity="user", key=login, old=None, new=_public(u),
                        reason="新建账号")
            return u.account()
    except IntegrityError as exc:  # the same name created at the same moment by someone else (PostgreSQL)
        raise taken from exc


def _get(s: Session, login: str) -> User:
    u = s.scalar(select(User).where(User.login_key == login_key(login)))
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
            u.display_name = clean_name(display_name) or u.login
        if active is not None:
            u.active = active
            if active:
                _forget_failures(s, u.login_key)
        new = _public(u)
        if new != old:
            write_audit(s, who=who, action="update", entity="user", key=u.login, old=old, new=new,
                        reason="停用账号" if active is False else "修改账号")
        return u.account()


def set_password_hash(engine: Engine, login: str, password_hash: str, *, who: str) -> None:
    """Replace an account's password hash, end its open sessions (session_epoch + 1) and lift any lock; audited
    as a password change, without any hash."""
    with session_scope(engine) as s:
        u = _get(s, login)
        u.password_hash, u.session_epoch = password_hash, int(u.session_epoch or 0) + 1
        _forget_failures(s, u.login_key)
        write_audit(s, who=who, action="update", entity="user", key=u.login, old=None, new=None, reason="修改密码")


@dataclass(frozen=True)
class LoginRecord:
    """What access.auth needs to check a login (the hash never leaves access/ and the store)."""
    account: Account
    password_hash: str
    active: bool
    session_epoch: int


def login_record(engine: Engine, login: str) -> LoginRecord | None:
    """The stored account of a login name (compared by login_key); None for an unknown name."""
    with read_session(engine) as s:
        u = s.scalar(select(User).where(User.login_key == login_key(login)))
        if u is None:
            return None
        return LoginRecord(u.account(), u.password_hash, bool(u.active), int(u.session_epoch or 0))


def record_login(engine: Engine, login: str, *, at: datetime) -> None:
    """A successful login: the last login time. Logged by access.auth, not audited: a login changes no data, and
    the audit id is the pages' cache key."""
    with session_scope(engine) as s:
        s.execute(update(User).where(User.login_key == login_key(login)).values(last_login=at))


def active_account(engine: Engine, login: str, session_epoch: int | None = None) -> Account | None:
    """The account as stored now (role and departments may have changed since login); None when disabled or
    unknown, or when session_epoch is given and the password was changed since (the session is over)."""
    with read_session(engine) as s:
        u = s.scalar(select(User).where(User.login_key == login_key(login), User.active.is_(True)))
        if u is None or (session_epoch is not None and int(u.session_epoch or 0) != session_epoch):
            return None
        return u.account()


def read_users(engine: Engine) -> pd.DataFrame:
    """Every account without its hash: login, display_name, role, departments, active, created_at, last_login,
    failed_count (failed logins in a row, summed over sources), locked_until (the latest lock of any source)."""
    t = LoginThrottle
    throttle = (select(t.login_key, func.sum(t.failures).label("failed_count"),
                       func.max(t.locked_until).label("locked_until")).group_by(t.login_key).subquery())
    stmt = (select(User.login, User.display_name, User.role, User.departments, User.active, User.created_at,
                   User.last_login, func.coalesce(throttle.c.failed_count, 0).label("failed_count"),
                   throttle.c.locked_until)
            .outerjoin(throttle, throttle.c.login_key == User.login_key).order_by(User.id))
    df = frame_of(engine, stmt)
    return df.assign(active=df["active"].astype(bool), failed_count=df["failed_count"].astype(int))[
        list(USER_COLUMNS)]


# ------------------------------------------------------------------ the login throttle

@dataclass(frozen=True)
class Attempt:
    """A claimed login attempt: allowed (a password may be checked) or the seconds to wait; when allowed, the
    failures in a row this attempt makes and the lock already set in case it fails (0: none)."""
    allowed: bool
    wait: int = 0
    failures: int = 0
    lock: int = 0


def _aware(t: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; the store writes UTC."""
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def claim_attempt(engine: Engine, key: str, source: str, *, at: datetime, max_failures: int,
                  lock_for: Callable[[int], int]) -> Attempt:
    """Count a login attempt before its password is checked, atomically (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    row locked FOR UPDATE): refused while (key, source) is locked; otherwise failures + 1, and when that reaches
    max_failures the lock (lock_for(failures) seconds) is set now, lifted again only by a successful login. So
    parallel guesses never get more than max_failures password checks per lock."""
    key, source = key[:NAME_LENGTH], source[:64]
    with session_scope(engine) as s:
        s.execute(delete(LoginThrottle).where(LoginThrottle.last_attempt < at - THROTTLE_FORGET,
                                              (LoginThrottle.locked_until.is_(None))
                                              | (LoginThrottle.locked_until < at)))
        insert = postgresql.insert if s.bind.dialect.name == "postgresql" else sqlite.insert
        s.execute(insert(LoginThrottle).values(login_key=key, source=source, failures=0, last_attempt=at)
                  .on_conflict_do_nothing())
        row = s.scalars(select(LoginThrottle).where(LoginThrottle.login_key == key, LoginThrottle.source == source)
                        .with_for_update()).one()
        if row.locked_until is not None and _aware(row.locked_until) > at:
            return Attempt(False, wait=int((_aware(row.locked_until) - at).total_seconds()) + 1)
        row.failures, row.last_attempt = int(row.failures or 0) + 1, at
        lock = lock_for(row.failures) if row.failures >= max_failures else 0
        row.locked_until = at + timedelta(seconds=lock) if lock else None
        return Attempt(True, failures=row.failures, lock=lock)


def clear_attempts(engine: Engine, key: str, source: str) -> None:
    """A successful login from this source: its failures in a row and its lock are gone."""
    with session_scope(engine) as s:
        s.execute(delete(LoginThrottle).where(LoginThrottle.login_key == key[:NAME_LENGTH],
                                              LoginThrottle.source == source[:64]))


def _forget_failures(s: Session, key: str) -> None:
    """A new password or a re-enabled account: every source's failures and locks for the name are lifted."""
    s.execute(delete(LoginThrottle).where(LoginThrottle.login_key == key))
