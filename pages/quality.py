"""数据质量: which indicators have no data, stale data, sample data, or values without a source; how many values are
published against sample; and the vintages (issue 21): values still 预计 or 初步 after their usual final release, and
the revisions of the last months with their size."""
from datetime import date

import streamlit as st

import ui
from metrics.quality import ISSUES
from ui import tables
from ui.vintages import vintage_quality
from vocab import labels

filters = ui.sidebar_filters()
findings, counts, values = ui.quality(filters.policy, filters.region, filters.as_of_year)

st.title(labels.PAGE_TITLES["quality"])
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年 · 共 {len(findings)} 个指标")
ui.sample_banner(values["sample"], sum(values.values()))
st.markdown(f"**数值来源**：{filters.region}截至 {filters.as_of_year} 年共 {sum(values.values())} 个数值，"
            f"{labels.PROVENANCE_LABELS['real']} {values['real']} 个（公开发布或由公开数推算，附出处），"
            f"{labels.PROVENANCE_LABELS['sample']} {values['sample']} 个。")

for col, issue in zip(st.columns(len(ISSUES)), ISSUES):
    col.metric(labels.QUALITY_LABELS[issue], f"{counts[issue]} 个指标", border=True)

for issue in ISSUES:
    rows = findings.loc[findings[issue]]
    st.subheader(f"{labels.QUALITY_LABELS[issue]}（{len(rows)}）")
    if rows.empty:
        st.caption("无。")
        continue
    st.dataframe(rows, hide_index=True, width="stretch", key=f"quality_{issue}",
                 **tables.fit(rows, tables.QUALITY_COLUMNS, tables.QUALITY_WIDTHS, tables.QUALITY_ORDER))

vq = vintage_quality(filters.policy, filters.region, filters.as_of_year, date.today())
st.subheader(f"初步数、预计数已过通常定稿时间（{len(vq.late)}）")
st.caption(f"{'、'.join(vq.regions)}截至 {filters.as_of_year} 年的数值中，到今天（{date.today():%Y-%m-%d}）仍为初步数或"
           "预计数、已过该指标通常发布核实数时间的。请核对是否已有核实数或修订数，并连同数据状态和发布日期录入；依据这些数值"
           "的状态显示为“暂判”。")
if vq.late.empty:
    st.caption("无。")
else:
    st.dataframe(vq.late, hide_index=True, width="stretch", key="quality_late",
                 **tables.fitted_frame(vq.late, tables.LATE_COLUMNS, tables.LATE_WIDTHS))
st.subheader(f"近{vq.months}个月的数据修订（{len(vq.recent)}）")
if vq.recent.empty:
    st.caption(f"近{vq.months}个月（截至{date.today():%Y-%m-%d}）没有发布修订数或核实数。")
else:
    st.dataframe(vq.recent, hide_index=True, width="stretch", key="quality_revisions",
                 **tables.fitted_frame(vq.recent, tables.REVISION_COLUMNS, tables.REVISION_WIDTHS))
if len(vq.every) > len(vq.recent):
    with st.expander(f"全部修订（{len(vq.every)}）"):
        st.dataframe(vq.every, hide_index=True, width="stretch", key="quality_revisions_all",
                     **tables.fitted_frame(vq.every, tables.REVISION_COLUMNS, tables.REVISION_WIDTHS))
