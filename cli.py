"""Command line over the same functions the app uses. Errors go to stderr with a non-zero exit."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import date

import pandas as pd

import db
from access import guard
from access.account import ROLE_LABELS, ROLES, PermissionDenied
from store import catalogue
from views import labels
from views import policy as views

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
    p.add_argument("--as", dest="account", default=None,
                   help="以哪个账号导入（检查其角色和单位，写入修改记录）；--dry-run 时可省略")
    p.add_argument("--reason", default="Excel 导入", help="修改原因（写入修改记录）")


@command("import", "检查并导入 Excel 数据（任何一处错误则全部不写入）", _import_args)
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


def status_frame(eng, as_of: str, region: str | None = None, policy: str | None = None) -> pd.DataFrame:
    """views.policy_status on the store's frames, as of '2020' or '2020Q2', for one region (default: the
    policy's); every policy when none is named."""
    year, quarter = db.parse_period(str(as_of))
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
        "ratio": s["ratio"].round(4), "status": s["status_label"], "forecast": s["forecast"].round(4),
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


def _period_at(when: pd.Timestamp) -> str:
    """The latest complete period at a date: 2020-12-31 → '2020', 2020-06-30 → '2020Q2', 2020-05-01 → '2020Q1'."""
    done = when.month // 3 if when.is_quarter_end else (when.month - 1) // 3
    if done == 4:
        return str(when.year)
    return f"{when.year}Q{done}" if done else str(when.year - 1)


@command("scorecard", "单位考核：牵头和参与的目标、任务，得分、排名和通报分组", _scorecard_args)
def cmd_scorecard(args: argparse.Namespace) -> int:
    from metrics.scorecard import as_of_date
    eng = ready_engine()
    text = str(args.as_of)
    when = as_of_date(int(text)) if text.isdigit() else as_of_date(text)
    year, quarter = db.parse_period(_period_at(when))
    frames = views.load_frames(eng)
    policy, region = _policy_and_region(frames, args.policy, None)
    settings = catalogue.load_settings()
    status = views.policy_status(frames, settings, policy, region, year, quarter)
    card = views.policy_scorecard(frames, settings, policy, status, views.policy_ledger(frames, policy, when))
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
    except (ValueError, db.ConcurrentEditError, PermissionDenied, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
