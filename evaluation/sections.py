"""The body sections of the 终期评估报告, one builder each: `draw(doc, data, annexes)` writes the paragraphs after
the section's heading (evaluation.build puts the headings, the head and the signature around them). Every text about
a target is views.target_words', every score's parts views.score_text's; a number resting on sample data carries ＊,
explained under its table and in 数据说明."""
from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from bulletin.docx_kit import KAI_FONT, keep_with_next, paragraph, subheading, table
from bulletin.sections import Annexes
from bulletin.text import counts_text, day_text
from evaluation import charts
from evaluation.data import EvaluationData, sample_mark
from views.score_text import deduction_text, rules_text
from views.standing import period_over_text
from views.target_words import target_words
from vocab import labels
from vocab.labels import is_missing, score_text

Draw = Callable[[object, EvaluationData, Annexes], None]
SIZE_TABLE = 10.5   # 五号, as the bulletin's long tables
NOTE = labels.SAMPLE_NOTE_MARK


def _note(doc, text: str) -> None:
    paragraph(doc, text, size=SIZE_TABLE, indent=False, line=None)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def overall(doc, data: EvaluationData, annexes: Annexes) -> None:
    """The standing at the period's end, the counts by area, and the milestones when the policy has any."""
    p = data.policy
    paragraph(doc, period_over_text(data.status, data.ledger, p)
              or f"实施期 {int(p['start_year'])}—{int(p['end_year'])} 年已结束。")
    paragraph(doc, "每个目标按其目标年份年底的数值判定已完成或未完成，到期后的数值只作说明、不改变结论；"
                   "目标年份没有数值的，列为无期末数据。分领域情况如下：")
    areas = data.areas.loc[data.areas["n_targets"] > 0]
    rows = [[str(a.area), str(a.n_targets), str(a.n_met), str(a.n_unmet), str(a.n_no_final_data),
             _share(int(a.n_met), int(a.n_targets))] for a in areas.itertuples()]
    s = data.standing
    rows.append(["合计", str(s.targets), str(s.met), str(s.unmet), str(s.no_final_data), _share(s.met, s.targets)])
    table(doc, ["领域", "目标", "已完成", "未完成", "无期末数据", "完成比例"], rows, size=SIZE_TABLE,
          align=["l", "r", "r", "r", "r", "r"])
    if data.deadlines is not None and len(data.deadlines):
        nodes = data.deadlines.drop_duplicates("milestone_id")   # one state per milestone, whatever its units
        done = nodes["state"].isin(["done_on_time", "done_late"])
        states = nodes["state"].value_counts()
        sample = f"（{labels.SAMPLE_MARK}）" if bool(nodes["is_sample"].any()) else ""
        paragraph(doc, f"推进节点{len(nodes)}个{sample}：按期完成{int(states.get('done_on_time', 0))}个、逾期完成"
                       f"{int(states.get('done_late', 0))}个，实施期结束时未完成{int((~done).sum())}个"
                       f"（其中已逾期{int(states.get('overdue', 0))}个）。")


TARGET_HEADER = ["编号", "指标", "目标（期限）", "期末值", "结论", "完成率", "期末差距"]
TARGET_WIDTHS_MM = [13, 31, 26, 21, 31, 13, 21]     # 156 mm, the type area


def target_rows(status: pd.DataFrame) -> list[list[str]]:
    """One row of texts per target: its value at the due year (＊ on sample data; the year when it is not the due
    year's), the verdict with a later value on the line below it, attainment and 期末差距."""
    out = []
    for r in status.to_dict("records"):
        w = target_words(r)
        value = w.value + sample_mark(r["is_sample"])
        if w.value_year and w.value_year != f"{int(r['due_year'])}年":
            value += f"（{w.value_year}）"
        gap = w.gap if r["status"] != "met" or r["kind"] == "relative" else ""
        verdict = w.verdict + (f"\n{w.later}{sample_mark(r.get('later_is_sample'))}" if w.later else "")
        out.append([w.code, w.name, f"{w.target}（{w.due}）", value, verdict, w.attainment or "—", gap or "—"])
    return out


