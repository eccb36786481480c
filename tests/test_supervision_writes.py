"""The 督办 writes hold under two writers (SQLite and PostgreSQL): milestone saves are compare-and-set on the version,
one open extension request per milestone, a request's step acts only on the state, date and version its actor saw;
a done milestone takes no extension, an approval never moves a due date back; dates are bounded; every text is
cleaned and bounded (so the .docx bulletin never breaks on \\x0b); the database's refusals are Chinese sentences."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import event

import cli
import db
from supervision import actions
from tests.test_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL cluster, one database per module)
from vocab.accounts import Account

POLICY = "CY2019-20"
EDITOR = Account("keji01", "科工信填报员", "editor", ("科工信局",))
EDITOR_2 = Account("keji02", "科工信填报员乙", "editor", ("科工信局",))
INSPECTOR = Account("ducha01", "督查员", "inspector", ())
INSPECTOR_2 = Account("ducha02", "督查员乙", "inspector", ())
ADMIN = Account("lingdao01", "分管领导", "admin", ())
ADMIN_2 = Account("lingdao02", "主要领导", "admin", ())


@pytest.fixture(scope="module")
def pg_store(pg_url):  # noqa: F811
    eng = db.make_engine(pg_url)
    db.init_db(eng)
    yield pg_url
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, db_path):
    """A database URL on both back ends (PostgreSQL: one database per module, each test its own milestone)."""
    if request.param == "sqlite":
        return f"sqlite:///{db_path}"
    return request.getfixturevalue("pg_store")


def milestone(engine, clause: str, title: str = "完成2020年全年工作任务并形成总结"):
    """One milestone's row (a test on the shared PostgreSQL database takes a clause of its own)."""
    m = db.read_milestones(engine, POLICY)
    return m.loc[(m["clause"] == clause) & (m["title"] == title)].iloc[0]


def request(engine, mid: int):
    return db.read_extensions(engine).query("milestone_id == @mid").iloc[-1]


def two_writers(url: str, writes, marker: str) -> list[object]:
    """Two engines (as two server processes) write at once: each pauses after its first read of `marker` until
    the other has read too (or, when the store makes the second wait for the first, until the pause times out).
    Returns each write's outcome: "ok" or the exception."""
    barrier = threading.Barrier(2, timeout=1)
    outcomes: list[object] = [None, None]

    def run(i: int) -> None:
        eng = db.make_engine(url)
        paused = []

        def pause_after_reading(conn, cursor, statement, *args):
            if not paused and statement.lstrip().upper().startswith("SELECT") and marker in statement:
                paused.append(True)
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass

        event.listen(eng, "after_cursor_execute", pause_after_reading)
        try:
            writes[i](eng)
            outcomes[i] = "ok"
        except Exception as exc:  # noqa: BLE001 — the tests assert on the exact type
            outcomes[i] = exc
        finally:
            eng.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def one_ok_one_told(outcomes: list[object]) -> int:
    """The index of the write that went through; the other was told, with a Chinese sentence, to refresh."""
    assert outcomes.count("ok") == 1, outcomes
    told = next(o for o in outcomes if o != "ok")
    assert isinstance(told, db.ConcurrentEditError | db.MilestoneError) and "刷新" in str(told), told
    return outcomes.index("ok")


# ------------------------------------------------------------------ two writers

def test_two_grid_saves_of_one_version_keep_one(store_url):
    eng = db.make_engine(store_url)
    m = milestone(eng, "二（一）2")
    mid, version = int(m["milestone_id"]), int(m["version"])
    saves = [lambda e, t=t, who=who: actions.edit_milestones_as(e, who, [{"milestone_id": mid, "title": t,
                                                                          "expected_version": version}])
             for t, who in (("甲的名称", INSPECTOR), ("乙的名称", INSPECTOR_2))]
    winner = one_ok_one_told(two_writers(store_url, saves, "FROM milestone"))
    after = db.read_milestones(eng).set_index("milestone_id").loc[mid]
    assert (after["title"], after["version"]) == (("甲的名称", "乙的名称")[winner], version + 1)
    log = db.read_audit(eng, entity="milestone", key_contains="/二（一）2/")
    assert list(log["who"].head(1)) == [(INSPECTOR, INSPECTOR_2)[winner].login]
    assert [r["version"] for r in log["new"]].count(version + 1) == 1
    eng.dispose()


