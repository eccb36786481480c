"""创新驱动目标督导看板 — navigation, page config and sidebar; the pages do the rest."""
import streamlit as st

import labels

st.set_page_config(page_title=labels.APP_TITLE, page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="总览", icon="📊", default=True),
]

st.navigation(PAGES).run()
