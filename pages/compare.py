"""对比分析: the region's average annual growth against the benchmark region (and the regions above it) for the
indicators of the "growth clearly above the province average" goal, and its rank among its peers."""
import streamlit as st

import charts
import labels
import tables
import ui
from metrics.compare import growth_side_by_side, long_growth, peer_regions, regional_rank, regions_to_compare

filters = ui.sidebar_filters()
status = ui.status(filters.policy, filters.region, filters.as_of_year)
status_all = ui.status_all_regions(filters.policy, filters.as_of_year)
regions = ui.frames()["regions"]
benchmark = ui.benchmark_region(filters.policy)
shown = regions_to_compare(regions, filters.region, benchmark)
peers = peer_regions(regions, filters.region)

side = growth_side_by_side(status_all, shown)
ranks = regional_rank(status_all, filters.region, peers)
relative = status.loc[status["kind"] == "relative"]

st.title(labels.PAGE_TITLES["compare"])
st.caption(f"{filters.region} 对比 {'、'.join(shown[1:]) or '—'}（有数据者） · 截至 {filters.as_of_year} 年 · "
           f"增速为最新年度同比增速（目标状态据此判断），另列基期以来年均增速")
ui.sample_banner(bool(relative["is_sample"].any()))

if relative.empty:
    st.info("本政策没有“增速高于基准地区”的目标。")
else:
    quote = relative["quote"].iloc[0]
    st.markdown(f"> {quote}（{relative['clause'].iloc[0]}）")
    long = long_growth(side, shown)
    present = list(dict.fromkeys(long["region"])) or shown[:1]
    st.plotly_chart(charts.growth_figure(long, title=f"最新年度增速：{'、'.join(present)}"), width="stretch")
    st.subheader("逐项对比")
    st.dataframe(tables.compare_table(side, ranks, present, relative), hide_index=True, width="stretch",
                 column_config=tables.compare_columns(present, benchmark))
    st.caption(f"位次：{filters.region}在同级地区（共 {len(peers)} 个，其中有数据的参与排名）中的增速位次，1 为最快。")