def test_two_requests_at_once_leave_one_open_request(store_url):
    eng = db.make_engine(store_url)
    m = milestone(eng, "二（一）3")
    mid = int(m["milestone_id"])
    asks = [lambda e, who=who: actions.request_extension_as(e, who, mid, new_date=date(2021, 3, 31), reason="理由",
                                                            seen_due_date=m["due_date"])
            for who in (EDITOR, EDITOR_2)]
    one_ok_one_told(two_writers(store_url, asks, "FROM milestone"))
    requests = db.read_extensions(eng).query("milestone_id == @mid")
    assert list(requests["state"]) == ["requested"]
    eng.dispose()


def test_approve_and_reject_at_once_decide_once(store_url):
    eng = db.make_engine(store_url)
    m = milestone(eng, "二（二）4")
    mid = int(m["milestone_id"])
    rid = actions.request_extension_as(eng, EDITOR, mid, new_date=date(2021, 3, 31), reason="理由",
                                       seen_due_date=m["due_date"])
    actions.extension_step_as(eng, INSPECTOR, rid, "forward", seen_state="requested",
                              seen_new_date=date(2021, 3, 31), seen_version=1, text="同意上报")
    decide = [lambda e, a=a, who=who: actions.extension_step_as(e, who, rid, a, seen_state="forwarded",
                                                                seen_new_date=date(2021, 3, 31), seen_version=2,
                                                                text="批示")
              for a, who in (("approve", ADMIN), ("reject", ADMIN_2))]
    winner = one_ok_one_told(two_writers(store_url, decide, "FROM extension_request"))
    assert request(eng, mid)["state"] == ("approved", "rejected")[winner]
    due = db.read_milestones(eng).set_index("milestone_id").loc[mid, "due_date"]
    assert due == (date(2021, 3, 31), m["due_date"])[winner]
    assert len(db.read_audit(eng, entity="extension_request", key_contains=f"延期申请{rid}")) == 3
    eng.dispose()


# ------------------------------------------------------------------ every step acts on what its actor saw

def forwarded(engine, clause: str = "二（一）1", new_date: date = date(2020, 8, 31)):
    """A request for the milestone due 2020-06-30, forwarded by the inspector; (milestone id, request id)."""
    m = milestone(engine, clause, "完成2020年上半年工作计划")
    mid = int(m["milestone_id"])
    rid = actions.request_extension_as(engine, EDITOR, mid, new_date=new_date, reason="受疫情影响",
                                       seen_due_date=m["due_date"])
    actions.extension_step_as(engine, INSPECTOR, rid, "forward", seen_state="requested", seen_new_date=new_date,
                              seen_version=1, text="同意上报")
    return mid, rid


def test_a_review_of_a_request_resubmitted_since_is_refused(engine):
    m = milestone(engine, "二（一）1", "完成2020年上半年工作计划")
    mid = int(m["milestone_id"])
    rid = actions.request_extension_as(engine, EDITOR, mid, new_date=date(2020, 8, 31), reason="理由",
                                       seen_due_date=date(2020, 6, 30))
    seen = request(engine, mid)  # the inspector reads the request for 2020-08-31 …
    actions.extension_step_as(engine, INSPECTOR_2, rid, "return", seen_state="requested",
                              seen_new_date=date(2020, 8, 31), seen_version=1, text="请补充材料")
    actions.extension_step_as(engine, EDITOR, rid, "resubmit", seen_state="returned", seen_new_date=date(2020, 8, 31),
                              seen_version=2, text="改期", new_date=date(2030, 12, 31), seen_due_date=date(2020, 6, 30))
    before = db.dump(engine)
    with pytest.raises(db.ConcurrentEditError, match="2030-12-31"):  # … and forwards what it read: refused
        actions.extension_step_as(engine, INSPECTOR, rid, "forward", seen_state=seen["state"],
                                  seen_new_date=seen["new_date"], seen_version=int(seen["version"]), text="同意")
    assert db.dump(engine) == before


