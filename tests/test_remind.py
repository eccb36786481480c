"""cli.py remind: the list grouped by unit, mails received by a local SMTP server, clear errors without traces."""
from __future__ import annotations

import copy
import email
import socket
import subprocess
import sys
from datetime import date
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

import cli
import db
from metrics.deadlines import attention
from store import catalogue
from views import policy as views_policy

POLICY = "CY2019-20"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email_policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def cli_db(db_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    return db_path


def with_smtp(monkeypatch, **smtp) -> None:
    settings = copy.deepcopy(catalogue.load_settings())
    settings["smtp"].update(smtp)
    monkeypatch.setattr(catalogue, "load_settings", lambda: settings)


def expected_attention(path, as_of: date):
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        frames = views_policy.load_catalogue_frames(eng)
        return attention(views_policy.policy_deadlines(frames, catalogue.load_settings(), POLICY, as_of))
    finally:
        eng.dispose()


def test_remind_lists_the_milestones_due_by_30_june_grouped_by_unit(cli_db, capsys):
    assert cli.main(["remind", "--as-of", "2020-06-27"]) == 0
    out = capsys.readouterr().out
    rows = expected_attention(cli_db, date(2020, 6, 27))
    assert len(rows) == 41 and set(rows["due_date"].dt.date) == {date(2020, 6, 30)}
    assert "临期或逾期的推进节点 41 项，涉及 8 个单位（示例数据）" in out
    for unit, group in rows.groupby("unit"):
        block = out.split(f"【{unit}】")[1].split("【")[0]
        assert block.startswith(f"{len(group)} 项")
        for _, r in group.iterrows():
            assert f"{r['clause']} {r['task_title']} · {r['title']}（截止 2020-06-30）" in block
    assert "◷ 临期（剩余 3 天）" in out


def test_remind_on_a_date_with_nothing_due(cli_db, capsys):
    assert cli.main(["remind", "--as-of", "2019-03-01"]) == 0
    assert "没有临期或逾期的推进节点" in capsys.readouterr().out


def test_send_mails_each_unit_its_list(cli_db, smtp_server, monkeypatch, capsys):
    inbox, port = smtp_server
    with_smtp(monkeypatch, host="127.0.0.1", port=port, starttls=False, user="")
    assert cli.main(["remind", "--as-of", "2020-09-27", "--send"]) == 0
    captured = capsys.readouterr()
    rows = expected_attention(cli_db, date(2020, 9, 27))
    units = {d["name"]: d for d in catalogue.load_toml("departments.toml")["departments"]}
    mailed = sorted(u for u in rows["unit"].unique() if units[u].get("email"))
    assert "市直有关部门" in captured.err  # a collective pseudo-unit has no address
    by_to = {m["To"].addresses[0].addr_spec: m for m in inbox.messages}
    assert sorted(by_to) == sorted(units[u]["email"] for u in mailed)
    keji = by_to["keji@changyuan.example"]
    group = rows.loc[rows["unit"] == "科工信局"]
    assert keji["Subject"] == f"【督办提醒】科工信局：{len(group)} 项推进节点临期或逾期（截至 2020-09-27）"
    assert keji["To"].addresses[0].display_name == "长垣市科技和工业信息化局"
    body = keji.get_content()
    assert body.startswith("长垣市科技和工业信息化局：")
    for _, r in group.iterrows():
        assert f"✖ 已逾期（逾期 89 天） {r['clause']} {r['task_title']} · {r['title']}" in body
    assert "示例数据" in body and "延期申请" in body
    assert f"已发送提醒邮件 {len(mailed)} 封" in captured.out


def test_login_uses_the_password_from_the_environment(cli_db, monkeypatch, capsys):
    monkeypatch.delenv("TRACKER_SMTP_PASSWORD", raising=False)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with_smtp(monkeypatch, host="127.0.0.1", port=controller.port, user="ducha")
        assert cli.main(["remind", "--as-of", "2020-09-27", "--send"]) == 1
    finally:
        controller.stop()
    err = capsys.readouterr().err
    assert "TRACKER_SMTP_PASSWORD" in err and not inbox.messages


def test_refused_port_gives_a_clear_error_without_a_trace(cli_db, monkeypatch, capsys):
    port = free_port()  # nothing listens there any more
    with_smtp(monkeypatch, host="127.0.0.1", port=port)
    assert cli.main(["remind", "--as-of", "2020-09-27", "--send"]) == 1
    err = capsys.readouterr().err
    assert f"无法连接邮件服务器 127.0.0.1:{port}（连接被拒绝）" in err and "[smtp]" in err
    assert "Traceback" not in err


def test_bad_port_setting_is_named(cli_db, monkeypatch, capsys):
    with_smtp(monkeypatch, host="127.0.0.1", port="twenty-five")
    assert cli.main(["remind", "--as-of", "2020-09-27", "--send"]) == 1
    assert "host 和 port" in capsys.readouterr().err


def test_bad_date_is_a_clear_error(db_path):
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "cli.py", "remind", "--as-of", "2020-13-40"], check=False,
                         cwd=cli.__file__.rsplit("/", 1)[0],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "不是日期" in out.stderr and "Traceback" not in out.stderr
