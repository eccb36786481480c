"""cli.py remind --send to group robots: a local HTTP server (http.server in a thread) plays 企业微信 and 钉钉; it
checks each payload and the 钉钉 加签 signature itself. One message per unit; Markdown in user text made inert; a
failing robot is one Chinese sentence on stderr while the other units still get theirs."""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pandas as pd
import pytest

import db
from metrics.deadlines import attention
from store import catalogue
from supervision import actions, robots
from supervision.notify import UnitReminder
from tests.accounts import admin
from tests.helpers import run_cli
from views import policy as views_policy

AS_OF = "2020-09-27"
SECRET = "SEC0123456789abcdef-测试密钥"


class Webhook(BaseHTTPRequestHandler):
    """Records every POST; /fail answers HTTP 500, /errcode a robot error; 钉钉 paths check the signature."""
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        record = {"path": url.path, "query": query, "body": body, "type": self.headers["Content-Type"]}
        if url.path.startswith("/dingtalk"):
            stamp = query["timestamp"][0]
            expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(),
                                                 hashlib.sha256).digest()).decode()
            # parse_qs has already URL-decoded the sign once, as 钉钉 does
            record["signature_ok"] = query["sign"][0] == expected and abs(time.time() * 1000 - int(stamp)) < 60_000
        Webhook.received.append(record)
        status, answer = ((500, {}) if url.path == "/fail" else
                          (200, {"errcode": 93000, "errmsg": "invalid webhook url"}) if url.path == "/errcode" else
                          (200, {"errcode": 0, "errmsg": "ok"}))
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def received(webhook):
    Webhook.received = []
    return Webhook.received


def with_robots(monkeypatch, **robot_tables) -> None:
    settings = copy.deepcopy(catalogue.load_settings())
    settings["robots"] = {"timeout_seconds": 5, **robot_tables}
    monkeypatch.setattr(catalogue, "load_settings", lambda: settings)


def expected_units(path) -> dict[str, pd.DataFrame]:
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        rows = attention(views_policy.policy_deadlines(views_policy.load_catalogue_frames(eng), catalogue.load_settings(),
                                                "CY2019-20", date(2020, 9, 27)))
    finally:
        eng.dispose()
    return dict(tuple(rows.groupby("unit")))


def test_each_unit_gets_one_message_on_its_robot_with_a_valid_signature(db_path, webhook, received, monkeypatch):
    units = expected_units(db_path)
    assert len(units["组织部"]) == 5 and len(units["科工信局"]) == 30 and len(units["发改委"]) == 1
    monkeypatch.setenv("TEST_WECOM_URL", f"{webhook}/wecom?key=k-123")
    monkeypatch.setenv("TEST_DING_URL", f"{webhook}/dingtalk?access_token=t-456")
    monkeypatch.setenv("TEST_DING_SECRET", SECRET)
    with_robots(monkeypatch, zzb={"kind": "wecom", "units": ["组织部"], "url_env": "TEST_WECOM_URL"},
                county={"kind": "dingtalk", "units": ["科工信局", "发改委"], "url_env": "TEST_DING_URL",
                        "secret_env": "TEST_DING_SECRET"})
    done = run_cli("remind", "--as-of", AS_OF, "--send", "--via", "robot", db_path=db_path)
    assert done.returncode == 0, done.stderr
    assert "群机器人消息已送达 3 条" in done.stdout and not done.stderr
    wecom = [r for r in received if r["path"] == "/wecom"]
    ding = {r["body"]["markdown"]["title"]: r for r in received if r["path"] == "/dingtalk"}
    assert len(wecom) == 1 and sorted(ding) == ["【督办提醒】发改委", "【督办提醒】科工信局"]
    assert wecom[0]["query"] == {"key": ["k-123"]} and wecom[0]["type"] == "application/json; charset=utf-8"
    assert wecom[0]["body"]["msgtype"] == "markdown" and set(wecom[0]["body"]["markdown"]) == {"content"}
    assert all(r["signature_ok"] and r["query"]["access_token"] == ["t-456"] for r in ding.values())
    assert all(set(r["body"]["markdown"]) == {"title", "text"} for r in ding.values())
    for unit, text in (("组织部", wecom[0]["body"]["markdown"]["content"]),
                       ("科工信局", ding["【督办提醒】科工信局"]["body"]["markdown"]["text"])):
        assert text.startswith(f"### 【督办提醒】{unit}：{len(units[unit])} 项推进节点临期或逾期\n截至 {AS_OF}（示例数据）")
        assert text.count("【督办提醒】") == 1 and text.count("\n- **") == len(units[unit])  # one unit, every item
        for _, r in units[unit].iterrows():
            assert f"- **✖ 已逾期（逾期 89 天）** {robots.inert(r['clause'])} {robots.inert(r['task_title'])} · " \
                   f"{robots.inert(r['title'])}（截止 2020-06-30）" in text


