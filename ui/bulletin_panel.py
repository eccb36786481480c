"""The 督查通报 download on the 部门督办 and 汇报材料 pages: the 成文日期 and the 文号's number are chosen on the page
(as `cli.py bulletin --date … --number …` does), and the document is built when the button is clicked."""
from __future__ import annotations

from datetime import date

import streamlit as st

import ui
from bulletin.text import doc_number
from vocab.periods import parse_as_of

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def bulletin_section(policy: str, region: str, as_of_year: int) -> None:
    """Subheader, the two fields and the download button (keys shared by both pages, so a choice carries over)."""
    settings = ui.settings()
    st.subheader("督查通报")
    st.caption(f"按{as_of_year}年12月31日的情况生成 Word 文档（公文格式）：总体情况、表扬和通报批评单位及其得分构成、"
               "颜色分档、逾期事项（清单见附件）、下步工作要求。")
    day_col, number_col = st.columns(2)
    issued = day_col.date_input("成文日期", value=date.today(), key="bulletin_date", format="YYYY-MM-DD")
    number = number_col.number_input("文号序号", min_value=1, max_value=9999, step=1, key="bulletin_number",
                                     value=int(settings.get("bulletin", {}).get("serial", 1)))
    as_of = parse_as_of(as_of_year).day
    if issued < as_of:
        st.warning(f"成文日期 {issued.isoformat()} 早于通报的截至日期 {as_of.isoformat()}，请重新选择。",
                   icon=":material/event_busy:")
        return
    mark = doc_number(settings, issued, int(number))
    st.caption(f"文号：{mark}　成文日期：{issued.year}年{issued.month}月{issued.day}日")
    st.download_button("下载督查通报（.docx）",
                       data=lambda: ui.bulletin_docx(policy, region, as_of_year, issued, int(number)),
                       file_name=f"督查通报-{region}-{as_of_year}-{mark}.docx", mime=DOCX_MIME,
                       icon=":material/download:", key="bulletin_download")
