"""Command line over the same functions the app uses. Errors go to stderr with a non-zero exit."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import date

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

import db
from access import guard
from access.account import ROLE_LABELS, ROLES, PermissionDenied
from store import catalogue
from views import labels
from views import policy as views
from views.text import formula_safe

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
    """A table on stdout; as CSV every text cell goes through formula_safe, so that opening the file in Excel
    never runs a formula someone typed into a name, source or meeting title."""
    if fmt == "csv":
        safe = df.rename(columns=formula_safe)
        text_cols = [c for c in safe.columns if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c])]
        safe[text_cols] = safe[text_cols].map(formula_safe)
        safe.to_csv(sys.stdout, index=False)
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


def _status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="截至期：年份（2020）或季度（2020Q2）")
    p.add_argument("--region", default=None, help="地区（默认政策所属地区）")
    _format_arg(p)


def _policy_and_region(frames: views.Frames, policy: str | None, region: str | None) -> tuple[str, str]:
    """The policy (default: the first) and the region (default: the policy's own), both checked."""
    policy = policy or views.default_policy(frames)
    row = views.policy_row(frames, policy)
    return policy, views.check_region(frames, region or str(row["region"]))


def as_of_period(text: str) -> tuple[int, int]:
    """'2020' → (2020, 0), '2020Q2' / '2020年第二季度' → (2020, 2); anything else → ValueError in Chinese."""
    from dataio.validate import parse_period
    parsed = parse_period(str(text))
    if isinstance(parsed, str):
        raise ValueError(f"截至期“{text}”无法识别：{parsed}")
    return parsed


def status_frame(eng, as_of: str, region: str | None = None, policy: str | None = None) -> pd.DataFrame:
    """views.policy_status on the store's frames, as of '2020' or '2020Q2', for one region (default: the
    policy's); every policy when none is named."""
    year, quarter = as_of_period(as_of)
    frames = views.load_frames(eng)
    policies = [policy] if policy else list(frames["policies"]["code"])
    parts = []
    for code in policies:
        code, name = _policy_and_region(frames, code, region)
        parts.append(views.policy_status(frames, catalogue.load_settings(), code, name, year, quarter))
    return pd.concat(parts, ignore_index=True)


@command("status", "按截至期列出每个目标的实际值、进度比和状态", _status_args)
def cmd_status(args: argparse.Namespace) -> int:
    s = status_frame(ready_engine(), args.as_of, args.region, args.policy)
    out = pd.DataFrame({
        "code": s["code"], "indicator": s["indicator_name"], "unit": s["unit"],
        "actual": s["actual"].round(4), "actual_year": s["actual_year"],
        "target": [labels.target_text(c, v, lo, hi, u, d) for c, v, lo, hi, u, d in
                   zip(s["comparator"], s["target_value"], s["target_low"], s["target_high"], s["unit"],
                       s["decimals"])],
        "baseline": s["baseline"].round(4), "attainment": s["attainment"].round(4),
        "expected": s["expected"].round(4), "required_pace": s["required_annual_increase"].round(4),
        "ratio": s["ratio"].round(4),
        "status": [labels.status_phrase(k, a) for k, a in zip(s["status"], s["attainment"])], "forecast": s["forecast"].round(4),
        "forecast_reaches": s["forecast_reaches"],
        "sample": s["is_sample"].map({True: labels.SAMPLE_MARK, False: ""}),
    })
    if args.region:
        out.insert(0, "region", s["region"])
    emit(out, args.format)
    if args.format == "table" and s["is_sample"].any():
        print(f"\n{labels.SAMPLE_BANNER}")
    return 0


def _scorecard_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="截至期：年份（2020，即当年12月31日）或日期（2020-06-30）")
    _format_arg(p)


@command("scorecard", "单位考核：牵头和参与的目标、任务，得分、排名和通报分组", _scorecard_args)
def cmd_scorecard(args: argparse.Namespace) -> int:
    from metrics.scorecard import as_of_date
    eng = ready_engine()
    text = str(args.as_of)
    when = as_of_date(int(text)) if text.isdigit() else as_of_date(text)
    frames = views.load_frames(eng)
    policy, region = _policy_and_region(frames, args.policy, None)
    card = views.scorecard_at(frames, catalogue.load_settings(), policy, region, when)[2]
    cols = ["rank", "unit", "score", "group", "targets_led", "targets_shared", "tasks_led", "tasks_shared"]
    cols += [c for c in card.columns if c.startswith(("targets_", "tasks_")) and c not in cols]
    emit(card[cols].assign(score=card["score"].round(1)), args.format)
    if args.format == "table" and card["is_sample"].any():
        print(f"\n{labels.SAMPLE_BANNER}")
    return 0


