"""bench/database.py: the benchmark database is built, handed out fresh for each timed run, and a database it did
not build is never emptied — on SQLite and on the session's throwaway PostgreSQL (tests/pg.py)."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

import db
from bench import database as bench_db
from bench.timing import median_seconds

ROOT = Path(__file__).resolve().parent.parent

ROW = {"region": "长垣市", "indicator": "academician_workstations", "year": 2020, "quarter": 0, "value": 7,
       "source": "组织部统计", "is_sample": False}


def counts(url: str) -> tuple[int, int]:
    """(indicators, observations) in the database at url."""
    eng = db.make_engine(url)
    with eng.connect() as conn:
        n = (conn.execute(select(func.count()).select_from(db.Indicator)).scalar_one(),
             conn.execute(select(func.count()).select_from(db.Observation)).scalar_one())
    eng.dispose()
    return n


def write_one(url: str) -> None:
    eng = db.make_engine(url)
    db.save_observations(eng, [ROW], who="bench")
    eng.dispose()


def test_database_url_defaults_to_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/x")
    parser = argparse.ArgumentParser()
    bench_db.add_database_argument(parser)
    assert parser.parse_args([]).database_url == "postgresql+psycopg://u@127.0.0.1:1/x"
    assert parser.parse_args(["--database-url", "sqlite:///a.sqlite"]).database_url == "sqlite:///a.sqlite"
    monkeypatch.delenv("DATABASE_URL")
    parser = argparse.ArgumentParser()
    bench_db.add_database_argument(parser)
    assert parser.parse_args([]).database_url is None


def test_bench_url_falls_back_to_a_sqlite_file(tmp_path):
    assert bench_db.bench_url(None, tmp_path, "empty") == f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert bench_db.bench_url("postgresql+psycopg://u@h/d", tmp_path, "empty") == "postgresql+psycopg://u@h/d"
    assert bench_db.sqlite_path(f"sqlite:///{tmp_path / 'a.sqlite'}") == tmp_path / "a.sqlite"
    assert bench_db.sqlite_path("postgresql+psycopg://u@h/d") is None


def fresh_copies_are_independent(url: str, tmp_path) -> None:
    """The contract on any database: each fresh() is the built state, whatever the previous run wrote."""
    store = bench_db.FreshCopies(url, bench_db.catalogue_only, tmp_path)
    n_indicators, n_obs = counts(store.url)
    assert n_indicators > 0 and n_obs == 0
    first = store.fresh()
    write_one(first)
    assert counts(first) == (n_indicators, 1)
    second = store.fresh()
    assert counts(second) == (n_indicators, 0)
    eng = db.make_engine(second)
    assert bench_db.MARKER in inspect(eng).get_table_names()
    eng.dispose()


def test_fresh_copies_on_sqlite(tmp_path):
    fresh_copies_are_independent(bench_db.bench_url(None, tmp_path, "empty"), tmp_path)
    assert sorted(p.name for p in tmp_path.glob("run*.sqlite")) == ["run0.sqlite", "run1.sqlite"]


def test_fresh_copies_on_postgresql(pg_cluster, tmp_path):
    fresh_copies_are_independent(pg_cluster.create_database("bench"), tmp_path)


def test_build_empties_a_benchmark_database_it_built(tmp_path):
    url = bench_db.bench_url(None, tmp_path, "b")
    bench_db.build(url, bench_db.catalogue_only).dispose()
    write_one(url)
    bench_db.build(url, bench_db.catalogue_only).dispose()
    assert counts(url)[1] == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_with_data_and_no_marker_is_never_emptied(backend, request, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{request.getfixturevalue('db_path')}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database("real")
        eng = db.make_engine(url)
        db.init_db(eng)
        eng.dispose()
    eng = db.make_engine(url)
    before = db.dump(eng)
    with pytest.raises(RuntimeError, match="not a benchmark's database"):
        bench_db.build(url, bench_db.catalogue_only)
    assert db.dump(eng) == before
    eng.dispose()


def test_median_seconds_runs_before_outside_each_timed_call():
    calls: list[str] = []
    median_seconds(lambda: calls.append("run"), 2, before=lambda: calls.append("fresh"))
    assert calls == ["fresh", "run"] * 3
