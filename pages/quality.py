"""数据质量: which indicators have no data, stale data, sample data, or values without a source."""
import streamlit as st

import ui
from metrics.quality import ISSUES
from ui import tables
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
    st.dataframe(rows, hide_index=True, width="stretch", column_order=tables.QUALITY_ORDER, key=f"quality_{issue}",
                 column_config=tables.fitted(tables.QUALITY_COLUMNS, tables.QUALITY_WIDTHS, tables.QUALITY_ORDER),
                 row_height=tables.WRAP_ROW_HEIGHT, height=tables.table_height(rows, row_height=tables.WRAP_ROW_HEIGHT))
