"""目标详情: one target's trajectory, its verdict or status in the renderer's words (at its due year: the verdict,
the 期末差距 and a later value; before it: the required pace and the forecast), the numbers behind it, the clause
it comes from, the source of every value and the history of edits."""
from functools import partial

import streamlit as st

import ui
from metrics.trajectory import revision_points
from ui import charts, status_tables, tables
from ui.vintages import vintages
from views import portfolio, vintage_words
from views import target_words as words
from vocab import labels
from vocab.labels import is_missing
from vocab.text import md_escape

filters = ui.sidebar_filters()
table = ui.status_table(filters.policy, filters.region, filters.as_of_year).set_index("code", drop=False)

st.title(labels.PAGE_TITLES["detail"])
codes = list(table["code"])
titles = {c: f"{c} {n}（{t}，{d}）" for c, n, t, d in
          zip(codes, table["indicator_name"], table["target_text"], table["due_text"])}
wanted = st.query_params.get("code") or status_tables.first_headline(table)
code = st.selectbox("选择目标", codes, index=codes.index(wanted) if wanted in codes else 0, format_func=titles.get,
                    key="detail_code")
st.query_params["code"] = code  # the address names the target: a link opens this page on it
row = table.loc[code]
observations = ui.observations_of(filters.policy, row["region"], row["indicator"], filters.as_of_year, row.get("benchmark"))
ui.sample_banner(*ui.value_counts(observations, "value"))
st.caption(" · ".join(t for t in (filters.region, f"截至 {filters.as_of_year} 年", row["area"],
                                  labels.KIND_LABELS[row["kind"]], labels.TIER_LABELS.get(row["tier"], "")) if t))

chart, facts = st.columns([3, 2])
with chart:
    series = ui.chart_series(filters.policy, filters.region, filters.as_of_year)
    traj = series.loc[series["code"] == code]
    # other policies' targets on the same indicator, from each policy's own engine result (one series, every target)
    sharing = portfolio.policies_sharing(ui.catalogue_frames(), filters.policy, row["indicator"])
    others = portfolio.other_targets(row, [ui.status(p, filters.region, filters.as_of_year) for p in sharing],
                                     ui.catalogue_frames()["policies"])
    if len(others):
        status = ui.status(filters.policy, filters.region, filters.as_of_year)
        traj = portfolio.shared_series(status.loc[status["code"] == code],
                                       ui.frames(filters.policy, filters.region)["observations"], filters.as_of_year,
                                       others)
    history = vintages([row["region"], row.get("benchmark")], [row["indicator"]])
    revised = revision_points(history, row, filters.as_of_year)
    ui.show_chart(ui.figure("trajectory", (filters.policy, filters.region, filters.as_of_year, code),
                            lambda: charts.trajectory_figure(traj, row, others=others, revisions=revised)))
    if len(others):
        st.caption("同一指标在其他政策中的目标：" + "；".join(
            md_escape(f"{o.doc_number}《{o.policy_name}》{o.code} {o.target_text}（{o.due_text}）"
                      + (f"，{o.verdict}" if o.verdict else "") + ("" if o.drawable else "，口径不同，未画入图中"))
            for o in others.itertuples()))
with facts:
    ui.status_badge(row["status"], size="1.1rem", text=row["verdict_text"])
    a, b = st.columns(2)
    year = f"（{int(row['actual_year'])}年）" if not is_missing(row["actual_year"]) else ""
    if row["kind"] == "relative":   # a growth target: the two growth rates, the target in words below
        a.metric(f"{row['region']}增速{year}", labels.percent_text(row["region_growth"], 1))
        b.metric(f"{row['benchmark'] or words.FALLBACK_BENCHMARK}增速", labels.percent_text(row["benchmark_growth"], 1))
    else:
        a.metric(f"期末值{year}" if row["judged"] else "实际值", row["value_text"],
                 help=f"数据年份：{int(row['actual_year'])}年" if year else None)
        b.metric("目标", row["target_text"], help=f"目标年份：{int(row['due_year'])}年")
        a.metric("完成率", row["attainment_text"])
        if row["judged"]:
            b.metric("期末差距", row["gap_text"])
        else:
            b.metric("进度比", row["ratio_text"], help="进度比 = 基期以来的实际进展 ÷ 按目标路径到目前应有的进展")
    if row["judged"]:
        st.markdown(f"#### 按{row['due_text']}数值判定：{row['verdict_text']}")
        if words.gap_phrase(row):
            st.markdown(words.gap_phrase(row) if row["kind"] != "relative" else
                        f"{words.gap_phrase(row)}（{words.margin_text(row)}）")
        if row["later_text"]:
            st.caption(f"到期后：{row['later_text']}（不改变判定）")
    else:
        st.markdown(f"#### {words.pace_text(row)}")
        st.caption(words.forecast_text(row))
    st.markdown(f"**目标**：{row['target_text']}（{row['due_text']}）　**牵头单位**：{row['lead_units'] or '—'}　"
                f"**责任单位**：{row['responsible_units'] or '—'}")

st.subheader("政策依据")
st.markdown(f"**{ui.policy_title(filters.policy)} {row['clause']}**")
st.markdown(f"> {row['quote']}")
if row.get("also_quote"):
    st.markdown(f"**另见（{row['also_clause']}）**")
    st.markdown(f"> {row['also_quote']}")
if row.get("note"):
    st.info(row["note"], icon="ℹ️")

amount = partial(words.amount_text, row)   # every value of the indicator as the tables and cards write it

numbers, _ = st.columns([2, 3])
with numbers:
    st.subheader("测算依据")
    behind = status_tables.numbers_behind(row)
    st.dataframe(behind, hide_index=True, width="stretch", column_config={"item": "项目", "value": "数值"},
                 height=tables.table_height(behind))
st.subheader("数据与出处")
sources = tables.source_table(observations, amount)
st.dataframe(sources, hide_index=True, width="stretch",
             **tables.fit(sources, tables.SOURCE_COLUMNS, tables.SOURCE_WIDTHS, tables.SOURCE_ORDER))

st.subheader("数据版次")   # a value's vintages (issue 21): first release, 核实, 修订
if row["provisional"]:
    st.caption(f"{words.PROVISIONAL}：所依据的数值为{words.provisional_note(row)}，待核实数或修订数发布后确定。")
versions = vintage_words.history_table(history.loc[history["year"] <= filters.as_of_year],
                                       ui.frames(filters.policy, filters.region)["indicators"])
if versions.empty:
    st.caption("截至该年的数值均只有一个版次（没有修订）。")
else:
    st.dataframe(versions, hide_index=True, width="stretch", height=tables.table_height(versions),
                 column_config={"region": "地区", "indicator_name": "指标", "period": "期间",
                                "history": "版次（首次公布 → 核实、修订）", "current": "当前采用"})

st.subheader("修改记录")
history = tables.value_history_table(ui.audit(f"{row['region']}/{row['indicator']}/"), amount)
if history.empty:
    st.caption("暂无修改记录。")
else:
    st.dataframe(history, hide_index=True, width="stretch", height=tables.table_height(history),
                 column_config={**tables.AUDIT_COLUMNS, "key": "期间"})
