"""Every page opens in chromium without an exception box and shows its key texts."""
from __future__ import annotations

from tests.e2e.conftest import assert_no_exception, open_page
from views import labels


def test_overview_in_chromium(server, page):
    page.goto(server["url"])
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60000)   # the headline cards are drawn
    open_page(page, server["url"], labels.APP_TITLE, shot="overview")
    assert_no_exception(page)
    assert page.locator('[data-testid="stMetric"]').count() >= 3
    assert page.get_by_text("示例数据").first.is_visible()


def test_no_horizontal_scroll_on_laptop(server, page):
    open_page(page, server["url"], labels.APP_TITLE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1366
