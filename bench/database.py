"""The benchmark database: where a bench script builds its store, and how it gets that store back empty or fresh
between timed runs, on SQLite and on PostgreSQL alike.

  --database-url URL   (add_database_argument) default: DATABASE_URL when set, else None = a SQLite file in the
                       script's temporary directory (bench_url)
  build(url, setup)    empty the database, run setup(url), mark it as a benchmark's; SQLite is checkpointed so
                       that its file alone holds everything
  FreshCopies          a database built once, handed out fresh for each timed run: SQLite copies the built file
                       (as the scripts always did); PostgreSQL empties the one database and builds it again

Only a database that holds no table, or that a benchmark built (the `bench_database` marker table), is ever emptied:
a DATABASE_URL that points at real data is refused, not dropped. A throwaway PostgreSQL: bench/pg.py.
"""
from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import MetaData, func, inspect, make_url, select
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from store import catalogue  # noqa: E402

MARKER = "bench_database"


def add_database_argument(parser: argparse.ArgumentParser) -> argparse.Action:
    """--database-url, defaulting to DATABASE_URL (None: the script's own SQLite file)."""
    return parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or None,
        help="e.g. postgresql+psycopg://user@host/db (default: DATABASE_URL, else a temporary SQLite file); "
             "a database with tables is emptied only if a benchmark built it")


def bench_url(url: str | None, tmp: str | Path, name: str) -> str:
    """The URL given, else a SQLite file `name`.sqlite in tmp."""
    return url or f"sqlite:///{Path(tmp) / name}.sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and for in-memory SQLite)."""
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None


def _table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def empty_database(url: str) -> None:
    """Drop every table of a benchmark's database (a SQLite file is deleted). Refuses a database that has tables but
    no benchmark marker: that one may hold real data."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return
    engine = db.make_engine(url)
    try:
        tables = _table_names(engine)
        if tables and MARKER not in tables:
            raise RuntimeError(f"{engine.url!r} has tables ({len(tables)}) but no {MARKER!r} table: not a benchmark's "
                               "database, refusing to empty it; pass another --database-url (bench/pg.py starts a "
                               "throwaway PostgreSQL)")
        if path is None:
            meta = MetaData()
            meta.reflect(engine)
            meta.drop_all(engine)
    finally:
        engine.dispose()
    if path is not None:
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)


def build(url: str, setup: Callable[[str], object]) -> Engine:
    """Empty the database at url, run setup(url) to fill it, then mark it as a benchmark's; returns an engine on it."""
    empty_database(url)
    setup(url)
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {MARKER} (made_at VARCHAR(40))")
        conn.exec_driver_sql(f"INSERT INTO {MARKER} VALUES ('{time.strftime('%Y-%m-%d %H:%M:%S')}')")
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return engine


class FreshCopies:
    """A database built once by setup(url) and handed out anew for each timed run, outside the timing: SQLite copies
    the built file into tmp (run0.sqlite, run1.sqlite, …); any other database is the one database, emptied and built
    again (so `url` is the built state only until the first fresh())."""

    def __init__(self, url: str, setup: Callable[[str], object], tmp: str | Path) -> None:
        self.url, self._setup, self._tmp = url, setup, Path(tmp)
        self._runs = itertools.count()
        build(url, setup).dispose()

    def fresh(self) -> str:
        """The URL of a database in the state setup left it in."""
        path = sqlite_path(self.url)
        if path is None:
            build(self.url, self._setup).dispose()
            return self.url
        target = self._tmp / f"run{next(self._runs)}.sqlite"
        shutil.copy(path, target)
        return f"sqlite:///{target}"


def ensure_province(url: str, n_regions: int) -> bool:
    """Fill the database at url with the province (bench/synthetic.py) when it has no observations yet; True when it
    built them. A database that already has observations is read as it is."""
    from bench.synthetic import build_province_db

    engine = db.make_engine(url)
    db.create_schema(engine)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(db.Observation)).scalar_one()
    engine.dispose()
    if n:
        return False
    start = time.perf_counter()
    build_province_db(url, n_regions=n_regions).dispose()
    print(f"built the province database: {n_regions} regions in {time.perf_counter() - start:.1f} s")
    return True


def catalogue_only(url: str) -> None:
    """The database the import starts from: the schema and every policy catalogue, no observations."""
    eng = db.make_engine(url)
    db.create_schema(eng)
    for policy in catalogue.load_policies():
        db.load_catalogue(eng, policy)
    eng.dispose()
