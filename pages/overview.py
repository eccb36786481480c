"""总览: where the policy stands (the period-over summary and the targets not met with their lead units, on the
first screen), the counts by status, the headline targets as cards, each area's count of met targets, what needs
attention and what changed since last year and since the last meeting. Its tables are HTML (ui.html_tables): the
first page a leader opens asks the browser for no data grid."""
import streamlit as st

import ui
from ui import status_tables
from ui.html_tables import html_table, table_style
from ui.overview_data import overview
from views import policy as views_policy
from views.sentences import REVISED, change_message
from vocab import labels
from vocab.text import md_escape

filters = ui.sidebar_filters()
st.html(table_style())
view = overview(filters.policy, filters.region, filters.as_of_year)

st.title(labels.APP_TITLE)
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年 · 共 {len(view.status)} 个目标")
ui.sample_banner(*view.sample)
if view.summary:
    st.info(view.summary, icon=":material/flag:")

not_met, chart = st.columns([3, 2])
with not_met:
    st.markdown("##### 已到期未完成的目标（按牵头单位）")
    if view.not_met.empty:
        st.caption("没有已到期而未完成的目标。")
    for unit in view.not_met.itertuples():
        st.markdown(f"**{md_escape(unit.unit)}**（{unit.n} 项）：" + "；".join(md_escape(t) for t in unit.items))
with chart:
    st.markdown("##### 目标状态分布")
    st.html(html_table(status_tables.counts_table(view.counts), status_tables.COUNT_COLUMNS, status="status",
                       bars={"share": "share_text"}, nowrap=("status_text", "n_text")))


def kpi_card(card) -> None:
    """One headline target: its verdict or status, actual with the change since last year, target with its due
    year, attainment, and a later value beside a verdict."""
    with st.container(border=True):
        ui.status_badge(card["status"], size="0.9rem", text=card["verdict_text"])
        st.markdown(f"**{card['code']}** {card['indicator_name']}")   # the whole name, never cut
        delta = status_tables.year_change_text(card)
        st.metric(f"{card['code']} {card['indicator_name']}", card["value_text"], delta=delta,
                  delta_color="inverse" if card["comparator"] == "<=" else "normal",
                  delta_description=f"较{filters.as_of_year - 1}年" if delta else None, label_visibility="collapsed")
        sample = f" · {labels.SAMPLE_MARK}" if card["is_sample"] else ""
        attainment = f"完成率 {card['attainment_text']}" if card["attainment_text"] != "—" else ""
        # one phrase per line: a narrow card never breaks inside a word (完 / 成率)
        st.caption("  \n".join(t for t in (f"目标 {card['target_text']}（{card['due_text']}）", attainment + sample) if t))
        if card["later_text"]:
            st.caption(card["later_text"])


st.subheader("核心指标")
per_row = 4
for start in range(0, len(view.cards), per_row):
    for col, (_, card) in zip(st.columns(per_row), view.cards.iloc[start:start + per_row].iterrows()):
        with col:
            kpi_card(card)

st.markdown("##### 各领域进展")
for start in range(0, len(view.areas), per_row):   # four to a row: "5/12 已完成" on one line at 1366 px
    for col, (_, area) in zip(st.columns(per_row), view.areas.iloc[start:start + per_row].iterrows()):
        with col, st.container(border=True):
            st.markdown(f"**{area['area']}**  \n{int(area['n_met'])}/{int(area['n_targets'])} 已完成")
            st.caption(" ".join(f"{labels.STATUS_BY_KEY[k].icon}{int(area[k])}" for k in labels.STATUS_BY_KEY
                                if area[k]))

st.subheader("需要关注")
ATTENTION_ONE_LINE = {"indicator_name": 120, "status_text": 180, "lead_units": 90}
if view.attention.empty:
    st.success("没有未完成、明显滞后、逆向变化或数据过期的目标。")
else:
    st.html(html_table(view.attention, {c: status_tables.STATUS_COLUMNS[c] for c in view.attention_columns},
                       status="status", nowrap=("code", "due_text"), one_line=ATTENTION_ONE_LINE))

st.subheader(f"与{filters.as_of_year - 1}年相比")
if view.moved.empty:
    st.info("与上年相比，没有目标的状态发生变化。")
else:
    st.html(html_table(view.moved, status_tables.CHANGE_COLUMNS, nowrap=("code",)))
    if view.judged_moves:
        st.caption("到期判定：目标到了目标年份年底，按当年数值判定已完成或未完成，不是进展的好转或退步。")

# ---------------------------------------------------------------- since the last leading-group meeting (snapshots)

st.subheader("自上次会议以来")
meeting = ui.last_meeting(filters.policy, filters.region)
if meeting is None:
    st.caption("尚未保存会议快照：在“汇报材料”页保存后，这里显示自上次会议以来各目标状态的变化。")
else:
    snapshot, frozen = meeting
    since_meeting = views_policy.changes_since(frozen, view.status, snapshot["meeting_date"])
    st.caption(f"{change_message(since_meeting, md_escape(snapshot['name']))}（会议日期 {snapshot['meeting_date']:%Y-%m-%d}，"
               f"快照截至{int(snapshot['as_of_year'])}年，当前截至{filters.as_of_year}年）")
    moved_meeting = status_tables.change_table(since_meeting)
    if moved_meeting.empty:
        st.info("自上次会议以来，没有目标的状态或数据发生变化。")
    else:
        st.html(html_table(moved_meeting, {**status_tables.CHANGE_COLUMNS, "before": "上次会议时", "after": "当前"},
                           nowrap=("code",)))
        if (since_meeting["direction"] == "revised").any():
            st.caption(f"{REVISED}：会后发布的修订数改变了同一年份的数值，状态随之变化，不是工作进展的好转或退步。")
