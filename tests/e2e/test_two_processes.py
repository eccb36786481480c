"""Two `streamlit run` processes on one PostgreSQL database (as scripts/serve.sh runs them on several machines):
a value saved through one is seen by the other after a reload; a concurrent edit of the same value through the
other is refused with the compare-and-set message; the audit log names both people.

(People identify with the sidebar 填报人 field for now; the accounts work switches this test to logging in.)"""
from __future__ import annotations

import pytest

import db
from tests.e2e.conftest import assert_no_exception, serve_url, wait_idle
from tests.e2e.test_entry_browser import go_to, type_name
from views import labels

pytestmark = pytest.mark.slow
ENTRY, AUDIT = labels.ENTRY_PAGE_TITLES["entry"], labels.ENTRY_PAGE_TITLES["audit"]


@pytest.fixture(scope="module")
def two_servers(pg_cluster, tmp_path_factory):
    url = pg_cluster.create_database("two")
    eng = db.make_engine(url)
    db.init_db(eng)
    eng.dispose()
    logs = tmp_path_factory.mktemp("two")
    with serve_url(url, logs / "a.log") as a, serve_url(url, logs / "b.log") as b:
        yield {"a": {"url": a}, "b": {"url": b}, "db": url}


def grid_cells(page) -> list[str]:
    """The texts of the data editor's cells (its accessible table; the grid itself is a canvas)."""
    return page.locator('[data-testid="stDataFrame"] table[role=grid] td').all_inner_texts()


def edit_value(page, row: int, text: str) -> None:
    """Select the grid's first cell, move to (row, 数值) with the keyboard, open the cell's editor (Enter), replace
    its text, commit with Enter."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(state="visible", timeout=30000)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # the first body row, column 期间
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator("textarea.gdg-input, input.gdg-input").first
    editor.wait_for(timeout=10000)
    editor.fill(text)
    page.keyboard.press("Enter")
    page.wait_for_function("t => [...document.querySelectorAll('[data-testid=\"stDataFrame\"] table[role=grid] td')]"
                           ".some(td => td.innerText === t)", arg=text, timeout=30000)


def check_and_save(page) -> None:
    page.get_by_role("button", name="检查并预览").click()
    page.get_by_role("button", name="确认保存").wait_for(timeout=30000)
    wait_idle(page)
    page.get_by_role("button", name="确认保存").click()


def open_entry(browser, server, name: str):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    go_to(page, server, ENTRY, "检查并预览")
    type_name(page, name)
    page.locator('[data-testid="stDataFrame"] table[role=grid] td').first.wait_for(state="attached", timeout=30000)
    return ctx, page


def test_two_processes_share_one_postgres(two_servers, browser):
    a_ctx, a = open_entry(browser, two_servers["a"], "张三")
    b_ctx, b_stale = open_entry(browser, two_servers["b"], "李四")  # opened before 张三 saves
    try:
        cells = grid_cells(a)
        periods = cells[0::4]
        row = periods.index("2020")
        assert cells[row * 4 + 1] != "3.9"

        edit_value(a, row, "3.9")
        check_and_save(a)
        a.get_by_text("已保存：新增 0 条，修改 1 条").first.wait_for(timeout=30000)
        assert_no_exception(a)

        b_fresh_ctx, b_fresh = open_entry(browser, two_servers["b"], "王五")  # a reload on the other process
        try:
            assert grid_cells(b_fresh)[row * 4 + 1] == "3.9"
        finally:
            b_fresh_ctx.close()

        edit_value(b_stale, row, "4.2")
        check_and_save(b_stale)
        b_stale.get_by_text("保存失败——您打开后该数值已被“张三”修改为 3.9").first.wait_for(timeout=30000)
        assert_no_exception(b_stale)

        b_stale.get_by_role("button", name="放弃修改并刷新").click()
        b_stale.get_by_text("保存失败").first.wait_for(state="detached", timeout=30000)  # the rerun has finished
        wait_idle(b_stale)
        assert grid_cells(b_stale)[row * 4 + 1] == "3.9"
        edit_value(b_stale, row, "4.2")
        check_and_save(b_stale)
        b_stale.get_by_text("已保存：新增 0 条，修改 1 条").first.wait_for(timeout=30000)

        go_to(a, two_servers["a"], AUDIT, "撤销一条修改")
        a.locator('[data-testid="stDataFrame"] table[role=grid] td').first.wait_for(state="attached", timeout=30000)
        texts = " ".join(a.locator('[data-testid="stDataFrame"] table[role=grid] td').all_inner_texts())
        assert "张三" in texts and "李四" in texts
        assert_no_exception(a)
    finally:
        a_ctx.close()
        b_ctx.close()
    eng = db.make_engine(two_servers["db"])
    try:
        audit = db.read_audit(eng, entity="observation").head(2)
        assert list(audit["who"]) == ["李四", "张三"]
    finally:
        eng.dispose()
