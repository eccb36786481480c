"""Meeting snapshots: frozen statuses, audited, compared with the status now in the deck, the CLI and the pages."""
from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

import cli
import db
from access import guard
from deck import build_deck, plan_deck
from deck.data import deck_data
from store import catalogue
from tests.accounts import PASSWORD, admin, editor, store_account, viewer
from tests.helpers import shown_frames
from views.policy import changes_since, last_snapshot, load_frames, policy_status

APP = str(Path(__file__).resolve().parent.parent / "app.py")
REGION = "长垣市"


def policy(engine) -> str:
    return str(db.read_policies(engine)["code"].iloc[0])


def status_now(engine, as_of: int = 2020):
    return policy_status(load_frames(engine), catalogue.load_settings(), policy(engine), REGION, as_of)


def snap(engine, name: str = "2020年第四季度会议", as_of: int = 2020, when: date = date(2020, 12, 20)) -> int:
    return db.save_snapshot(engine, status_now(engine, as_of), name=name, meeting_date=when, policy=policy(engine),
                            region=REGION, as_of_year=as_of, who="测试")


def raise_hte_count(engine, value: float = 120) -> None:
    db.save_observations(engine, [{"region": REGION, "indicator": "hte_count", "year": 2020, "quarter": 0,
                                   "value": value, "source": "测试", "is_sample": True}], who="测试", reason="测试")


def test_snapshot_freezes_the_status_frame_and_is_audited(engine):
    status = status_now(engine)
    snap_id = snap(engine)
    rows = db.read_snapshot(engine, snap_id)
    assert list(rows["code"]) == list(status["code"])
    assert list(rows["status"]) == list(status["status"])
    assert rows["actual"].tolist() == pytest.approx(status["actual"].tolist(), nan_ok=True)
    assert (rows["region"] == REGION).all()
    listed = db.read_snapshots(engine, policy(engine), REGION)
    assert listed[["id", "name", "as_of_year", "targets"]].values.tolist() == [
        [snap_id, "2020年第四季度会议", 2020, len(status)]]
    audit = db.read_audit(engine, entity="snapshot")
    assert len(audit) == 1 and audit.iloc[0]["who"] == "测试"
    assert audit.iloc[0]["new"]["targets"] == len(status)


def test_duplicate_or_blank_name_is_refused_and_changes_nothing(engine):
    snap(engine)
    before = db.dump(engine)
    with pytest.raises(ValueError, match="已存在"):
        snap(engine)
    with pytest.raises(ValueError, match="会议名称"):
        snap(engine, name="  ")
    assert db.dump(engine) == before


def test_a_changed_value_shows_in_the_changes_since_the_snapshot(engine):
    snap_id = snap(engine)
    before = status_now(engine).set_index("code")
    raise_hte_count(engine, 120)
    after = status_now(engine)
    changes = changes_since(db.read_snapshot(engine, snap_id), after).set_index("code")
    row = changes.loc["G02"]
    assert row["actual_before"] == before.loc["G02", "actual"] and row["actual_after"] == 120
    assert row["status_after"] == "met" and before.loc["G02", "status"] != "met"
    assert row["direction"] == "up"
    unchanged = [c for c in changes.index if c not in set(after.loc[after["indicator"] == "hte_count", "code"])]
    assert (changes.loc[unchanged, "direction"] == "same").all()


def test_values_added_since_the_snapshot(tmp_path):
    """Published values only: the county's R&D intensity has none, so its targets gain a value; the high-tech
    firms already had one (the published 2018 count, 66), so theirs is a changed value, not an added one."""
    eng = db.make_engine(f"sqlite:///{tmp_path / 'real.sqlite'}")
    db.init_db(eng, with_sample=False)
    snap_id = snap(eng)
    db.save_observations(eng, [{"region": REGION, "indicator": "rd_intensity", "year": 2020, "quarter": 0,
                                "value": 3.5, "source": "测试出处", "is_sample": False}], who="测试")
    raise_hte_count(eng, 90)
    changes = changes_since(db.read_snapshot(eng, snap_id), status_now(eng)).set_index("code")
    added = set(changes.index[changes["value_added"]])
    rd_targets = set(status_now(eng).query("indicator == 'rd_intensity' and kind != 'relative'")["code"])
    assert rd_targets and rd_targets <= added and "G02" not in added
    eng.dispose()


