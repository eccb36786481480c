"""import and export: data in and out, as the page's upload and export buttons do."""
from __future__ import annotations

import argparse
import sys

from access import guard
from commands.base import command, ready_engine
from vocab import labels


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="要导入的 .xlsx（填报模板、长表或导出文件）或 .csv 长表（UTF-8 或 GBK 编码）")
    p.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
    p.add_argument("--as", dest="account", default=None,
                   help="以哪个账号导入（检查其角色和单位，写入修改记录）；--dry-run 时可省略")
    p.add_argument("--reason", default="Excel 导入", help="修改原因（写入修改记录）")


@command("import", "检查并导入 Excel 或 CSV 数据（任何一处错误则全部不写入）", _import_args)
def cmd_import(args: argparse.Namespace) -> int:
    from dataio.importer import import_workbook
    eng = ready_engine()
    if not args.dry_run and not args.account:
        raise ValueError("导入需要指定账号：--as 用户名（该账号的角色和单位决定能写入哪些数据）。")
    account = guard.cli_account(eng, args.account) if args.account else None
    result = import_workbook(eng, args.file, account=account, dry_run=args.dry_run, reason=args.reason)
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


