"""督办提醒 in group chats: one Markdown message per unit to the group robot its settings name — a 企业微信 群机器人
(the key in the webhook URL is its secret) or a 钉钉 自定义机器人 with 加签 (timestamp + "\\n" + secret, HMAC-SHA256,
base64, URL-encoded, sent as the timestamp and sign query parameters).

Configured in data/settings.toml [robots.NAME] (kind, units, url_env, secret_env): the file names the environment
variables, the URLs and secrets live only in the environment. Unit, task and milestone names are user text: they
are made inert for Markdown (full-width look-alikes, one line) before they go into a message. A robot that fails
costs only its own units' messages: each failure is one Chinese sentence, the other units still get theirs."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from supervision.notify import UnitReminder
from vocab import labels
from vocab.text import clean_text

KINDS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}
# a 企业微信 markdown message holds at most 4096 bytes, a 钉钉 one 20000: a longer list is cut, with a count
MAX_CONTENT_BYTES = {"wecom": 4000, "dingtalk": 18000}
# Markdown and HTML punctuation both robots give a meaning to, replaced by full-width look-alikes that read the
# same in Chinese text and mean nothing to a Markdown renderer
_INERT = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "*": "＊", "_": "＿",
                        "#": "＃", "`": "｀", "|": "｜", "~": "～", "!": "！", "\\": "＼", "&": "＆", "$": "＄",
                        "=": "＝", '"': "＂", "'": "＇", "{": "｛", "}": "｝", "-": "－", "+": "＋"})


class RobotError(ValueError):
    """A message that could not be delivered; the text is one Chinese sentence."""


@dataclass(frozen=True)
class Robot:
    name: str
    kind: str                 # wecom | dingtalk
    units: tuple[str, ...]
    url_env: str
    secret_env: str = ""      # 钉钉 加签 secret

    @property
    def label(self) -> str:
        return f"{KINDS.get(self.kind, self.kind)}“{self.name}”"


def robots_from_settings(settings: dict[str, Any]) -> tuple[list[Robot], list[str]]:
    """The robots of [robots.NAME] and the problems of their settings (one Chinese sentence each)."""
    robots, problems = [], []
    for name, conf in (settings.get("robots") or {}).items():
        if not isinstance(conf, dict):
            continue
        kind, units = str(conf.get("kind", "")), conf.get("units") or []
        where = f"data/settings.toml 的 [robots.{name}]"
        if kind not in KINDS:
            problems.append(f"{where} 的 kind 须为 wecom（企业微信）或 dingtalk（钉钉），现为“{kind}”。")
        elif not conf.get("url_env"):
            problems.append(f"{where} 缺少 url_env（保存机器人地址的环境变量名）。")
        elif kind == "dingtalk" and not conf.get("secret_env"):
            problems.append(f"{where} 缺少 secret_env（保存钉钉加签密钥的环境变量名）。")
        else:
            robots.append(Robot(name, kind, tuple(str(u) for u in units), str(conf["url_env"]),
                                str(conf.get("secret_env", ""))))
    return robots, problems


def inert(text: Any) -> str:
    """User text made inert for a robot's Markdown: one line, the punctuation Markdown or HTML would act on
    replaced by its full-width look-alike ('[点我](http://x)' stays visible text, never a link)."""
    return clean_text(str(text)).translate(_INERT).strip()


def _line(r: pd.Series) -> str:
    days_left = None if pd.isna(r["days_left"]) else int(r["days_left"])
    due = pd.Timestamp(r["due_date"]).date().isoformat()
    chased = f"，已催办 {int(r['chases'])} 次" if int(r["chases"]) else ""
    state = f"{labels.deadline_text(r['state'])}（{labels.days_text(r['state'], days_left, int(r['days_overdue']))}）"
    return f"- **{state}** {inert(r['clause'])} {inert(r['task_title'])} · {inert(r['title'])}（截止 {due}{chased}）"


def message(reminder: UnitReminder, as_of: str, max_bytes: int = MAX_CONTENT_BYTES["wecom"]) -> str:
    """The unit's Markdown message: title, one line per milestone (most urgent first), what to do; lines that
    would pass max_bytes are left out and counted instead."""
    unit = inert(reminder.unit)
    head = f"### 【督办提醒】{unit}：{len(reminder.rows)} 项推进节点临期或逾期\n截至 {as_of}"
    sample = f"（{labels.SAMPLE_MARK}）" if reminder.is_sample else ""
    tail = (f"\n\n请抓紧推进，按期完成并报送佐证材料；确需延期的，请在{labels.APP_TITLE}“部门督办”页提出延期申请。"
            f"\n\n{labels.BUREAU}督查室")
    lines = [_line(r) for _, r in reminder.rows.iterrows()]
    kept: list[str] = []
    for i, line in enumerate(lines):
        rest = len(lines) - i - 1
        more = f"\n……另有 {rest} 项，请在看板查看" if rest else ""
        if len(("\n".join([head + sample, *kept, line]) + more + tail).encode()) > max_bytes:
            kept.append(f"……另有 {len(lines) - i} 项，请在看板查看")
            break
        kept.append(line)
    return "\n".join([head + sample + "\n", *kept]) + tail


def payload(robot: Robot, title: str, content: str) -> dict[str, Any]:
    """The JSON body: 企业微信 {"msgtype": "markdown", "markdown": {"content"}}; 钉钉 adds the title."""
    if robot.kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook URL with &timestamp=…&sign=… appended."""
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


