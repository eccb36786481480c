"""总览: headline targets as cards, counts by status, one traffic light per area, what needs attention and what
changed since last year."""
import streamlit as st

import ui
from metrics.summary import area_lights, headline_cards, needs_attention, status_counts
from ui import charts, tables
from views import policy as views
from views.sentences import change_message
from vocab import labels
from vocab.text import md_escape

filters = ui.sidebar_filters()
status = ui.status(filters.policy, filters.region, filters.as_of_year)
changes = ui.changes(filters.policy, filters.region, filters.as_of_year)

st.title(labels.APP_TITLE)
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年 · 共 {len(status)} 个目标")
ui.sample_banner(bool(status["is_sample"].any()))


def kpi_card(card) -> None:
    """One headline target: status pill, actual with the change since last year, target and attainment."""
    with st.container(border=True):
        ui.status_badge(card["status"], size="0.9rem")
        delta = tables.year_change_text(card)
        st.metric(f"{card['code']} {card['indicator_name']}", card["value_text"], delta=delta,
                  delta_color="inverse" if card["comparator"] == "<=" else "normal",
                  delta_description=f"较{filters.as_of_year - 1}年" if delta else None)
        sample = f" · {labels.SAMPLE_MARK}" if card["is_sample"] else ""
        st.caption(f"目标 {card['target_text']}（{int(card['due_year'])}年） · 完成率 {card['attainment_text']}{sample}")


st.subheader("核心指标")
cards = tables.status_table(headline_cards(status, changes))
per_row = 4
for start in range(0, len(cards), per_row):
    for col, (_, card) in zip(st.columns(per_row), cards.iloc[start:start + per_row].iterrows()):
        with col:
            kpi_card(card)

left, right = st.columns([2, 3])
with left:
    st.plotly_chart(ui.figure("status_counts", (filters.policy, filters.region, filters.as_of_year),
                              lambda: charts.status_counts_figure(status_counts(status))), width="stretch")
with right:
    st.markdown("##### 各领域进展")
    lights = area_lights(status)
    for start in range(0, len(lights), 4):
        for col, (_, area) in zip(st.columns(4), lights.iloc[start:start + 4].iterrows()):
            with col, st.container(border=True):
                st.markdown(f"**{area['area']}**")
                ui.status_badge(area["light"], size="0.85rem")
                st.caption(f"{int(area['n_targets'])} 项：" + " ".join(
                    f"{labels.STATUS_BY_KEY[k].icon}{int(area[k])}" for k in labels.STATUS_BY_KEY if area[k]))

st.subheader("需要关注")
attention = needs_attention(status)
if attention.empty:
    st.success("没有明显滞后、逆向变化或数据过期的目标。")
else:
    shown = ["code", "indicator_name", "status_text", "actual_text", "target_text", "ratio_text", "gap_text", "unit",
             "lead_units"]
    st.dataframe(
        tables.styled(tables.status_table(attention), shown), column_order=shown,
        column_config=tables.STATUS_COLUMNS, hide_index=True, width="stretch", height=tables.table_height(attention))

st.subheader(f"与{filters.as_of_year - 1}年相比")
moved = tables.change_table(changes)
if moved.empty:
    st.info("与上年相比，没有目标的状态发生变化。")
else:
    st.dataframe(moved, column_config=tables.CHANGE_COLUMNS, hide_index=True, width="stretch",
                 height=tables.table_height(moved))

# ---------------------------------------------------------------- since the last leading-group meeting (snapshots)

st.subheader("自上次会议以来")
meeting = ui.last_meeting(filters.policy, filters.region)
if meeting is None:
    st.caption("尚未保存会议快照：在“汇报材料”页保存后，这里显示自上次会议以来各目标状态的变化。")
else:
    snapshot, frozen = meeting
    since_meeting = views.changes_since(frozen, status)
    st.caption(f"{change_message(since_meeting, md_escape(snapshot['name']))}（会议日期 {snapshot['meeting_date']:%Y-%m-%d}，"
               f"快照截至{int(snapshot['as_of_year'])}年，当前截至{filters.as_of_year}年）")
    moved_meeting = tables.change_table(since_meeting)
    if moved_meeting.empty:
        st.info("自上次会议以来，没有目标的状态或数据发生变化。")
    else:
        st.dataframe(moved_meeting, hide_index=True, width="stretch", height=tables.table_height(moved_meeting),
                     column_config={**tables.CHANGE_COLUMNS, "before": "上次会议时", "after": "当前"})
