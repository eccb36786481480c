"""总览: every target of the policy with its latest actual value."""
import streamlit as st

import labels
import ui
from metrics.latest import latest_values

filters = ui.sidebar_filters()
f = ui.frames()
targets = f["targets"].query("policy == @filters.policy")
latest = (latest_values(f["observations"], filters.as_of_year).query("region == @filters.region")
          .rename(columns={"value": "actual", "year": "actual_year"}))
table = targets.merge(latest[["indicator", "actual", "actual_year", "source", "is_sample"]], on="indicator", how="left")

st.title(labels.APP_TITLE)
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年")
ui.sample_banner(bool(table["is_sample"].fillna(False).astype(bool).any()))

view = table.assign(
    target_text=[labels.target_text(c, v, lo, hi, u, d) for c, v, lo, hi, u, d in
                 zip(table["comparator"], table["value"], table["value_low"], table["value_high"], table["unit"],
                     table["decimals"])],
    kind_text=table["kind"].map(labels.KIND_LABELS),
    data_text=table["is_sample"].map({True: labels.SAMPLE_MARK, False: "公开数据"}).fillna("无数据"),
)
st.dataframe(
    view[["code", "clause", "area", "indicator_name", "kind_text", "target_text", "due_year", "actual", "unit",
          "actual_year", "data_text"]],
    column_config={"code": "编号", "clause": "条款", "area": "领域", "indicator_name": "指标", "kind_text": "类型",
                   "target_text": "目标", "due_year": st.column_config.NumberColumn("目标年份", format="%d"),
                   "actual": st.column_config.NumberColumn("最新值", format="%.2f"), "unit": "单位",
                   "actual_year": st.column_config.NumberColumn("数据年份", format="%d"), "data_text": "数据性质"},
    hide_index=True, width="stretch", height=min(38 * (len(view) + 1), 1400))