def test_an_approval_never_moves_a_due_date_back(engine):
    mid, rid = forwarded(engine)
    actions.edit_milestones_as(engine, INSPECTOR, [{"milestone_id": mid, "due_date": date(2020, 10, 31)}])
    before = db.dump(engine)
    with pytest.raises(db.MilestoneError, match="须晚于当前截止日期（2020-10-31）"):
        actions.extension_step_as(engine, ADMIN, rid, "approve", seen_state="forwarded",
                                  seen_new_date=date(2020, 8, 31), seen_version=2)
    assert db.dump(engine) == before
    actions.extension_step_as(engine, ADMIN, rid, "reject", seen_state="forwarded", seen_new_date=date(2020, 8, 31),
                              seen_version=2, text="计划已调整，无需延期")  # the open request can still be closed


def test_a_done_milestone_takes_no_extension(engine):
    mid, rid = forwarded(engine)
    actions.edit_milestones_as(engine, INSPECTOR, [{"milestone_id": mid, "status": "done",
                                                    "completed_on": date(2020, 7, 15)}])
    before = db.dump(engine)
    with pytest.raises(db.MilestoneError, match="已完成，不能再延期"):  # 逾期完成 stays 逾期完成
        actions.extension_step_as(engine, ADMIN, rid, "approve", seen_state="forwarded",
                                  seen_new_date=date(2020, 8, 31), seen_version=2)
    assert db.dump(engine) == before


def test_a_request_names_the_due_date_it_saw(engine):
    m = milestone(engine, "二（一）1", "完成2020年上半年工作计划")
    mid = int(m["milestone_id"])
    actions.edit_milestones_as(engine, INSPECTOR, [{"milestone_id": mid, "due_date": date(2020, 7, 31)}])
    before = db.dump(engine)
    with pytest.raises(db.ConcurrentEditError, match="已由 2020-06-30 变更为 2020-07-31"):
        actions.request_extension_as(engine, EDITOR, mid, new_date=date(2020, 9, 30), reason="理由",
                                     seen_due_date=date(2020, 6, 30))
    assert db.dump(engine) == before


# ------------------------------------------------------------------ bounds and texts

@pytest.mark.parametrize("change, message", [
    ({"due_date": date(2300, 1, 1)}, "截止日期 2300-01-01 超出范围"),
    ({"due_date": date(1900, 1, 1)}, "超出范围"),
    ({"status": "done", "completed_on": date(2999, 1, 1)}, "完成日期 2999-01-01 超出范围"),
    ({"title": "节" * 201}, "节点名称过长（201 字）"),
    ({"title": "\x0b\x07 "}, "节点名称不能为空"),
    ({"evidence": "证" * 4001}, "佐证材料过长"),
])
def test_bad_dates_and_texts_are_refused_and_nothing_written(engine, change, message):
    mid = int(milestone(engine, "二（一）1", "完成2020年上半年工作计划")["milestone_id"])
    before = db.dump(engine)
    with pytest.raises(db.MilestoneError, match=message):
        actions.edit_milestones_as(engine, ADMIN, [{"milestone_id": mid, **change}])
    assert db.dump(engine) == before


@pytest.mark.parametrize("new_date, message", [(date(9999, 12, 31), "9999-12-31 超出范围"),
                                               (date(2020, 6, 1), "须晚于")])
def test_an_extension_date_is_bounded(engine, new_date, message):
    mid = int(milestone(engine, "二（一）1", "完成2020年上半年工作计划")["milestone_id"])
    before = db.dump(engine)
    with pytest.raises(ValueError, match=message):
        actions.request_extension_as(engine, EDITOR, mid, new_date=new_date, reason="理由",
                                     seen_due_date=date(2020, 6, 30))
    assert db.dump(engine) == before


