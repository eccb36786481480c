"""policy check | import | export: a new policy from its 任务分解表 (.xlsx or .docx), without editing a file."""
from __future__ import annotations

import argparse
from pathlib import Path

import db
from access import guard
from access.permissions import ADMIN_ROLES
from commands.base import command, emit, ready_engine
from views import policy_intake as intake


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="policy_command", required=True)
    chk = sub.add_parser("check", help="读取任务分解表，逐行列出读出的目标（有问题或待核对时退出码为 1）")
    chk.add_argument("file", help="任务分解表（.xlsx 或 .docx）")
    chk.add_argument("--format", choices=["csv", "table"], default="table", help="输出格式")
    _period_args(chk)
    imp = sub.add_parser("import", help="读取并导入任务分解表，成为一项新政策（管理账号）")
    imp.add_argument("file", help="任务分解表（.xlsx 或 .docx）")
    imp.add_argument("--code", required=True, help="政策代码（字母、数字、-，如 CY2026-05）")
    imp.add_argument("--title", required=True, help="政策标题")
    imp.add_argument("--as", dest="account", required=True, help="以哪个管理账号导入（记入修改记录）")
    imp.add_argument("--doc-number", default="", help="文号，如 长政〔2026〕5号（默认同政策代码）")
    imp.add_argument("--short-title", default="", help="简称（默认同标题）")
    imp.add_argument("--issued", default="", help="印发日期 YYYY-MM-DD（默认今天）")
    imp.add_argument("--replace", action="store_true", help="该代码已导入过时，确认用本表替换（先不加此项查看差异）")
    imp.add_argument("--accept-uncertain", action="store_true",
                     help="已逐行核对，接受标为“待核对”的读取结果（有“问题”的行仍不导入）")
    _period_args(imp)
    exp = sub.add_parser("export", help="把数据库中的一项政策写成 data/policies 格式的 TOML 文件")
    exp.add_argument("code", help="政策代码")
    exp.add_argument("-o", "--output", required=True, help="输出文件（.toml）")


def _period_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start-year", type=int, default=None, help="实施期开始年份（默认从表格标题读取）")
    p.add_argument("--end-year", type=int, default=None, help="实施期结束年份（默认从表格标题读取）")
    p.add_argument("--base-year", type=int, default=None, help="基期年份（默认开始年份的前一年）")


@command("policy", "新政策：读取（check）、导入（import）任务分解表，导出（export）为 TOML", _args)
def cmd_policy(args: argparse.Namespace) -> int:
    return {"check": _check, "import": _import, "export": _export}[args.policy_command](args)


def _read(args: argparse.Namespace, eng) -> intake.Intake:
    return intake.read_breakdown(eng, args.file, args.start_year, args.end_year, args.base_year)


def _check(args: argparse.Namespace) -> int:
    got = _read(args, ready_engine())
    table = intake.check_table(got.readings)
    if args.format == "table":
        print(f"{got.table.where}：{len(got.table.rows)} 行任务，读出 {len(table)} 条；实施期 "
              f"{got.plan.start_year}—{got.plan.end_year} 年。")
    emit(table, args.format)
    bad = int((table["problems"] != "").sum())
    if args.format == "table":
        print(f"其中 {bad} 条有问题或待核对。" if bad else "全部读出，没有问题。")
    return 1 if bad else 0


def _import(args: argparse.Namespace) -> int:
    eng = ready_engine()
    account = guard.cli_account(eng, args.account)
    guard.require(account, ADMIN_ROLES, "导入政策任务分解表")   # before reading the file; checked again at the write
    got = _read(args, eng)
    info = intake.policy_info(eng, got.plan, args.code, args.title, args.doc_number, args.short_title, args.issued)
    policy = intake.policy_of(eng, got.readings, info, accept_doubts=args.accept_uncertain)
    origin, diff = intake.changes(eng, policy)
    if origin is not None and diff.empty:
        print(f"政策 {policy.code} 已导入过，本表与已导入版本相同，没有需要修改的内容。")
        return 0
    if origin is not None:
        print(f"政策 {policy.code} 已导入过，本表与已导入版本的差异：")
        emit(diff, "table")
    if origin is not None and not args.replace:
        print(f"未导入：政策 {policy.code} 已存在。确认用本表替换，请加 --replace 重新运行。")
        return 1
    counts = intake.confirm(eng, account, policy, Path(args.file).name, replace=origin is not None)
    print(f"已导入政策 {policy.code}：{counts['targets']} 个目标，{counts['tasks']} 项任务，"
          f"{counts['indicators']} 个指标（修改记录已记录）。")
    return 0


def _export(args: argparse.Namespace) -> int:
    text = db.export_policy(ready_engine(), args.code)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"已导出政策 {args.code} 到 {args.output}。")
    return 0
