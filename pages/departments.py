"""部门督办: 临期与逾期 milestones (chases, extensions, 本单位待办, milestone editing by role), the department
scorecard with the 通报表扬 and 通报批评 groups, and the task ledger (台账)."""
import streamlit as st

import ui
from metrics.summary import filter_ledger
from ui import charts, score_tables, tables
from ui import evidence as evidence_ui
from ui.bulletin_panel import bulletin_section
from ui.milestone_panels import supervision_section
from views.score_text import rules_text
from vocab import labels

filters = ui.sidebar_filters()
board = ui.scorecard(filters.policy, filters.region, filters.as_of_year)
ledger = ui.ledger(filters.policy, filters.as_of_year)
status = ui.status(filters.policy, filters.region, filters.as_of_year)

st.title(labels.PAGE_TITLES["departments"])
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年底 · 得分按牵头与参与的目标状态、任务进展加权计算，"
           "减去推进节点的扣分")
targets_sample, targets_with_value = ui.value_counts(status, "actual")
tasks_sample, tasks_reported = ui.value_counts(ledger, "reported_on")
ui.sample_banner(targets_sample + tasks_sample, targets_with_value + tasks_reported, "目标数值和任务进展", "项")

supervision_section(filters.policy, filters.as_of_year)

st.subheader("单位得分与通报")
st.caption(rules_text(ui.settings()))

chart, groups = st.columns([3, 2])
with chart:
    ui.show_chart(ui.figure("scorecard", (filters.policy, filters.region, filters.as_of_year),
                            lambda: charts.scorecard_figure(board)))
with groups:
    for group, tone in ((labels.PRAISE, st.success), (labels.CRITICISE, st.error)):
        members = score_tables.group_members(board, group)
        st.subheader(group)
        tone("、".join(members) if members else "本期无", icon="✔" if group == labels.PRAISE else "✖")
    if board.loc[board["ranked"], "is_sample"].any():
        st.caption(f"{labels.SAMPLE_MARK}：{labels.SAMPLE_NOT_CRITICISED}。")

st.markdown("**得分构成**（全部单位；得分＝目标分＋任务分－扣分）")
ranked = score_tables.scorecard_table(board, ui.settings())
st.dataframe(ranked, hide_index=True, width="stretch", key="scorecard_table",
             **tables.fit(ranked, score_tables.SCORECARD_COLUMNS, score_tables.SCORECARD_WIDTHS,
                          score_tables.SCORECARD_ORDER))

st.subheader("任务台账")
units_col, status_col = st.columns(2)
units = units_col.multiselect("责任单位", ui.unit_options(filters.policy), key="ledger_units",
                              placeholder="全部单位")
statuses = status_col.multiselect("任务状态", list(labels.TASK_STATUSES), format_func=labels.TASK_STATUSES.get,
                                  key="ledger_status", placeholder="全部状态")
shown = filter_ledger(ledger, ui.catalogue_frames()["task_units"], units, statuses)
st.caption(f"共 {len(shown)} 项任务；已逾期的任务标红。")
ledger_rows = tables.ledger_table(shown)
st.dataframe(tables.styled_ledger(ledger_rows), hide_index=True, width="stretch",
             **tables.fit(ledger_rows, tables.LEDGER_COLUMNS, tables.LEDGER_WIDTHS, tables.LEDGER_ORDER))
evidence_ui.ledger_files(filters.policy, shown, ui.account())

st.subheader("颜色分档")
rule = ui.settings()["scorecard"].get("bands", "quartile")
history = ui.band_history(filters.policy, filters.region, filters.as_of_year)
bands = score_tables.band_table(board, history)
st.caption(f"{labels.COLOUR_BAND_RULES.get(rule, rule)}分为 "
           + " / ".join(labels.colour_band_text(b.key) for b in labels.COLOUR_BANDS)
           + "；每列为该季度末的分档。")
st.dataframe(score_tables.styled_bands(bands), hide_index=True, width="stretch", height=tables.table_height(bands),
             column_config={"unit": "单位", "score": score_tables.SCORECARD_COLUMNS["score"]})

bulletin_section(filters.policy, filters.region, filters.as_of_year)