@pytest.mark.parametrize("write", ["chase", "reason", "opinion"])
def test_huge_texts_are_refused(engine, write):
    m = milestone(engine, "二（一）1", "完成2020年上半年工作计划")
    mid, huge = int(m["milestone_id"]), "长" * 3_500_000
    if write == "opinion":
        rid = actions.request_extension_as(engine, EDITOR, mid, new_date=date(2020, 8, 31), reason="理由",
                                           seen_due_date=date(2020, 6, 30))
    before = db.dump(engine)
    with pytest.raises(db.MilestoneError, match="过长（3500000 字）"):
        if write == "chase":
            actions.chase_as(engine, INSPECTOR, mid, "科工信局", huge)
        elif write == "reason":
            actions.request_extension_as(engine, EDITOR, mid, new_date=date(2020, 8, 31), reason=huge,
                                         seen_due_date=date(2020, 6, 30))
        else:
            actions.extension_step_as(engine, INSPECTOR, rid, "forward", seen_state="requested",
                                      seen_new_date=date(2020, 8, 31), seen_version=1, text=huge)
    assert db.dump(engine) == before


def test_control_characters_are_cleaned_and_the_bulletin_builds(db_path, tmp_path, monkeypatch, capsys):
    """Word's manual line break \\x0b in a title, CR/LF in one-line fields: stored cleaned, so python-docx can write
    the 督查通报 (it refuses strings that are not XML compatible)."""
    eng = db.make_engine(f"sqlite:///{db_path}")
    m = milestone(eng, "二（一）1", "完成2020年上半年工作计划")
    mid = int(m["milestone_id"])
    actions.edit_milestones_as(eng, INSPECTOR, [{"milestone_id": mid, "title": "验收\x0b报告\x07",
                                                 "evidence": "第一行\r\n第二行\x0b第三行\x1b"}])
    actions.chase_as(eng, INSPECTOR, mid, "科工信局", "请\r\n尽快\x0b办理\x00")
    rid = actions.request_extension_as(eng, EDITOR, mid, new_date=date(2020, 8, 31), reason="原因\x0b一\r\n原因二",
                                       seen_due_date=date(2020, 6, 30))
    stored = db.read_milestones(eng).set_index("milestone_id").loc[mid]
    assert (stored["title"], stored["evidence"]) == ("验收 报告", "第一行\n第二行\n第三行")
    assert db.read_chases(eng).iloc[-1]["message"] == "请 尽快 办理"
    assert db.read_extensions(eng).set_index("request_id").loc[rid, "reason"] == "原因\n一\n原因二"
    eng.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    assert cli.main(["bulletin", "--as-of", "2020-09-30", "-o", str(tmp_path / "b.docx")]) == 0, \
        capsys.readouterr().err


def test_a_sibling_title_is_a_chinese_refusal_not_a_database_error(store_url):
    """Renaming a milestone to the title of another milestone of its task: the unique constraint's refusal is a
    sentence naming the milestone (PostgreSQL and SQLite)."""
    eng = db.make_engine(store_url)
    first, second = milestone(eng, "二（二）1", "完成2020年上半年工作计划"), milestone(eng, "二（二）1")
    before = db.dump(eng)
    with pytest.raises(db.MilestoneError, match="节点名称不能重复"):
        actions.edit_milestones_as(eng, ADMIN, [{"milestone_id": int(second["milestone_id"]),
                                                 "title": first["title"]}])
    assert db.dump(eng) == before
    eng.dispose()


@pytest.mark.parametrize("title, refusal", [("完成2020年全年工作任务并形成总结", "节点名称不能重复"),
                                            ("节" * 201, "节点名称过长")])
def test_the_milestone_grid_shows_a_refusal_as_a_sentence(app_db, title, refusal):
    """On the page: a title of a sibling milestone or one too long for its column (PostgreSQL's DataError) is a
    Chinese sentence, never a traceback with SQL and parameters; nothing is written."""
    from tests.test_pages_supervision import open_departments, refusals
    at = open_departments(ADMIN)
    grid = at.data_editor(key="milestone_editor").value
    row = int(grid.index[(grid["clause"] == "二（一）1") & (grid["title"] == "完成2020年上半年工作计划")][0])
    eng = db.make_engine(f"sqlite:///{app_db}")
    before = db.dump(eng)
    at.session_state["milestone_editor"] = {"edited_rows": {row: {"title": title}}, "added_rows": [],
                                            "deleted_rows": []}
    at.run()
    at.button(key="save_milestones").click().run()
    assert not at.exception and any(refusal in e for e in refusals(at)), [e.value for e in at.error]
    assert db.dump(eng) == before
    eng.dispose()
