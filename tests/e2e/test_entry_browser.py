"""数据填报 and 修改记录 in chromium, logged in through the sidebar form: no exception box, a clerk opening on its
department's grid with every row and column on a 1366-pixel screen, the tabs, the template download (built on the
click, holding the indicators the page counts), the Chinese upload box (a bad file lists its problems and writes
nothing), and the log with every column; screenshots in shots/entry*.png and shots/audit.png."""
from __future__ import annotations

from playwright.sync_api import expect

import pytest
from openpyxl import load_workbook

import db
from tests import evidence_files
from tests.accounts import admin, editor, store_account
from tests.e2e.conftest import (
    assert_no_exception,
    log_in,
    open_page,
    wait_idle,
)
from tests.e2e.test_pages_browser import full_page_shot, horizontal_overflow
from tests.helpers import engine_at
from tests.xlsx import long_table
from vocab import labels

pytestmark = pytest.mark.slow


def go_to(page, server, title: str, wait_text: str) -> None:
    """Open the page by its address (a bookmark; app.py's navigation serves it even as a fresh server's first
    request, see test_extension_browser.py) and wait until its content is drawn. Reaching pages by clicking the
    navigation is test_pages_browser.py's."""
    slug = "entry" if title == labels.ENTRY_PAGE_TITLES["entry"] else "audit"
    open_page(page, f"{server['url']}/{slug}", wait_text)
    assert page.url.rstrip("/").endswith(f"/{slug}")
    assert page.get_by_role("heading", name=title).count() > 0


@pytest.fixture(scope="module")
def accounts(server):
    """张三 (a 科工信局 clerk) and 管理员 (admin) in the served database."""
    eng = db.make_engine(f"sqlite:///{server['db']}")
    have = set(db.read_users(eng)["login"])
    for account in (editor("科工信局", "张三"), admin("管理员")):
        if account.login not in have:
            store_account(eng, account)
    eng.dispose()


SELECTED_TAB = ("n => [...document.querySelectorAll('[role=tab]')]"
                ".some(t => t.innerText.trim() === n && t.getAttribute('aria-selected') === 'true')")


def open_tab(page, name: str):
    """Select a tab (a click reruns the page, which keeps the choice in the session), wait until the page shows it
    selected and has settled, and return its panel. A rerun in flight may draw the tabs twice for a moment: the
    click waits for the page to settle first."""
    wait_idle(page)
    tab = page.get_by_role("tab", name=name).last
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
    page.wait_for_function(SELECTED_TAB, arg=name, timeout=30000)
    wait_idle(page)
    return page.get_by_role("tabpanel", name=name)


def progress_with_evidence(page, server, tmp_path) -> None:
    """A progress report with a PDF attached through the form's uploader: stored, listed, downloadable (the bytes
    served on the click are the file's), screenshot shots/entry_progress_evidence.png."""
    tab = page.get_by_role("tabpanel", name="任务进展")
    tab.get_by_label("进展情况").fill("项目已立项，批复见附件")
    tab.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "立项批复.pdf", "mimeType": "application/pdf", "buffer": evidence_files.pdf()}])
    tab.get_by_text("立项批复.pdf").first.wait_for(timeout=30000)
    tab.get_by_role("button", name="提交进展").click()
    page.get_by_text("佐证材料 1 件").first.wait_for(timeout=60000)
    wait_idle(page)
    assert_no_exception(page)
    with engine_at(server["db"]) as eng:
        stored = db.read_attachments(eng)
    assert list(stored["file_name"]) == ["立项批复.pdf"]
    tab = open_tab(page, "任务进展")  # still the chosen tab after the save's rerun
    button = tab.get_by_role("button", name="下载 立项批复.pdf")
    with page.expect_download(timeout=60000) as info:
        button.click()
    assert info.value.suggested_filename == "立项批复.pdf"
    info.value.save_as(tmp_path / "evidence.pdf")
    assert (tmp_path / "evidence.pdf").read_bytes() == evidence_files.pdf()
    full_page_shot(page, "entry_progress_evidence")


# every grid on screen: its width, how far it scrolls inside (sideways, down), the rows it holds (aria-rowcount
# counts the header row too; read-only tables leave it out)
GRIDS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stDataEditor"]')]
  .filter(e => e.offsetParent !== null).map(e => { const s = e.querySelector('.dvn-scroller');
    const t = e.querySelector('table[aria-rowcount]');
    return {sx: s.scrollWidth - s.clientWidth, sy: s.scrollHeight - s.clientHeight,
            rows: t ? Number(t.getAttribute('aria-rowcount')) - 1 : null}; })"""


GRIDS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stDataEditor"]')]
  .filter(e => e.offsetParent !== null).every(e => e.querySelector('table[aria-rowcount]'))"""


def grids(page) -> list[dict]:
    """Every shown grid's sideways and downward overflow and its row count, once each grid has drawn its rows (on a
    loaded machine the caption above a grid can come before the grid's rows)."""
    page.wait_for_function(GRIDS_DRAWN, timeout=60_000)
    return page.evaluate(GRIDS)