def _meeting_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=int, required=True, help="截至年份，例如 2020")
    p.add_argument("--region", default=None, help="地区（默认政策所属地区）")
    p.add_argument("--policy", default=None, help="政策代码（默认第一个政策）")


def _deck_args(p: argparse.ArgumentParser) -> None:
    _meeting_args(p)
    p.add_argument("-o", "--output", required=True, help="输出文件（.pptx）")
    p.add_argument("--areas", default=None, help="只含这些领域，逗号分隔（默认全部），例如 企业,平台")
    p.add_argument("--meeting-date", type=date.fromisoformat, default=None, help="会议日期 YYYY-MM-DD（印在封面）")
    p.add_argument("--since", default=None, help="对比的会议快照名称（默认最近一次；none = 不对比）")


@command("deck", "生成科技领导小组会议汇报材料（可编辑的 PowerPoint）", _deck_args)
def cmd_deck(args: argparse.Namespace) -> int:
    from pathlib import Path

    from deck import DeckOptions, build_deck, plan_deck
    from deck.data import deck_data
    eng = ready_engine()
    frames = views.load_frames(eng)
    policy, region = _policy_and_region(frames, args.policy, args.region)
    areas = tuple(a.strip() for a in args.areas.split(",") if a.strip()) if args.areas else None
    unknown = sorted(set(areas or ()) - set(labels.AREAS))
    if unknown:
        raise ValueError(f"领域“{'、'.join(unknown)}”不存在；可选：{'、'.join(labels.AREAS)}")
    snapshot = None
    if args.since is None:
        snapshot = views.last_snapshot(eng, policy, region)
    elif args.since.lower() != "none":
        snaps = db.read_snapshots(eng, policy, region)
        match = snaps.loc[snaps["name"] == args.since]
        if match.empty:
            raise ValueError(f"会议快照“{args.since}”不存在（用 cli.py snapshots 查看）")
        snapshot = (match.iloc[0], db.read_snapshot(eng, int(match.iloc[0]["id"])))
    data = deck_data(frames, catalogue.load_settings(), policy=policy, region=region,
                     as_of_year=args.as_of, snapshot=snapshot)
    options = DeckOptions(areas=areas, meeting_date=args.meeting_date)
    Path(args.output).write_bytes(build_deck(data, options))
    slides = plan_deck(data, options)
    print(f"已生成 {args.output}：{len(slides)} 页（{region}，截至{args.as_of}年"
          + (f"，对比“{snapshot[0]['name']}”" if snapshot else "") + "）")
    if any(s.uses_sample for s in slides):
        print(f"注意：材料含{labels.SAMPLE_MARK}，相关页面已标注。")
    return 0


def _bulletin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="截至日期 YYYY-MM-DD（或年份 2020，即当年12月31日）")
    p.add_argument("-o", "--output", required=True, help="输出文件（.docx）")
    p.add_argument("--region", default=None, help="地区（默认政策所属地区）")
    p.add_argument("--policy", default=None, help="政策代码（默认第一个政策）")
    p.add_argument("--date", type=date.fromisoformat, default=None, help="成文日期 YYYY-MM-DD（默认今天）")


