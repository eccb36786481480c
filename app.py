"""创新驱动目标督导看板 — navigation, page config and sidebar; the pages do the rest."""
import streamlit as st

import ui
from access.permissions import is_admin
from vocab import labels

st.set_page_config(page_title=labels.APP_TITLE, page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title=labels.PAGE_TITLES["overview"], icon=":material/dashboard:", default=True),
    st.Page("pages/portfolio.py", title=labels.PORTFOLIO_TITLE, icon=":material/folder_copy:"),
    st.Page("pages/detail.py", title=labels.PAGE_TITLES["detail"], icon=":material/target:"),
    st.Page("pages/areas.py", title=labels.PAGE_TITLES["areas"], icon=":material/category:"),
    st.Page("pages/departments.py", title=labels.PAGE_TITLES["departments"], icon=":material/account_balance:"),
    st.Page("pages/compare.py", title=labels.PAGE_TITLES["compare"], icon=":material/compare_arrows:"),
    st.Page("pages/quality.py", title=labels.PAGE_TITLES["quality"], icon=":material/fact_check:"),
    st.Page("pages/entry.py", title=labels.ENTRY_PAGE_TITLES["entry"], icon=":material/edit_note:"),
    st.Page("pages/audit.py", title=labels.ENTRY_PAGE_TITLES["audit"], icon=":material/history:"),
    st.Page("pages/report.py", title=labels.REPORT_PAGE_TITLE, icon=":material/slideshow:"),
]

if is_admin(ui.account()):   # the write checks the role again (access.guard.import_policy_as)
    PAGES.append(st.Page("pages/policy_import.py", title=labels.POLICY_IMPORT_TITLE, icon=":material/upload_file:"))

st.session_state["_app_navigation"] = True  # see ui.sidebar.through_app_navigation
# reading closed (TRACKER_PUBLIC_READ=false or [access] public_read = false) and nobody logged in: no page names
page = st.navigation(PAGES, position="hidden" if ui.reading_closed() else "sidebar")
ui.reading_gate()  # the login form, nothing else
page.run()