def targets(doc, data: EvaluationData, annexes: Annexes) -> None:
    """Every target, grouped by area, with its verdict at its due year, attainment and gap."""
    shown = data.status.loc[data.status["area"].isin(labels.AREAS)]
    rest = data.status.loc[~data.status["area"].isin(labels.AREAS)]
    groups = [(a, shown.loc[shown["area"] == a]) for a in labels.AREAS] + [("其他", rest)]
    number = 0
    for area, rows in groups:
        if rows.empty:
            continue
        number += 1
        met = int((rows["status"] == "met").sum())
        keep_with_next(subheading(doc, number, f"{area}。", f"目标{len(rows)}项，完成{met}项。"))
        table(doc, TARGET_HEADER, target_rows(rows), TARGET_WIDTHS_MM, size=SIZE_TABLE,
              align=["c", "l", "l", "r", "l", "r", "l"])
    notes = ("注：结论按目标年份年底的数值判定，结论下方为到期后的数值（不改变结论）；完成率＝期末值÷目标值"
             "（“不高于”类目标取倒数，增速和创建类目标不计）。")
    if bool(data.status["is_sample"].any()):
        notes += f"标{NOTE}的数值为{labels.SAMPLE_MARK}。"
    _note(doc, notes)


def _task_units(data: EvaluationData) -> pd.DataFrame:
    """Per unit: tasks led, of them done and not done (overdue among them), tasks shared."""
    units = data.task_units.merge(data.ledger[["clause", "status"]], on="clause")
    lead = units.loc[units["role"] == "lead"]
    table_ = lead.groupby("department", sort=False).agg(
        led=("clause", "size"), done=("status", lambda s: int((s == "done").sum())),
        overdue=("status", lambda s: int((s == "overdue").sum())))
    shared = units.loc[units["role"] != "lead"].groupby("department", sort=False).size().rename("shared")
    out = table_.join(shared, how="outer").fillna(0).astype(int).reset_index()
    return out.assign(open=out["led"] - out["done"]).sort_values(["open", "led"], ascending=False, kind="stable")


def tasks(doc, data: EvaluationData, annexes: Annexes) -> None:
    """Tasks done and not done at the period's end, by lead unit; the whole list in an annex."""
    ledger = data.ledger
    counts = ledger["status"].value_counts().reindex(list(labels.TASK_STATUSES), fill_value=0)
    open_ = int((ledger["status"] != "done").sum())
    n = annexes.add("重点任务完成情况表", task_annex)
    sample = f"（进展含{labels.SAMPLE_MARK}）" if bool(ledger["is_sample"].any()) else ""
    paragraph(doc, f"重点任务{len(ledger)}项（截至{day_text(data.period_end)}{sample}）："
                   f"{counts_text(counts, labels.TASK_STATUSES)}；实施期结束时尚未完成{open_}项。"
                   f"各牵头单位情况如下（逐项清单见附件{n}）：")
    rows = [[str(r.department), str(r.led), str(r.done), str(r.open), str(r.overdue), str(r.shared)]
            for r in _task_units(data).itertuples()]
    table(doc, ["单位", "牵头任务", "已完成", "未完成", "其中已逾期", "参与任务"], rows, [56, 20, 20, 20, 20, 20],
          size=SIZE_TABLE,
          align=["l", "r", "r", "r", "r", "r"])


def task_annex(doc, data: EvaluationData) -> None:
    """Every task: clause, title, lead and responsible units, due date, state on the period's last day."""
    rows = [[str(i), str(r["clause"]), str(r["title"]), str(r["lead"] or "—"), str(r["responsible"] or "—"),
             pd.Timestamp(r["due_date"]).date().isoformat(),
             str(r["status_label"]) + sample_mark(r["is_sample"])]
            for i, r in enumerate(data.ledger.to_dict("records"), start=1)]
    table(doc, ["序号", "条款", "任务", "牵头单位", "责任单位", "完成时限", "状态"], rows, [9, 22, 37, 19, 28, 22, 19],
          size=SIZE_TABLE,
          align=["c", "l", "l", "l", "l", "c", "c"])
    _note(doc, f"状态为{day_text(data.period_end)}的情况（到期当天不算逾期，次日起算）。"
          + (f"标{NOTE}的状态依据{labels.SAMPLE_MARK}的进展报告。" if bool(data.ledger["is_sample"].any()) else ""))


def scores(doc, data: EvaluationData, annexes: Annexes) -> None:
    """Every unit's final score with its parts (views.score_text), ranked first."""
    paragraph(doc, f"按督导考核办法计算实施期末（{day_text(data.period_end)}）各单位得分。{rules_text(data.settings)}")
    rows = [["—" if is_missing(r["rank"]) else str(int(r["rank"])), str(r["unit"]),
             score_text(r["score"]) + sample_mark(r["is_sample"]), score_text(r["target_points"]),
             score_text(r["task_points"]), f"{float(r['deduction']):g}", deduction_text(r, data.settings),
             str(r["group"] or "")] for _, r in data.scorecard.iterrows()]
    table(doc, ["名次", "单位", "得分", "目标分", "任务分", "扣分", "扣分原因", "通报"], rows, size=SIZE_TABLE,
          align=["c", "l", "r", "r", "r", "r", "l", "c"])
    note = "注：得分＝目标分＋任务分－扣分（不低于0分）；名次“—”：集体单位或可评价事项不足，不排名。"
    if bool(data.scorecard["is_sample"].any()):
        note += f"标{NOTE}的得分依据含{labels.SAMPLE_MARK}；{labels.SAMPLE_NOT_CRITICISED}。"
    _note(doc, note)


