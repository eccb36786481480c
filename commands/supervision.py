"""remind: milestones due soon or overdue, per unit, printed or sent (mail and group-chat robots)."""
from __future__ import annotations

import argparse
import sys

from commands.base import command, ready_engine
from store import catalogue
from views import policy as views_policy
from vocab.periods import parse_as_of

CHANNELS = {"all": ("mail", "robot"), "mail": ("mail",), "robot": ("robot",)}


def _remind_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="督办日期，例如 2020-09-27")
    p.add_argument("--policy", default=None, help="政策代码（默认第一个政策）")
    p.add_argument("--send", action="store_true",
                   help="按单位发送提醒：邮件（data/settings.toml [smtp]）和群机器人（[robots.*]）")
    p.add_argument("--via", choices=list(CHANNELS), default="all",
                   help="--send 的渠道：all（默认，邮件和群机器人）、mail（只发邮件）、robot（只发群机器人）")


@command("remind", "按单位列出临期或逾期的推进节点；--send 发邮件和群机器人消息提醒各单位", _remind_args)
def cmd_remind(args: argparse.Namespace) -> int:
    from supervision import notify, robots
    as_of = parse_as_of(args.as_of).day
    eng = ready_engine()
    frames = views_policy.load_catalogue_frames(eng)
    policy = args.policy or views_policy.default_policy(frames)
    views_policy.policy_row(frames, policy)
    settings = catalogue.load_settings()
    items = notify.reminders(views_policy.policy_deadlines(frames, settings, policy, as_of))
    print(notify.reminder_text(items, as_of.isoformat()))
    if not args.send:
        return 0
    failed = False
    if "mail" in CHANNELS[args.via]:
        failed = not _mail(items, as_of.isoformat(), settings)
    if "robot" in CHANNELS[args.via]:
        delivered, failures = robots.send_to_robots(items, as_of.isoformat(), settings)
        if delivered or failures:
            print(f"群机器人消息已送达 {len(delivered)} 条：{'、'.join(delivered) or '无'}。")
        for sentence in failures:
            print(f"错误：{sentence}", file=sys.stderr)
        failed = failed or bool(failures)
    return 1 if failed else 0


def _mail(items, as_of: str, settings: dict) -> bool:
    """Mail each unit its list; False (the reason on stderr, in one sentence) when the mail server failed."""
    from supervision import notify
    units = {d["name"]: d for d in catalogue.load_toml("departments.toml")["departments"]}
    try:
        sent, missing = notify.send_reminders(items, as_of, settings.get("smtp", {}), units)
    except notify.ReminderError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return False
    print(f"\n已发送提醒邮件 {len(sent)} 封：{'、'.join(sent) or '无'}。")
    if missing:
        print(f"未配置邮箱（data/departments.toml 的 email），未发送：{'、'.join(missing)}。", file=sys.stderr)
    return True
