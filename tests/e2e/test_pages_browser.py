"""Every dashboard page in chromium: no exception box, its key texts, no horizontal scrolling on a 1366-wide
laptop — neither the page nor any table (every row shown, every column inside the table) — and no chart's axis
label cut, full-page screenshots in shots/ (1366 wide for every page, 1920×1080 for the overview)."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import (
    SHOTS,
    TAKE_SHOTS,
    assert_no_exception,
    open_page,
    wait_idle,
)
from vocab import labels

pytestmark = pytest.mark.slow

# url path, text that proves the page rendered its content, further key texts
PAGES = [
    ("", "核心指标", ["需要关注", "各领域进展", labels.SAMPLE_MARK]),
    ("portfolio", "任务已逾期", ["长政〔2019〕20号", "已结束", "实施期 2019—2020年", "打开", labels.SAMPLE_MARK]),
    ("detail", "政策依据", ["测算依据", "数据与出处", "修改记录", "期末差距", "按2020年底数值判定", "G01"]),
    ("areas", "领域目标进展", [f"{a}（" for a in labels.AREAS]),
    ("departments", "任务台账", [labels.PRAISE, labels.CRITICISE, "部门综合得分"]),
    ("compare", "逐项对比", ["最新年度增速", "位次："]),
    ("quality", labels.QUALITY_LABELS["no_source"], list(labels.QUALITY_LABELS.values())),
    ("report", "会议快照", ["幻灯片（共", "督查通报"]),
]
TITLES = {**labels.PAGE_TITLES, "report": labels.REPORT_PAGE_TITLE}


def full_page_shot(page, name: str) -> None:
    """Streamlit scrolls its main area inside a container: grow the viewport to the content's height first, so
    that the screenshot holds the whole page, then restore it. Nothing when TRACKER_SHOTS=0 (CI)."""
    if not TAKE_SHOTS:
        return
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


def tables_cut(page) -> list[dict]:
    """The drawn tables (st.dataframe) that need scrolling: sideways (columns wider than the table) or down (rows
    the table's height does not show)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')].filter(d => d.offsetParent)"
        ".map((d, i) => { const s = d.querySelector('.dvn-scroller'); return s && {i, width: s.scrollWidth,"
        " shown: s.clientWidth, height: s.scrollHeight, shown_height: s.clientHeight}; })"
        ".filter(t => t && (t.width > t.shown + 1 || t.height > t.shown_height + 1))")


def chart_labels_cut(page) -> list[str]:
    """The axis labels of the drawn charts that stand outside their chart (cut by a margin too narrow: the charts
    are shown without Streamlit's theme, and the small multiples without plotly's automargin)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent).flatMap((p, i) => {"
        " const box = p.querySelector('.main-svg').getBoundingClientRect();"
        " return [...p.querySelectorAll('g.xtick text, g.ytick text')].filter(t => { const r = t.getBoundingClientRect();"
        " return r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1"
        " || r.bottom > box.bottom + 1); }).map(t => `chart ${i}: ${t.textContent}`); })")


def test_every_page_through_the_navigation(server, page):
    """Every page reached as a user reaches it (总览 first, then a click in the sidebar navigation): the address
    follows, no exception box, its key texts, no horizontal scrolling, a full-page screenshot. One browser session
    for all pages; the problems of every page are collected, so that one page does not hide another's."""
    problems = []
    open_page(page, server["url"], PAGES[0][1])
    for i, (path, wait_text, texts) in enumerate(PAGES):
        if i:
            page.get_by_role("link", name=TITLES[path]).first.click()
            page.get_by_text(wait_text).first.wait_for(timeout=60000)
            wait_idle(page)
        if not urlparse(page.url).path.rstrip("/").endswith(path):
            problems.append(f"/{path}: the address is {page.url}")
        assert_no_exception(page)
        missing = [text for text in texts if page.get_by_text(text).count() == 0]
        if missing:
            problems.append(f"/{path}: missing {missing}")
        if (overflow := horizontal_overflow(page)) > 0:
            problems.append(f"/{path}: {overflow} px of horizontal scrolling at 1366 px")
        if cut := tables_cut(page):
            problems.append(f"/{path}: tables that scroll at 1366 px {cut}")
        if cut := chart_labels_cut(page):
            problems.append(f"/{path}: axis labels cut at 1366 px {cut}")
        full_page_shot(page, f"page-{path or 'overview'}-1366")
        assert_no_exception(page)
    assert not problems, problems


def test_overview_on_projector(server, browser):
    """The overview at 1920×1080 (the meeting room's projector): its headline cards and the sample mark drawn,
    no exception box, no horizontal scrolling; a screenshot of the first screen and of the whole page."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    pg = ctx.new_page()
    try:
        open_page(pg, server["url"], "核心指标")
        pg.locator('[data-testid="stMetric"]').first.wait_for(timeout=60000)   # the headline cards are drawn
        assert_no_exception(pg)
        assert pg.locator('[data-testid="stMetric"]').count() >= 3
        assert pg.get_by_text(labels.SAMPLE_MARK).first.is_visible()
        assert horizontal_overflow(pg) <= 0
        # the first screen says the period is over and lists every target not met with its lead unit
        assert pg.get_by_text("实施期 2019—2020 年已结束").first.is_visible()
        units = pg.locator('[data-testid="stMarkdownContainer"]').filter(has_text="项）：")
        assert units.count() >= 2
        box = units.last.bounding_box()
        assert box["y"] + box["height"] <= 1080, box
        if TAKE_SHOTS:
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


def test_the_browser_benchmark_times_the_running_server(server, browser):
    """bench/browser.py's timing steps on the suite's running server and browser (what `bench/browser.py --url`
    runs): the first 总览 in a new browser context and a round of page switches, each a positive time. A smoke test
    of the script, not a timed test; the server starts it measures are the benchmark's own business."""
    from bench import browser as bench_browser
    ctx = bench_browser.new_context(browser)
    try:
        assert 0 < bench_browser.first_page(ctx, server["url"]) < 120
    finally:
        ctx.close()
    times = bench_browser.switches(browser, server["url"], ["overview", "quality"], 1)
    assert set(times) == {"overview", "quality"} and all(t > 0 for ts in times.values() for t in ts)
    assert len(times["quality"]) == 1 and len(times["overview"]) == 1