Post = Callable[[str, bytes, float], tuple[int, bytes]]


def http_post(url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
    """POST JSON; (status, body). Raises OSError (urllib.error.URLError) when the server cannot be reached."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # http(s) only: _address checks the scheme
            return response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(65536) if exc.fp else b""


def _address(robot: Robot, environ: dict[str, str]) -> str:
    url = environ.get(robot.url_env, "").strip()
    if not url:
        raise RobotError(f"{robot.label}未发送：环境变量 {robot.url_env}（机器人地址）未设置。")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise RobotError(f"{robot.label}未发送：环境变量 {robot.url_env} 不是 http(s) 地址。")
    if robot.kind == "dingtalk":
        secret = environ.get(robot.secret_env, "")
        if not secret:
            raise RobotError(f"{robot.label}未发送：环境变量 {robot.secret_env}（加签密钥）未设置。")
        return signed_url(url, secret, int(time.time() * 1000))
    return url


def _host(url: str) -> str:
    """Where a message went, for a message: the host only (the key and signature stay out of every log)."""
    return urllib.parse.urlsplit(url).netloc or "?"


def deliver(robot: Robot, reminder: UnitReminder, as_of: str, *, environ: dict[str, str] | None = None,
            post: Post = http_post, timeout: float = 10.0) -> None:
    """Post one unit's message to one robot; RobotError (one sentence, no URL key or secret in it) on failure."""
    environ = dict(os.environ) if environ is None else environ
    url = _address(robot, environ)
    title = f"【督办提醒】{inert(reminder.unit)}"
    content = message(reminder, as_of, MAX_CONTENT_BYTES[robot.kind])
    body = json.dumps(payload(robot, title, content), ensure_ascii=False).encode()
    unit = inert(reminder.unit)
    try:
        status, answer = post(url, body, timeout)
    except TimeoutError:
        raise RobotError(f"{robot.label}未送达{unit}的提醒：连接 {_host(url)} 超时。") from None
    except OSError as exc:
        reason = getattr(exc, "reason", exc)
        raise RobotError(f"{robot.label}未送达{unit}的提醒：无法连接 {_host(url)}（{str(reason)[:80]}）。") from None
    if status != 200:
        raise RobotError(f"{robot.label}未送达{unit}的提醒：服务器返回 HTTP {status}。")
    try:
        result = json.loads(answer.decode("utf-8", "replace") or "{}")
    except json.JSONDecodeError:
        raise RobotError(f"{robot.label}未送达{unit}的提醒：服务器的回答不是 JSON。") from None
    if result.get("errcode", 0) != 0:
        raise RobotError(f"{robot.label}未送达{unit}的提醒：机器人返回错误 {result.get('errcode')}"
                         f"（{clean_text(str(result.get('errmsg', '')))[:80]}）。")


def send_to_robots(items: list[UnitReminder], as_of: str, settings: dict[str, Any], *,
                   environ: dict[str, str] | None = None, post: Post = http_post) -> tuple[list[str], list[str]]:
    """Each unit's message to every robot configured for it. Returns (what was delivered: 'unit → robot',
    failures: one Chinese sentence each: a robot without its address or secret once, a message that did not
    arrive once per unit); a failure never stops the other units."""
    environ = dict(os.environ) if environ is None else environ
    robots, failures = robots_from_settings(settings)
    timeout = float((settings.get("robots") or {}).get("timeout_seconds", 10))
    delivered = []
    for robot in robots:
        mine = [i for i in items if i.unit in robot.units]
        if not mine:
            continue
        try:
            _address(robot, environ)
        except RobotError as exc:
            failures.append(f"{str(exc).rstrip('。')}，未收到提醒的单位：{'、'.join(inert(i.unit) for i in mine)}。")
            continue
        for item in mine:
            try:
                deliver(robot, item, as_of, environ=environ, post=post, timeout=timeout)
            except RobotError as exc:
                failures.append(str(exc))
            else:
                delivered.append(f"{item.unit} → {robot.label}")
    return delivered, failures
