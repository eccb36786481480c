"""Faults: four writer processes at once lose nothing (SQLite with WAL and a busy timeout, and PostgreSQL), and a
writer killed with SIGKILL in the middle of a 10,000-row import leaves the database exactly as before."""
from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import db
from tests.accounts import admin, store_account

ROOT = Path(__file__).resolve().parent.parent
WORKERS, SAVES = 4, 200
REGION = "长垣市"
SHARED = ("hte_count", 2020, 0)


def _keys_per_worker(engine) -> list[list[tuple[str, int, int]]]:
    """Distinct (indicator, year, quarter) keys, SAVES of them per worker, none the shared key."""
    inds = db.read_indicators(engine)
    codes = [c for c in inds.loc[inds["stages"].map(len) == 0, "code"] if c != SHARED[0]]
    keys = [(c, y, q) for c in codes for y in range(2010, 2026) for q in range(1, 5)]
    assert len(keys) >= WORKERS * SAVES
    return [keys[w * SAVES:(w + 1) * SAVES] for w in range(WORKERS)]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, db_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{db_path}"
    url = request.getfixturevalue("pg_empty_url")
    eng = db.make_engine(url)
    db.init_db(eng)
    eng.dispose()
    return url


@pytest.mark.timeout(120)
def test_four_writer_processes_lose_nothing(store_url):
    eng = db.make_engine(store_url)
    try:
        keys = _keys_per_worker(eng)
        start = db.read_observations(eng, [REGION], [SHARED[0]]).set_index(["year", "quarter"])
        v0 = int(start.loc[SHARED[1:], "version"])
        procs = [subprocess.Popen(
            [sys.executable, "-m", "tests.fault_processes", "writer", store_url,
             json.dumps({"worker": w, "n": SAVES, "region": REGION, "shared": SHARED, "keys": keys[w]})],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(WORKERS)]
        results = [p.communicate(timeout=110) for p in procs]
        for p, (_, err) in zip(procs, results):
            assert p.returncode == 0, err
        lines = [json.loads(line) for out, _ in results for line in out.splitlines()]
        assert len(lines) == WORKERS * SAVES

        written = {tuple(r["key"]): r["value"] for r in lines if "key" in r}
        stored = db.read_observations(eng, [REGION]).set_index(["indicator", "year", "quarter"])["value"]
        assert {k: stored[k] for k in written} == written

        shared = [r for r in lines if r.get("shared")]
        versions = Counter(r["version"] for r in shared)
        assert shared, "no compare-and-set save succeeded"
        assert max(versions.values()) == 1, "two saves succeeded on the same version: a lost update"
        final = db.read_observations(eng, [REGION], [SHARED[0]]).set_index(["year", "quarter"]).loc[SHARED[1:]]
        assert int(final["version"]) == v0 + len(shared)
        assert final["value"] == next(r["value"] for r in shared if r["version"] == v0 + len(shared))
        audit = db.read_audit(eng, entity="observation", key_contains=f"{REGION}/{SHARED[0]}/{SHARED[1]}")
        assert audit["who"].str.startswith("写入进程").sum() == len(shared)
        assert _integrity_check(eng) == "ok"
    finally:
        eng.dispose()


def _integrity_check(engine) -> str:
    """SQLite's integrity_check; on PostgreSQL amcheck's bt_index_check of every index of the store."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = conn.exec_driver_sql(
            "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'").scalars().all()
        for oid in indexes:
            conn.exec_driver_sql(f"SELECT bt_index_check({oid}, true)")
        return "ok" if indexes else "no indexes"


@pytest.fixture(scope="module")
def long_workbook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("import") / "long-10000.xlsx"
    path.write_bytes(importlib.import_module("bench.import").long_table(10_000))
    return path


@pytest.mark.timeout(120)
def test_an_import_killed_mid_transaction_leaves_the_database_as_before(db_path, long_workbook):
    url = f"sqlite:///{db_path}"
    eng = db.make_engine(url)
    store_account(eng, admin("importer"))
    before = db.dump(eng)
    eng.dispose()
    wal = db_path.with_name(db_path.name + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen([sys.executable, "-m", "tests.fault_processes", "import", url, str(long_workbook)],
                            cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        marker = proc.stdout.readline()  # blocks until the child is inside its write transaction
        assert marker.strip() == "WRITING", proc.stderr.read()
        assert wal.stat().st_size > wal_before, "no uncommitted page reached the WAL before the kill"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()

    eng = db.make_engine(url)
    try:
        assert db.dump(eng) == before
        assert _integrity_check(eng) == "ok"
        db.save_observations(eng, [{"region": REGION, "indicator": SHARED[0], "year": 2021, "quarter": 0,
                                    "value": 1, "source": "恢复后写入", "is_sample": False}], who="甲")
    finally:
        eng.dispose()
