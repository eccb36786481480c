"""Accounts for tests: Account values (the guard checks the role and departments it is given) and stored ones."""
from __future__ import annotations

import functools

import db
from access import auth
from access.account import Account

PASSWORD = "correct-horse-9"


def admin(login: str = "张三") -> Account:
    """An admin account value (no stored row needed to call the guarded functions)."""
    return Account(login=login, display_name=login, role="admin")


def editor(department: str, login: str = "clerk") -> Account:
    return Account(login=login, display_name=login, role="editor", departments=(department,))


def viewer(login: str = "leader") -> Account:
    return Account(login=login, display_name=login, role="viewer")


@functools.lru_cache(maxsize=8)
def password_hash(password: str) -> str:
    """A real argon2id hash of the password, made once per test process (a hash takes ~0.1 s by design; the
    salt being shared between test accounts changes nothing a test checks)."""
    return auth.hash_password(password)


def store_account(engine, account: Account, password: str = PASSWORD) -> Account:
    """The account as a stored row (for the CLI's --as and the login form)."""
    db.create_user(engine, account.login, role=account.role, password_hash=password_hash(password),
                   departments=account.departments, display_name=account.display_name, who="测试")
    return account
