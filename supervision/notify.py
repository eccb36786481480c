"""督办提醒: the milestones near due or overdue, grouped by unit, as text and as one mail per unit over SMTP.

`reminders` and `reminder_text` are pure (the deadlines frame in, text out); `send_reminders` talks to the SMTP
server configured in data/settings.toml [smtp] and turns every connection or protocol failure into a
ReminderError with a Chinese sentence (no traceback for the user)."""
from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

import pandas as pd

from metrics.deadlines import attention
from vocab import labels

PASSWORD_ENV = "TRACKER_SMTP_PASSWORD"


class ReminderError(ValueError):
    """Mail could not be sent; the message says what to check."""


@dataclass(frozen=True)
class UnitReminder:
    unit: str
    rows: pd.DataFrame   # the unit's deadline rows, most urgent first
    is_sample: bool


def reminders(deadlines: pd.DataFrame) -> list[UnitReminder]:
    """Every unit with a milestone overdue, 临期 or 预警 (metrics.deadlines.attention), units in name order."""
    rows = attention(deadlines)
    return [UnitReminder(unit=str(unit), rows=group.reset_index(drop=True), is_sample=bool(group["is_sample"].any()))
            for unit, group in rows.groupby("unit", sort=True)]


def _line(r: pd.Series) -> str:
    days_left = None if pd.isna(r["days_left"]) else int(r["days_left"])
    due = pd.Timestamp(r["due_date"]).date().isoformat()
    extra = f"，原定 {pd.Timestamp(r['original_due_date']).date().isoformat()}" if r["extended"] else ""
    chased = f"，已催办 {int(r['chases'])} 次" if int(r["chases"]) else ""
    return (f"{labels.deadline_text(r['state'])}（{labels.days_text(r['state'], days_left, int(r['days_overdue']))}）"
            f" {r['clause']} {r['task_title']} · {r['title']}（截止 {due}{extra}{chased}）")


def subject(reminder: UnitReminder, as_of: str) -> str:
    """The mail subject: unit, count and date, e.g. '【督办提醒】科工信局：3 项推进节点临期或逾期（截至 2020-06-27）'."""
    return f"【督办提醒】{reminder.unit}：{len(reminder.rows)} 项推进节点临期或逾期（截至 {as_of}）"


def unit_text(reminder: UnitReminder) -> str:
    """The unit's list, one milestone a line."""
    return "\n".join("  " + _line(r) for _, r in reminder.rows.iterrows())


def reminder_text(items: list[UnitReminder], as_of: str) -> str:
    """What `cli.py remind` prints: every unit's list under its name."""
    if not items:
        return f"截至 {as_of}，没有临期或逾期的推进节点。"
    total = sum(len(i.rows) for i in items)
    sample = f"（{labels.SAMPLE_MARK}）" if any(i.is_sample for i in items) else ""
    parts = [f"督办提醒：截至 {as_of}，临期或逾期的推进节点 {total} 项，涉及 {len(items)} 个单位{sample}。"]
    for item in items:
        parts.append(f"\n【{item.unit}】{len(item.rows)} 项\n{unit_text(item)}")
    return "\n".join(parts)


def mail_body(reminder: UnitReminder, as_of: str, full_name: str) -> str:
    """The mail to one unit: greeting, the list, what to do, the sample note when the plans are sample data."""
    sample = f"\n\n注：{labels.MILESTONE_SAMPLE_NOTE}" if reminder.is_sample else ""
    return (f"{full_name}：\n\n截至 {as_of}，贵单位负责的以下 {len(reminder.rows)} 项推进节点临期或已逾期：\n\n"
            f"{unit_text(reminder)}\n\n请抓紧推进，按期完成并报送佐证材料；确需延期的，请在{labels.APP_TITLE}"
            f"“部门督办”页提出延期申请。{sample}\n\n{labels.BUREAU}督查室")


def _where(smtp: dict[str, Any]) -> str:
    return f"{smtp.get('host')}:{smtp.get('port')}"


def send_reminders(items: list[UnitReminder], as_of: str, smtp: dict[str, Any],
                   units: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Mail each unit its list over one SMTP connection. units: departments.toml entries by name (email,
    full_name). Returns (units mailed, units without an address). Raises ReminderError on any SMTP failure."""
    missing = [i.unit for i in items if not units.get(i.unit, {}).get("email")]
    todo = [i for i in items if i.unit not in missing]
    if not todo:
        return [], missing
    host, port = str(smtp.get("host") or ""), smtp.get("port")
    if not host or not isinstance(port, int):
        raise ReminderError("邮件服务器未配置：请在 data/settings.toml 的 [smtp] 中填写 host 和 port（整数）。")
    sender = str(smtp.get("sender") or "")
    if "@" not in sender:
        raise ReminderError("发件人地址无效：请在 data/settings.toml 的 [smtp] 中填写 sender（邮箱地址）。")
    sent: list[str] = []
    try:
        with smtplib.SMTP(host, port, timeout=float(smtp.get("timeout_seconds", 10))) as server:
            if smtp.get("starttls"):
                server.starttls()
            if smtp.get("user"):
                password = os.environ.get(PASSWORD_ENV)
                if password is None:
                    raise ReminderError(f"已配置 SMTP 用户 {smtp['user']}，但未设置环境变量 {PASSWORD_ENV}（密码）。")
                server.login(str(smtp["user"]), password)
            for item in todo:
                unit = units[item.unit]
                msg = EmailMessage()
                msg["Subject"] = subject(item, as_of)
                msg["From"] = formataddr((f"{labels.BUREAU}督查室", sender))
                msg["To"] = formataddr((unit.get("full_name", item.unit), unit["email"]))
                msg.set_content(mail_body(item, as_of, unit.get("full_name", item.unit)), charset="utf-8")
                server.send_message(msg)
                sent.append(item.unit)
    except ReminderError:
        raise
    except smtplib.SMTPAuthenticationError:
        raise ReminderError(f"邮件服务器 {_where(smtp)} 拒绝登录：请检查 [smtp] user 和环境变量 {PASSWORD_ENV}。"
                            f"已发送 {len(sent)} 封。") from None
    except smtplib.SMTPException as exc:
        raise ReminderError(f"邮件发送失败（{_where(smtp)}：{exc}）。已发送 {len(sent)} 封："
                            f"{'、'.join(sent) or '无'}。") from None
    except (ConnectionRefusedError, TimeoutError) as exc:
        raise ReminderError(f"无法连接邮件服务器 {_where(smtp)}（{'连接被拒绝' if isinstance(exc, ConnectionRefusedError) else '连接超时'}）："
                            f"请检查 data/settings.toml 的 [smtp] host 和 port。") from None
    except OSError as exc:
        raise ReminderError(f"无法连接邮件服务器 {_where(smtp)}（{exc.strerror or exc}）：请检查 data/settings.toml 的 "
                            f"[smtp] host 和 port。") from None
    return sent, missing
