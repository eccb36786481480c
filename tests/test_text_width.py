"""ui.text_width reserves at least the room Noto Sans CJK SC — the house font, installed with fonts-noto-cjk —
takes to draw a text: one line at a chart's tick size, and wrapped into a table cell's width."""
from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.charts import cjk_font
from ui.text_width import text_width, wrapped_lines
from vocab import labels

NAMES = [*labels.AREAS, "全社会研发投入强度", "高新技术企业总数（家）", "科工信局（通报表扬）", "郑洛新国家自主创新示范区辐射区创建",
         "R&D经费内部支出", "GDP（亿元）", "Wm MW", "完成2020年上半年工作计划", "三（二）1 积极对接国家创新大平台、大科学装置在我市布局"]
NUMBERS = ["−1,234,567", "2,500", "60.00", "−20%", "100%", "0.00", "9,999,999.9", "2020-06-30", "逾期 184 天"]
TEXT = st.text(alphabet=st.sampled_from("积极对接国家创新大平台、（）：；0123456789,.%-ABCMWabmw年月日 "), max_size=60)


@functools.lru_cache(maxsize=4)
def font(size: int):
    from PIL import ImageFont
    found = cjk_font()
    assert found, "fonts-noto-cjk is needed (.ci/run installs it)"
    return ImageFont.truetype(found[0], size, index=found[1])


def drawn_lines(text: str, width: int, size: int = 14) -> int:
    """Lines when wrapped at any character by the font's own widths (what a cell does with Chinese text)."""
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0.0
        for c in part:
            w = font(size).getlength(c)
            if used and used + w > width:
                lines, used = lines + 1, 0.0
            used += w
    return lines


def test_one_line_room_holds_names_and_numbers_as_drawn():
    for text in NAMES + NUMBERS:
        assert text_width(text) >= font(12).getlength(text), text


@settings(max_examples=60)
@given(text=TEXT, width=st.integers(40, 300))
def test_wrapped_lines_are_never_fewer_than_the_font_needs(text, width):
    assert wrapped_lines(text, width) >= drawn_lines(text, width)


def test_wrapped_lines_of_a_known_cell():
    # 22 characters at 14 px in a 95-px cell: six characters (84 px) to a line → 4 lines
    text = "积极对接国家创新大平台、大科学装置在我市布局"
    assert wrapped_lines(text, 95) == -(-len(text) // 6) == drawn_lines(text, 95)
    assert wrapped_lines("第一行\n第二行", 200) == 2


def test_wide_columns_are_shared_by_content_for_the_fewest_lines():
    """部门督办's deadline list at 1366 px: shared in proportion, the task column (its text 28 characters) takes five
    lines and makes every row that tall; shared by content, every text fits on four, within the same width."""
    import pandas as pd

    from ui import tables
    task = "三（二）1 积极对接国家创新大平台、大科学装置在我市布局"
    frame = pd.DataFrame({"state_text": ["✖ 已逾期"], "days_text": ["逾期 184 天"], "unit": ["科工信局"],
                          "task_text": [task], "title": ["完成2020年上半年工作计划"], "due_date": ["2020-06-30"],
                          "chases": ["0 次"], "last_progress": ["实施科技型中小企业培育工程：年度任务已完成，材料已报市科技领导小组。"],
                          "data_text": [labels.SAMPLE_MARK]})
    columns = list(frame.columns)
    proportional = tables.fitted(tables.DEADLINE_TABLE_COLUMNS, tables.DEADLINE_WIDTHS, columns)
    shared = tables.fit(frame, tables.DEADLINE_TABLE_COLUMNS, tables.DEADLINE_WIDTHS, columns)
    assert tables.row_height_for(frame, proportional, columns) == 5 + 20 * 5
    assert shared["row_height"] == 5 + 20 * 4
    assert sum(shared["column_config"][c]["width"] for c in columns) <= tables.FIT_WIDTH
