"""数据质量: which indicators have no data, stale data, sample data, or values without a source; how many values are
published against sample; and the vintages (issue 21): values still 预计 or 初步 after their usual final release, and
the revisions of the last months with their size."""
from datetime import date

import streamlit as st

import ui
from metrics.quality import ISSUES, issue_counts, late_provisional, provenance_counts, quality_findings, revisions
from ui import tables
from ui.vintages import vintages
from views import vintage_words
from vocab import labels

filters = ui.sidebar_filters()
status = ui.status(filters.policy, filters.region, filters.as_of_year)
f = ui.frames(filters.policy, filters.region)
targets = f["targets"].loc[f["targets"]["policy"] == filters.policy]
findings = quality_findings(targets, f["observations"], status, filters.region, filters.as_of_year)
counts = issue_counts(findings)
settings = ui.settings()
today = date.today()
regions = list(dict.fromkeys(f["observations"]["region"]))   # the region and its benchmark regions
late = vintage_words.late_table(late_provisional(f["observations"], filters.as_of_year, today, settings),
                                f["indicators"])
months = int(settings.get("vintages", {}).get("revision_months", 12))
history = vintages(regions)
revised = vintage_words.revision_table(revisions(history, today, months), f["indicators"])
every_revision = vintage_words.revision_table(revisions(history, today, None), f["indicators"])

st.title(labels.PAGE_TITLES["quality"])
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年 · 共 {len(findings)} 个指标")
ui.sample_banner(counts["sample"] > 0)
values = provenance_counts(f["observations"], filters.region, filters.as_of_year)
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
    st.dataframe(rows, hide_index=True, width="stretch", column_order=tables.QUALITY_ORDER,
                 column_config=tables.QUALITY_COLUMNS, key=f"quality_{issue}")

st.subheader(f"初步数、预计数已过通常定稿时间（{len(late)}）")
st.caption(f"{'、'.join(regions)}截至 {filters.as_of_year} 年的数值中，到今天（{today:%Y-%m-%d}）仍为初步数或预计数、"
           "已过该指标通常发布核实数的时间的（规则见 data/settings.toml [vintages]）。请核对是否已有核实数或修订数，"
           "并连同数据状态和发布日期录入；依据这些数值的状态显示为“暂判”。")
if late.empty:
    st.caption("无。")
else:
    st.dataframe(late, hide_index=True, width="stretch", height=tables.table_height(late), key="quality_late",
                 column_config={"region": "地区", "indicator_name": "指标", "period": "期间", "value": "数值",
                                "data_status": "数据状态", "released_on": "发布日期", "final_by": "通常定稿",
                                "rule": "定稿规则", "days_late": st.column_config.NumberColumn("已过（天）"),
                                "source": "出处"})

REVISION_COLUMNS = {"region": "地区", "indicator_name": "指标", "period": "期间", "before": "修订前", "after": "修订后",
                    "change": "修订幅度"}
st.subheader(f"近{months}个月的数据修订（{len(revised)}）")
if revised.empty:
    st.caption(f"近{months}个月（截至{today:%Y-%m-%d}）没有发布修订数或核实数。")
else:
    st.dataframe(revised, hide_index=True, width="stretch", height=tables.table_height(revised),
                 key="quality_revisions", column_config=REVISION_COLUMNS)
if len(every_revision) > len(revised):
    with st.expander(f"全部修订（{len(every_revision)}）"):
        st.dataframe(every_revision, hide_index=True, width="stretch", height=tables.table_height(every_revision),
                     key="quality_revisions_all", column_config=REVISION_COLUMNS)
