"""汇报材料: the leading-group meeting deck (editable PowerPoint) in one click, the 督查通报 (dated and numbered
here), the 终期评估报告 of a policy whose period is over, and the meeting snapshots."""
from datetime import date

import pandas as pd
import streamlit as st

import ui
from access import guard
from access.permissions import is_admin
from deck import DeckOptions, build_deck
from ui import tables
from ui.bulletin_panel import bulletin_section
from ui.evaluation_panel import evaluation_section
from vocab import labels
from vocab.accounts import PermissionDenied
from vocab.text import md_escape

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
NO_COMPARE = "不对比"


def manage_snapshots(snapshots: pd.DataFrame, account) -> None:
    """Admins rename or delete a snapshot (both audited; access.guard checks the role again)."""
    if not is_admin(account):
        return
    with st.expander("管理会议快照（管理员）"):
        names = {int(r.id): f"{r.name}（{r.meeting_date:%Y-%m-%d}）" for r in snapshots.itertuples()}
        chosen = st.selectbox("快照", list(names), format_func=names.get, key="snapshot_manage_id")
        new_name = st.text_input("新名称", key="snapshot_new_name")
        rename_col, delete_col = st.columns(2)
        try:
            if rename_col.button("重命名", key="snapshot_rename", disabled=not new_name.strip()):
                guard.rename_snapshot_as(ui.engine(), account, chosen, new_name)
                st.session_state["snapshot_flash"] = f"已将会议快照重命名为“{new_name.strip()}”。"
                st.rerun()
            if delete_col.button("删除该快照", key="snapshot_delete"):
                guard.delete_snapshot_as(ui.engine(), account, chosen)
                st.session_state["snapshot_flash"] = f"已删除会议快照“{names[chosen]}”（已记入修改记录）。"
                st.rerun()
        except (ValueError, PermissionError) as exc:  # PermissionDenied is a PermissionError
            st.error(md_escape(exc), icon=":material/error:")


filters = ui.sidebar_filters()
snapshots = ui.snapshots(filters.policy, filters.region)

st.title(labels.REPORT_PAGE_TITLE)
st.caption(f"{filters.region} · 截至 {filters.as_of_year} 年 · 生成可编辑的 PowerPoint（16:9），图表数据可在 PowerPoint 中直接修改")

settings_col, preview_col = st.columns([2, 3])
with settings_col:
    st.subheader("内容")
    areas = st.multiselect("领域", labels.AREAS, default=list(labels.AREAS), key="deck_areas")
    area_charts = st.checkbox("分领域图表", value=True, key="deck_area_charts")
    target_table = st.checkbox("全部目标进度一览表", value=True, key="deck_table")
    departments = st.checkbox("部门督办（排名、通报、逾期任务）", value=True, key="deck_departments")
    data_notes = st.checkbox("数据说明", value=True, key="deck_notes")
    names = {int(r.id): f"{r.name}（{r.meeting_date:%Y-%m-%d}）" for r in snapshots.itertuples()}
    baseline = ui.last_meeting(filters.policy, filters.region)  # the latest meeting on or before today
    default = [NO_COMPARE, *names].index(int(baseline[0]["id"])) if baseline else 0
    compare = st.selectbox("对比会议快照", [NO_COMPARE, *names], format_func=lambda k: names.get(k, k),
                           index=default, key="deck_since",
                           help="显示自该次会议以来状态上升、下降和新增数据的目标")
    # a date field is never left empty (an empty one shows the format mask): the date is asked for when wanted
    meeting_date = (st.date_input("会议日期", value=date.today(), key="deck_meeting_date", format="YYYY-MM-DD")
                    if st.checkbox("在封面印会议日期", key="deck_with_date") else None)

snapshot_id = None if compare == NO_COMPARE else int(compare)
data = ui.deck_data(filters.policy, filters.region, filters.as_of_year, snapshot_id)
options = DeckOptions(areas=tuple(areas), area_charts=area_charts, target_table=target_table,
                      departments=departments, data_notes=data_notes, meeting_date=meeting_date)
