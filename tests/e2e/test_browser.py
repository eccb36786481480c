"""The overview opens in chromium without an exception box and draws its headline cards and the sample mark.
(Every page's key texts and the 1366 px width check: test_pages_browser.py.)"""
from __future__ import annotations

from tests.e2e.conftest import SHOTS, assert_no_exception, wait_idle


def test_overview_in_chromium(server, page):
    page.goto(server["url"])
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60000)   # the headline cards are drawn
    wait_idle(page)
    assert_no_exception(page)
    assert page.locator('[data-testid="stMetric"]').count() >= 3
    assert page.get_by_text("示例数据").first.is_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
