"""对比分析: the region's growth against the benchmark region (and the regions above it) for the indicators of the
"growth clearly above the province average" goal, and where it stands among the regions of its level."""
import streamlit as st

import ui
from ui import charts, status_tables, tables
from vocab import labels

filters = ui.sidebar_filters()
benchmark = ui.benchmark_region(filters.policy)
cmp = ui.growth_comparison(filters.policy, filters.region, filters.as_of_year)
relative, present = cmp.relative, cmp.present

st.title(labels.PAGE_TITLES["compare"])
others = [r for r in present if r != filters.region]
st.caption(f"{filters.region} 对比 {'、'.join(others) or '—（其他地区暂无数据）'} · 截至 {filters.as_of_year} 年 · "
           f"增速为最新年度同比增速（目标状态据此判断），另列基期以来年均增速")
ui.sample_banner(*cmp.sample)   # the values of every region shown

if relative.empty:
    st.info("本政策没有“增速高于基准地区”的目标。")
else:
    st.markdown(f"> {relative['quote'].iloc[0]}（{relative['clause'].iloc[0]}）")
    key = (filters.policy, filters.region, filters.as_of_year)
    ui.show_chart(ui.figure("growth", key, lambda: charts.growth_figure(
        cmp.long, title=f"最新年度增速：{'、'.join(present)}")))
    st.subheader("逐项对比")
    side = status_tables.compare_table(cmp.side, cmp.ranks, present, relative)
    st.dataframe(side, hide_index=True, width="stretch",
                 **tables.fit(side, status_tables.compare_columns(present, benchmark),
                              status_tables.compare_widths(present), list(side.columns)))
    if cmp.peers_with_data < 2:
        st.caption(f"同级位次：{status_tables.NO_PEERS}（同级地区中只有{filters.region}有可比数据），不作排名。")
    else:
        st.caption(f"位次：{filters.region}在同级地区（共 {len(cmp.peers)} 个，其中有数据的 {cmp.peers_with_data} 个参与排名）"
                   f"中的增速位次，1 为最快。")
    st.subheader("在同级地区中的位置")
    if cmp.peers_with_data < 2:
        st.info(f"{status_tables.NO_PEERS}：同级地区中只有{filters.region}有可比数据，暂无分布。")
    else:
        ui.show_chart(ui.figure("peers", key, lambda: charts.peer_figure(
            cmp.standing, filters.region, title=f"同级地区（{cmp.peers_with_data} 个有数据）同年增速分布")))
        peers = status_tables.peer_table(cmp.ends, cmp.standing)
        st.dataframe(peers, hide_index=True, width="stretch", height=tables.table_height(peers),
                     column_config=status_tables.PEER_COLUMNS)
