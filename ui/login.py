"""Who is logged in: the session's account, the login form, the sidebar's account box, the reading gate (with
reading closed, a visitor sees the login form and nothing else) and what the account may write. Every page uses
these through `ui`."""
from __future__ import annotations

import streamlit as st

import ui
from access import auth, guard
from ui.cache import catalogue_at
from vocab import labels
from vocab.accounts import ROLE_LABELS, Account


def account() -> Account | None:
    """The logged-in account (re-read from the store, idle timeout applied); None when nobody is logged in."""
    return auth.session_account(st.session_state, ui.engine(), settings=ui.settings())


def public_read() -> bool:
    """[access] public_read (or TRACKER_PUBLIC_READ, which overrides it): whether pages may be read without a
    login. Read at every run, not cached: the environment of the server decides."""
    return bool(auth.access_settings(ui.settings())["public_read"])


def reading_closed() -> bool:
    """True when reading needs a login and nobody is logged in in this session: app.py then hides the navigation
    and reading_gate shows only the login form."""
    return not public_read() and account() is None


def login_form(where) -> None:
    """The Chinese login form (用户名, 密码, 登录) in a container. The typed password is dropped from the session
    right after the attempt (success or not), so it is never sent back to the browser or kept on the server."""
    if st.session_state.pop("_session_expired", False):
        where.info(labels.SESSION_EXPIRED, icon=":material/timer_off:")
    if message := st.session_state.pop("_login_error", None):
        where.error(message, icon=":material/lock:")
    with where.form("login_form", clear_on_submit=True):
        name = st.text_input(labels.LOGIN_LABELS["name"], key="login_name")
        password = st.text_input(labels.LOGIN_LABELS["password"], type="password", key="login_password")
        submitted = st.form_submit_button(labels.LOGIN_LABELS["submit"], type="primary")
    if not submitted:
        return
    del st.session_state["login_password"]
    try:
        who = auth.authenticate(ui.engine(), name, password, source=client_address(), settings=ui.settings())
    except auth.LoginFailed as exc:
        st.session_state["_login_error"] = str(exc)
    else:
        auth.start_session(st.session_state, who, ui.engine())
    st.rerun()


def client_address() -> str:
    """The address the server sees for this browser (the source of a login attempt; empty on localhost). Behind a
    reverse proxy it is the proxy's, and the login lock is then per name only."""
    return str(st.context.ip_address or "")


def account_box(who: Account | None) -> None:
    """The sidebar's account section: name and role with a logout button, or the login form."""
    with st.sidebar:
        st.divider()
        if who is None:
            login_form(st.sidebar)
            return
        # plain text: a display name is user input and is shown literally, never as markdown or HTML
        st.text(f"{who.display_name}（{who.login}）· {ROLE_LABELS.get(who.role, who.role)}")
        if who.departments:
            st.text("单位：" + "、".join(who.departments))
        if st.button(labels.LOGIN_LABELS["logout"], key="logout"):
            auth.end_session(st.session_state)
            st.rerun()


def reading_gate() -> None:
    """With reading closed, a visitor who is not logged in sees only the login form, then the run stops (called by
    app.py before the page, and again by sidebar_filters, the first call of every page)."""
    if not reading_closed():
        return
    st.title(labels.APP_TITLE)
    st.info(labels.LOGIN_TO_READ, icon=":material/lock:")
    login_form(st)
    st.stop()


@st.cache_data(show_spinner=False, max_entries=32)
def _write_scope(version: int, login: str | None, role: str, departments: tuple[str, ...]) -> guard.Scope:
    c = catalogue_at(version)
    who = Account(login=login, display_name=login, role=role, departments=departments) if login else None
    return guard.scope_of(who, c["indicators"], c["task_units"], c["tasks"], c["targets"], c["policies"],
                          c["regions"])


def write_scope(who: Account | None) -> guard.Scope:
    """What the account may write (access.guard.scope_of), from the cached catalogue per data version and account:
    what the page offers. The write itself is checked against the store (access.guard.check_writes)."""
    if who is None:
        return _write_scope(ui.data_version(), None, "", ())
    return _write_scope(ui.data_version(), who.login, who.role, tuple(who.departments))