@command("bulletin", "生成督查通报（Word 文档，公文格式）", _bulletin_args)
def cmd_bulletin(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bulletin import build_bulletin, bulletin_data
    frames = views.load_frames(ready_engine())
    policy, region = _policy_and_region(frames, args.policy, args.region)
    text = str(args.as_of)
    try:
        as_of = int(text) if text.isdigit() else date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--as-of “{text}”不是日期：请写成 2020-09-30 或 2020") from None
    data = bulletin_data(frames, catalogue.load_settings(), policy=policy, region=region, as_of=as_of,
                         issued=args.date)
    Path(args.output).write_bytes(build_bulletin(data))
    groups = data.reasons["group"].value_counts()
    print(f"已生成 {args.output}：{region}，截至{data.as_of.date()}；{labels.PRAISE}{int(groups.get(labels.PRAISE, 0))}个、"
          f"{labels.CRITICISE}{int(groups.get(labels.CRITICISE, 0))}个单位，逾期 {len(data.overdue)} 项。")
    if data.is_sample:
        print(f"注意：通报含{labels.SAMPLE_MARK}，已在文中标注。")
    return 0


def _snapshot_args(p: argparse.ArgumentParser) -> None:
    _meeting_args(p)
    p.add_argument("--meeting", required=True, help="会议名称，例如“2020年第四季度科技领导小组会议”")
    p.add_argument("--date", type=date.fromisoformat, default=None, help="会议日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--as", dest="account", required=True, help="以哪个管理账号保存（写入修改记录）")


@command("snapshot", "把当前各目标状态保存为某次会议的快照（下次汇报对比用）", _snapshot_args)
def cmd_snapshot(args: argparse.Namespace) -> int:
    eng = ready_engine()
    frames = views.load_frames(eng)
    policy, region = _policy_and_region(frames, args.policy, args.region)
    status = views.policy_status(frames, catalogue.load_settings(), policy, region, args.as_of)
    snap_id = guard.snapshot_as(eng, guard.cli_account(eng, args.account), status, name=args.meeting,
                                meeting_date=args.date or date.today(), policy=policy, region=region,
                                as_of_year=args.as_of)
    print(f"已保存会议快照 #{snap_id}“{args.meeting.strip()}”：{region}，截至{args.as_of}年，{len(status)} 个目标。")
    return 0


@command("snapshots", "列出已保存的会议快照", _format_arg)
def cmd_snapshots(args: argparse.Namespace) -> int:
    emit(db.read_snapshots(ready_engine(), args.policy).drop(columns=["created_at"]), args.format)
    return 0


def _remind_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="督办日期，例如 2020-09-27")
    p.add_argument("--policy", default=None, help="政策代码（默认第一个政策）")
    p.add_argument("--send", action="store_true", help="按单位发送提醒邮件（SMTP 见 data/settings.toml [smtp]）")


@command("remind", "按单位列出临期或逾期的推进节点；--send 发邮件提醒各单位", _remind_args)
def cmd_remind(args: argparse.Namespace) -> int:
    from supervision import notify
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        raise ValueError(f"--as-of “{args.as_of}”不是日期，请写成 2020-09-27 的形式。") from None
    eng = ready_engine()
    frames = views.load_catalogue_frames(eng)
    policy = args.policy or views.default_policy(frames)
    views.policy_row(frames, policy)
    settings = catalogue.load_settings()
    items = notify.reminders(views.policy_deadlines(frames, settings, policy, as_of))
    print(notify.reminder_text(items, as_of.isoformat()))
    if not args.send:
        return 0
    units = {d["name"]: d for d in catalogue.load_toml("departments.toml")["departments"]}
    sent, missing = notify.send_reminders(items, as_of.isoformat(), settings.get("smtp", {}), units)
    print(f"\n已发送提醒邮件 {len(sent)} 封：{'、'.join(sent) or '无'}。")
    if missing:
        print(f"未配置邮箱（data/departments.toml 的 email），未发送：{'、'.join(missing)}。", file=sys.stderr)
    return 0


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
    print(f"已备份到 {report.path}（{report.size / 1024 / 1024:.1f} MB，检查：{report.check}）。")
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
    print(f"已从 {args.file} 恢复数据库（检查：{check}）。请重启正在运行的应用进程，以免页面缓存显示恢复前的数据。")
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
        users = db.read_users(eng)
        emit(users.assign(departments=users["departments"].map(lambda d: "、".join(d or [])),
                          role=users["role"].map(lambda r: f"{r} {ROLE_LABELS.get(r, '')}")), args.format)
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
    except (ValueError, db.ConcurrentEditError, db.SchemaMismatchError, db.BackupError, PermissionDenied, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:  # a database that cannot be opened, is locked, or refuses the write
        print(f"错误：数据库操作失败（{type(exc).__name__}：{str(exc.orig if hasattr(exc, 'orig') else exc)[:200]}），"
              f"请检查 DATABASE_URL 和数据库文件后重试。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
