"""portfolio, evaluation: every policy side by side, and the closing 终期评估报告 of a policy whose period is over."""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pandas as pd

from commands.base import command, emit, ready_engine
from commands.reports import _doc_serial, _issue_date
from store import catalogue
from views import policy as views_policy
from views import portfolio as views_portfolio
from vocab import labels


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效：请写成 2031-01-01 的形式") from None


def _portfolio_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["csv", "table"], default="table", help="输出格式")
    p.add_argument("--today", type=_day, default=None, help="按哪一天判断政策状态（默认今天），如 2031-01-01")


@command("portfolio", "政策一览：每项政策的文号、实施期、状态，目标完成和任务逾期情况", _portfolio_args)
def cmd_portfolio(args: argparse.Namespace) -> int:
    frames = views_policy.load_frames(ready_engine())
    rows = views_portfolio.portfolio(lambda code: frames, frames, catalogue.load_settings(), args.today or date.today())
    out = pd.DataFrame({
        "code": rows["code"], "doc_number": rows["doc_number"], "title": rows["title"], "period": rows["period"],
        "state": rows["state_label"], "as_of_year": rows["as_of_year"], "tasks_on": rows["tasks_on"].astype(str),
        "targets": rows["targets"], "met": rows["met"], "unmet": rows["unmet"],
        "no_final_data": rows["no_final_data"], "in_progress": rows["in_progress"], "tasks": rows["tasks"],
        "tasks_done": rows["tasks_done"], "tasks_overdue": rows["tasks_overdue"],
        "sample": rows["is_sample"].map({True: labels.SAMPLE_MARK, False: ""})})
    emit(out, args.format, sample=bool(rows["is_sample"].any()))
    return 0


def _evaluation_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", required=True, help="政策代码（实施期已结束的政策）")
    p.add_argument("-o", "--output", required=True, help="输出文件（.docx）")
    p.add_argument("--region", default=None, help="地区（默认政策所属地区）")
    p.add_argument("--date", type=_issue_date, default=None, help="成文日期 YYYY-MM-DD（默认今天；须在实施期结束之后）")
    p.add_argument("--number", type=_doc_serial, default=None, help="文号序号（默认设置 [evaluation] serial）")


@command("evaluation", "生成实施期已结束政策的终期评估报告（Word 文档，公文格式）", _evaluation_args)
def cmd_evaluation(args: argparse.Namespace) -> int:
    from evaluation import build_evaluation, evaluation_data
    from evaluation.build import doc_number
    frames = views_policy.load_frames(ready_engine())
    data = evaluation_data(frames, catalogue.load_settings(), policy=args.policy, region=args.region,
                           issued=args.date, number=args.number)
    Path(args.output).write_bytes(build_evaluation(data))
    s = data.standing
    print(f"已生成 {args.output}：{doc_number(data.settings, data.issued, data.number)}，{data.policy['doc_number']}"
          f"终期评估（{data.region}，实施期 {s.start_year}—{s.end_year} 年）：{s.targets} 项目标完成 {s.met} 项、未完成 "
          f"{s.unmet} 项、无期末数据 {s.no_final_data} 项；{s.tasks} 项任务已完成 {s.tasks_done} 项；图表 "
          f"{len(data.charted)} 幅；延续到后续政策的指标 {data.carried['indicator_name'].nunique()} 个。")
    if data.is_sample:
        print(f"注意：报告含{labels.SAMPLE_MARK}，已在文中标注。")
    return 0
