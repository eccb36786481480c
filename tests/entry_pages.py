"""Shared by the AppTest modules of 数据填报 and 修改记录: one database per module with the accounts 张三 (a 科工信局
clerk), 李四 (a 组织部 clerk), 管理员 (admin) and 领导 (viewer), one AppTest session per role, and the steps the tests
take on the pages (pick an indicator, edit the grid, upload a file)."""
from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

import db
from tests.accounts import PASSWORD, admin, editor, store_account, viewer
from tests.helpers import app_pointed_at, start_on


@pytest.fixture(scope="module")
def store(template_db, tmp_path_factory):
    """The module's database with 张三 (a 科工信局 clerk), 李四 (a 组织部 clerk), 管理员 (admin) and 领导 (viewer)."""
    path = tmp_path_factory.mktemp("entry") / "tracker.sqlite"
    shutil.copy(template_db, path)
    with app_pointed_at(path):
        eng = db.make_engine(f"sqlite:///{path}")
        for account in (editor("科工信局", "张三"), editor("组织部", "李四"), admin("管理员"), viewer("领导")):
            store_account(eng, account)
        yield eng
        eng.dispose()


def login(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill the sidebar's login form (用户名, 密码) and press 登录."""
    at.sidebar.text_input(key="login_name").set_value(name)
    at.sidebar.text_input(key="login_password").set_value(password)
    next(b for b in at.sidebar.button if b.label == "登录").click().run()
    return at


def open_page(page: str, who: str | None = "张三") -> AppTest:
    at = start_on(page, timeout=60).run()
    if who:
        login(at, who)
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def clerk(store) -> AppTest:
    """张三 on 数据填报."""
    return open_page("pages/entry.py")


@pytest.fixture(scope="module")
def visitor(store) -> AppTest:
    """Nobody logged in, on 数据填报."""
    return open_page("pages/entry.py", who=None)


@pytest.fixture(scope="module")
def boss(store) -> AppTest:
    """管理员 on 修改记录."""
    return open_page("pages/audit.py", who="管理员")


def pick_indicator(at: AppTest, code: str) -> AppTest:
    at.selectbox(key="entry_indicator").set_value(code).run()
    return at


def grid_key(at: AppTest) -> str:
    return next(e.key for e in at.data_editor if e.key.startswith("grid/"))


def edit_grid(at: AppTest, edited_rows: dict | None = None, added_rows: list | None = None) -> AppTest:
    """Type into 逐项填报's grid (the editor's edit state, as the browser sends it), then 检查并预览."""
    at.session_state[grid_key(at)] = {"edited_rows": edited_rows or {}, "added_rows": added_rows or [],
                                      "deleted_rows": []}
    at.run()
    at.button(key="entry_check").click().run()
    assert not at.exception, at.exception
    return at


def grid_row(at: AppTest, period: str) -> int:
    grid = next(e for e in at.data_editor if e.key.startswith("grid/"))
    return int(grid.value.reset_index(drop=True).query("period == @period").index[0])


def shown(at: AppTest, tab: int = 0) -> list:
    """The read-only tables in one tab of the page (0 grid, 1 本单位填报, 2 progress, 3 Excel): problems or preview."""
    return [d.value for d in at.tabs[tab].dataframe if d.editing_mode == "read_only"]


def value(store, code: str, year: int, region: str = "长垣市") -> float:
    obs = db.read_observations(store, regions=[region], indicators=[code])
    return obs.set_index("year").loc[year, "value"]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="entry_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at
