"""Shared fixtures: a real SQLite database built once from the catalogue and built-in data, copied per test."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis checks rules, not speed: no per-example deadline (a busy two-core machine would fail a rule that holds;
# speed is measured by bench/, not by tests).
settings.register_profile("tracker", deadline=None)
settings.load_profile("tracker")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from tests.entry_pages import boss, clerk, store, visitor  # noqa: E402,F401  (数据填报 / 修改记录: one per module)
from tests.helpers import app_pointed_at  # noqa: E402
from tests.pg import PgCluster, postgres_cluster  # noqa: E402


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """The built-in database, built once per session (schema + catalogue + built-in data)."""
    path = tmp_path_factory.mktemp("template") / "tracker.sqlite"
    eng = db.make_engine(f"sqlite:///{path}")
    db.init_db(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def db_path(template_db, tmp_path) -> Path:
    """A private copy of the built-in database for one test."""
    path = tmp_path / "tracker.sqlite"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def engine(db_path):
    eng = db.make_engine(f"sqlite:///{db_path}")
    yield eng
    eng.dispose()


@pytest.fixture
def app_db(db_path):
    """Point the app (AppTest runs it in this process) at a private database, with fresh caches."""
    with app_pointed_at(db_path):
        yield db_path


@pytest.fixture(scope="module")
def module_app_db(template_db, tmp_path_factory):
    """One private copy of the built-in database for a whole test module that only reads, with the app pointed at
    it and fresh caches (pair with tests.helpers.PageSessions: one AppTest session per page per module)."""
    path = tmp_path_factory.mktemp("module_db") / "tracker.sqlite"
    shutil.copy(template_db, path)
    with app_pointed_at(path):
        yield path


@pytest.fixture(scope="session")
def pg_cluster() -> PgCluster:
    """One throwaway PostgreSQL cluster for the session (tests/pg.py); each user creates its own database."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_empty_url(pg_cluster) -> str:
    """A new empty PostgreSQL database for one test."""
    return pg_cluster.create_database()


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory) -> Path:
    """One LibreOffice user profile for the test process (tests/office.py)."""
    from tests.office import profile_dir
    return profile_dir(tmp_path_factory.getbasetemp())
