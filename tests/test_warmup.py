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


def test_streamlit_first_uses_include_the_not_run_with_streamlit_check(monkeypatch):
    """Streamlit's "not run with `streamlit run`" check on the first element reads every frame's source (78 ms on
    the first visitor's script thread); after the warm-up it has been done, and it warned no one."""
    from streamlit import delta_generator
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    warnings = []
    monkeypatch.setattr("streamlit.env_util.is_repl", lambda: warnings.append("checked") or False)
    warmup.streamlit_first_uses()
    assert delta_generator._use_warning_has_been_displayed and warnings == ["checked"]


def test_the_heap_after_the_warm_up_is_out_of_the_collectors_reach():
    """Streamlit collects garbage after every script run (runner.postScriptGC); the server freezes what the
    warm-up made, so that a full collection no longer walks it (110-140 ms per page before)."""
    import gc
    try:
        before = gc.get_freeze_count()
        kept = [[i] for i in range(1000)]   # objects alive now are frozen
        assert warmup.freeze_heap() == gc.get_freeze_count() >= before + len(kept)
        walked = {id(o) for o in gc.get_objects()}   # what a collection walks: the frozen are not in it
        assert not any(id(k) in walked for k in kept)
    finally:
        gc.unfreeze()


def test_the_server_freezes_the_heap_after_warming_up_and_says_so(monkeypatch, capsys):
    from streamlit.web import cli

    from scripts import serve
    calls = []
    monkeypatch.setattr(warmup, "warm", lambda: calls.append("warm") or {"imports": 0.5})
    monkeypatch.setattr(warmup, "freeze_heap", lambda: calls.append("freeze") or 260000)
    monkeypatch.setattr(cli, "main", lambda: calls.append("serve") or 0)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(serve.ROOT)
    assert serve.main(["--server.port", "1"]) == 0
    assert calls == ["warm", "freeze", "serve"]
    assert "warm-up: imports 0.50 s; 260000 objects kept out of the collector" in capsys.readouterr().out
