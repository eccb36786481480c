"""对比分析: the region's growth against the benchmark region (and the regions above it) for the indicators of the
"growth clearly above the province average" goal, and where it stands among the regions of its level."""
import streamlit as st

import ui
from metrics.compare import regions_to_compare
from ui import charts, status_tables
from views import policy as views
from vocab import labels

filters = ui.sidebar_filters()
regions = ui.catalogue_frames()["regions"]
benchmark = ui.benchmark_region(filters.policy)
shown = regions_to_compare(regions, filters.region, benchmark)
status_shown = ui.status_of_regions(filters.policy, shown, filters.as_of_year)
relative = views.relative_targets(status_shown, filters.region)
request = views.growth_request(relative, regions, filters.region)
growth = ui.peer_growth_rows(request.indicators, request.years, request.level)
cmp = views.growth_comparison(status_shown, relative, growth, regions, filters.region, shown)
standing, present = cmp.standing, cmp.present

st.title(labels.PAGE_TITLES["compare"])
others = [r for r in present if r != filters.region]
st.caption(f"{filters.region} 对比 {'、'.join(others) or '—（其他地区暂无数据）'} · 截至 {filters.as_of_year} 年 · "
           f"增速为最新年度同比增速（目标状态据此判断），另列基期以来年均增速")
ui.sample_banner(bool(relative["is_sample"].any()))

if relative.empty:
    st.info("本政策没有“增速高于基准地区”的目标。")
else:
    quote = relative["quote"].iloc[0]
    st.markdown(f"> {quote}（{relative['clause'].iloc[0]}）")
    key = (filters.policy, filters.region, filters.as_of_year)
    st.plotly_chart(ui.figure("growth", key, lambda: charts.growth_figure(
        cmp.long, title=f"最新年度增速：{'、'.join(present)}")), width="stretch")
    st.subheader("逐项对比")
    st.dataframe(status_tables.compare_table(cmp.side, cmp.ranks, present, relative), hide_index=True,
                 width="stretch", column_config=status_tables.compare_columns(present, benchmark))
    peers_with_data = standing["region"].nunique()
    if peers_with_data < 2:
        st.caption(f"同级位次：{status_tables.NO_PEERS}（同级地区中只有{filters.region}有可比数据），不作排名。")
    else:
        st.caption(f"位次：{filters.region}在同级地区（共 {len(cmp.peers)} 个，其中有数据的 {peers_with_data} 个参与排名）"
                   f"中的增速位次，1 为最快。")
    st.subheader("在同级地区中的位置")
    if peers_with_data < 2:
        st.info(f"{status_tables.NO_PEERS}：同级地区中只有{filters.region}有可比数据，暂无分布。")
    else:
        st.plotly_chart(ui.figure("peers", key, lambda: charts.peer_figure(
            standing, filters.region, title=f"同级地区（{standing['region'].nunique()} 个有数据）同年增速分布")),
                        width="stretch")
        st.dataframe(status_tables.peer_table(cmp.ends, standing), hide_index=True, width="stretch",
                     column_config=status_tables.PEER_COLUMNS)
