"""分领域: one section per area — a small chart per target and the area's table."""
import streamlit as st

import ui
from ui import status_tables, tables
from vocab import labels

filters = ui.sidebar_filters()
status = ui.status(filters.policy, filters.region, filters.as_of_year)

st.title(labels.PAGE_TITLES["areas"])
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年 · 图中深蓝实线为实际值（◇ 为示例数据），灰色虚线为目标路径，"
           f"★ 为目标；增速类目标以{status_tables.base_year_text(status)}为100，浅蓝线为{ui.benchmark_region(filters.policy)}")
ui.sample_banner(*ui.value_counts(status, "actual"))

table = status_tables.status_table(status)
SHOWN = status_tables.target_columns(
    table, ["code", "indicator_name", "status_text", "actual_text", "target_text", "due_text", "gap_text"],
    ["data_text"], pace=["ratio_text", "forecast_text"])
CONFIG = tables.fitted(status_tables.STATUS_COLUMNS, status_tables.STATUS_WIDTHS, SHOWN)
for area in labels.AREAS:
    rows = table.loc[table["area"] == area]
    if rows.empty:
        continue
    st.header(f"{area}（{len(rows)} 项）", anchor=f"area-{labels.AREAS.index(area)}")
    st.plotly_chart(ui.area_figure(filters.policy, filters.region, filters.as_of_year, area), width="stretch",
                    key=f"area_chart_{area}")
    st.dataframe(status_tables.styled(rows, SHOWN), column_order=SHOWN, column_config=CONFIG, hide_index=True,
                 width="stretch", key=f"area_table_{area}", row_height=tables.WRAP_ROW_HEIGHT,
                 height=tables.table_height(rows, row_height=tables.WRAP_ROW_HEIGHT))