slides = ui.deck_plan(filters.policy, filters.region, filters.as_of_year, snapshot_id, options)

with preview_col:
    st.subheader(f"幻灯片（共 {len(slides)} 页）")
    ui.sample_banner(any(s.uses_sample for s in slides))
    pages = pd.DataFrame({"页": range(1, len(slides) + 1), "标题": [s.title for s in slides],
                          "数据": [labels.SAMPLE_MARK if s.uses_sample else "" for s in slides]})
    st.dataframe(pages, hide_index=True, width="stretch", height=tables.table_height(pages))

key = (filters.policy, filters.region, filters.as_of_year, snapshot_id, options, ui.data_version())
if st.button("生成汇报材料", type="primary", key="deck_build"):
    with st.status("正在生成汇报材料…", expanded=True) as progress_box:
        bar = st.progress(0.0)

        def show(i: int, n: int, title: str) -> None:
            bar.progress(min(i / n, 1.0), text=f"{min(i + 1, n)}/{n} {title}")

        pptx = build_deck(data, options, show)
        progress_box.update(label=f"已生成：{len(slides)} 页", state="complete", expanded=False)
    st.session_state["deck"] = (key, pptx)

built = st.session_state.get("deck")
if built and built[0] == key:
    st.download_button("下载 PowerPoint", built[1], mime=PPTX_MIME, type="primary", key="deck_download",
                       file_name=f"{filters.region}创新驱动推进情况_截至{filters.as_of_year}年.pptx")
elif built:
    st.info("内容或数据已改变，请重新生成。")

st.divider()
bulletin_section(filters.policy, filters.region, filters.as_of_year)

st.divider()
evaluation_section(filters.policy, filters.region)

st.divider()
st.subheader("会议快照")
st.caption("把各目标的状态保存为某次科技领导小组会议的快照（按会议日期当天已发布的数据计算）；下次生成材料和总览页会显示"
           "自该次会议以来的变化。")
account = ui.account()
if not is_admin(account):
    st.info(labels.ADMIN_ONLY_SNAPSHOT, icon=":material/lock:")
with st.form("snapshot_form", clear_on_submit=True):
    name_col, date_col = st.columns([3, 1])
    meeting = name_col.text_input("会议名称", placeholder="例如：2020年第四季度科技领导小组会议", key="snapshot_name")
    when = date_col.date_input("会议日期", value=date.today(), max_value=date.today(), key="snapshot_date",
                               format="YYYY-MM-DD")
    saved = st.form_submit_button("保存为会议快照", disabled=not is_admin(account))
if saved:
    try:
        frozen = ui.status_known_on(filters.policy, filters.region, filters.as_of_year, when)
        snap_id = guard.snapshot_as(ui.engine(), account, frozen, name=meeting, meeting_date=when,
                                    policy=filters.policy, region=filters.region, as_of_year=filters.as_of_year)
    except (ValueError, PermissionDenied) as exc:
        st.error(md_escape(exc))
    else:
        st.success(md_escape(f"已保存会议快照 #{snap_id}“{meeting.strip()}”（{len(frozen)} 个目标，"
                             f"截至{filters.as_of_year}年，按{when:%Y-%m-%d}已发布的数据）。"))
        snapshots = ui.snapshots(filters.policy, filters.region)
if message := st.session_state.pop("snapshot_flash", None):
    st.success(md_escape(message), icon=":material/check_circle:")

if snapshots.empty:
    st.info("尚无会议快照。")
else:
    st.dataframe(snapshots[["name", "meeting_date", "as_of_year", "targets", "created_by", "created_at"]],
                 hide_index=True, width="stretch", height=tables.table_height(snapshots),
                 column_config={"name": "会议", "meeting_date": "会议日期",
                                "as_of_year": st.column_config.NumberColumn("截至年份", format="%d"),
                                "targets": "目标数", "created_by": "保存人",
                                "created_at": st.column_config.DatetimeColumn("保存时间", format="YYYY-MM-DD HH:mm")})
    manage_snapshots(snapshots, account)
