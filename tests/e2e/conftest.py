"""A real browser against a real server: `streamlit run` on a free port, Playwright driving Debian's chromium.

These tests are mandatory: a missing /usr/bin/chromium is a failure, never a skip."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.accounts import PASSWORD
from vocab import labels

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "shots"
# Screenshots are for people to look at (shots/); CI sets TRACKER_SHOTS=0: the assertions run, no picture is taken.
TAKE_SHOTS = os.environ.get("TRACKER_SHOTS", "1") != "0"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db_file: Path):
    """`streamlit run app.py` on a free port over db_file; yields {"url", "db"} and stops the server after."""
    with serve_urls([(f"sqlite:///{db_file}", db_file.with_suffix(".log"))]) as (url,):
        yield {"url": url, "db": db_file}


@contextmanager
def serve_urls(servers: list[tuple[str, Path]]):
    """Several `streamlit run app.py` servers, each (DATABASE_URL, log file) on its own free port, started together
    (they boot in parallel); yields their http URLs and stops them all after."""
    procs, urls = [], []
    with ExitStack() as logs:
        try:
            for database_url, log_path in servers:
                port = _free_port()
                log = logs.enter_context(open(log_path, "w"))
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                     "--server.headless", "true", "--server.address", "127.0.0.1"],
                    cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url}, stdout=log, stderr=subprocess.STDOUT))
                urls.append(f"http://127.0.0.1:{port}")
            for url, (_, log_path) in zip(urls, servers):
                _wait_healthy(url, log_path)
            yield urls
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=20)


def _wait_healthy(url: str, log_path: Path, seconds: float = 60) -> None:
    """Wait until the server answers its health check; fail the test with its log when it does not in time."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not start: {log_path.read_text()}")


@pytest.fixture(scope="session")
def server(template_db, tmp_path_factory):
    """The dashboard served by `streamlit run` on its own copy of the built-in database."""
    path = tmp_path_factory.mktemp("e2e") / "tracker.sqlite"
    shutil.copy(template_db, path)
    with serve(path) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: install Debian's chromium (apt-get install chromium)"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def open_page(page, url: str, wait_text: str, shot: str | None = None, timeout: int = 60000):
    """Load a page, wait until Streamlit has rendered wait_text and stopped running, screenshot it."""
    page.goto(url)
    page.get_by_text(wait_text).first.wait_for(timeout=timeout)
    wait_idle(page)
    if shot and TAKE_SHOTS:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    return page


IDLE = ("() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && app.getAttribute('data-test-connection-state') === 'CONNECTED'"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]'); }")


def wait_idle(page, timeout: int = 60000) -> None:
    """Wait until the app reports its script run finished (stApp's data-test-script-state) and no placeholder is
    left. A test then waits for the element it needs: right after a click the next run may not have started yet."""
    page.wait_for_function(IDLE, timeout=timeout)


WATCH_RUNS = ("() => { const app = document.querySelector('[data-testid=\"stApp\"]'); window.__scriptStates = 0;"
              " new MutationObserver(records => { window.__scriptStates += records.length; })"
              ".observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }")


@contextmanager
def rerun_after(page, timeout: int = 30000):
    """Wait until the action in the block has made the app run its script and finish: a change of stApp's
    data-test-script-state is recorded from before the action, so a run that starts late, or ends before the test
    looks, is still seen (wait_idle alone may look before the run has started)."""
    page.evaluate(WATCH_RUNS)
    yield
    page.wait_for_function("() => window.__scriptStates > 0", timeout=timeout)
    wait_idle(page, timeout)


def log_in(page, name: str, gone: str | None = labels.LOGIN_NEEDED) -> None:
    """Fill 用户名 and 密码 in the sidebar, press 登录, and wait until the page has rerun logged in (退出登录 is
    shown and the text `gone`, if given, has disappeared)."""
    page.get_by_label(labels.LOGIN_LABELS["name"]).fill(name)
    page.get_by_label(labels.LOGIN_LABELS["password"]).fill(PASSWORD)
    page.get_by_role("button", name=labels.LOGIN_LABELS["submit"]).click()
    page.get_by_role("button", name=labels.LOGIN_LABELS["logout"]).wait_for(timeout=30000)
    if gone is not None:
        page.wait_for_function("t => !document.body.innerText.includes(t)", arg=gone, timeout=30000)
    wait_idle(page)


def log_out(page) -> None:
    """Press 退出登录 in the sidebar and wait until the login form is back and the page has rerun."""
    page.get_by_role("button", name=labels.LOGIN_LABELS["logout"]).click()
    page.get_by_label(labels.LOGIN_LABELS["name"]).wait_for(timeout=30000)
    wait_idle(page)


def assert_no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()