def test_user_text_cannot_become_a_link_or_html(db_path, webhook, received, monkeypatch):
    eng = db.make_engine(f"sqlite:///{db_path}")
    m = db.read_milestones(eng)
    mid = int(m.loc[m["units"].map(lambda u: u == ["科工信局"]) & (m["due_date"] == date(2020, 6, 30)),
                    "milestone_id"].iloc[0])
    title = '[点我领奖](http://evil.example) <font color="info">**急**</font>\n# 标题'
    actions.edit_milestones_as(eng, admin(), [{"milestone_id": mid, "title": title}])
    eng.dispose()
    monkeypatch.setenv("TEST_WECOM_URL", f"{webhook}/wecom?key=k")
    with_robots(monkeypatch, keji={"kind": "wecom", "units": ["科工信局"], "url_env": "TEST_WECOM_URL"})
    assert run_cli("remind", "--as-of", AS_OF, "--send", "--via", "robot", db_path=db_path).returncode == 0
    content = received[0]["body"]["markdown"]["content"]
    assert "［点我领奖］（http://evil.example）" in content and "＜font color＝＂info＂＞＊＊急＊＊＜/font＞ ＃ 标题" in content
    assert "](" not in content and "<font" not in content and "\n# " not in content


def test_a_failing_robot_is_one_sentence_and_the_others_still_get_theirs(db_path, webhook, received, monkeypatch):
    monkeypatch.setenv("TEST_OK_URL", f"{webhook}/wecom?key=ok")
    monkeypatch.setenv("TEST_FAIL_URL", f"{webhook}/fail?key=secret-key-must-not-show")
    monkeypatch.setenv("TEST_ERR_URL", f"{webhook}/errcode?key=k")
    monkeypatch.delenv("TEST_MISSING_URL", raising=False)
    with_robots(monkeypatch,
                broken={"kind": "wecom", "units": ["科工信局"], "url_env": "TEST_FAIL_URL"},
                refused={"kind": "wecom", "units": ["组织部"], "url_env": "TEST_ERR_URL"},
                unset={"kind": "dingtalk", "units": ["发改委"], "url_env": "TEST_MISSING_URL", "secret_env": "X"},
                fine={"kind": "wecom", "units": ["科工信局", "组织部", "发改委"], "url_env": "TEST_OK_URL"})
    done = run_cli("remind", "--as-of", AS_OF, "--send", "--via", "robot", db_path=db_path)
    assert done.returncode == 1
    err = done.stderr.strip().splitlines()
    assert err == [
        "错误：企业微信群机器人“broken”未送达科工信局的提醒：服务器返回 HTTP 500。",
        "错误：企业微信群机器人“refused”未送达组织部的提醒：机器人返回错误 93000（invalid webhook url）。",
        "错误：钉钉群机器人“unset”未发送：环境变量 TEST_MISSING_URL（机器人地址）未设置，未收到提醒的单位：发改委。"]
    assert "secret-key-must-not-show" not in done.stderr + done.stdout
    assert sorted(r["body"]["markdown"]["content"].split("：")[0] for r in received if r["path"] == "/wecom") == sorted(
        ["### 【督办提醒】科工信局", "### 【督办提醒】组织部", "### 【督办提醒】发改委"])
    assert "群机器人消息已送达 3 条" in done.stdout


def test_an_unreachable_robot_is_a_sentence_without_a_trace(db_path, monkeypatch):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    monkeypatch.setenv("TEST_GONE_URL", f"http://127.0.0.1:{port}/send?key=k")
    with_robots(monkeypatch, gone={"kind": "wecom", "units": ["科工信局"], "url_env": "TEST_GONE_URL"})
    done = run_cli("remind", "--as-of", AS_OF, "--send", "--via", "robot", db_path=db_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"错误：企业微信群机器人“gone”未送达科工信局的提醒：无法连接 127.0.0.1:{port}")


def test_bad_robot_settings_are_named():
    found, problems = robots.robots_from_settings({"robots": {"a": {"kind": "slack", "url_env": "X"},
                                                              "b": {"kind": "dingtalk", "url_env": "Y"}}})
    assert not found
    assert problems == ["data/settings.toml 的 [robots.a] 的 kind 须为 wecom（企业微信）或 dingtalk（钉钉），现为“slack”。",
                        "data/settings.toml 的 [robots.b] 缺少 secret_env（保存钉钉加签密钥的环境变量名）。"]


def test_the_signature_is_the_documented_one():
    # 钉钉's documented algorithm, computed here by hand for a fixed timestamp and secret
    stamp, secret = 1_600_000_000_000, "SECabc"
    digest = hmac.new(b"SECabc", b"1600000000000\nSECabc", hashlib.sha256).digest()
    assert robots.dingtalk_sign(secret, stamp) == urllib.parse.quote_plus(base64.b64encode(digest).decode())
    assert robots.signed_url("https://x/robot/send?access_token=t", secret, stamp) == (
        f"https://x/robot/send?access_token=t&timestamp={stamp}&sign={robots.dingtalk_sign(secret, stamp)}")


def test_a_long_list_is_cut_to_the_robot_limit_with_a_count():
    rows = pd.DataFrame({"state": "overdue", "days_left": 0, "days_overdue": 10, "clause": "二（一）1",
                         "task_title": "很长的任务名称" * 10, "title": "节点", "due_date": pd.Timestamp("2020-06-30"),
                         "chases": 0}, index=range(60))
    text = robots.message(UnitReminder("科工信局", rows, False), AS_OF)
    assert len(text.encode()) <= robots.MAX_CONTENT_BYTES["wecom"]
    shown = text.count("\n- **")
    assert 0 < shown < 60 and f"……另有 {60 - shown} 项，请在看板查看" in text
