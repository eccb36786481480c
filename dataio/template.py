"""The Excel template departments fill: an instructions sheet, then one sheet per area with the indicators as rows
and the years as columns, the catalogue code in a frozen first column, units shown, cells validated."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.engine import Engine

import db
from dataio.limits import MAX_UPLOAD_MB
from dataio.validate import INTEGER_MEASURES
from vocab import labels

HEADER_ROW = 3
FIRST_YEAR_COL = 4  # A 指标代码, B 指标, C 单位, then the years
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
GREY = Font(color="808080")
BOLD = Font(bold=True)


def template_years(policy: pd.Series, years: range | None = None) -> range:
    """The year columns: the policy's base year to its end year unless given."""
    return years or range(int(policy["base_year"]), int(policy["end_year"]) + 1)


def build_template(engine: Engine, policy_code: str | None = None, region: str | None = None,
                   years: range | None = None, indicators: list[str] | None = None, department: str = "") -> bytes:
    """The template as .xlsx bytes for one region (default: the policy's own region); `indicators` keeps only
    those codes (the list the page shows beside the download: dataio.indicator_lists), `department` is named in the
    instructions. The instructions count the indicators the area sheets hold."""
    policies = db.read_policies(engine)
    policy = policies.set_index("code").loc[policy_code] if policy_code else policies.set_index("code").iloc[0]
    region = region or policy["region"]
    years = template_years(policy, years)
    subset = indicators
    indicators = db.read_indicators(engine)
    if subset is not None:
        indicators = indicators.loc[indicators["code"].isin(set(subset))]
    wb = Workbook()
    _instructions(wb.active, policy, region, years, indicators, department)
    for area in template_areas(indicators):
        _area_sheet(wb.create_sheet(area), area, region, years, indicators[indicators["area"] == area])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_areas(indicators: pd.DataFrame) -> list[str]:
    """The area sheets, in the catalogue's area order (an area outside it, e.g. of an imported policy, after them):
    every indicator is on a sheet."""
    present = set(indicators["area"])
    return [a for a in labels.AREAS if a in present] + sorted(present - set(labels.AREAS))


def _instructions(ws, policy: pd.Series, region: str, years: range, indicators: pd.DataFrame,
                  department: str = "") -> None:
    ws.title = "说明"
    lines = [
        (f"{labels.APP_TITLE} · 指标数据填报模板", Font(bold=True, size=14)),
        (f"政策文件：{policy['doc_number']} {policy['title']}", None),
        (f"地区：{region}（如填报其他地区，请修改各工作表第 1 行的地区名称）", None),
        (f"填报单位：{department}（本单位牵头或参与的目标指标，共 {len(indicators)} 个）" if department
         else f"指标：共 {len(indicators)} 个（政策文件的目标指标和背景指标）", None),
        (f"年份：{years.start}—{years.stop - 1} 年；可接受 {int(policy['track_from'])}—{int(policy['track_to'])} 年的数据", None),
        ("", None),
        ("填写方法", BOLD),
        ("1. 每个领域一张工作表，每行一个指标，每列一个年份；在黄色单元格中填写数值，不知道的留空。", None),
        ("2. “来源”列必填：写明数据出处（如“2020年长垣市统计公报”“科工信局认定文件”）。", None),
        ("3. 百分比指标（单位 %）填写 0—100 之间的数，如 3.8 或 3.8%；数量指标填写非负整数。", None),
        ("4. 阶段指标从下拉列表中选择：" + "、".join(_stage_names(indicators)) + "。", None),
        ("5. 请勿修改 A 列“指标代码”、表头行和工作表名称；可以删除不填的行。", None),
        ("6. 数值按指标的单位填写，不要换算单位（如单位为“亿元”就不要填“万元”数）。", None),
        (f"7. 上传：看板“数据填报”页 → “Excel 导入导出” → 上传，核对预览后确认。文件不超过 {MAX_UPLOAD_MB} MB。", None),
        ("8. 任何一处有误，整个文件都不会写入，系统会列出所有问题（工作表、行、列、原因），改正后重新上传即可。", None),
        ("9. “数据状态”“发布日期”两列可不填（对该行各年份都适用）：数据状态从下拉列表选择 "
         + "、".join(v for k, v in labels.DATA_STATUSES.items() if k != "unstated")
         + "（如统计公报初步数填“初步”，次年公报修订的数填“修订”），发布日期填数据公开发布的日期（如 2023-09-18）。"
         + "已有数值的新版本（如修订数）不会覆盖原数值：系统保留每个版本，以发布最晚的为当前值；留空则按更正处理。", None),
        ("", None),
        ("也可上传长表：一张工作表，表头为 地区、指标、期间、数值、来源（可加 备注、单位、指标代码、示例数据、数据状态、发布日期），"
         "每行一个数值。", None),
        ("长表也可存为 CSV 文件上传（.csv，逗号分隔）：UTF-8（可带 BOM）或 GBK/GB18030 编码均可，即 Excel 中"
         + "“另存为 → CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”。", None),
    ]
    for i, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        if font:
            cell.font = font
    ws.column_dimensions["A"].width = 110


