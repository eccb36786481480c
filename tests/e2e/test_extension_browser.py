"""部门督办 in chromium against a new `streamlit run` server:
- its very first request is the page's address (a bookmark), which still gets the app's navigation and layout;
- an extension of a milestone walks request → review → approval with three accounts, one after another in one
  browser page (each logs out through the sidebar before the next logs in, as at a shared office computer: what
  the next one may do comes from its own login only); the store then holds the new due date with the original
  kept, and the audit log names the three logins;
- a server started by scripts/serve.sh (reading closed) shows only the login form on every page address, its
  very first request a deep link, until one logs in."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

import db
from tests import evidence_files
from tests.accounts import PASSWORD, store_account
from tests.e2e.conftest import (
    ROOT,
    _free_port,
    _wait_healthy,
    assert_no_exception,
    log_in,
    log_out,
    open_page,
    serve,
    wait_idle,
)
from tests.e2e.test_pages_browser import full_page_shot
from views import policy as views_policy
from vocab import labels
from vocab.accounts import Account

pytestmark = pytest.mark.slow
POLICY = "CY2019-20"
TITLE = labels.PAGE_TITLES["departments"]
EDITOR = Account("keji01", "科工信填报员", "editor", ("科工信局",))
INSPECTOR = Account("ducha01", "督查员", "inspector", ())
ADMIN = Account("lingdao01", "分管领导", "admin", ())
NEW_DATE = date(2021, 3, 31)


@pytest.fixture(scope="module")
def departments_server(template_db, tmp_path_factory):
    """A new server on its own copy of the built-in database with the three accounts stored: nobody has opened
    / on it before this module's first test, which opens a page's address as the server's very first request."""
    path = tmp_path_factory.mktemp("extension") / "tracker.sqlite"
    shutil.copy(template_db, path)
    eng = db.make_engine(f"sqlite:///{path}")
    for account in (EDITOR, INSPECTOR, ADMIN):
        store_account(eng, account)
    eng.dispose()
    with serve(path) as srv:
        yield srv


