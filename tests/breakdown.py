"""A realistic 十五五 任务分解表 built by code, as an .xlsx (openpyxl) and as a table in a .docx (python-docx):
merged title cells, a section row merged across the table, a lead unit merged down two rows, line breaks inside
cells, full-width digits and ％, ranges such as 2026—2030年, an unknown unit (统计局), a goal that needs a base value
(翻一番) and tasks without a number. EXPECTED holds the readings written by hand."""
from __future__ import annotations

import io

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment

TITLE = "长垣市“十五五”科技创新发展规划主要目标和重点任务分解表"
PERIOD = "（2026—2030年）"
HEADER = ("序号", "目标任务", "牵头单位", "责任单位", "完成时限", "备注")
# (序号, 目标任务, 牵头单位, 责任单位, 完成时限); None as 序号: a section row merged across the table
ROWS: list[tuple] = [
    (None, "一、主要目标"),
    ("1", "到2030年，全社会研发投入强度\n达到３．２％以上", "科工信局", "发改委、统计局\n财政局", "２０３０年底前"),
    ("2", "高新技术企业总数达到200家以上", "市科工信局", "税务局\n财政局", "2026—2030年"),
    ("3", "每年新增高新技术企业20家以上", "科工信局", "税务局、财政局", "每年"),
    ("4", "每年新创建市级创新平台15家左右", "科工信局", "产业集聚区", "每年"),
    ("5", "科技创新综合实力进入全省县（市）前10位", "科工信局", "市直有关部门", "2028年底前"),
    ("6", "技术合同成交额年均增长10%以上", "科工信局", "科协", "2026—2030年"),
    ("7", "确保规模以上工业企业研发活动覆盖率达到60%、力争达到70%", "科工信局", "产业集聚区、发改委", "2030年"),
    ("8", "“十五五”期间新增国家科技型中小企业300家", "科工信局", "税务局", "2026—2030年"),
    ("9", "累计新增发明专利500项以上", "市场监管局", "科工信局", "2026—2030年"),
    ("10", "到2027年，经备案的省级新型研发机构达到8家", "科工信局", "发改委", "2027年底前"),
    ("11", "每年引进培育高层次创新创业团队两个以上", "县委组织部", "人社局、科工信局", "每年"),
    ("12", "期间累计1—2项进入创新引领专项", "科工信局", "财政局", "2026—2030年"),
    ("13", "地区生产总值年均增长7%以上", "发改委", "财政局", "2026—2030年"),
    ("14", "创建国家创新型县（市）", "科工信局", "市直有关部门", "2028年底前"),
    ("15", "争创国家高新区", "产业集聚区", "科工信局、发改委", "2030年"),
    ("16", "每年开展科技特派员服务100人次以上", "科工信局", "农业农村局", "每年"),
    ("17", "专利授权量翻一番", "市场监管局", "科工信局", "2030年"),
    ("18", "打造科技创新人才高地，每年新引进或培育高学历人才50名以上", "人社局", "组织部、教体局", "每年"),
    ("19", "力争新培育建设国家级平台2家以上", "科工信局", "发改委", "2030年底前"),
    (None, "二、重点任务"),
    ("20", "完善科技创新政策体系，修订出台科技创新奖励办法", "科工信局", "司法局、财政局", "2026年6月底前"),
    ("21", "深化科技成果转化改革，推动高校院所成果在长转化", "科工信局", "科协、教体局", "长期坚持"),
    ("22", "实施科技型企业梯次培育行动，建立科技型企业培育库", "科工信局", "税务局、市场监管局", "2026年底前"),
]
LEAD_MERGED = ("3", "4")   # the 牵头单位 cells of these rows are one merged cell (科工信局)
# A reading written by hand: (序号, kind, indicator code or "new:<name>", comparator, value, stretch, unit,
# due year, lead unit); "flagged" for a row the reader must mark rather than read.
EXPECTED: list[tuple] = [
    ("1", "level", "rd_intensity", ">=", 3.2, None, "%", 2030, "科工信局"),
    ("2", "level", "hte_count", ">=", 200, None, "家", 2030, "科工信局"),
    ("3", "annual", "hte_new", ">=", 20, None, "家", 2030, "科工信局"),
    ("4", "annual", "city_platforms_new", "approx", 15, None, "家", 2030, "科工信局"),
    ("5", "level", "county_innovation_rank", "<=", 10, None, "位", 2028, "科工信局"),
    ("6", "cagr", "tech_contract_turnover", ">=", 10, None, "%", 2030, "科工信局"),
    ("7", "level", "new:规模以上工业企业研发活动覆盖率", ">=", 60, 70, "%", 2030, "科工信局"),
    ("8", "cumulative", "new:新增国家科技型中小企业", ">=", 300, None, "家", 2030, "科工信局"),
    ("9", "cumulative", "invention_patents_new", ">=", 500, None, "项", 2030, "市场监管局"),
    ("10", "level", "provincial_rd_institutions", ">=", 8, None, "家", 2027, "科工信局"),
    ("11", "annual", "provincial_teams_new", ">=", 2, None, "个", 2030, "组织部"),
    ("12", "cumulative", "leading_projects", "range", (1, 2), None, "项", 2030, "科工信局"),
    ("13", "cagr", "gdp", ">=", 7, None, "%", 2030, "发改委"),
    ("14", "milestone", "innovative_county", ">=", 2, None, "阶段", 2028, "科工信局"),
    ("15", "milestone", "national_hitech_zone", ">=", 2, None, "阶段", 2030, "产业集聚区"),
    ("16", "annual", "new:科技特派员服务", ">=", 100, None, "人次", 2030, "科工信局"),
    ("17", "flagged"),
    ("18", "annual", "high_degree_talent_new", ">=", 50, None, "名", 2030, "人社局"),
    ("19", "cumulative", "national_platforms_new", ">=", None, 2, "家", 2030, "科工信局"),
]
TASK_ROWS = {"20": (2026, "2026-06-30"), "21": (2030, "2030-12-31"), "22": (2026, "2026-12-31")}
UNKNOWN_UNIT = ("1", "统计局")


