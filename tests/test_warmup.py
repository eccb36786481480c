"""ui.warmup: a server that starts warm. After warm(), the first visitor's 总览 is drawn from the caches alone (no
status, ledger or word is computed again), and every module the pages import is loaded."""
from __future__ import annotations

import sys

from tests.helpers import start_on
from ui import warmup


def test_page_modules_are_read_from_the_page_files():
    names = warmup.page_modules()
    assert {"ui", "streamlit", "ui.overview_data", "deck", "views.sentences"} <= set(names)


def test_after_the_warm_up_the_first_overview_computes_nothing(app_db, monkeypatch):
    steps = warmup.warm()
    assert {"imports", "engine", "overview", "area charts", "scorecard", "compare", "quality", "deck plan"} <= set(steps)
    assert "ui.milestone_panels" in sys.modules and "bulletin" in sys.modules

    def computed(*args, **kwargs):
        raise AssertionError("computed again after the warm-up")
    from ui import status_tables
    from views import policy
    for name in ("policy_status", "policy_ledger", "policy_scorecard"):
        monkeypatch.setattr(policy, name, computed)
    monkeypatch.setattr(status_tables, "words_frame", computed)
    at = start_on(None).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric and at.title[0].value


def test_without_the_warm_up_the_same_check_fails(app_db, monkeypatch):
    """The check above can fail: on a cold server the first 总览 computes the statuses."""
    from views import policy

    def computed(*args, **kwargs):
        raise AssertionError("computed")
    monkeypatch.setattr(policy, "policy_status", computed)
    at = start_on(None).run()
    assert at.exception and "computed" in at.exception[0].value


def test_streamlit_first_uses_are_done_before_the_server_listens(monkeypatch):
    """The emoji catalogue st.set_page_config checks the page icon against is loaded by the warm-up, not by the
    first visitor's run."""
    monkeypatch.delitem(sys.modules, "streamlit.emojis", raising=False)
    warmup.streamlit_first_uses()
    assert "streamlit.emojis" in sys.modules
