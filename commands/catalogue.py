"""init, targets, tasks: the catalogue as loaded into the store."""
from __future__ import annotations

import argparse

import pandas as pd

import db
from commands.base import command, emit, engine, format_arg, ready_engine
from vocab import labels


@command("init", "建库并载入政策目录和内置数据", lambda p: p.add_argument(
    "--no-sample", action="store_true", help="不载入示例数据（只载入有出处的公开数据）"))
def cmd_init(args: argparse.Namespace) -> int:
    eng = engine()
    db.init_db(eng, with_sample=not args.no_sample)
    obs = db.read_observations(eng)
    print(f"数据库已就绪：{len(db.read_targets(eng))} 个目标，{len(db.read_tasks(eng))} 项任务，"
          f"{len(obs)} 条观测值（其中示例数据 {int(obs['is_sample'].sum())} 条）。")
    return 0


@command("targets", "列出政策目录中的全部数值目标", format_arg)
def cmd_targets(args: argparse.Namespace) -> int:
    t = db.read_targets(ready_engine(), args.policy)
    out = pd.DataFrame({
        "code": t["code"], "clause": t["clause"], "area": t["area"], "indicator": t["indicator_name"],
        "unit": t["unit"], "kind": t["kind"], "comparator": t["comparator"],
        "value": t["value"], "value_low": t["value_low"], "value_high": t["value_high"],
        "start_year": t["start_year"].astype("Int64"), "due_year": t["due_year"],
        "tier": t["tier"].map(labels.TIER_LABELS).fillna(""), "lead_unit": t["lead_units"],
        "responsible_units": t["responsible_units"], "task": t["task_clause"].fillna(""),
    })
    emit(out, args.format)
    return 0


@command("tasks", "列出全部重点任务及牵头、责任单位", format_arg)
def cmd_tasks(args: argparse.Namespace) -> int:
    t = db.read_tasks(ready_engine(), args.policy)
    emit(t[["clause", "title", "lead", "responsible", "due_date"]], args.format)
    return 0


