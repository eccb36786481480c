"""Vintages and the database's life (issue 21): a populated database of the schema before vintages upgrades with
every value, version and audit row intact and every value 未注明, on SQLite and PostgreSQL; a backup restored keeps
the vintages; concurrent saves of vintages are compare-and-set like any value."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

import db
from alembic import command
from bench.database import catalogue_only
from store import migrations
from tests.test_store_consistency import _save_concurrently


def _before_vintages() -> str:
    """The revision just before the one that adds observation_vintage (the schema of a database made before
    vintages existed), found by the table it creates, so that a re-chained revision id keeps this test right."""
    script = ScriptDirectory.from_config(migrations.alembic_config())
    creates = re.compile(r"create_table\(\s*['\"]observation_vintage['\"]")
    (vintages,) = [r for r in script.walk_revisions() if creates.search(Path(r.path).read_text(encoding="utf-8"))]
    return str(vintages.down_revision)


BEFORE_VINTAGES = _before_vintages()  # the schema before vintages (0007 when this was written)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    return request.getfixturevalue("pg_empty_url")


def _tables_at(revision: str) -> list[sa.Table]:
    """The tables of a revision with only its columns (built in an in-memory SQLite database), in foreign-key
    order, so that rows are written as that schema knew them."""
    eng = sa.create_engine("sqlite://")
    try:
        with eng.begin() as conn:
            command.upgrade(migrations.alembic_config(connection=conn), revision)
            insp = sa.inspect(conn)
            columns = {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}
    finally:
        eng.dispose()
    md = sa.MetaData()
    return [sa.Table(t.name, md, *(sa.Column(c.name, c.type, primary_key=c.primary_key)
                                   for c in t.columns if c.name in columns[t.name]))
            for t in db.Base.metadata.sorted_tables if t.name in columns]


def _rows(engine, tables: list[sa.Table]) -> dict[str, list[tuple]]:
    def plain(v):
        return v.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v
    with engine.connect() as conn:
        return {t.name: [tuple(plain(v) for v in r) for r in conn.execute(
            sa.select(t).order_by(*t.primary_key.columns))] for t in tables}


def test_a_populated_database_of_todays_schema_upgrades_with_every_value_unstated(engine, empty_url):
    db.save_observations(engine, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                   "value": 97, "source": "科工信局统计", "is_sample": False}], who="甲", reason="更正")
    db.delete_observation(engine, "长垣市", "hte_count", 2019, 0, who="乙", reason="录错")
    tables = _tables_at(BEFORE_VINTAGES)
    source = _rows(engine, tables)
    assert all(source[name] for name in ["observation", "observation_tombstone", "audit_log", "data_version"])
    target = db.make_engine(empty_url)
    try:
        db.upgrade_schema(target, BEFORE_VINTAGES)
        with target.begin() as conn:
            for t in tables:
                if source[t.name]:
                    conn.execute(t.insert(), [dict(zip(t.columns.keys(), row)) for row in source[t.name]])
            if target.dialect.name == "postgresql":  # explicit ids leave the id sequences behind
                for t in tables:
                    if "id" in t.c and isinstance(t.c.id.type, sa.Integer):
                        conn.exec_driver_sql(f"""SELECT setval(pg_get_serial_sequence('"{t.name}"', 'id'), """
                                             f"""(SELECT coalesce(max(id), 0) + 1 FROM "{t.name}"), false)""")
        db.upgrade_schema(target)
        assert db.current_revisions(target) == db.head_revisions()
        assert _rows(target, tables) == source  # every value, version, tombstone and audit row as it was
        obs = db.read_observations(target)
        assert len(obs) == len(source["observation"])
        assert set(obs["data_status"]) == {"unstated"} and obs["released_on"].isna().all()
        assert db.read_vintages(target)["is_current"].all()
        before = db.read_observations(target, regions=["长垣市"], indicators=["hte_count"]).set_index("year")
        db.save_observations(target, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                       "value": 98, "source": "2020年统计公报", "is_sample": False,
                                       "data_status": "preliminary", "released_on": date(2021, 6, 16),
                                       "expected_version": int(before.loc[2020, "version"])}], who="丙")
        v = db.read_vintages(target, "长垣市", "hte_count").query("year == 2020")
        assert list(zip(v["value"], v["data_status"])) == [(97, "unstated"), (98, "preliminary")]
        assert db.read_audit(target).iloc[0]["action"] == "vintage"
    finally:
        target.dispose()


def test_a_restored_backup_keeps_the_vintages(engine, db_path, tmp_path):
    rows = [{"region": "新乡市", "indicator": "rd_expenditure", "year": 2019, "quarter": 0, "value": value,
             "source": "测试出处", "is_sample": False, "data_status": status, "released_on": released}
            for value, status, released in ((70.1, "preliminary", date(2020, 9, 30)),
                                            (70.4, "verified", date(2021, 9, 30)))]
    db.save_observations(engine, rows, who="甲")
    kept = db.read_vintages(engine, "新乡市", "rd_expenditure")
    assert list(kept.query("year == 2019")["value"]) == [70.1, 70.4]
    backup_file = tmp_path / "backup.sqlite"
    db.backup(f"sqlite:///{db_path}", backup_file)
    db.delete_observation(engine, "新乡市", "rd_expenditure", 2019, 0, who="乙", reason="误删")
    assert db.read_vintages(engine, "新乡市", "rd_expenditure").query("year == 2019").empty
    engine.dispose()
    db.restore(f"sqlite:///{db_path}", backup_file, who="管理员")
    restored = db.make_engine(f"sqlite:///{db_path}")
    try:
        assert db.read_vintages(restored, "新乡市", "rd_expenditure").equals(kept)
    finally:
        restored.dispose()


@pytest.fixture
def catalogue_url(empty_url):
    catalogue_only(empty_url)
    return empty_url


def test_two_concurrent_revisions_of_one_value_leave_one_saved_and_one_told(catalogue_url):
    """Compare-and-set as for any value: two later vintages saved at once against the same first release."""
    eng = db.make_engine(catalogue_url)
    first = _henan(1.86, "preliminary", date(2023, 9, 18))
    db.save_observations(eng, [first], who="甲")
    outcomes = _save_concurrently(catalogue_url,
                                  [{**_henan(1.90, "verified", date(2024, 1, 5)), "expected_version": 1}],
                                  [{**_henan(1.96, "revised", date(2024, 10, 10)), "expected_version": 1}])
    assert sorted(map(type, outcomes), key=str) == sorted([str, db.ConcurrentEditError], key=str), outcomes
    winner = [1.90, 1.96][outcomes.index("saved")]
    v = db.read_vintages(eng, "河南省", "rd_intensity")
    assert list(zip(v["value"], v["is_current"])) == [(1.86, False), (winner, True)]
    eng.dispose()


def test_two_concurrent_saves_of_one_earlier_vintage_keep_it_once(catalogue_url):
    """SQLite: the second writer waits and finds the first one's row (unchanged); PostgreSQL: the unique key of a
    vintage refuses the second insert with the friendly message. Either way the first release is kept once."""
    eng = db.make_engine(catalogue_url)
    db.save_observations(eng, [_henan(1.96, "revised", date(2024, 10, 10))], who="甲")
    first = _henan(1.86, "preliminary", date(2023, 9, 18))
    outcomes = _save_concurrently(catalogue_url, [first], [first])
    if eng.dialect.name == "sqlite":
        assert outcomes == ["saved", "saved"]
    else:
        assert sorted(map(type, outcomes), key=str) == sorted([str, db.ConcurrentEditError], key=str), outcomes
    v = db.read_vintages(eng, "河南省", "rd_intensity")
    assert list(zip(v["value"], v["is_current"])) == [(1.86, False), (1.96, True)]
    eng.dispose()


def _henan(value: float, status: str, released: date) -> dict:
    return {"region": "河南省", "indicator": "rd_intensity", "year": 2022, "quarter": 0, "value": value,
            "source": f"{status} {released}", "is_sample": False, "data_status": status, "released_on": released}
