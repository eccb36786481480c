"""db, backup, restore, user: the server operator's commands."""
from __future__ import annotations

import argparse
import getpass
import os

import pandas as pd

import db
from access import guard
from commands.base import command, emit, ready_engine
from vocab.accounts import ROLE_LABELS, ROLES, clean_name


def _db_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["upgrade", "current", "history", "revision"],
                   help="upgrade 升级到最新版本；current 当前版本；history 全部版本；revision 按模型差异生成新版本（开发用）")
    p.add_argument("-m", "--message", default=None, help="新版本的说明（revision 必填）")


@command("db", "数据库结构版本（Alembic 迁移）：升级、查看当前版本和历史", _db_args)
def cmd_db(args: argparse.Namespace) -> int:
    eng = db.make_engine()
    try:
        if args.action == "upgrade":
            before = db.current_revisions(eng)
            db.upgrade_schema(eng)
            after = db.current_revisions(eng)
            verb = "已是最新版本" if before == after else f"已从 {_revs(before)} 升级到"
            print(f"数据库{verb} {_revs(after)}。")
        elif args.action == "current":
            current, heads = db.current_revisions(eng), db.head_revisions()
            note = "（最新）" if current == heads else f"（最新为 {_revs(heads)}，请运行 python cli.py db upgrade）"
            print(f"当前版本：{_revs(current)}{note}")
        elif args.action == "history":
            emit(pd.DataFrame(db.migration_history()), "table")
        else:
            if not args.message:
                raise ValueError("生成新版本需要 --message 说明这次结构变更")
            if db.current_revisions(eng) != db.head_revisions():
                raise ValueError("数据库不是最新版本：先运行 python cli.py db upgrade，再生成新版本")
            db.new_revision(args.message)
    finally:
        eng.dispose()
    return 0


def _revs(revisions: set[str]) -> str:
    return "、".join(sorted(revisions)) or "（无：空数据库或迁移前的数据库）"


@command("backup", "在应用运行时备份数据库到一个文件，并检查备份可用", lambda p: p.add_argument(
    "file", help="备份文件（SQLite：.sqlite 副本；PostgreSQL：pg_dump 自定义格式）"))
def cmd_backup(args: argparse.Namespace) -> int:
    report = db.backup(db.database_url(), args.file)
    print(f"已备份到 {report.path}（{report.size / 1024 / 1024:.1f} MB，佐证材料 {report.attachments} 件，"
          f"检查：{report.check}）。")
    return 0


def _restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="cli.py backup 生成的备份文件")
    p.add_argument("--yes", action="store_true", help="确认用备份覆盖当前数据库（不加则拒绝）")
    p.add_argument("--who", default="命令行恢复", help="操作人（写入修改记录）")


@command("restore", "用备份文件恢复数据库（覆盖当前全部数据，须加 --yes）", _restore_args)
def cmd_restore(args: argparse.Namespace) -> int:
    if not args.yes:
        raise ValueError(f"恢复会用备份 {args.file} 覆盖当前数据库中的全部数据；确认无误后请加 --yes 重新运行")
    check = db.restore(db.database_url(), args.file, who=args.who)
    engine = db.make_engine()
    try:
        files = db.count_attachments(engine)
    finally:
        engine.dispose()
    print(f"已从 {args.file} 恢复数据库（佐证材料 {files} 件，检查：{check}）。请重启正在运行的应用进程，"
          "以免页面缓存显示恢复前的数据。")
    return 0


def _user_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="user_command", required=True)
    add = sub.add_parser("add", help="新建账号")
    add.add_argument("name", help="用户名（登录名）")
    add.add_argument("--role", required=True, choices=ROLES,
                     help="角色：" + "、".join(f"{r} {ROLE_LABELS[r]}" for r in ROLES))
    add.add_argument("--department", action="append", default=[], help="所属单位（可重复；填报账号必填）")
    add.add_argument("--display", default="", help="显示名（默认同用户名）")
    add.add_argument("--password", default=None,
                     help="密码（省略时读取环境变量 TRACKER_ADMIN_PASSWORD，否则提示输入且不回显）")
    sub.add_parser("passwd", help="修改账号密码（提示输入，不回显）").add_argument("name")
    sub.add_parser("disable", help="停用账号").add_argument("name")
    ls = sub.add_parser("list", help="列出账号（不含密码）")
    ls.add_argument("--format", choices=["csv", "table"], default="table", help="输出格式")


def _new_password(given: str | None) -> str:
    """--password, else TRACKER_ADMIN_PASSWORD, else typed twice without echo."""
    if given:
        return given
    if os.environ.get("TRACKER_ADMIN_PASSWORD"):
        return os.environ["TRACKER_ADMIN_PASSWORD"]
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise ValueError("两次输入的密码不一致，未修改。")
    return first


@command("user", "账号管理：user add / passwd / disable / list（在服务器上以操作员身份运行）", _user_args)
def cmd_user(args: argparse.Namespace) -> int:
    eng = ready_engine()
    operator = guard.operator_account()
    if args.user_command == "add":
        account = guard.add_user_as(eng, operator, args.name, role=args.role, password=_new_password(args.password),
                                    departments=args.department, display_name=args.display)
        print(f"已新建账号“{account.login}”：{guard.account_text(account)}。")
    elif args.user_command == "passwd":
        guard.set_password_as(eng, operator, args.name, _new_password(None))
        print(f"已修改账号“{args.name}”的密码。")
    elif args.user_command == "disable":
        guard.disable_user_as(eng, operator, args.name)
        print(f"已停用账号“{args.name}”。")
    else:
        users = db.read_users(eng)  # names cleaned again: a row an older version stored raw prints no ESC or BEL
        emit(users.assign(login=users["login"].map(clean_name), display_name=users["display_name"].map(clean_name),
                          departments=users["departments"].map(lambda d: "、".join(d or [])),
                          role=users["role"].map(lambda r: f"{r} {ROLE_LABELS.get(r, '')}")), args.format)
    return 0


