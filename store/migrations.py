"""Alembic wiring: bring any database to the latest revision (`alembic/versions/`), adopt a database made before
migrations existed, and report the current revision and the history. Configured here, without an alembic.ini."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine

from alembic import command
from store.engine import ROOT

SCRIPT_LOCATION = ROOT / "alembic"
BASELINE = "0001"  # the first revision: the schema of the databases made before migrations
VERSION_TABLE = "alembic_version"
_PG_MIGRATION_LOCK = 20_191_120  # pg_advisory_xact_lock key: one process migrates, the others wait


class SchemaMismatchError(RuntimeError):
    """A database made before migrations whose tables differ from the first revision: it cannot be adopted."""


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config for alembic/ (env.py reads the URL or connection from its attributes, else DATABASE_URL)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("path_separator", "os")
    if url:
        cfg.attributes["url"] = url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> set[str]:
    """The latest revision(s) in alembic/versions (more than one only while two branches await a merge revision)."""
    return set(_scripts().get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The revision(s) the database is at (empty for a new or a pre-migration database)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def history() -> list[dict[str, str]]:
    """Every revision, newest first: id, the revision it follows, and its first docstring line."""
    return [{"revision": s.revision, "down_revision": ", ".join(s._normalized_down_revisions) or "",
             "message": " ".join((s.doc or "").split("\n\n")[0].split())}
            for s in _scripts().walk_revisions()]


def new_revision(message: str, url: str | None = None) -> None:
    """Write a new revision file with the difference between the models and the database (at the latest
    revision); review it before committing."""
    command.revision(alembic_config(url), message, autogenerate=True)


def is_current(engine: Engine) -> bool:
    """True when the database is at the latest revision (a cheap check before every start)."""
    return current_revisions(engine) == head_revisions()


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate the database to `revision` (default: the latest). A database without alembic_version but with
    tables is first stamped at the baseline when its tables and columns are those of the baseline."""
    with _migration_connection(engine) as conn:
        insp = inspect(conn)
        tables = set(insp.get_table_names()) - {VERSION_TABLE}
        if tables and not insp.has_table(VERSION_TABLE):
            _check_adoptable(conn)
            command.stamp(alembic_config(connection=conn), BASELINE)
        command.upgrade(alembic_config(connection=conn), revision)


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole migration. PostgreSQL: an advisory lock, so that app processes starting
    together migrate one after the other. SQLite: foreign keys off while batch mode copies tables, checked after."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
            conn.commit()
            try:
                with conn.begin():
                    yield conn
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
            finally:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
        return
    with engine.connect() as conn:
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            yield conn


def known_revisions() -> set[str]:
    """Every revision in alembic/versions (each at or below the head)."""
    return {s.revision for s in _scripts().walk_revisions()}


def baseline_columns() -> dict[str, frozenset[str]]:
    """Table → column names of the first revision."""
    return columns_at(BASELINE)


@lru_cache(maxsize=8)
def columns_at(revision: str) -> dict[str, frozenset[str]]:
    """Table → column names at a revision (built once in an in-memory SQLite database): what a database or backup
    at that revision must hold (store/backup.py checks a restore against it)."""
    eng = create_engine("sqlite://")
    try:
        with eng.begin() as conn:
            command.upgrade(alembic_config(connection=conn), revision)
            insp = inspect(conn)
            return {t: frozenset(c["name"] for c in insp.get_columns(t))
                    for t in insp.get_table_names() if t != VERSION_TABLE}
    finally:
        eng.dispose()


def _check_adoptable(conn: Connection) -> None:
    insp = inspect(conn)
    found = {t: frozenset(c["name"] for c in insp.get_columns(t)) for t in insp.get_table_names()}
    expected = baseline_columns()
    problems = [f"缺少表 {t}" for t in sorted(set(expected) - set(found))]
    problems += [f"多出表 {t}" for t in sorted(set(found) - set(expected))]
    for t in sorted(set(expected) & set(found)):
        problems += [f"表 {t} 缺少列 {c}" for c in sorted(expected[t] - found[t])]
        problems += [f"表 {t} 多出列 {c}" for c in sorted(found[t] - expected[t])]
    if problems:
        raise SchemaMismatchError(
            "数据库没有迁移记录（alembic_version），其表结构又与首个版本不一致，无法自动升级："
            + "；".join(problems)
            + "。请用旧版本程序 `python cli.py export` 导出数据，新建数据库（`python cli.py init`）后再导入。")
