"""A page URL as the very first request of a new server still gets the app's navigation and layout."""
from __future__ import annotations

import shutil

from tests.e2e.conftest import assert_no_exception, open_page, serve


def test_first_request_deep_link_runs_through_app(template_db, tmp_path, page):
    path = tmp_path / "tracker.sqlite"
    shutil.copy(template_db, path)
    with serve(path) as srv:  # a fresh server: nobody has opened / yet
        open_page(page, f"{srv['url']}/departments", "通报表扬", shot="deep-link-departments")
        assert_no_exception(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("部门督办").count() == 1
        assert nav.get_by_text("departments", exact=True).count() == 0
        assert page.url.rstrip("/").endswith("/departments")
