"""Alembic migrations: a populated database at the first revision upgrades to the latest without losing a row; the
models and the latest revision agree; a database made before migrations is adopted (or refused when it differs);
on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import cli
import db
from store import catalogue, migrations
from views import policy as views_policy


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    return request.getfixturevalue("pg_empty_url")


@pytest.fixture
def filled(engine):
    """The built-in database (observations, progress, audit) plus a user's edit, a progress report and a meeting
    snapshot."""
    db.save_observations(engine, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                   "value": 97, "source": "科工信局统计", "is_sample": False, "note": "年报"}],
                         who="甲", reason="更正")
    policy = views_policy.default_policy(views_policy.load_frames(engine))
    db.add_progress(engine, policy, db.read_tasks(engine)["clause"].iloc[0], status="done", progress="已完成",
                    evidence="文件", reported_on=date(2020, 12, 1), reported_by="乙", who="乙")
    frames = views_policy.load_frames(engine)
    status = views_policy.policy_status(frames, catalogue.load_settings(), policy, "长垣市", 2020)
    db.save_snapshot(engine, status, name="2020年第四季度会议", meeting_date=date(2020, 12, 20), policy=policy,
                     region="长垣市", as_of_year=2020, who="丙")
    return engine


def _baseline_tables() -> list[sa.Table]:
    """The first revision's tables with only its columns (so that this test keeps working when later revisions
    add columns: the data is written as the first revision knew it)."""
    columns = migrations.baseline_columns()
    md = sa.MetaData()
    return [sa.Table(t.name, md, *(sa.Column(c.name, c.type, primary_key=c.primary_key)
                                   for c in t.columns if c.name in columns[t.name]))
            for t in db.Base.metadata.sorted_tables if t.name in columns]


def _rows(engine, tables: list[sa.Table]) -> dict[str, list[tuple]]:
    """Every row; times as naive UTC (SQLite hands back the stored UTC time without its zone)."""
    def plain(v):
        return v.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v
    with engine.connect() as conn:
        return {t.name: [tuple(plain(v) for v in r) for r in conn.execute(
            sa.select(t).order_by(*t.primary_key.columns))] for t in tables}


def test_populated_first_revision_upgrades_to_head_without_loss(filled, empty_url):
    tables = _baseline_tables()
    source = _rows(filled, tables)
    assert all(source[name] for name in ["observation", "task_progress", "audit_log", "snapshot", "snapshot_row"])
    target = db.make_engine(empty_url)
    try:
        db.upgrade_schema(target, migrations.BASELINE)
        assert db.current_revisions(target) == {migrations.BASELINE}
        with target.begin() as conn:
            for t in tables:
                conn.execute(t.insert(), [dict(zip(t.columns.keys(), row)) for row in source[t.name]])
            if target.dialect.name == "postgresql":  # explicit ids leave the id sequences behind
                for t in tables:
                    if "id" in t.c:
                        conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                                             f"(SELECT coalesce(max(id), 0) + 1 FROM {t.name}), false)")
        db.upgrade_schema(target)
        assert db.current_revisions(target) == db.head_revisions()
        assert _rows(target, tables) == source
        db.save_observations(target, [{"region": "长垣市", "indicator": "hte_count", "year": 2021, "quarter": 0,
                                       "value": 99, "source": "科工信局统计", "is_sample": False}], who="丁")
        assert db.read_audit(target).iloc[0]["who"] == "丁"
    finally:
        target.dispose()


def test_models_agree_with_the_latest_revision(empty_url):
    eng = db.make_engine(empty_url)
    try:
        db.upgrade_schema(eng)
        with eng.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.Base.metadata)
    finally:
        eng.dispose()
    assert diff == []


def test_a_pre_migration_database_is_stamped_and_keeps_its_data(filled, tmp_path):
    """A database made by create_all before migrations existed (the first revision's tables, no alembic_version)
    is stamped at the first revision and upgraded to head with its rows."""
    tables = _baseline_tables()
    source = _rows(filled, tables)
    old = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        db.upgrade_schema(old, migrations.BASELINE)
        with old.begin() as conn:
            for t in tables:
                conn.execute(t.insert(), [dict(zip(t.columns.keys(), row)) for row in source[t.name]])
            conn.exec_driver_sql("DROP TABLE alembic_version")
        assert db.current_revisions(old) == set()
        db.init_db(old, with_sample=False)
        assert db.current_revisions(old) == db.head_revisions()
        assert _rows(old, tables) == source
    finally:
        old.dispose()


def test_a_pre_migration_database_that_differs_is_refused_unchanged(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql("ALTER TABLE target DROP COLUMN interpreted")
    before = _raw_dump(engine)
    with pytest.raises(db.SchemaMismatchError, match="表 target 缺少列 interpreted"):
        db.create_schema(engine)
    assert _raw_dump(engine) == before


def _raw_dump(engine) -> dict[str, list[tuple]]:
    """Every table as stored (db.dump reads through the models, which this database no longer matches)."""
    with engine.connect() as conn:
        return {name: conn.exec_driver_sql(f"SELECT * FROM {name} ORDER BY 1").fetchall()
                for name in sa.inspect(conn).get_table_names()}


def test_a_new_database_is_created_at_head(tmp_path):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    try:
        db.create_schema(eng)
        assert db.current_revisions(eng) == db.head_revisions()
        with eng.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) == {*db.Base.metadata.tables, "alembic_version"}
    finally:
        eng.dispose()


def test_cli_db_current_upgrade_history(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    assert cli.main(["db", "current"]) == 0
    assert "请运行 python cli.py db upgrade" in capsys.readouterr().out
    assert cli.main(["db", "upgrade"]) == 0
    assert f"升级到 {'、'.join(sorted(db.head_revisions()))}" in capsys.readouterr().out
    assert cli.main(["db", "current"]) == 0
    assert "（最新）" in capsys.readouterr().out
    assert cli.main(["db", "history"]) == 0
    assert migrations.BASELINE in capsys.readouterr().out
    assert cli.main(["db", "revision"]) == 1
    assert "--message" in capsys.readouterr().err


def test_revisions_form_one_line_from_the_baseline():
    """Every revision says what it changes; two branches that each added a revision need a merge revision."""
    history = db.migration_history()
    assert history[-1]["revision"] == migrations.BASELINE
    assert all(h["message"] for h in history)
    assert len(db.head_revisions()) == 1
