"""部门督办: 临期与逾期 milestones (chases, extensions, 本单位待办, milestone editing by role), the department
scorecard with the 通报表扬 and 通报批评 groups, and the task ledger (台账)."""
import streamlit as st

import ui
from metrics.summary import filter_ledger
from ui import charts, tables
from ui import evidence as evidence_ui
from ui.milestone_panels import supervision_section
from vocab import labels

filters = ui.sidebar_filters()
board = ui.scorecard(filters.policy, filters.region, filters.as_of_year)
ledger = ui.ledger(filters.policy, filters.as_of_year)
status = ui.status(filters.policy, filters.region, filters.as_of_year)

st.title(labels.PAGE_TITLES["departments"])
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年底 · 得分按牵头与参与的目标状态和任务进展加权计算")
ui.sample_banner(bool(status["is_sample"].any()) or bool(ledger["is_sample"].any()))

supervision_section(filters.policy, filters.as_of_year)

st.subheader("单位得分与通报")

chart, groups = st.columns([3, 2])
with chart:
    st.plotly_chart(ui.figure("scorecard", (filters.policy, filters.region, filters.as_of_year),
                              lambda: charts.scorecard_figure(board)), width="stretch")
with groups:
    for group, tone in ((labels.PRAISE, st.success), (labels.CRITICISE, st.error)):
        members = tables.group_members(board, group)
        st.subheader(group)
        tone("、".join(members) if members else "本期无", icon="✔" if group == labels.PRAISE else "✖")
    ranked = tables.scorecard_table(board)
    st.dataframe(ranked, hide_index=True, width="stretch", column_config=tables.SCORECARD_COLUMNS,
                 column_order=["rank", "unit", "score", "overdue"], height=tables.table_height(ranked, 11))

st.subheader("任务台账")
units_col, status_col = st.columns(2)
units = units_col.multiselect("责任单位", ui.unit_options(filters.policy), key="ledger_units",
                              placeholder="全部单位")
statuses = status_col.multiselect("任务状态", list(labels.TASK_STATUSES), format_func=labels.TASK_STATUSES.get,
                                  key="ledger_status", placeholder="全部状态")
shown = filter_ledger(ledger, ui.catalogue_frames()["task_units"], units, statuses)
st.caption(f"共 {len(shown)} 项任务；已逾期的任务标红。")
st.dataframe(tables.styled_ledger(tables.ledger_table(shown)), hide_index=True, width="stretch",
             column_config=tables.LEDGER_COLUMNS, column_order=tables.LEDGER_ORDER, height=tables.table_height(shown))
evidence_ui.ledger_files(filters.policy, shown, ui.account())

st.subheader("颜色分档")
rule = ui.settings()["scorecard"].get("bands", "quartile")
history = ui.band_history(filters.policy, filters.region, filters.as_of_year)
bands = tables.band_table(board, history)
st.caption(f"{labels.COLOUR_BAND_RULES.get(rule, rule)}分为 "
           + " / ".join(labels.colour_band_text(b.key) for b in labels.COLOUR_BANDS)
           + "；每列为该季度末的分档（data/settings.toml [scorecard] bands）。")
st.dataframe(tables.styled_bands(bands), hide_index=True, width="stretch", height=tables.table_height(bands),
             column_config={"unit": "单位", "score": st.column_config.NumberColumn("得分", format="%.1f")})

st.subheader("督查通报")
st.caption(f"按{filters.as_of_year}年12月31日生成 Word 文档（公文格式）：总体情况、表扬和通报批评单位及其得分、颜色分档、"
           "逾期任务清单、下步工作要求。命令行：python cli.py bulletin --as-of 日期 -o 文件.docx")
st.download_button("下载督查通报（.docx）", data=lambda: ui.bulletin_docx(filters.policy, filters.region, filters.as_of_year),
                   file_name=f"督查通报-{filters.region}-{filters.as_of_year}.docx",
                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   icon=":material/download:")
