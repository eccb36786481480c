"""One frame of readings for a 任务分解表: one row per goal a table row sets (a row without a goal is one task
reading), each beside its row's original text, with its indicator matched, its units resolved and its due year.

Two kinds of findings: `problems` must be fixed before anything is written (an unknown unit, a due year before the
policy's start, a goal without a value …) and are recomputed from the values whenever they are corrected
(`check`); `doubts` mark a reading that may be wrong (a near indicator match, '翻一番', a number not read as a
goal): the clerk checks the row and ticks `checked`. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from policyio.dates import Due, read_due
from policyio.indicators import IndicatorLookup
from policyio.table import Table
from policyio.units import UnitLookup, resolve, split_units, unknown_unit_problem
from policyio.wording import Goal, read_goals
from vocab.labels import is_blank
from vocab.periods import normalise

KINDS = ("level", "annual", "cumulative", "cagr", "relative", "milestone", "task")
COMPARATORS = (">=", "<=", "approx", "range", ">")
COLUMNS = ["row", "seq", "clause", "section", "text", "kind", "indicator", "indicator_name", "new_indicator",
           "comparator", "value", "value_low", "value_high", "stretch", "unit", "start_year", "due_year",
           "task_due", "lead_unit", "units", "benchmark", "problems", "doubts", "notes", "checked"]
SEP = "、"
CLAUSE_LENGTH = 16        # store: clause String(20), a target's code is the clause plus '-1s'
NAME_LENGTH = 60          # a new indicator's name (store: String(120)); a longer one is a sentence, not a name
UNIT_LENGTH = 20          # store: Indicator.unit String(20)


@dataclass(frozen=True)
class Plan:
    """The policy period the table belongs to: 每年 and ongoing tasks are due at end_year; annual and cumulative
    goals count from start_year; the base year is the year before the start unless told."""
    start_year: int
    end_year: int
    base_year: int | None = None

    @property
    def base(self) -> int:
        return self.base_year if self.base_year is not None else self.start_year - 1


def read_rows(table: Table, plan: Plan, units: UnitLookup, indicators: IndicatorLookup,
              benchmark: str = "") -> pd.DataFrame:
    """The readings of every row of the table, checked (problems) and with the doubts of the first reading."""
    records = []
    clauses = _clauses(table)
    for row, clause in zip(table.rows, clauses):
        due = read_due(row.due, plan.end_year)
        lead, others, unit_notes = _units(row.lead, row.units, table.lead_from_units, units)
        base = {"row": row.number, "seq": row.seq, "clause": clause, "section": row.section, "text": row.text,
                "task_due": due.date.isoformat() if due.date else "", "lead_unit": lead, "units": others,
                "checked": False}
        goals = read_goals(row.text, every_year=due.every_year)
        if not goals:
            records.append({**base, **_empty(), "kind": "task", "due_year": due.year,
                            "doubts": [], "notes": unit_notes, "problems": [due.problem] if due.problem else []})
            continue
        for goal in goals:
            records.append({**base, **_reading(goal, due, plan, indicators, benchmark), "notes": goal.notes
                            + unit_notes})
    frame = pd.DataFrame(records, columns=COLUMNS)
    return check(frame, plan, units, indicators)


def _empty() -> dict:
    return {"indicator": "", "indicator_name": "", "new_indicator": False, "comparator": "", "value": None,
            "value_low": None, "value_high": None, "stretch": None, "unit": "", "start_year": None,
            "benchmark": ""}


def _clauses(table: Table) -> list[str]:
    """Each row's clause: its 序号 (or row number); prefixed with its section's numeral when 序号 restart in each
    section ('二（3）')."""
    seqs = [r.seq or str(r.number) for r in table.rows]
    sections = [r.section for r in table.rows]
    restart = any(seqs[i] == seqs[j] and sections[i] != sections[j]
                  for i in range(len(seqs)) for j in range(i))
    if not restart:
        return seqs
    return [f"{_numeral(sec)}（{s}）" if sec else s for s, sec in zip(seqs, sections)]


def _numeral(section: str) -> str:
    m = re.match(r"[(（]?([一二三四五六七八九十]+)", normalise(section))
    return m.group(1) if m else normalise(section)[:4]


def _units(lead_cell: str, units_cell: str, lead_from_units: bool, lookup: UnitLookup) -> tuple[str, str, list[str]]:
    """(lead units, other units) joined by 、 — canonical names where data/departments.toml knows them, else as
    written (a problem to resolve); the first unit leads when there is no 牵头 column."""
    def names(cell: str) -> list[str]:
        return list(dict.fromkeys(lookup.canonical(n) or n for n in split_units(cell)))
    lead, others = names(lead_cell), names(units_cell)
    notes = []
    if lead_from_units and others:
        lead, others = others[:1], others[1:]
        notes.append("表中没有“牵头单位”列：按惯例以责任单位中排第一的为牵头单位")
    return SEP.join(lead), SEP.join(n for n in others if n not in lead), notes


def _reading(goal: Goal, due: Due, plan: Plan, indicators: IndicatorLookup, benchmark: str) -> dict:
    """The reading of one goal: indicator matched, due and start year, doubts."""
    doubts = list(goal.problems)
    kind = goal.kind or ""
    rank = goal.unit == "位" and goal.comparator == "<="
    match_unit = "" if kind in ("cagr", "relative", "milestone") else goal.unit
    match = indicators.match(goal.phrase, kind or "level", match_unit, rank) if goal.phrase else None
    if match is not None and match.how == "similar":
        doubts.append(f"指标按相近名称对应为“{match.name}”（原文“{goal.phrase}”）：请核对")
    if not goal.phrase:
        doubts.append("看不出这个目标属于哪个指标：请填写指标名称")
    year = goal.year if goal.year is not None else due.year
    if goal.year is not None and due.year is not None and goal.year != due.year and due.start is None:
        doubts.append(f"原文写的是{goal.year}年，完成时限是{due.year}年：已按原文{goal.year}年读取，请核对")
    unit = goal.unit
    if kind == "milestone":
        unit = "阶段"
    elif not unit and match is not None and not match.is_new:
        unit = match.unit
    return {
        "kind": kind, "indicator": (match.code or "") if match else "", "indicator_name": match.name if match else "",
        "new_indicator": bool(match and match.is_new), "comparator": goal.comparator or "",
        "value": goal.value, "value_low": goal.value_low, "value_high": goal.value_high, "stretch": goal.stretch,
        "unit": unit, "start_year": (due.start or plan.start_year) if kind in ("annual", "cumulative") else None,
        "due_year": year, "benchmark": benchmark if goal.benchmark == "全省" else (goal.benchmark or ""),
        "doubts": doubts,
    }


# ------------------------------------------------------------------ checks (again after every correction)

def check(frame: pd.DataFrame, plan: Plan, units: UnitLookup, indicators: IndicatorLookup) -> pd.DataFrame:
    """The frame with `problems` recomputed from its values and `indicator` / `new_indicator` re-matched from
    `indicator_name` (a corrected name that is an existing name or alias takes that indicator). An optional column
    `bad_value` holds a correction that could not be read as a number (the grid's)."""
    out = frame.copy()
    dup = _duplicate_seqs(out)
    problems, codes, new = [], [], []
    for r in out.to_dict("records"):
        p = list(dup.get(r["clause"], [])) + ([r["bad_value"]] if r.get("bad_value") else [])
        if len(str(r["clause"])) > CLAUSE_LENGTH:
            p.append(f"序号“{r['clause']}”过长：最多 {CLAUSE_LENGTH} 个字符")
        code, is_new = _indicator(r, indicators, p)
        codes.append(code)
        new.append(is_new)
        p += _value_problems(r) + _year_problems(r, plan) + _unit_problems(r, units)
        problems.append(p)
    return out.assign(indicator=codes, new_indicator=new, problems=problems)


def _duplicate_seqs(frame: pd.DataFrame) -> dict[str, list[str]]:
    """序号 (clause) used by more than one table row → the problem for each of them."""
    rows = frame.drop_duplicates("row").groupby("clause")["row"].agg(list)
    return {c: [f"序号“{c}”重复（第 {'、'.join(map(str, r))} 行）：每行任务须有不同的序号"]
            for c, r in rows.items() if len(r) > 1}


def _indicator(r: dict, indicators: IndicatorLookup, problems: list[str]) -> tuple[str, bool]:
    if r["kind"] == "task":
        return "", False
    name = str(r["indicator_name"] or "").strip()
    if not name:
        problems.append("没有指标名称：请填写指标（已有指标的名称或别名，或新指标的名称）")
        return "", False
    code = indicators.by_name(name)
    if code is None and len(name) > NAME_LENGTH:
        problems.append(f"指标名称过长（{len(name)} 字）：新指标的名称最多 {NAME_LENGTH} 字，请填写简短的指标名称")
    if len(str(r["unit"])) > UNIT_LENGTH:
        problems.append(f"单位“{r['unit']}”过长：最多 {UNIT_LENGTH} 个字符")
    if code is None:
        if not r["unit"] and r["kind"] not in ("cagr", "relative"):
            problems.append(f"新指标“{name}”没有计量单位：请填写单位（如 家、%、亿元）")
        if r["kind"] in ("cagr", "relative"):
            problems.append(f"新指标“{name}”的计量单位未知（增速目标只给出了百分比）：请改为已有指标，"
                            "或先用数据文件增加该指标")
        return "", True
    row = indicators.rows[code]
    if r["kind"] in ("level", "annual", "cumulative") and r["unit"] and r["unit"] != row["unit"]:
        problems.append(f"单位不一致：指标“{row['name']}”的单位是“{row['unit']}”，这里是“{r['unit']}”："
                        "请换算数值或改选指标")
    if r["kind"] in ("annual", "cumulative") and row["measure"] != "flow":
        problems.append(f"指标“{row['name']}”是存量指标，不能作年度或累计目标：请改为新增量指标或改类型")
    if r["kind"] == "milestone" and row["measure"] != "stage":
        problems.append(f"指标“{row['name']}”不是创建类（阶段）指标：请改类型或改选指标")
    return code, False


def _value_problems(r: dict) -> list[str]:
    kind, comp = r["kind"], r["comparator"]
    if kind == "task":
        return []
    if kind not in KINDS:
        return ["没有读出目标类型：请选择类型（年末存量、年度目标、累计目标、年均增速、创建里程碑或仅任务）"]
    if comp not in COMPARATORS:
        return ["没有比较方式：请选择（不低于、不高于、左右、区间）"]
    if comp == "range":
        if is_blank(r["value_low"]) or is_blank(r["value_high"]) or r["value_low"] > r["value_high"]:
            return ["区间目标须填写下限和上限（如 1—2）"]
        return []
    if is_blank(r["value"]) and is_blank(r["stretch"]):
        return ["没有目标值：请填写数值"]
    out = []
    for v in (r["value"], r["stretch"]):
        if not is_blank(v) and r["unit"] == "%" and kind != "cagr" and not 0 <= v <= 100:
            out.append(f"百分比 {v:g}% 不在 0—100 之间：请核对")
    if kind == "cagr" and comp not in (">=",):
        out.append("年均增速目标只能是“不低于”")
    return out


def _year_problems(r: dict, plan: Plan) -> list[str]:
    year = r["due_year"]
    if is_blank(year):
        return ["没有完成年份：请在“完成时限”中写明年份（如 2027年底前、2026—2030年、每年）"]
    year = int(year)
    if year < plan.start_year:
        return [f"完成年份 {year} 年早于政策实施期开始（{plan.start_year} 年）：请核对完成时限"]
    if year > plan.end_year:
        return [f"完成年份 {year} 年晚于政策实施期结束（{plan.end_year} 年）：请核对完成时限或政策期限"]
    start = r["start_year"]
    if not is_blank(start) and not plan.start_year <= int(start) <= year:
        return [f"起始年份 {int(start)} 年不在 {plan.start_year}—{year} 年之间：请核对"]
    return []


def _unit_problems(r: dict, units: UnitLookup) -> list[str]:
    out = []
    lead, unknown_lead = resolve(split_units(r["lead_unit"]), units)
    _, unknown = resolve(split_units(r["units"]), units)
    out += [unknown_unit_problem(n, "牵头单位") for n in unknown_lead]
    out += [unknown_unit_problem(n, "责任单位") for n in unknown]
    if not lead and not unknown_lead:
        out.append("没有牵头单位：请填写牵头单位")
    return out


# ------------------------------------------------------------------ values as the grid shows and takes them

def value_text(r: dict) -> str:
    """'15', '3.8', '1—2' (a range), '' (none)."""
    if r.get("comparator") == "range" and not is_blank(r.get("value_low")):
        return f"{r['value_low']:g}—{r['value_high']:g}"
    return "" if is_blank(r.get("value")) else f"{float(r['value']):g}"


def parse_value_text(text: object) -> tuple[float | None, float | None, float | None] | None:
    """(value, low, high) from '15', '3.8%', '1—2'; (None, None, None) when blank; None when not a number."""
    if is_blank(text):
        return None, None, None
    flat = normalise(text).rstrip("%")
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)[—–\-~至](\d+(?:\.\d+)?)", flat):
        return None, float(m.group(1)), float(m.group(2))
    if re.fullmatch(r"\d+(?:\.\d+)?", flat):
        return float(flat), None, None
    return None


def blocking(frame: pd.DataFrame) -> pd.Series:
    """Rows that cannot be written: a problem, or a doubt nobody has checked."""
    return frame["problems"].map(bool) | (frame["doubts"].map(bool) & ~frame["checked"].astype(bool))

