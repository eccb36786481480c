"""政策一览: every policy the bureau runs, one card each — 文号, title, period, state by today's date, its targets
(已完成, 未完成, 无期末数据, 进行中) and tasks (已完成, 已逾期) — and a button that opens it (the sidebar's 政策文件, its
region and the year the card was counted at). Numbers: views.portfolio (metrics.standing.policy_standing per policy).
Cards rather than a table: the counts of a policy stay on one screen at 1366 px, whatever its title's length."""
from datetime import date

import pandas as pd
import streamlit as st

import ui
from views import portfolio
from vocab import labels
from vocab.text import md_escape


@st.cache_data(show_spinner=False, max_entries=4)
def entries(version: int, today: date) -> pd.DataFrame:
    """views.portfolio.portfolio on the frames each policy's pages read, cached until the data change (or the day)."""
    regions = ui.catalogue_frames()["policies"].set_index("code")["region"]
    return portfolio.portfolio(lambda code: ui.frames(code, str(regions[code])), ui.catalogue_frames(), ui.settings(),
                               today)


def open_policy(code: str, region: str, as_of_year: int) -> None:
    """Make the sidebar open on the policy (its region, the year its line was counted at) and go to 总览: the
    sidebar's widgets forget their values, so that they start from the kept ones (ui._kept_index)."""
    for key in ("policy", "region", "as_of_year"):
        st.session_state.pop(key, None)
    st.session_state.update({"_kept_policy": code, "_kept_region": region, "_kept_as_of_year": int(as_of_year),
                             "_portfolio_open": True})


def policy_card(r) -> None:
    """One policy: 文号 and title, period and state, the year its targets are counted at, then its counts (they add
    up: 目标 = 已完成 + 未完成 + 无期末数据 + 进行中) and the button that opens it."""
    with st.container(border=True):
        head, action = st.columns([6, 1], vertical_alignment="center")
        head.markdown(f"**{md_escape(r.doc_number)}**　{md_escape(r.title)}")
        counted = f"{r.as_of_year}年底（期末）" if r.state == "over" else f"{r.as_of_year}年"
        head.caption(" · ".join([f"实施期 {r.period}", f"{labels.POLICY_STATE_ICONS[r.state]} {r.state_label}",
                                 f"目标截至 {counted}", f"任务截至 {r.tasks_on:%Y-%m-%d}"]
                                + ([labels.SAMPLE_MARK] if r.is_sample else [])))
        action.button("打开", key=f"portfolio_open_{r.code}", on_click=open_policy,
                      args=(r.code, r.region, r.as_of_year), icon=":material/open_in_new:", width="stretch",
                      help=f"在侧栏选中该政策（{r.as_of_year}年），转到总览")
        for col, (label, value) in zip(st.columns(7), [
                ("目标", r.targets), (labels.STATUS_BY_KEY["met"].label, r.met),
                (labels.STATUS_BY_KEY["unmet"].label, r.unmet),
                (labels.STATUS_BY_KEY["no_final_data"].label, r.no_final_data), ("进行中", r.in_progress),
                ("任务已完成", f"{r.tasks_done}/{r.tasks}"), ("任务已逾期", r.tasks_overdue)]):
            col.metric(label, value)


filters = ui.sidebar_filters()
if st.session_state.pop("_portfolio_open", False):
    st.switch_page("pages/overview.py")
today = date.today()
rows = entries(ui.data_version(), today)

st.title(labels.PORTFOLIO_TITLE)
states = rows["state"].value_counts()
st.caption(f"共 {len(rows)} 项政策（" + "、".join(f"{labels.POLICY_STATES[k]} {int(states.get(k, 0))} 项"
                                           for k in labels.POLICY_STATES) + f"），按今天（{today:%Y-%m-%d}）判断状态。"
           "实施中的政策按最新有数据的年份计目标、按今天计任务；已结束的目标按到期年份的数值判定，任务按期满次日计（到期未完成即为逾期）。"
           "点击“打开”在侧栏选中该政策。")
ui.sample_banner(bool(rows["is_sample"].any()))
for r in rows.itertuples():
    policy_card(r)