def test_last_snapshot_is_the_latest_meeting(engine):
    snap(engine, "一季度会议", when=date(2020, 3, 30))
    snap(engine, "四季度会议", when=date(2020, 12, 20))
    snap(engine, "二季度会议", when=date(2020, 6, 30))
    meta, rows = last_snapshot(engine, policy(engine), REGION)
    assert meta["name"] == "四季度会议" and len(rows) == len(status_now(engine))
    assert last_snapshot(engine, policy(engine), REGION, before=date(2020, 6, 30))[0]["name"] == "一季度会议"
    assert last_snapshot(engine, policy(engine), "新乡市") is None


def test_the_next_deck_shows_what_changed_since_the_meeting(engine):
    snap(engine)
    raise_hte_count(engine, 120)
    data = deck_data(load_frames(engine), catalogue.load_settings(), policy=policy(engine), region=REGION,
                     as_of_year=2020, snapshot=last_snapshot(engine, policy(engine), REGION))
    plan = plan_deck(data)
    changes = [s for s in plan if s.kind == "changes"]
    assert changes and changes[0].title.startswith("自上次会议以来的变化")
    prs = Presentation(io.BytesIO(build_deck(data)))
    slide = prs.slides[[s.kind for s in plan].index("changes")]
    table = next(s.table for s in slide.shapes if s.has_table)
    codes = [table.cell(i, 0).text for i in range(1, len(table.rows))]
    assert "G02" in codes
    assert "状态上升" in slide.notes_slide.notes_text_frame.text and "G02" in slide.notes_slide.notes_text_frame.text


