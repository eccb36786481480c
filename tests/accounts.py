"""Accounts for tests: Account values (the guard checks the role and departments it is given) and stored ones."""
from __future__ import annotations

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


def store_account(engine, account: Account, password: str = PASSWORD) -> Account:
    """The account as a stored row (for the CLI's --as and the login form)."""
    db.create_user(engine, account.login, role=account.role, password_hash=auth.hash_password(password),
                   departments=account.departments, display_name=account.display_name, who="测试")
    return account
