"""Command line over the same functions the app uses. Errors go to stderr with a non-zero exit."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import pandas as pd

import db
import labels

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help_text: str, setup: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a sub-command: its help, its arguments and its handler."""
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = (help_text, setup, fn)
        return fn
    return register


def engine():
    eng = db.make_engine()
    db.create_schema(eng)
    return eng


def ready_engine():
    """An engine on a filled database (initialised on first use, like the app)."""
    eng = engine()
    if db.read_policies(eng).empty:
        db.init_db(eng)
    return eng


def emit(df: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 40, "display.unicode.east_asian_width", True):
            print(df.to_string(index=False))


def _format_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["csv", "table"], default="table", help="输出格式")
    p.add_argument("--policy", default=None, help="政策代码（默认全部）")


@command("init", "建库并载入政策目录和内置数据", lambda p: p.add_argument(
    "--no-sample", action="store_true", help="不载入示例数据（只载入有出处的公开数据）"))
def cmd_init(args: argparse.Namespace) -> int:
    eng = engine()
    db.init_db(eng, with_sample=not args.no_sample)
    obs = db.read_observations(eng)
    print(f"数据库已就绪：{len(db.read_targets(eng))} 个目标，{len(db.read_tasks(eng))} 项任务，"
          f"{len(obs)} 条观测值（其中示例数据 {int(obs['is_sample'].sum())} 条）。")
    return 0


@command("targets", "列出政策目录中的全部数值目标", _format_arg)
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


@command("tasks", "列出全部重点任务及牵头、责任单位", _format_arg)
def cmd_tasks(args: argparse.Namespace) -> int:
    t = db.read_tasks(ready_engine(), args.policy)
    emit(t[["clause", "title", "lead", "responsible", "due_date"]], args.format)
    return 0


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="要导入的 .xlsx（填报模板、长表或导出文件）")
    p.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
    p.add_argument("--who", default="命令行导入", help="填报人（写入修改记录）")
    p.add_argument("--reason", default="Excel 导入", help="修改原因（写入修改记录）")


@command("import", "检查并导入 Excel 数据（任何一处错误则全部不写入）", _import_args)
def cmd_import(args: argparse.Namespace) -> int:
    from dataio.importer import import_workbook
    from dataio.validate import problems_frame
    result = import_workbook(ready_engine(), args.file, who=args.who, dry_run=args.dry_run, reason=args.reason)
    if not result.ok:
        print(f"错误：发现 {len(result.problems)} 处问题，未写入任何数据。", file=sys.stderr)
        for problem in result.problems:
            print(str(problem), file=sys.stderr)
        return 2
    verb = "检查通过（--dry-run，未写入）" if args.dry_run else "已导入"
    print(f"{verb}：{result.summary()}。")
    if (result.plan["is_sample"]).any():
        print(f"注意：其中 {int(result.plan['is_sample'].sum())} 条为{labels.SAMPLE_MARK}。")
    return 0


@command("export", "把观测值、任务、任务进展和修改记录导出为 .xlsx", lambda p: p.add_argument(
    "file", help="输出文件（.xlsx）"))
def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dataio.exporter import export_workbook
    Path(args.file).write_bytes(export_workbook(ready_engine()))
    print(f"已导出到 {args.file}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description=labels.APP_TITLE)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, setup, handler) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        setup(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, db.ConcurrentEditError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
