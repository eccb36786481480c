"""Passwords (argon2id), login with throttling, and the session's idle timeout.

Failures are logged with the login name and the count, never with the password. The clock is injectable so that
tests can walk through locks and timeouts without waiting."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine

from store import accounts
from store import catalogue as cat
from store.engine import now
from vocab.accounts import Account

log = logging.getLogger("tracker.access")
HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
MIN_PASSWORD_LENGTH = 8
# a hash of a random string: unknown names cost the same time as known ones, so timing does not tell them apart
_DUMMY_HASH = HASHER.hash("not-a-password-of-anyone")
SESSION_KEY = "_account"
Clock = Callable[[], datetime]


class LoginFailed(Exception):
    """The login was refused; the message is a Chinese sentence for the user (no hint which part was wrong)."""


PUBLIC_READ_VARIABLE = "TRACKER_PUBLIC_READ"
_YES, _NO = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def access_settings(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """[access] of data/settings.toml with defaults: public_read, idle_minutes, max_failures, lock_seconds,
    lock_max_seconds. The environment variable TRACKER_PUBLIC_READ (scripts/serve.sh sets it) overrides
    public_read; a value that is neither yes nor no closes reading (fail closed)."""
    settings = settings if settings is not None else cat.load_settings()
    defaults = {"public_read": True, "idle_minutes": 30, "max_failures": 5, "lock_seconds": 60,
                "lock_max_seconds": 600}
    conf = {**defaults, **settings.get("access", {})}
    if (raw := os.environ.get(PUBLIC_READ_VARIABLE)) is not None:
        value = raw.strip().lower()
        if value not in _YES | _NO:
            log.warning("%s=%r is neither true nor false: reading needs a login", PUBLIC_READ_VARIABLE, raw)
        conf["public_read"] = value in _YES
    return conf


def hash_password(password: str) -> str:
    """An argon2id hash of a new password; a password shorter than MIN_PASSWORD_LENGTH raises ValueError."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValueError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    return HASHER.hash(password)


def lock_seconds(failures: int, settings: dict[str, Any]) -> int:
    """How long a name is locked after this many failures in a row: 0 below max_failures, then lock_seconds,
    doubled for every further failure, at most lock_max_seconds."""
    extra = failures - int(settings["max_failures"])
    if extra < 0:
        return 0
    return int(min(int(settings["lock_seconds"]) * 2 ** min(extra, 30), int(settings["lock_max_seconds"])))


def authenticate(engine: Engine, login: str, password: str, *, clock: Clock = now,
                 settings: dict[str, Any] | None = None) -> Account:
    """The account when the name and password match an active, unlocked account; else LoginFailed.

    A locked name is refused without checking the password; the fifth failure in a row locks it (growing)."""
    conf = access_settings(settings)
    login = (login or "").strip()
    at = clock()
    record = accounts.login_record(engine, login) if login else None
    if record is None:
        _verify(_DUMMY_HASH, password or "")
        log.warning("login failed: unknown user %r", login)
        raise LoginFailed("用户名或密码错误。")
    account, stored_hash, active, failures, locked_until = record
    if locked_until is not None and _aware(locked_until) > at:
        wait = int((_aware(locked_until) - at).total_seconds()) + 1
        log.warning("login refused: user %r is locked for %d s", login, wait)
        raise LoginFailed(f"该账号连续登录失败次数过多，已暂时锁定，请 {wait} 秒后再试。")
    if not _verify(stored_hash, password or ""):
        failures += 1
        wait = lock_seconds(failures, conf)
        accounts.record_login(engine, login, at=at, failed_count=failures,
                              locked_until=at + timedelta(seconds=wait) if wait else None, success=False)
        log.warning("login failed: wrong password for user %r (%d in a row%s)", login, failures,
                    f", locked for {wait} s" if wait else "")
        raise LoginFailed("用户名或密码错误。" + (f"账号已锁定 {wait} 秒。" if wait else ""))
    if not active:
        log.warning("login refused: user %r is disabled", login)
        raise LoginFailed("该账号已停用，请联系管理员。")
    accounts.record_login(engine, login, at=at, failed_count=0, locked_until=None, success=True)
    log.info("login: user %r (%s)", login, account.role)
    return account


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _aware(t: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; the store writes UTC."""
    return t if t.tzinfo else t.replace(tzinfo=UTC)


# ------------------------------------------------------------------ the session (a dict: st.session_state)

def start_session(state: MutableMapping[str, Any], account: Account, *, clock: Clock = now) -> None:
    """Remember the logged-in account's name and the time of the last activity."""
    state[SESSION_KEY] = {"login": account.login, "seen": clock()}


def end_session(state: MutableMapping[str, Any]) -> None:
    """Log out."""
    state.pop(SESSION_KEY, None)


def session_account(state: MutableMapping[str, Any], engine: Engine, *, clock: Clock = now,
                    settings: dict[str, Any] | None = None) -> Account | None:
    """The logged-in account, re-read from the store (so a disabled account or a changed role applies at once);
    None when nobody is logged in, the account is disabled, or the session was idle longer than idle_minutes
    (then the session ends). Each call counts as activity."""
    session = state.get(SESSION_KEY)
    if not session:
        return None
    at = clock()
    idle = timedelta(minutes=float(access_settings(settings)["idle_minutes"]))
    if at - session["seen"] > idle:
        log.info("session of user %r ended after %s idle", session["login"], at - session["seen"])
        end_session(state)
        state["_session_expired"] = True
        return None
    account = accounts.active_account(engine, session["login"])
    if account is None:
        end_session(state)
        return None
    session["seen"] = at
    return account
