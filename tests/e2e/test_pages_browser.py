"""Every dashboard page in chromium: no exception box, its key texts, no horizontal scrolling on a 1366-wide
laptop, full-page screenshots in shots/ (1366 wide for every page, 1920×1080 for the overview)."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import SHOTS, assert_no_exception, open_page, wait_idle
from views import labels

pytestmark = pytest.mark.slow

# url path, text that proves the page rendered its content, further key texts
PAGES = [
    ("", "核心指标", ["需要关注", "各领域进展", labels.SAMPLE_MARK]),
    ("detail", "政策依据", ["测算依据", "数据与出处", "修改记录", "进度比", "G01"]),
    ("areas", f"{labels.AREAS[1]}领域目标进展", [f"{a}（" for a in labels.AREAS]),
    ("departments", "任务台账", [labels.PRAISE, labels.CRITICISE, "部门综合得分"]),
    ("compare", "逐项对比", ["最新年度增速", "位次："]),
    ("quality", labels.QUALITY_LABELS["no_source"], list(labels.QUALITY_LABELS.values())),
]


def full_page_shot(page, name: str) -> None:
    """Streamlit scrolls its main area inside a container: grow the viewport to the content's height first, so
    that the screenshot holds the whole page, then restore it."""
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"],"
        " [data-testid=\"stMainBlockContainer\"], [data-testid=\"stAppViewContainer\"]')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 16000)})
    wait_idle(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def horizontal_overflow(page) -> int:
    """How many pixels the page or its main area is wider than the window (0 = no horizontal scrolling)."""
    return page.evaluate(
        "() => Math.max(...[document.documentElement, ...document.querySelectorAll('[data-testid=\"stMain\"],"
        " [data-testid=\"stMainBlockContainer\"]')].map(e => e.scrollWidth - e.clientWidth))")


@pytest.mark.parametrize("path, wait_text, texts", PAGES, ids=[p or "overview" for p, _, _ in PAGES])
def test_page_in_chromium(server, page, path, wait_text, texts):
    open_page(page, f"{server['url']}/{path}", wait_text)
    assert_no_exception(page)
    for text in texts:
        assert page.get_by_text(text).count() > 0, f"{text!r} missing on /{path}"
    assert horizontal_overflow(page) <= 0
    full_page_shot(page, f"page-{path or 'overview'}-1366")
    assert_no_exception(page)


def test_pages_by_clicking_the_navigation(server, page):
    open_page(page, server["url"], "核心指标")
    for path, wait_text, _ in PAGES[1:]:
        key = path
        page.get_by_role("link", name=labels.PAGE_TITLES[key]).first.click()
        page.get_by_text(wait_text).first.wait_for(timeout=60000)
        wait_idle(page)
        assert urlparse(page.url).path.rstrip("/").endswith(path)
        assert_no_exception(page)


def test_overview_on_projector(server, browser):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    pg = ctx.new_page()
    try:
        open_page(pg, server["url"], "核心指标")
        assert_no_exception(pg)
        assert horizontal_overflow(pg) <= 0
        pg.screenshot(path=str(SHOTS / "page-overview-1920-viewport.png"))
        full_page_shot(pg, "page-overview-1920")
    finally:
        ctx.close()


def test_detail_of_another_target_and_year(server, page):
    """Choosing a target by its code in the URL and moving the as-of year keep the page working."""
    open_page(page, f"{server['url']}/detail?code=K01", "政策依据")
    assert page.get_by_text("K01").count() > 0
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="截至年份").click()
    page.get_by_role("option", name="2019年").click()
    wait_idle(page)
    assert_no_exception(page)
    full_page_shot(page, "page-detail-K01-2019-1366")
