"""分领域: one area at a time (chosen at the top, kept across pages) — a small chart per target and the area's
table. One area's eight to twelve charts draw in a fraction of the time all eight areas' would."""
import streamlit as st

import ui
from ui import charts, status_tables, tables
from vocab import labels

filters = ui.sidebar_filters()
table = ui.status_table(filters.policy, filters.region, filters.as_of_year)

st.title(labels.PAGE_TITLES["areas"])
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年 · 图中深蓝实线为实际值（◇ 为示例数据），灰色虚线为目标路径，"
           f"★ 为目标；增速类目标以{status_tables.base_year_text(table)}为100，浅蓝线为{ui.benchmark_region(filters.policy)}")

counts = table["area"].value_counts()
areas = [a for a in labels.AREAS if counts.get(a, 0)]
kept = st.session_state.get("_kept_area")
area = st.radio("领域", areas, index=areas.index(kept) if kept in areas else 0, horizontal=True, key="area",
                format_func=lambda a: f"{a}（{int(counts[a])} 项）")
st.session_state["_kept_area"] = area
rows = table.loc[table["area"] == area]
series = ui.chart_series(filters.policy, filters.region, filters.as_of_year)
shown = series.loc[series["code"].isin(rows["code"]) & series["series"].isin(["actual", "benchmark"])]
ui.sample_banner(*ui.value_counts(shown, "value"))   # the points of the area's charts

st.header(f"{area}（{len(rows)} 项）", anchor="area")
ui.show_chart(ui.area_figure(filters.policy, filters.region, filters.as_of_year, area), key="area_chart",
              config=charts.SMALL_MULTIPLES_CONFIG)
SHOWN = status_tables.target_columns(
    table, ["code", "indicator_name", "status_text", "actual_text", "target_text", "due_text", "gap_text"],
    ["data_text"], pace=["ratio_text", "forecast_text"])
st.dataframe(status_tables.styled(rows, SHOWN), hide_index=True, width="stretch", key="area_table",
             **tables.fit(rows, status_tables.STATUS_COLUMNS, status_tables.STATUS_WIDTHS, SHOWN))
