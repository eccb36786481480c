"""Engine and sessions: a SQLite file under var/ by default (WAL, foreign keys, busy timeout); DATABASE_URL
overrides (e.g. PostgreSQL)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "var" / "tracker.sqlite"


def database_url() -> str:
    """DATABASE_URL when set, else the default SQLite file under var/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_PATH}"


class ConcurrentEditError(RuntimeError):
    """Someone else saved the same value first; the message is for the user."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # let SQLAlchemy's "begin" event start transactions (pysqlite's own BEGIN would come too late, see _sqlite_begin)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for the URL (default: database_url()); SQLite gets WAL and foreign keys."""
    url = url or database_url()
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(conn) -> None:
    """Write sessions start with BEGIN IMMEDIATE: they take SQLite's write lock before reading the versions they
    compare, so a second writer waits (busy timeout) and then reads the first one's result; reads stay deferred."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One write transaction: commit on success, roll back on any error. A row changed by someone else between
    read and write (the version in the UPDATE/DELETE no longer matches) is a ConcurrentEditError."""
    with Session(engine.execution_options(write=True), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise ConcurrentEditError("保存失败：该数据在您操作期间已被他人修改，请刷新后核对再保存。") from exc
        except BaseException:
            session.rollback()
            raise


@contextmanager
def write_scope(engine: Engine, session: Session | None = None) -> Iterator[Session]:
    """The caller's transaction when one is given (a write that goes with others, e.g. a request and its files),
    else a new one (session_scope)."""
    if session is not None:
        yield session
        return
    with session_scope(engine) as s:
        yield s


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only ORM session (a deferred transaction on SQLite: it takes no write lock, so a page can read while
    another process writes)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def now() -> datetime:
    return datetime.now(timezone.utc)