def _stage_names(indicators: pd.DataFrame) -> list[str]:
    names: list[str] = []
    for stages in indicators["stages"]:
        names += [s for s in (stages or []) if s not in names]
    return names


def _area_sheet(ws, area: str, region: str, years: range, rows: pd.DataFrame) -> None:
    ws["A1"], ws["B1"] = "地区", region
    ws["A1"].font = BOLD
    ws["B1"].fill, ws["B1"].font = INPUT_FILL, BOLD
    ws["C1"] = f"{area}类指标 · 在黄色单元格填写数值，“来源”必填"
    ws["C1"].font = GREY
    year_cols = list(range(FIRST_YEAR_COL, FIRST_YEAR_COL + len(years)))
    source_col, note_col, status_col, released_col = (year_cols[-1] + k for k in (1, 2, 3, 4))
    headers = {1: "指标代码", 2: "指标", 3: "单位", **dict(zip(year_cols, years)), source_col: "来源（必填）",
               note_col: "备注", status_col: labels.VINTAGE_COLUMNS["data_status"],
               released_col: labels.VINTAGE_COLUMNS["released_on"]}
    for col, text in headers.items():
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for r, ind in enumerate(rows.itertuples(index=False), start=HEADER_ROW + 1):
        ws.cell(row=r, column=1, value=ind.code).font = GREY
        ws.cell(row=r, column=2, value=ind.name)
        ws.cell(row=r, column=3, value=ind.unit).alignment = Alignment(horizontal="center")
        for col in [*year_cols, source_col]:
            cell = ws.cell(row=r, column=col)
            cell.fill = INPUT_FILL
            if col != source_col:
                cell.number_format = "0.0#" if ind.unit == "%" else ("#,##0" if int(ind.decimals) == 0
                                                                    else "#,##0.0#")
        rng = f"{get_column_letter(year_cols[0])}{r}:{get_column_letter(year_cols[-1])}{r}"
        ws.add_data_validation(_validation(ind, rng))
        ws.cell(row=r, column=released_col).number_format = "yyyy-mm-dd"
    if len(rows):
        last = HEADER_ROW + len(rows)
        for dv, col in ((_status_validation(), status_col), (_release_validation(), released_col)):
            dv.add(f"{get_column_letter(col)}{HEADER_ROW + 1}:{get_column_letter(col)}{last}")
            ws.add_data_validation(dv)
    widths = {1: 24, 2: 34, 3: 7, **dict.fromkeys(year_cols, 11), source_col: 36, note_col: 24, status_col: 10,
              released_col: 12}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=FIRST_YEAR_COL)


def _status_validation() -> DataValidation:
    """The 数据状态 column: a drop-down of the words (blank allowed: keep the stored value's vintage)."""
    words = [v for k, v in labels.DATA_STATUSES.items() if k != "unstated"]
    dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
    dv.promptTitle, dv.prompt = "数据状态（可不填）", "预计：工作报告预计数；初步：统计公报初步数；核实：核实数；修订：后来公布的修订数"
    dv.errorTitle, dv.error = "数据状态不符合要求", "请从下拉列表中选择：" + "、".join(words)
    dv.showErrorMessage = dv.showInputMessage = True
    return dv


def _release_validation() -> DataValidation:
    """The 发布日期 column: a date (blank allowed)."""
    dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)  # after 2000-01-01
    dv.promptTitle, dv.prompt = "发布日期（可不填）", "数据公开发布的日期，如 2023-09-18"
    dv.errorTitle, dv.error = "发布日期不符合要求", "请填写日期，如 2023-09-18"
    dv.showErrorMessage = dv.showInputMessage = True
    return dv


def _validation(ind, cells: str) -> DataValidation:
    """Excel's own check on the value cells: 0–100 for %, ≥ min for counts, a list for stages."""
    if ind.stages:
        dv = DataValidation(type="list", formula1='"' + ",".join(ind.stages) + '"', allow_blank=True)
        dv.prompt = "从下拉列表中选择阶段"
    elif ind.unit == "%":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
        dv.prompt = "百分比指标请填写 0—100 之间的数值，如 3.8"
        dv.error = "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"
    else:
        integer = int(ind.decimals) == 0 and ind.measure in INTEGER_MEASURES
        low = 0 if pd.isna(ind.min_value) else ind.min_value
        dv = DataValidation(type="whole" if integer else "decimal", operator="greaterThanOrEqual",
                            formula1=f"{low:g}", allow_blank=True)
        dv.prompt = f"单位：{ind.unit}；" + ("请填写整数" if integer else "请填写数值") + f"，不小于 {low:g}"
        dv.error = f"请填写不小于 {low:g} 的{'整数' if integer else '数值'}（单位：{ind.unit}）"
    dv.errorTitle, dv.promptTitle = "数值不符合要求", ind.name[:32]
    dv.showErrorMessage = dv.showInputMessage = True
    dv.add(cells)
    return dv