def rows(clean: bool = False) -> list[tuple]:
    """The rows; `clean`: the unknown unit and the 翻一番 row corrected as a clerk would (for an import that
    succeeds)."""
    if not clean:
        return list(ROWS)
    fixed = {"1": lambda r: (r[0], r[1], r[2], "发改委\n财政局", r[4]),
             "17": lambda r: (r[0], "专利授权量达到1200件", r[2], r[3], r[4])}
    return [fixed[r[0]](r) if r[0] in fixed else r for r in ROWS]


def xlsx_bytes(clean: bool = False, sheet: str = "分解表") -> bytes:
    """The table as an Excel workbook: two merged title rows, the header, section rows merged across."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    width = len(HEADER)
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append([PERIOD])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(list(HEADER))
    merged_from = None
    for r in rows(clean):
        ws.append([r[1]] if r[0] is None else list(r))   # a section's text in the merged range's first cell
        n = ws.max_row
        if r[0] is None:
            ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=width)
        elif r[0] == LEAD_MERGED[0]:
            merged_from = n
        elif r[0] == LEAD_MERGED[1]:
            ws.cell(row=n, column=3).value = None
            ws.merge_cells(start_row=merged_from, start_column=3, end_row=n, end_column=3)
        for c in ws[n]:
            c.alignment = Alignment(wrap_text=True, vertical="center")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_bytes(clean: bool = False) -> bytes:
    """The table in a Word document: title paragraphs, the table with section rows merged across, the lead of two
    rows merged down, and line breaks as Word's manual breaks inside the cells."""
    doc = Document()
    doc.add_paragraph(TITLE)
    doc.add_paragraph(PERIOD)
    body = rows(clean)
    table = doc.add_table(rows=1 + len(body), cols=len(HEADER))
    for c, h in enumerate(HEADER):
        table.cell(0, c).text = h
    merged_from = None
    for i, r in enumerate(body, 1):
        if r[0] is None:
            cell = table.cell(i, 0).merge(table.cell(i, len(HEADER) - 1))
            cell.text = r[1]
            continue
        for c, value in enumerate(r):
            _write(table.cell(i, c), value)
        if r[0] == LEAD_MERGED[0]:
            merged_from = i
        elif r[0] == LEAD_MERGED[1]:
            table.cell(i, 2).text = ""
            top = table.cell(merged_from, 2).merge(table.cell(i, 2))
            top.text = "科工信局"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _write(cell, value: str) -> None:
    """Text with its line breaks as manual breaks (<w:br/>) in one paragraph, as Word writes Shift+Enter."""
    paragraph = cell.paragraphs[0]
    for k, line in enumerate(str(value).split("\n")):
        run = paragraph.add_run(line)
        if k < len(str(value).split("\n")) - 1:
            run.add_break()
