"""Accounts for tests: Account values (the guard checks the role and departments it is given) and stored ones."""
from __future__ import annotations

import functools

from argon2 import PasswordHasher

import db
from vocab.accounts import Account

PASSWORD = "correct-horse-9"


def admin(login: str = "张三") -> Account:
    """An admin account value (no stored row needed to call the guarded functions)."""
    return Account(login=login, display_name=login, role="admin")


def editor(department: str, login: str = "clerk") -> Account:
    return Account(login=login, display_name=login, role="editor", departments=(department,))


def viewer(login: str = "leader") -> Account:
    return Account(login=login, display_name=login, role="viewer")


# argon2id with the cheapest parameters the algorithm allows: the app verifies a login with the parameters stored
# in the hash (as it does an older hash), so the login path is the real one, but each of the suite's logins
# costs microseconds instead of ~0.15 s by design. test_access checks the parameters auth.hash_password uses.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@functools.lru_cache(maxsize=8)
def password_hash(password: str) -> str:
    """A real argon2id hash of the password for the test accounts, made once per test process (the salt being
    shared between test accounts changes nothing a test checks)."""
    return TEST_HASHER.hash(password)


def store_account(engine, account: Account, password: str = PASSWORD) -> Account:
    """The account as a stored row (for the CLI's --as and the login form)."""
    db.create_user(engine, account.login, role=account.role, password_hash=password_hash(password),
                   departments=account.departments, display_name=account.display_name, who="测试")
    return account


def save_as(engine, account: Account | None, rows: list[dict], reason: str = "数据填报") -> dict[str, int]:
    """Values written as the pages and the importer write them (a checked plan through access.guard.save_plan_as)."""
    from dataio import importer
    clean = [{"note": "", "sheet": "填报表格", "row": i, **r} for i, r in enumerate(rows, start=1)]
    return importer.apply_plan(engine, importer.plan_changes(engine, clean), account=account, reason=reason)
