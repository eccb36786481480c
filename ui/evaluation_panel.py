"""The 终期评估报告 download on 汇报材料: for a policy whose period is over, its 成文日期 and 文号 number are chosen on
the page (as `cli.py evaluation --date … --number …` does) and the document is built when the button is clicked; a
policy still running gets the refusal in Chinese (evaluation.data.check_over), not a button."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

import ui
from evaluation.build import doc_number
from evaluation.data import check_over, period_end
from views import policy as views
from vocab import labels

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@st.cache_data(show_spinner=False, max_entries=4)
def _evaluation(version: int, policy: str, region: str, issued: str, number: int, today: date) -> bytes:
    from evaluation import build_evaluation, evaluation_data
    return build_evaluation(evaluation_data(ui.frames(policy, region), ui.settings(), policy=policy, region=region,
                                            issued=date.fromisoformat(issued), number=number, today=today))


def evaluation_section(policy: str, region: str) -> None:
    """Subheader, the refusal or the two fields and the download button."""
    st.subheader(labels.EVALUATION_TITLE)
    row = views.policy_row(ui.catalogue_frames(), policy)
    today = date.today()
    try:
        check_over(row, today)
    except ValueError as exc:
        st.info(str(exc), icon=":material/event_upcoming:")
        return
    end = period_end(row)
    st.caption(f"实施期 {int(row['start_year'])}—{int(row['end_year'])} 年已结束：生成 Word 文档（公文格式），逐项列出目标"
               "按到期年份数值判定的结论、完成率和期末差距，任务完成情况及责任单位，各单位最终得分及其构成，主要指标走势图，"
               "以及延续到后续政策的指标。")
    day_col, number_col = st.columns(2)
    issued = day_col.date_input("成文日期", value=today, min_value=end + timedelta(days=1), key="evaluation_date",
                                format="YYYY-MM-DD")
    number = number_col.number_input("文号序号", min_value=1, max_value=9999, step=1, key="evaluation_number",
                                     value=int(ui.settings().get("evaluation", {}).get("serial", 1)))
    mark = doc_number(ui.settings(), issued, int(number))
    st.caption(f"文号：{mark}　成文日期：{issued.year}年{issued.month}月{issued.day}日")
    st.download_button("下载终期评估报告（.docx）",
                       data=lambda: _evaluation(ui.data_version(), policy, region, issued.isoformat(), int(number),
                                                today),
                       file_name=f"终期评估报告-{row['doc_number']}-{region}-{mark}.docx", mime=DOCX_MIME,
                       icon=":material/download:", key="evaluation_download")
