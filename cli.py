"""Command line over the same functions the app uses (the commands are in commands/). Errors go to stderr with a
non-zero exit."""
from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

import db
from commands import COMMANDS
from vocab import labels
from vocab.accounts import PermissionDenied

__all__ = ["COMMANDS", "build_parser", "main"]


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
    except (ValueError, db.ConcurrentEditError, db.SchemaMismatchError, db.BackupError, PermissionDenied, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:  # a database that cannot be opened, is locked, or refuses the write
        print(f"错误：数据库操作失败（{type(exc).__name__}：{str(exc.orig if hasattr(exc, 'orig') else exc)[:200]}），"
              f"请检查 DATABASE_URL 和数据库文件后重试。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
