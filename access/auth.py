"""Passwords (argon2id), login with throttling, and the session's idle timeout.

Failures are logged with the login name and the count, never with the password. The clock is injectable so that
tests can walk through locks and timeouts without waiting."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine

from store import accounts
from store import catalogue as cat
from store.engine import now
from vocab.accounts import Account, login_key

log = logging.getLogger("tracker.access")
HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
MIN_PASSWORD_LENGTH = 8
# a hash of a random string with the same parameters: a name without a usable account (unknown, disabled) or a
# locked one costs the same argon2 check as a known one, so timing does not tell them apart
DUMMY_HASH = HASHER.hash("not-a-password-of-anyone")
SESSION_KEY = "_account"
REFUSED = "用户名或密码错误。"  # the one answer for a wrong password, an unknown name and a disabled account
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


def authenticate(engine: Engine, login: str, password: str, *, source: str = "", clock: Clock = now,
                 settings: dict[str, Any] | None = None) -> Account:
    """The account when the name and password match an active account; else LoginFailed.

    The attempt is counted in the database before the password is checked (accounts.claim_attempt), per login name
    (ignoring case and width) and source (the client's address): while locked, no password is checked. Unknown,
    disabled and locked names answer like a wrong password (a lock says how long to wait, for any name) and cost
    one argon2 check each, so neither the answer nor its timing tells which names exist."""
    conf = access_settings(settings)
    key, at = login_key(login), clock()
    attempt = accounts.claim_attempt(engine, key, source or "", at=at, max_failures=int(conf["max_failures"]),
                                     lock_for=lambda failures: lock_seconds(failures, conf))
    if not attempt.allowed:
        check_hash(DUMMY_HASH, password or "")
        log.warning("login refused: name %r from %r is locked for %d s", key, source, attempt.wait)
        raise LoginFailed(f"登录失败次数过多，请 {attempt.wait} 秒后再试。")
    record = accounts.login_record(engine, key) if key else None
    usable = record is not None and record.active
    if not (check_hash(record.password_hash if usable else DUMMY_HASH, password or "") and usable):
        log.warning("login failed for name %r from %r (%d in a row%s%s)", key, source, attempt.failures,
                    "" if record is not None else ", unknown name", ", disabled" if record and not usable else "")
        raise LoginFailed(REFUSED + (f"请 {attempt.lock} 秒后再试。" if attempt.lock else ""))
    accounts.clear_attempts(engine, key, source or "")
    accounts.record_login(engine, key, at=at)
    log.info("login: user %r (%s) from %r", record.account.login, record.account.role, source)
    return record.account


def check_hash(stored_hash: str, password: str) -> bool:
    """One argon2 verification (every login attempt makes exactly one, of a hash of the same cost)."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ------------------------------------------------------------------ the session (a dict: st.session_state)

def start_session(state: MutableMapping[str, Any], account: Account, engine: Engine, *,
                  clock: Clock = now) -> None:
    """Remember the logged-in account's name, its session epoch (a later password change ends the session) and
    the time of the last activity."""
    record = accounts.login_record(engine, account.login)
    state[SESSION_KEY] = {"login": account.login, "epoch": record.session_epoch if record else -1, "seen": clock()}


def end_session(state: MutableMapping[str, Any]) -> None:
    """Log out."""
    state.pop(SESSION_KEY, None)


def session_account(state: MutableMapping[str, Any], engine: Engine, *, clock: Clock = now,
                    settings: dict[str, Any] | None = None) -> Account | None:
    """The logged-in account, re-read from the store (so a disabled account or a changed role applies at once);
    None when nobody is logged in, the account is disabled, its password was changed since the login, or the
    session was idle longer than idle_minutes (then the session ends). Each call counts as activity."""
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
    account = accounts.active_account(engine, session["login"], session_epoch=session.get("epoch", -1))
    if account is None:
        end_session(state)
        return None
    session["seen"] = at
    return account
