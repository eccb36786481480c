"""Reading closed (TRACKER_PUBLIC_READ=false, as scripts/serve.sh sets it): an anonymous session sees the login form
and nothing else on every page, through the app's navigation and when a page file runs by itself (a deep link on a
fresh server); the variable overrides data/settings.toml and an unreadable value closes reading."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

import db
from access import auth
from tests.accounts import PASSWORD, store_account, viewer
from tests.helpers import ROOT, start_on
from vocab import labels

PAGE_FILES = ["overview", "portfolio", "detail", "areas", "departments", "compare", "quality", "entry", "audit", "report"]
GATE_ELEMENTS = {"title", "info", "text_input", "button"}


def elements(block) -> list:
    """Every element (not container) under a block of the AppTest tree."""
    return [n for n in block if not isinstance(n, Block)]


def assert_only_the_login_form(at: AppTest) -> None:
    assert not at.exception, at.exception
    shown = elements(at.main)
    assert {n.type for n in shown} <= GATE_ELEMENTS, sorted({n.type for n in shown})
    assert [t.value for t in at.title] == [labels.APP_TITLE]
    assert [i.value for i in at.info] == [labels.LOGIN_TO_READ]
    assert [t.key for t in at.text_input] == ["login_name", "login_password"]
    assert not elements(at.sidebar)


@pytest.fixture(scope="module")
def closed_app(module_app_db):
    """The app over one database for the module, with TRACKER_PUBLIC_READ=false as scripts/serve.sh sets it
    (data/settings.toml still says public_read = true: the variable wins)."""
    eng = db.make_engine(f"sqlite:///{module_app_db}")
    store_account(eng, viewer("reader"))
    eng.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACKER_PUBLIC_READ", "false")
        yield module_app_db


@pytest.mark.parametrize("page", PAGE_FILES)
def test_closed_reading_shows_only_the_login_form_on_every_page(closed_app, page):
    assert_only_the_login_form(start_on(None if page == "overview" else f"pages/{page}.py", timeout=90).run())


@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_page_file_run_without_the_app_is_gated_too(closed_app, page):
    """What a deep link on a fresh server runs (Streamlit's legacy multipage mode runs the page file itself): the
    page's first call into ui shows the login form and stops, before anything is drawn."""
    path = "app.py" if page == "overview" else f"pages/{page}.py"
    assert_only_the_login_form(AppTest.from_file(str(ROOT / path), default_timeout=90).run())


def test_closed_reading_opens_after_login(closed_app):
    at = start_on("pages/quality.py", timeout=90).run().run()  # AppTest learns the page's address on its first run
    at.text_input(key="login_name").set_value("READER")  # login names are compared without case
    at.text_input(key="login_password").set_value(PASSWORD)
    next(b for b in at.button if b.label == labels.LOGIN_LABELS["submit"]).click().run()
    assert not at.exception and at.metric and at.sidebar.selectbox(key="as_of_year")


@pytest.mark.parametrize("value, expected", [("false", False), ("0", False), ("no", False), ("OFF", False),
                                             ("true", True), ("1", True), (" Yes ", True),
                                             ("flase", False), ("", False)])
def test_tracker_public_read_overrides_the_setting(monkeypatch, value, expected):
    """An unreadable value closes reading (fail closed), whatever the settings file says."""
    monkeypatch.setenv("TRACKER_PUBLIC_READ", value)
    assert auth.access_settings({"access": {"public_read": not expected}})["public_read"] is expected


def test_without_the_variable_the_setting_decides(monkeypatch):
    monkeypatch.delenv("TRACKER_PUBLIC_READ", raising=False)
    assert auth.access_settings({"access": {"public_read": False}})["public_read"] is False
    assert auth.access_settings({"access": {"public_read": True}})["public_read"] is True



def test_serve_sh_closes_reading_and_shows_no_tracebacks():
    """The deployed server (scripts/serve.sh) reads with a login only and never sends a browser a traceback with
    SQL and parameters (client.showErrorDetails none; the error stays in the server's log)."""
    from streamlit.config import ShowErrorDetailsConfigOptions
    text = (ROOT / "scripts" / "serve.sh").read_text(encoding="utf-8")
    assert 'export TRACKER_PUBLIC_READ="${TRACKER_PUBLIC_READ:-false}"' in text
    assert "--client.showErrorDetails none" in text and ShowErrorDetailsConfigOptions("none")
