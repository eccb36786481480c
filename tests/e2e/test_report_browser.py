"""汇报材料 in chromium: build the deck with the button, download it, and reopen the file with python-pptx."""
from __future__ import annotations

import pytest
from pptx import Presentation

from tests.e2e.conftest import assert_no_exception, open_page, wait_idle
from tests.e2e.test_pages_browser import full_page_shot
from vocab import labels

pytestmark = pytest.mark.slow


def test_build_and_download_the_deck(server, page, tmp_path):
    open_page(page, f"{server['url']}/report", "会议快照")
    page.get_by_text(labels.SAMPLE_MARK).first.wait_for(timeout=60000)   # the slide list is drawn
    assert_no_exception(page)
    page.get_by_role("button", name="生成汇报材料").click()
    button = page.get_by_role("button", name="下载 PowerPoint")
    button.wait_for(timeout=120000)
    wait_idle(page)
    full_page_shot(page, "page-report-1366")
    with page.expect_download(timeout=60000) as info:
        button.click()
    path = tmp_path / "deck.pptx"
    info.value.save_as(path)
    assert info.value.suggested_filename.endswith(".pptx")
    prs = Presentation(str(path))
    assert len(prs.slides) > 10
    assert prs.slides[0].shapes.title.text.endswith("创新驱动提速增效工程推进情况")
    assert_no_exception(page)