def open_departments(browser, server):
    """A fresh browser context on 部门督办, opened by its address as a bookmark opens it; not logged in."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    open_page(page, f"{server['url']}/departments", "任务台账")
    assert page.url.rstrip("/").endswith("/departments")
    return ctx, page


def log_in_as(page, account: Account) -> None:
    """Log in as the account through the sidebar form and wait until the sidebar names it."""
    log_in(page, account.login, gone=None)
    page.get_by_text(f"{account.display_name}（{account.login}）").first.wait_for(timeout=30000)
    assert_no_exception(page)


def set_date(scope, label: str, when: date) -> None:
    """Streamlit's date field is three spin buttons (year, month, day): type each one and wait until it holds
    the value."""
    for part, value in (("year", when.year), ("month", when.month), ("day", when.day)):
        segment = scope.get_by_role("spinbutton", name=f"{part}, {label}")
        segment.click()
        segment.page.keyboard.type(str(value).zfill(4 if part == "year" else 2))
        expect(segment).to_have_attribute("aria-valuenow", str(value), timeout=10000)


def frames(server) -> dict:
    eng = db.make_engine(f"sqlite:///{server['db']}")
    try:
        return views_policy.load_catalogue_frames(eng)
    finally:
        eng.dispose()


def test_first_request_deep_link_runs_through_app(departments_server, page):
    """A page URL as the very first request of a new server still gets the app's navigation and layout (see
    ui.sidebar.through_app_navigation). Keep this test first in the module: the server is new only once."""
    open_page(page, f"{departments_server['url']}/departments", "通报表扬", shot="deep-link-departments")
    assert_no_exception(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("部门督办").count() == 1
    assert nav.get_by_text("departments", exact=True).count() == 0
    assert page.url.rstrip("/").endswith("/departments")


def test_extension_request_review_approval_in_chromium(departments_server, browser):
    srv = departments_server
    before = frames(srv)["milestones"].set_index("milestone_id")

    ctx, page = open_departments(browser, srv)
    try:
        log_in_as(page, EDITOR)
        page.get_by_text(labels.SUPERVISION_TITLES["todo"]).first.wait_for(timeout=30000)
        form = page.locator('[data-testid="stForm"]').filter(has_text="提交延期申请")
        chosen = page.get_by_role("combobox", name="延期的节点").input_value()  # "clause title（截止 YYYY-MM-DD）"
        set_date(form, "申请延期至", NEW_DATE)
        form.get_by_label("延期理由（必填）").fill("受疫情影响，专家评审推迟")
        form.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "延期说明函.pdf", "mimeType": "application/pdf", "buffer": evidence_files.pdf()}])
        form.get_by_text("延期说明函.pdf").first.wait_for(timeout=30000)
        form.get_by_role("button", name="提交延期申请").click()
        page.get_by_text("延期申请已提交，等待督查室审核（佐证材料 1 件）。").first.wait_for(timeout=30000)
        assert_no_exception(page)
        req = frames(srv)["extensions"].iloc[-1]
        mid = int(req["milestone_id"])
        old_due = before.loc[mid, "due_date"]
        assert (req["state"], req["requester"], req["new_date"], req["old_date"]) == ("requested", EDITOR.login,
                                                                                       NEW_DATE, old_due)
        assert f"{before.loc[mid, 'title']}（截止 {old_due.isoformat()}）" in chosen
        rid = int(req["request_id"])

        log_out(page)
        log_in_as(page, INSPECTOR)
        page.get_by_text("申请所附佐证材料（审核前请查看）").first.wait_for(timeout=30000)
        with page.expect_download(timeout=60000) as info:  # the reviewer opens the unit's proof before deciding
            page.get_by_role("button", name="下载 延期说明函.pdf").click()
        assert info.value.suggested_filename == "延期说明函.pdf"
        assert info.value.path().read_bytes() == evidence_files.pdf()
        full_page_shot(page, "departments_extension_review_evidence")
        form = page.locator('[data-testid="stForm"]').filter(has_text="同意上报")
        form.get_by_label("审核意见或退回理由（必填）").fill("情况属实，同意上报")
        form.get_by_role("button", name="同意上报").click()
        page.get_by_text(f"延期申请 {rid}：同意上报。").first.wait_for(timeout=30000)
        assert_no_exception(page)
        assert frames(srv)["extensions"].set_index("request_id").loc[rid, "state"] == "forwarded"

        log_out(page)
        log_in_as(page, ADMIN)
        form = page.locator('[data-testid="stForm"]').filter(has_text="批准")
        form.get_by_label("批示（不批准时必填）").fill("同意延期")
        form.get_by_role("button", name="批准", exact=True).click()
        page.get_by_text(f"延期申请 {rid}：批准。").first.wait_for(timeout=30000)
        wait_idle(page)
        assert_no_exception(page)
        full_page_shot(page, "departments_extension_approved")
    finally:
        ctx.close()

    after = frames(srv)
    req = after["extensions"].set_index("request_id").loc[rid]
    assert (req["state"], req["reviewer"], req["review_opinion"], req["decider"], req["decision_note"]) == (
        "approved", INSPECTOR.login, "情况属实，同意上报", ADMIN.login, "同意延期")
    milestone = after["milestones"].set_index("milestone_id").loc[mid]
    assert (milestone["due_date"], milestone["original_due_date"]) == (NEW_DATE, old_due)
    eng = db.make_engine(f"sqlite:///{srv['db']}")
    try:
        steps = db.read_audit(eng, entity="extension_request").iloc[::-1]
        approval = db.read_audit(eng, entity="milestone", limit=1).iloc[0]
    finally:
        eng.dispose()
    assert list(zip(steps["who"], steps["reason"])) == [(EDITOR.login, "提出延期申请"), (INSPECTOR.login, "同意上报"),
                                                        (ADMIN.login, "批准")]
    assert (approval["who"], approval["reason"]) == (ADMIN.login, f"批准延期申请 {rid}")


# ------------------------------------------------------------------ the deployed server: reading needs a login

PAGE_PATHS = ["audit", "", "detail?code=G02", "areas", "departments", "compare", "quality", "entry", "report"]


@contextmanager
def served_by_serve_sh(db_file: Path):
    """scripts/serve.sh as the intranet runs it (its own TRACKER_PUBLIC_READ default, showErrorDetails none), on
    a free port; stopped after."""
    port = _free_port()
    log = db_file.with_suffix(".log")
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_PUBLIC_READ"}
    env.update(DATABASE_URL=f"sqlite:///{db_file}", PORT=str(port), TRACKER_PYTHON=sys.executable)
    with open(log, "w") as out:
        proc = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", log)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_serve_sh_shows_only_the_login_form_until_one_logs_in(template_db, tmp_path, browser):
    """A new server started by scripts/serve.sh: its first request is a deep link (/audit), then every page's
    address; each shows the login form and nothing else (no navigation, no table, no chart, no account name from
    the audit log). After logging in, the page asked for is there."""
    path = tmp_path / "tracker.sqlite"
    shutil.copy(template_db, path)
    eng = db.make_engine(f"sqlite:///{path}")
    store_account(eng, EDITOR)
    eng.dispose()
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    try:
        with served_by_serve_sh(path) as url:
            for i, where in enumerate(PAGE_PATHS):
                open_page(page, f"{url}/{where}", labels.LOGIN_TO_READ, shot="gate-login" if i == 0 else None)
                page.get_by_label(labels.LOGIN_LABELS["name"]).wait_for(timeout=30000)
                shown = {sel: page.locator(f'[data-testid="{sel}"]').count()
                         for sel in ("stSidebarNav", "stDataFrame", "stMetric", "stPlotlyChart", "stSelectbox",
                                     "stDownloadButton", "stSidebarUserContent")}
                assert not any(shown.values()), (where, shown)
                text = page.inner_text("body")
                assert EDITOR.login not in text and labels.SAMPLE_MARK not in text, where
                assert_no_exception(page)
            page.goto(f"{url}/departments")
            page.get_by_label(labels.LOGIN_LABELS["name"]).fill(EDITOR.login.upper())  # names ignore case
            page.get_by_label(labels.LOGIN_LABELS["password"]).fill(PASSWORD)
            page.get_by_role("button", name=labels.LOGIN_LABELS["submit"]).click()
            page.get_by_text("任务台账").first.wait_for(timeout=60000)
            wait_idle(page)
            assert page.url.rstrip("/").endswith("/departments")
            assert page.locator('[data-testid="stSidebarNav"]').get_by_text(TITLE).count() == 1
            assert_no_exception(page)
    finally:
        ctx.close()
