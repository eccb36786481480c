"""Two `streamlit run` processes on one PostgreSQL database (as scripts/serve.sh runs them on several machines):
an edit through the second process of a value the first has saved since the grid was opened is refused with the
compare-and-set message; after 放弃修改并刷新 the second process shows the first's value and saves over it; the
audit log names both logins. Each person logs in through the
sidebar form (用户名/密码/登录) as a 科工信局 editor stored before the servers start; an admin reads 修改记录."""
from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import db
from dataio.grid import GRID_COLUMNS
from tests.accounts import admin, editor, store_account
from tests.e2e.conftest import (
    assert_no_exception,
    log_in,
    rerun_after,
    serve_urls,
    wait_idle,
)
from tests.e2e.test_entry_browser import go_to
from vocab import labels

pytestmark = pytest.mark.slow
ENTRY, AUDIT = labels.ENTRY_PAGE_TITLES["entry"], labels.ENTRY_PAGE_TITLES["audit"]
ZHANG, LI = editor("科工信局", "zhangsan"), editor("科工信局", "lisi")
ADMIN = admin("guanliyuan")
N_COLUMNS = len(GRID_COLUMNS)  # the entry grid's columns: cell i of row r is r × N_COLUMNS + i


@pytest.fixture(scope="module")
def two_servers(pg_cluster, tmp_path_factory):
    url = pg_cluster.create_database("two")
    eng = db.make_engine(url)
    db.init_db(eng)
    for account in (ZHANG, LI, ADMIN):
        store_account(eng, account)
    eng.dispose()
    logs = tmp_path_factory.mktemp("two")
    with serve_urls([(url, logs / "a.log"), (url, logs / "b.log")]) as (a, b):
        yield {"a": {"url": a}, "b": {"url": b}, "db": url}


def grid_cells(page) -> list[str]:
    """The texts of the data editor's cells (its accessible table; the grid itself is a canvas)."""
    return page.locator('[data-testid="stDataFrame"] table[role=grid] td').all_inner_texts()


def wait_for_cell(page, index: int, text: str) -> None:
    """Wait until the grid's accessible table has drawn cell `index` with `text` (the grid renders after the run)."""
    page.wait_for_function(
        "([i, t]) => { const tds = [...document.querySelectorAll('[data-testid=\"stDataFrame\"] table[role=grid] td')];"
        " return tds.length > i && tds[i].innerText === t; }", arg=[index, text], timeout=30000)


def edit_value(page, row: int, text: str) -> None:
    """Select the grid's first cell, move to (row, 数值) with the keyboard, open the cell's editor (Enter), replace
    its text, commit with Enter, and wait until the app has run with the edit (the server has it before anything
    is clicked). A click on a grid that does not have the focus yet only focuses it: click again (after a second's
    wait for the selection to show) until the accessible table marks the cell selected; a click that found the
    cell already selected opens its editor, which Escape closes unchanged."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(state="visible", timeout=30000)
    box = grid.bounding_box()
    first = grid.locator('td#glide-cell-0-0[aria-selected="true"]')
    editor = page.locator("textarea.gdg-input, input.gdg-input")
    for _ in range(10):
        page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # the first body row, column 期间
        try:
            first.wait_for(state="attached", timeout=1000)
            break
        except PlaywrightTimeout:
            continue
    first.wait_for(state="attached", timeout=1000)
    if editor.count():
        page.keyboard.press("Escape")
        editor.first.wait_for(state="detached", timeout=10000)
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    grid.locator(f'td#glide-cell-1-{row}[aria-selected="true"]').wait_for(state="attached", timeout=10000)
    page.keyboard.press("Enter")
    editor.first.wait_for(timeout=10000)
    editor.first.fill(text)
    with rerun_after(page):
        page.keyboard.press("Enter")
    wait_for_cell(page, row * N_COLUMNS + 1, text)


def check_and_save(page) -> None:
    page.get_by_role("button", name="检查并预览").click()
    page.get_by_role("button", name="确认保存").wait_for(timeout=30000)
    wait_idle(page)
    page.get_by_role("button", name="确认保存").click()


def open_entry(browser, server, login: str):
    """A fresh browser context on 数据填报, logged in through the sidebar form, on the 逐项填报 tab (a clerk opens
    on 本单位填报)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    go_to(page, server, ENTRY, "逐项填报")
    log_in(page, login)
    wait_idle(page)
    page.get_by_role("tab", name="逐项填报").last.click()
    page.get_by_role("button", name="检查并预览").wait_for(timeout=30000)
    page.locator('[data-testid="stDataFrame"] table[role=grid] td').first.wait_for(state="attached", timeout=30000)
    return ctx, page


def test_two_processes_share_one_postgres(two_servers, browser):
    a_ctx, a = open_entry(browser, two_servers["a"], ZHANG.login)
    b_ctx, b_stale = open_entry(browser, two_servers["b"], LI.login)  # opened before zhangsan saves
    try:
        cells = grid_cells(a)
        periods = cells[0::N_COLUMNS]
        row = periods.index("2020")
        assert cells[row * N_COLUMNS + 1] != "3.9"

        edit_value(a, row, "3.9")
        check_and_save(a)
        a.get_by_text("已保存：新增 0 条，修改 1 条").first.wait_for(timeout=30000)
        assert_no_exception(a)

        edit_value(b_stale, row, "4.2")
        check_and_save(b_stale)
        b_stale.get_by_text(f"保存失败——您打开后该数值已被“{ZHANG.login}”修改为 3.9").first.wait_for(timeout=30000)
        assert_no_exception(b_stale)

        b_stale.get_by_role("button", name="放弃修改并刷新").click()
        b_stale.get_by_text("保存失败").first.wait_for(state="detached", timeout=30000)  # the rerun has finished
        wait_idle(b_stale)
        wait_for_cell(b_stale, row * N_COLUMNS + 1, "3.9")   # the reloaded grid on process b shows zhangsan's value
        assert grid_cells(b_stale)[row * N_COLUMNS + 1] == "3.9"
        edit_value(b_stale, row, "4.2")
        check_and_save(b_stale)
        b_stale.get_by_text("已保存：新增 0 条，修改 1 条").first.wait_for(timeout=30000)

    finally:
        a_ctx.close()
        b_ctx.close()
    log_ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        audit_page = log_ctx.new_page()
        go_to(audit_page, two_servers["a"], AUDIT, "撤销一条修改")
        log_in(audit_page, ADMIN.login, gone=labels.ADMIN_ONLY)
        cells = audit_page.locator('[data-testid="stDataFrame"] table[role=grid] td')
        cells.first.wait_for(state="attached", timeout=30000)
        texts = " ".join(cells.all_inner_texts())
        assert ZHANG.login in texts and LI.login in texts
        assert_no_exception(audit_page)
    finally:
        log_ctx.close()
    eng = db.make_engine(two_servers["db"])
    try:
        audit = db.read_audit(eng, entity="observation").head(2)
        assert list(audit["who"]) == [LI.login, ZHANG.login]
    finally:
        eng.dispose()