def trends(doc, data: EvaluationData, annexes: Annexes) -> None:
    """The headline indicators' charts (evaluation.charts), one figure each, numbered and captioned."""
    if data.charted.empty:
        paragraph(doc, "本政策暂无可绘图的指标数据。")
        return
    if charts.cjk_font() is None:
        paragraph(doc, "（服务器未安装中文字体，图表从略：请安装 fonts-noto-cjk 等中文字体后重新生成。）")
        return
    sample = f"空心点为{labels.SAMPLE_MARK}，" if bool(data.series["is_sample"].any()) else ""
    paragraph(doc, f"主要指标实施期前后的走势如下（{sample}实心点为公开数据，虚线为目标）。")
    indicators = data.indicators
    for i, row in enumerate(data.charted.to_dict("records"), start=1):
        chart = charts.chart_of(row, data.series, indicators.get(row["indicator"], {}))
        picture = keep_with_next(paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=None))
        picture.add_run().add_picture(io.BytesIO(charts.render(chart)), width=Mm(150))
        mark = f"（含{labels.SAMPLE_MARK}）" if any(chart.sample) else ""
        paragraph(doc, f"图{i}　{chart.title}（{chart.years[0]}—{chart.years[-1]}年）{mark}", font=KAI_FONT,
                  size=SIZE_TABLE + 1.5, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def carry_over(doc, data: EvaluationData, annexes: Annexes) -> None:
    """The indicators a later policy sets targets on: this policy's targets and verdicts beside the successor's."""
    carried = data.carried
    if carried.empty:
        paragraph(doc, "目前没有后续政策对本政策的指标设定目标；新政策导入后，重新生成本报告即列出衔接情况。")
        return
    successors = "、".join(dict.fromkeys(f"《{n}》（{d}）" for n, d in zip(carried["successor_name"],
                                                                        carried["successor_doc"])))
    paragraph(doc, f"下列{carried['indicator_name'].nunique()}个指标在{successors}中继续设定目标，本期期末值即新一轮"
                   "目标的起点，未完成的目标应在新政策中重点推进。")
    rows = []
    for (name, doc_number, successor), part in carried.groupby(["indicator_name", "successor_doc", "successor_target"],
                                                               sort=False):
        mine = "；".join(f"{c} {t}（{d}）{v}" for c, t, d, v in
                        part[["code", "target_text", "due_text", "verdict"]].drop_duplicates().itertuples(index=False))
        rows.append([str(name), mine, str(doc_number), f"{part['successor_code'].iloc[0]} {successor}"])
    table(doc, ["指标", "本政策目标及结论", "后续政策", "后续目标（期限）"], rows, [30, 58, 34, 34], size=SIZE_TABLE)


def data_notes(doc, data: EvaluationData, annexes: Annexes) -> None:
    """Where the numbers come from, and the 示例数据 they rest on."""
    used = data.status.loc[data.status["actual"].notna()]
    sample = int(used["is_sample"].astype(bool).sum())
    which = f"其中{sample}项依据{labels.SAMPLE_MARK}（标{NOTE}）" if sample else "均为公开数据"
    paragraph(doc, f"目标数值取自看板数据库（统计公报、R&D经费统计公报等公开出处和各单位报送的数据，每个数值附出处），"
                   f"有数值的目标{len(used)}项，{which}。任务状态依据各单位报送的进展，单位得分按数据库中的考核规则计算。")
    if data.is_sample:
        paragraph(doc, f"本报告含{labels.SAMPLE_MARK}（非公开来源，标{NOTE}），仅供演示，不代表真实统计，请勿引用。",
                  colour="C00000")


SECTIONS: list[tuple[str, Draw]] = [
    ("总体情况", overall),
    ("目标完成情况", targets),
    ("重点任务完成情况", tasks),
    ("各单位考核得分", scores),
    ("主要指标走势", trends),
    ("与后续政策的衔接", carry_over),
    ("数据说明", data_notes),
]
