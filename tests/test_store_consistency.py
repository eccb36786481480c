"""Nothing lost, nothing quietly changed: atomic compare-and-set (SQLite and PostgreSQL), versions that never
repeat, reverts that are safe to use, batch reverts, the data version counter, app start without sample data."""
from __future__ import annotations

import json
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import event

import db
from tests.test_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL cluster)

REGION, IND = "长垣市", "hte_count"


def _row(value, year=2020, **kw):
    return {"region": REGION, "indicator": IND, "year": year, "quarter": 0, "value": value,
            "source": "科工信局统计", "is_sample": False, **kw}


def _value(engine, year=2020):
    obs = db.read_observations(engine, [REGION], [IND]).set_index("year")
    return None if year not in obs.index else (float(obs.loc[year, "value"]), int(obs.loc[year, "version"]))


@pytest.fixture(scope="module")
def pg_store(pg_url):  # noqa: F811
    eng = db.make_engine(pg_url)
    db.init_db(eng)
    yield pg_url
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, db_path):
    """A database URL on both back ends (PostgreSQL: one cluster per module, each test uses its own year)."""
    if request.param == "sqlite":
        return f"sqlite:///{db_path}"
    return request.getfixturevalue("pg_store")


def _save_concurrently(url: str, rows_a: list[dict], rows_b: list[dict]) -> list[object]:
    """Two engines (two connections, as two server processes would have) save at the same moment: each pauses
    after reading the stored values until the other has read them too (or, when the store makes the second wait
    for the first, until the pause times out). Returns each save's outcome: "saved" or the exception."""
    barrier = threading.Barrier(2, timeout=2)
    outcomes: list[object] = [None, None]

    def run(i: int, rows: list[dict]) -> None:
        eng = db.make_engine(url)
        paused = []

        def pause_after_reading(conn, cursor, statement, *args):
            if not paused and statement.lstrip().upper().startswith("SELECT") and "FROM observation" in statement:
                paused.append(True)
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass

        event.listen(eng, "after_cursor_execute", pause_after_reading)
        try:
            db.save_observations(eng, rows, who=f"用户{i}")
            outcomes[i] = "saved"
        except Exception as exc:  # noqa: BLE001 — the test asserts on the exact type below
            outcomes[i] = exc
        finally:
            eng.dispose()

    threads = [threading.Thread(target=run, args=(0, rows_a)), threading.Thread(target=run, args=(1, rows_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_concurrent_saves_of_one_value_leave_one_saved_and_one_told(store_url):
    eng = db.make_engine(store_url)
    year = 2017 if store_url.startswith("sqlite") else 2016
    value, seen = _value(eng, year)
    outcomes = _save_concurrently(store_url, [_row(value + 1, year, expected_version=seen)],
                                  [_row(value + 2, year, expected_version=seen)])
    assert sorted(map(type, outcomes), key=str) == sorted([str, db.ConcurrentEditError], key=str), outcomes
    winner = outcomes.index("saved")
    assert _value(eng, year) == (value + 1 + winner, seen + 1)
    told = outcomes[1 - winner]
    assert "请刷新" in str(told)
    updates = db.read_audit(eng, entity="observation", key_contains=f"{REGION}/{IND}/{year}")
    assert (updates["who"] == f"用户{1 - winner}").sum() == 0
    eng.dispose()


def test_two_concurrent_creates_of_one_key_give_the_friendly_message(store_url):
    eng = db.make_engine(store_url)
    year = 2030 if store_url.startswith("sqlite") else 2031
    assert _value(eng, year) is None
    outcomes = _save_concurrently(store_url, [_row(100, year, expected_version=None)],
                                  [_row(200, year, expected_version=None)])
    assert outcomes.count("saved") == 1, outcomes
    told = next(o for o in outcomes if o != "saved")
    assert isinstance(told, db.ConcurrentEditError) and "请刷新" in str(told)
    winner = outcomes.index("saved")
    assert _value(eng, year) == (100.0 * (winner + 1), 1)
    eng.dispose()


def test_an_update_that_lost_its_row_version_is_refused_in_the_write(engine):
    """The version check is in the UPDATE itself: a row changed after it was read is not overwritten."""
    from sqlalchemy import select, update

    with pytest.raises(db.ConcurrentEditError):
        with db.session_scope(engine) as s:
            obs = s.scalar(select(db.Observation).where(db.Observation.year == 2020)
                           .join(db.Indicator).where(db.Indicator.code == IND).join(db.Region)
                           .where(db.Region.name == REGION))
            # another writer bumps the version behind this session's back (same transaction, Core statement)
            s.execute(update(db.Observation).where(db.Observation.id == obs.id)
                      .values(version=db.Observation.version + 1, value=140)
                      .execution_options(synchronize_session=False))
            obs.value, obs.version = 130, obs.version + 1
    assert _value(engine)[0] == 95


# ------------------------------------------------------------------ versions never repeat

def test_version_continues_after_delete_undo_and_recreate(engine):
    db.save_observations(engine, [_row(96)], who="甲")
    db.save_observations(engine, [_row(97)], who="甲")
    high = _value(engine)[1]
    db.delete_observation(engine, REGION, IND, 2020, 0, who="甲", reason="误填")
    delete_id = int(db.read_audit(engine, entity="observation").iloc[0]["id"])
    db.revert_change(engine, delete_id, who="管理员")
    restored = _value(engine)[1]
    assert restored > high
    db.delete_observation(engine, REGION, IND, 2020, 0, who="甲", reason="再删")
    db.save_observations(engine, [_row(98, expected_version=None)], who="乙")
    assert _value(engine) == (98, restored + 1)


def test_a_stale_grid_never_overwrites_a_reentered_value(engine):
    seen = _value(engine)[1]
    db.delete_observation(engine, REGION, IND, 2020, 0, who="甲", reason="误填")
    db.save_observations(engine, [_row(140, expected_version=None)], who="乙")
    before = db.dump(engine)
    with pytest.raises(db.ConcurrentEditError):
        db.save_observations(engine, [_row(130, expected_version=seen)], who="丙")
    assert db.dump(engine) == before


def test_tombstones_are_backfilled_from_the_log_of_an_older_database(tmp_path):
    """A database at revision 0002 (before tombstones) whose log shows a value created, changed and deleted: the
    upgrade keeps the key's highest version, so the value entered again continues above it."""
    eng = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        db.upgrade_schema(eng, "0002")
        key = f"{REGION}/{IND}/2020"
        history = [("create", None, {"value": 96, "version": 1}), ("update", {"value": 96, "version": 1},
                                                                    {"value": 97, "version": 2}),
                   ("delete", {"value": 97, "version": 2}, None)]
        with eng.begin() as conn:
            for action, old, new in history:
                conn.execute(sa.text("INSERT INTO audit_log (at, who, action, entity, entity_key, old, new, source, "
                                     "reason) VALUES (:at, '甲', :action, 'observation', :key, :old, :new, '', '')"),
                             {"at": "2020-07-01 00:00:00", "action": action, "key": key,
                              "old": None if old is None else json.dumps(old), "new": None if new is None else
                              json.dumps(new)})
        db.init_db(eng, with_sample=False)
        db.save_observations(eng, [_row(99, expected_version=None)], who="乙")
        assert _value(eng)[1] == 3
    finally:
        eng.dispose()


# ------------------------------------------------------------------ revert

def _top(engine, entity="observation"):
    return int(db.read_audit(engine, entity=entity).iloc[0]["id"])


def test_a_change_is_reverted_at_most_once(engine):
    db.save_observations(engine, [_row(None or 50, year=2030, expected_version=None)], who="甲")
    create = _top(engine)
    db.revert_change(engine, create, who="管理员")
    db.save_observations(engine, [_row(60, year=2030, expected_version=None)], who="乙")
    before = db.dump(engine)
    with pytest.raises(db.ConcurrentEditError, match="已被撤销过"):
        db.revert_change(engine, create, who="管理员")
    assert db.dump(engine) == before
    assert _value(engine, 2030)[0] == 60


def test_a_revert_can_itself_be_undone(engine):
    db.save_observations(engine, [_row(99)], who="甲")
    db.revert_change(engine, _top(engine), who="管理员")
    assert _value(engine)[0] == 95
    db.revert_change(engine, _top(engine), who="管理员", reason="撤销有误")
    assert _value(engine)[0] == 99
    top = db.read_audit(engine, entity="observation").iloc[0]
    assert top["action"] == "revert" and top["reason"] == "撤销有误"


def test_undoing_a_delete_whose_indicator_is_gone_says_so(engine):
    db.delete_observation(engine, REGION, IND, 2020, 0, who="甲", reason="误填")
    delete_id = _top(engine)
    with engine.begin() as conn:  # the catalogue no longer has the indicator (renamed code)
        conn.exec_driver_sql("UPDATE indicator SET code = 'hte_count_old' WHERE code = 'hte_count'")
    before = db.dump(engine)
    with pytest.raises(ValueError, match="已不在指标目录中"):
        db.revert_change(engine, delete_id, who="管理员")
    assert db.dump(engine) == before


def _add_progress(engine, text="完成立项", who="甲"):
    db.add_progress(engine, "CY2019-20", "二（五）3", status="in_progress", progress=text, evidence="文件",
                    reported_on=date(2020, 6, 30), reported_by="发改委", who=who)


def _progress_texts(engine):
    return db.read_progress(engine).query("clause == '二（五）3'")["progress"].tolist()


def test_a_progress_report_can_be_reverted_and_restored(engine):
    _add_progress(engine, "误报的进展")
    add = _top(engine, "task_progress")
    db.revert_change(engine, add, who="管理员", reason="报错了")
    assert "误报的进展" not in _progress_texts(engine)
    db.revert_change(engine, _top(engine, "task_progress"), who="管理员", reason="恢复")
    assert _progress_texts(engine).count("误报的进展") == 1
    with pytest.raises(db.ConcurrentEditError, match="已被撤销过"):
        db.revert_change(engine, add, who="管理员")


def test_an_import_is_reverted_as_one_action(engine):
    with db.session_scope(engine) as s:
        db.save_observations(engine, [_row(96), _row(50, year=2030, expected_version=None)], who="甲", session=s)
        _add_progress_in(engine, s)
    batch = db.read_batches(engine).iloc[0]
    assert batch["changes"] == 3 and not batch["reverted"]
    assert db.revert_batch(engine, batch["batch_id"], who="管理员") == 3
    assert _value(engine)[0] == 95 and _value(engine, 2030) is None
    assert "导入的进展" not in _progress_texts(engine)
    assert bool(db.read_batches(engine).set_index("batch_id").loc[batch["batch_id"], "reverted"])


def _add_progress_in(engine, s):
    db.add_progress(engine, "CY2019-20", "二（五）3", status="in_progress", progress="导入的进展",
                    evidence="", reported_on=date(2020, 6, 30), reported_by="发改委", who="甲", session=s)


def test_a_batch_revert_is_refused_whole_when_one_value_changed_since(engine):
    with db.session_scope(engine) as s:
        db.save_observations(engine, [_row(96), _row(50, year=2030, expected_version=None)], who="甲", session=s)
    batch = db.read_batches(engine).iloc[0]["batch_id"]
    db.save_observations(engine, [_row(51, year=2030)], who="乙")
    before = db.dump(engine)
    with pytest.raises(db.ConcurrentEditError):
        db.revert_batch(engine, batch, who="管理员")
    assert db.dump(engine) == before


# ------------------------------------------------------------------ data version

def test_every_write_transaction_bumps_the_data_version_once(engine):
    v = db.data_version(engine)
    db.save_observations(engine, [_row(96), _row(50, year=2030)], who="甲")
    assert db.data_version(engine) == v + 1
    _add_progress(engine)
    assert db.data_version(engine) == v + 2


def test_a_refused_write_leaves_the_data_version(engine):
    v = db.data_version(engine)
    with pytest.raises(db.ConcurrentEditError):
        db.save_observations(engine, [_row(96, expected_version=999)], who="甲")
    assert db.data_version(engine) == v


def test_the_data_version_is_a_counter_not_the_newest_audit_id(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE data_version SET version = 5")
    db.save_observations(engine, [_row(96)], who="甲")
    assert db.data_version(engine) == 6


# ------------------------------------------------------------------ app start

def test_an_app_start_leaves_a_no_sample_database_without_sample_rows(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import cli

    path = tmp_path / "nosample.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert cli.main(["init", "--no-sample"]) == 0
    eng = db.make_engine(f"sqlite:///{path}")
    before = db.dump(eng)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    st.cache_resource.clear()
    st.cache_data.clear()
    assert not at.exception
    assert not db.read_observations(eng)["is_sample"].any()
    assert db.read_progress(eng).empty
    assert db.dump(eng) == before


def test_sample_data_comes_only_into_an_empty_database_and_never_over_a_deletion(tmp_path):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    db.open_db(eng)
    obs = db.read_observations(eng)
    assert obs["is_sample"].any() and not db.read_progress(eng).empty
    sample = obs[obs["is_sample"]].iloc[0]
    db.delete_observation(eng, sample["region"], sample["indicator"], int(sample["year"]), int(sample["quarter"]),
                          who="管理员", reason="不要示例数据")
    before = db.dump(eng)
    db.open_db(eng)
    assert db.dump(eng) == before


# ------------------------------------------------------------------ clean output

@pytest.mark.parametrize("as_of", ["2016", "2020", "2020Q2", "2024"])
def test_cli_status_prints_no_numpy_warning_when_targets_have_no_data(tmp_path, monkeypatch, capsys, as_of):
    """A policy whose annual targets have no data yet (a --no-sample database; as-of years before, in and after
    the policy period): `cli.py status` runs with RuntimeWarning as an error."""
    import warnings

    import cli

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert cli.main(["init", "--no-sample"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert cli.main(["status", "--as-of", as_of]) == 0
    assert "Warning" not in capsys.readouterr().err


def test_status_of_annual_targets_without_any_data_is_clean():
    import warnings

    import pandas as pd

    from metrics.status import target_status
    from store import catalogue

    targets = pd.DataFrame([{"policy": "P", "code": "A01", "kind": "annual", "comparator": ">=", "value": 5.0,
                             "value_low": None, "value_high": None, "start_year": 2024, "due_year": 2026,
                             "tier": None, "benchmark": None, "indicator": "x", "indicator_name": "x", "unit": "家",
                             "area": "企业", "measure": "flow", "path": "linear", "frequency": "annual",
                             "decimals": 0, "stages": [], "base_year": 2023, "policy_start_year": 2024,
                             "policy_region": REGION, "headline": False, "lead_units": "", "clause": "一",
                             "task_clause": None, "interpreted": False, "note": None, "quote": "",
                             "responsible_units": ""}])
    obs = pd.DataFrame(columns=["region", "indicator", "year", "quarter", "value", "source", "is_sample"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = target_status(targets, obs, 2025, 0, settings=catalogue.load_settings())
    assert list(out["status"]) == ["no_data"]