def test_cli_snapshot_list_and_deck(db_path, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    store_account(db.make_engine(f"sqlite:///{db_path}"), admin("管理员"))
    assert cli.main(["snapshot", "--meeting", "四季度会议", "--as-of", "2020", "--date", "2020-12-20",
                     "--as", "管理员"]) == 0
    assert "已保存会议快照" in capsys.readouterr().out
    assert cli.main(["snapshot", "--meeting", "四季度会议", "--as-of", "2020", "--as", "管理员"]) == 1
    assert "已存在" in capsys.readouterr().err
    assert cli.main(["snapshots", "--format", "csv"]) == 0
    assert "四季度会议,2020-12-20" in capsys.readouterr().out
    out = tmp_path / "deck.pptx"
    assert cli.main(["deck", "--as-of", "2020", "-o", str(out)]) == 0
    assert "对比“四季度会议”" in capsys.readouterr().out
    titles = [s.shapes.title.text for s in Presentation(str(out)).slides]
    assert any(t.startswith("自上次会议以来的变化") for t in titles)
    assert cli.main(["deck", "--as-of", "2020", "-o", str(out), "--since", "none"]) == 0
    assert not any(s.shapes.title.text.startswith("自上次会议") for s in Presentation(str(out)).slides)


def report_page(login: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    if login:
        at.sidebar.text_input(key="login_name").set_value(login)
        at.sidebar.text_input(key="login_password").set_value(PASSWORD)
        next(b for b in at.sidebar.button if b.label == "登录").click().run()
    at.switch_page("pages/report.py").run()
    assert not at.exception
    return at


def test_report_page_builds_a_deck_to_download(app_db):
    at = report_page()
    preview = at.dataframe[0].value
    assert preview["标题"].iloc[0].endswith("创新驱动提速增效工程推进情况") and preview["标题"].iloc[-1] == "数据说明"
    at.button(key="deck_build").click().run()
    assert not at.exception
    labels_shown = [b.label for b in at.get("download_button")]
    assert labels_shown.count("下载 PowerPoint") == 1
    assert "下载督查通报（.docx）" in labels_shown  # the bulletin sits on 汇报材料 too
    eng = db.make_engine(f"sqlite:///{app_db}")
    data = deck_data(load_frames(eng), catalogue.load_settings(), policy=policy(eng), region=REGION, as_of_year=2020)
    eng.dispose()
    assert list(preview["标题"]) == [s.title for s in plan_deck(data)]


def test_report_page_areas_shape_the_preview(app_db):
    at = report_page()
    at.multiselect(key="deck_areas").set_value(["企业"]).run()
    titles = list(at.dataframe[0].value["标题"])
    assert "企业：目标完成情况" in titles and "平台：目标完成情况" not in titles


def save_button(at: AppTest):
    return next(b for b in at.button if b.label == "保存为会议快照")


def test_report_page_saves_a_snapshot_and_overview_shows_changes(app_db):
    store_account(db.make_engine(f"sqlite:///{app_db}"), admin("管理员"))
    at = report_page(login="管理员")
    at.text_input(key="snapshot_name").input("四季度会议")
    save_button(at).click().run()
    assert not at.exception
    assert any("已保存会议快照" in s.value for s in at.success)
    assert db.read_audit(db.make_engine(f"sqlite:///{app_db}"), entity="snapshot").iloc[0]["who"] == "管理员"
    eng = db.make_engine(f"sqlite:///{app_db}")
    assert list(db.read_snapshots(eng)["name"]) == ["四季度会议"]
    raise_hte_count(eng, 120)
    eng.dispose()
    at.text_input(key="snapshot_name").input("四季度会议")
    save_button(at).click().run()
    assert any("已存在" in e.value for e in at.error)
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert any(c.value.startswith("与“四季度会议”相比：状态上升") for c in at.caption)
    moved = shown_frames(at)[-1]
    assert "G02" in set(moved["code"])


def test_meeting_dates_are_bounded_and_nothing_is_written(engine):
    before = db.dump(engine)
    with pytest.raises(ValueError, match="晚于今天"):
        snap(engine, "将来的会议", when=date(date.today().year + 1, 1, 1))
    with pytest.raises(ValueError, match="早于政策基期"):
        snap(engine, "很久以前的会议", when=date(2002, 1, 1))
    assert db.dump(engine) == before


def test_the_baseline_is_the_latest_meeting_on_or_before_today(engine):
    snap(engine, "四季度会议", when=date(2020, 12, 20))
    with engine.begin() as conn:  # a future-dated snapshot saved before dates were bounded
        conn.exec_driver_sql("UPDATE snapshot SET meeting_date = '2099-01-01' WHERE name = '四季度会议'")
    snap(engine, "二季度会议", when=date(2020, 6, 30))
    assert last_snapshot(engine, policy(engine), REGION)[0]["name"] == "二季度会议"


def test_admins_rename_and_delete_snapshots_audited(engine):
    snap_id = snap(engine, "四季度会议")
    before = db.dump(engine)
    for account in (editor("科工信局"), viewer(), None):
        with pytest.raises(PermissionError):
            guard.delete_snapshot_as(engine, account, snap_id)
        with pytest.raises(PermissionError):
            guard.rename_snapshot_as(engine, account, snap_id, "改名")
    assert db.dump(engine) == before
    guard.rename_snapshot_as(engine, admin("管理员"), snap_id, "2020年第四季度科技领导小组会议")
    assert list(db.read_snapshots(engine)["name"]) == ["2020年第四季度科技领导小组会议"]
    guard.delete_snapshot_as(engine, admin("管理员"), snap_id, reason="重复保存")
    assert db.read_snapshots(engine).empty and db.read_snapshot(engine, snap_id).empty
    log = db.read_audit(engine, entity="snapshot")
    assert list(log["action"][:2]) == ["delete", "update"] and log.iloc[0]["reason"] == "重复保存"


def test_report_page_admin_deletes_a_snapshot(app_db):
    eng = db.make_engine(f"sqlite:///{app_db}")
    snap(eng, "四季度会议")
    store_account(eng, admin("管理员"))
    at = report_page(login="管理员")
    at.button(key="snapshot_delete").click().run()
    assert not at.exception, at.exception
    assert db.read_snapshots(eng).empty
    assert any("已删除会议快照" in s.value for s in at.success)
    eng.dispose()


def test_report_page_needs_an_admin_login_to_save_a_snapshot(app_db):
    at = report_page()
    assert save_button(at).disabled


# ------------------------------------------------------------------ bounds and the database's refusals

@pytest.fixture(scope="module")
def pg_snapshots(pg_cluster):
    url = pg_cluster.create_database("snap")
    eng = db.make_engine(url)
    db.init_db(eng)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def either(request, engine):
    return engine if request.param == "sqlite" else request.getfixturevalue("pg_snapshots")


@pytest.mark.parametrize("as_of", [9999, 0, 1999])
def test_the_as_of_year_is_bounded(engine, as_of):
    before = db.dump(engine)
    with pytest.raises(ValueError, match="截至年份.*超出范围"):
        db.save_snapshot(engine, status_now(engine), name="会议", meeting_date=date(2020, 12, 20),
                         policy=policy(engine), region=REGION, as_of_year=as_of, who="测试")
    assert db.dump(engine) == before


@pytest.mark.parametrize("as_of", ["9999", "0"])
def test_cli_snapshot_as_of_out_of_range_answers_in_chinese(db_path, monkeypatch, capsys, as_of):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    store_account(db.make_engine(f"sqlite:///{db_path}"), admin("boss"))
    assert cli.main(["snapshot", "--meeting", "m", "--as-of", as_of, "--as", "boss"]) == 1
    err = capsys.readouterr().err
    assert "超出范围" in err and "out of range" not in err


def test_a_name_longer_than_its_column_is_a_chinese_refusal(either):
    """PostgreSQL would refuse 121 characters with a DataError: the store says it first (on SQLite too)."""
    before = db.dump(either)
    with pytest.raises(ValueError, match="会议名称过长（121 字）"):
        db.save_snapshot(either, status_now(either), name="会" * 121, meeting_date=date(2020, 12, 20),
                         policy=policy(either), region=REGION, as_of_year=2020, who="测试")
    sid = snap(either, name="长度测试会议")
    with pytest.raises(ValueError, match="会议名称过长"):
        db.rename_snapshot(either, sid, "会" * 121, who="测试")
    db.delete_snapshot(either, sid, who="测试")
    assert db.dump(either).count("长度测试会议") == 2  # the audit rows of the save and the delete, nothing else
    assert "会" * 121 not in db.dump(either) and before.count("长度测试会议") == 0


def test_two_saves_of_one_name_at_once_give_the_chinese_message(pg_snapshots):
    """Both check that the name is free, both insert: the unique constraint refuses the second, which is told
    in Chinese (it was an uncaught IntegrityError on PostgreSQL)."""
    status, code = status_now(pg_snapshots), policy(pg_snapshots)
    barrier = threading.Barrier(2, timeout=1)
    outcomes: list[object] = [None, None]

    def save(i: int) -> None:
        eng = db.make_engine(str(pg_snapshots.url.render_as_string(hide_password=False)))
        paused = []

        def pause(conn, cursor, statement, *args):
            if not paused and statement.lstrip().upper().startswith("SELECT") and "FROM snapshot" in statement:
                paused.append(True)
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass

        event.listen(eng, "after_cursor_execute", pause)
        try:
            db.save_snapshot(eng, status, name="同名会议", meeting_date=date(2020, 12, 20), policy=code, region=REGION,
                             as_of_year=2020, who=f"管理员{i}")
            outcomes[i] = "saved"
        except ValueError as exc:
            outcomes[i] = exc
        finally:
            eng.dispose()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("saved") == 1, outcomes
    assert "会议快照“同名会议”已存在" in str(next(o for o in outcomes if o != "saved"))
    assert list(db.read_snapshots(pg_snapshots)["name"]).count("同名会议") == 1


def test_report_page_snapshot_of_a_past_meeting_uses_the_figures_known_on_its_day(app_db):
    """新乡市's 2020 R&D intensity was first 2.22 % (2021-10-09), revised to 2.25 % (2022-09-07): a snapshot saved
    on the page for a meeting of 2022-01-15 freezes the first figure, as `cli.py snapshot --date` does."""
    eng = db.make_engine(f"sqlite:///{app_db}")
    store_account(eng, admin("管理员"))
    at = report_page(login="管理员")
    at.sidebar.selectbox(key="region").set_value("新乡市").run()
    at.text_input(key="snapshot_name").input("2022年一季度会议")
    at.date_input(key="snapshot_date").set_value(date(2022, 1, 15))
    save_button(at).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("按2022\\-01\\-15已发布的数据" in s.value for s in at.success), [s.value for s in at.success]
    snaps = db.read_snapshots(eng, region="新乡市")
    frozen = db.read_snapshot(eng, int(snaps["id"].iloc[0])).set_index("code")
    assert frozen.loc["G01", "actual"] == 2.22
    assert db.read_observations(eng, ["新乡市"], ["rd_intensity"]).query("year == 2020")["value"].tolist() == [2.25]
    eng.dispose()
