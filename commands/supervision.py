"""remind: milestones due soon or overdue, per unit, printed or sent."""
from __future__ import annotations

import argparse
import sys

from commands.base import command, ready_engine
from store import catalogue
from views import policy as views_policy
from vocab.periods import parse_as_of


def _remind_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", required=True, help="督办日期，例如 2020-09-27")
    p.add_argument("--policy", default=None, help="政策代码（默认第一个政策）")
    p.add_argument("--send", action="store_true", help="按单位发送提醒邮件（SMTP 见 data/settings.toml [smtp]）")


@command("remind", "按单位列出临期或逾期的推进节点；--send 发邮件提醒各单位", _remind_args)
def cmd_remind(args: argparse.Namespace) -> int:
    from supervision import notify
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
    units = {d["name"]: d for d in catalogue.load_toml("departments.toml")["departments"]}
    sent, missing = notify.send_reminders(items, as_of.isoformat(), settings.get("smtp", {}), units)
    print(f"\n已发送提醒邮件 {len(sent)} 封：{'、'.join(sent) or '无'}。")
    if missing:
        print(f"未配置邮箱（data/departments.toml 的 email），未发送：{'、'.join(missing)}。", file=sys.stderr)
    return 0


