"""政策一览: every policy the bureau runs — 文号, title, period, state by today's date, its targets (已完成, 未完成, 无期末
数据, 进行中) and tasks (已完成, 已逾期) — and a click that opens one (the sidebar's 政策文件, its region and the year the
line was counted at). Numbers: views.portfolio (metrics.standing.policy_standing per policy)."""
from datetime import date

import pandas as pd
import streamlit as st

import ui
from ui import tables
from views import portfolio
from vocab import labels
from vocab.text import md_escape

TABLE_KEY = "portfolio_table"


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


def open_selected(rows: pd.DataFrame) -> None:
    """The table's row clicked (single-row selection) opens that policy."""
    picked = st.session_state[TABLE_KEY].selection.rows
    if picked:
        r = rows.iloc[picked[0]]
        open_policy(str(r["code"]), str(r["region"]), int(r["as_of_year"]))


def table(rows: pd.DataFrame) -> pd.DataFrame:
    """The shown columns: counts that add up (目标 = 已完成 + 未完成 + 无期末数据 + 进行中)."""
    state = [f"{labels.POLICY_STATE_ICONS[k]} {labels.POLICY_STATES[k]}" for k in rows["state"]]
    counted = [f"{y}年" if s != "over" else f"{y}年（期末）" for y, s in zip(rows["as_of_year"], rows["state"])]
    return pd.DataFrame({
        "文号": rows["doc_number"], "政策": rows["title"], "实施期": rows["period"], "状态": state, "目标截至": counted,
        "目标": rows["targets"], "已完成": rows["met"], "未完成": rows["unmet"], "无期末数据": rows["no_final_data"],
        "进行中": rows["in_progress"], "任务": rows["tasks"], "任务已完成": rows["tasks_done"],
        "任务已逾期": rows["tasks_overdue"],
        "数据": [labels.SAMPLE_MARK if s else "" for s in rows["is_sample"]]})


filters = ui.sidebar_filters()
if st.session_state.pop("_portfolio_open", False):
    st.switch_page("pages/overview.py")
today = date.today()
rows = entries(ui.data_version(), today)

st.title(labels.PORTFOLIO_TITLE)
states = rows["state"].value_counts()
st.caption(f"共 {len(rows)} 项政策（" + "、".join(f"{labels.POLICY_STATES[k]} {int(states.get(k, 0))} 项"
                                           for k in labels.POLICY_STATES) + f"），按今天（{today:%Y-%m-%d}）判断状态。"
           "实施中的政策按最新有数据的年份计目标、按今天计任务；已结束的按实施期末计（目标按到期年份数值判定）。"
           "点击一行打开该政策。")
ui.sample_banner(bool(rows["is_sample"].any()))
shown = table(rows)
st.dataframe(shown, hide_index=True, width="stretch", key=TABLE_KEY, on_select=lambda: open_selected(rows),
             selection_mode="single-row", height=tables.table_height(shown),
             column_config={"政策": st.column_config.TextColumn("政策", width="large")})

st.markdown("**打开政策**")
for start in range(0, len(rows), 4):
    for col, r in zip(st.columns(4), rows.iloc[start:start + 4].itertuples()):
        col.button(md_escape(r.doc_number), key=f"portfolio_open_{r.code}", on_click=open_policy,
                   args=(r.code, r.region, r.as_of_year), help=md_escape(f"{r.title}（{r.period}）"),
                   icon=":material/open_in_new:", width="stretch")