def test_entry_page_in_chromium(server, accounts, page, tmp_path):
    go_to(page, server, labels.ENTRY_PAGE_TITLES["entry"], "逐项填报")
    assert_no_exception(page)
    assert page.get_by_text(labels.LOGIN_NEEDED).first.is_visible()
    assert page.locator('[data-testid="stDataEditor"]').count() == 0  # a visitor reads tables without pencils
    log_in(page, "张三")
    assert page.get_by_text(labels.LOGIN_NEEDED).count() == 0
    assert page.get_by_text("张三（张三）· 填报").first.is_visible()
    # a clerk's day starts on its department's grid: every indicator on screen, every column within 1366 px
    assert page.get_by_role("tab", name="本单位填报").get_attribute("aria-selected") == "true"
    page.get_by_text("共 46 个指标").first.wait_for()
    assert grids(page) == [{"sx": 0, "sy": 0, "rows": 46}]
    assert page.get_by_role("tabpanel", name="本单位填报").get_by_text(labels.SAMPLE_MARK).first.is_visible()
    assert horizontal_overflow(page) == 0
    full_page_shot(page, "entry_unit")
    open_tab(page, "逐项填报").get_by_text("在表格末行添加新的期间").first.wait_for()
    assert [g["sx"] for g in grids(page)] == [0] and horizontal_overflow(page) == 0
    full_page_shot(page, "entry")
    open_tab(page, "任务进展").get_by_text("提交进展").first.wait_for()
    full_page_shot(page, "entry_progress")
    progress_with_evidence(page, server, tmp_path)
    wait_idle(page)  # a rerun in flight draws the tabs twice for a moment: click once it has settled
    excel = open_tab(page, "Excel 导入导出")
    excel.locator('[data-testid="stFileUploader"]').wait_for()
    expect(excel.locator('[data-testid="stFileUploader"]')).to_have_count(1)   # retried: a rerun may redraw the tab
    # the uploader speaks Chinese: its button reads 选择文件, Streamlit's English size and type line is hidden
    zone = excel.locator('[data-testid="stFileUploaderDropzone"]')
    assert zone.locator('[data-testid="stFileUploaderDropzoneInstructions"]').is_hidden()
    label = zone.locator("button p").element_handle()   # the page's style can land just after the tab opens
    page.wait_for_function("p => getComputedStyle(p, '::after').content === '\"选择文件\"'", arg=label, timeout=30_000)
    assert label.evaluate("p => getComputedStyle(p, '::after').content") == '"选择文件"'
    assert zone.locator("button p").evaluate("p => getComputedStyle(p).fontSize") == "0px"  # “Upload” not drawn
    assert excel.get_by_text("不超过 20 MB").first.is_visible()
    full_page_shot(page, "entry_excel")
    # the template is built when the button is clicked (deferred download), from the store as it is then, and
    # holds the indicators the page counts
    with page.expect_download(timeout=60000) as info:
        page.get_by_role("button", name="下载填报模板（长垣市·科工信局，46 个指标，2018—2020年）").click()
    assert info.value.suggested_filename == "填报模板_长垣市_科工信局.xlsx"
    info.value.save_as(tmp_path / "template.xlsx")
    book = load_workbook(tmp_path / "template.xlsx")
    assert book.sheetnames[0] == "说明" and len(book.sheetnames) > 1
    assert "科工信局" in " ".join(str(c.value) for c in book["说明"]["A"] if c.value)
    assert sum(1 for ws in book.worksheets[1:] for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value) \
        == 46
    assert_no_exception(page)
    # a bad file: the problems are listed and nothing is written
    with engine_at(server["db"]) as eng:
        before = db.dump(eng)
    bad = long_table([("长垣市", "高企数量", 2020, "九十五", "统计"), ("长垣市", "研发投入强度", 2020, 380, "统计")])
    wait_idle(page)
    excel = open_tab(page, "Excel 导入导出")
    excel.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "坏文件.xlsx", "mimeType": "application/octet-stream", "buffer": bad}])
    page.get_by_text("发现 2 处问题，未写入任何数据。").first.wait_for(timeout=60000)
    wait_idle(page)
    assert_no_exception(page)
    full_page_shot(page, "entry_upload_errors")
    with engine_at(server["db"]) as eng:
        assert db.dump(eng) == before


def test_audit_page_in_chromium(server, accounts, page):
    go_to(page, server, labels.ENTRY_PAGE_TITLES["audit"], "撤销一条修改")
    assert_no_exception(page)
    assert page.get_by_text(labels.ADMIN_ONLY).first.is_visible()
    log_in(page, "管理员", gone=labels.ADMIN_ONLY)
    page.get_by_text("撤销该修改").first.wait_for(timeout=30000)
    assert horizontal_overflow(page) == 0
    assert [g["sx"] for g in grids(page)] == [0]  # every column of the log within 1366 px
    assert page.get_by_text("新乡市 · 全社会研发投入 · 2021年").count() > 0  # keys in words, not codes
    assert page.get_by_text("/rd_expenditure/").count() == 0
    full_page_shot(page, "audit")
    assert_no_exception(page)
