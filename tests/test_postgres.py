"""The same store on PostgreSQL (DATABASE_URL), on the session's throwaway cluster (tests/pg.py)."""
from __future__ import annotations

import pytest

import db


@pytest.fixture(scope="module")
def pg_url(pg_cluster):
    return pg_cluster.create_database("store")


@pytest.fixture(scope="module")
def pg_engine(pg_url):
    eng = db.make_engine(pg_url)
    db.init_db(eng)
    yield eng
    eng.dispose()


def test_postgres_loads_the_same_catalogue_as_sqlite(pg_engine, engine):
    cols = ["code", "indicator", "kind", "comparator", "value", "due_year", "lead_units"]
    pg = db.read_targets(pg_engine)[cols].reset_index(drop=True)
    lite = db.read_targets(engine)[cols].reset_index(drop=True)
    assert pg.equals(lite)
    assert len(db.read_observations(pg_engine)) == len(db.read_observations(engine))


def test_postgres_load_is_idempotent(pg_engine):
    before = db.dump(pg_engine)
    db.init_db(pg_engine)
    assert db.dump(pg_engine) == before


def test_postgres_compare_and_set_and_revert(pg_engine):
    row = {"region": "长垣市", "indicator": "academician_workstations", "year": 2020, "quarter": 0, "value": 7,
           "source": "组织部统计", "is_sample": False}
    seen = int(db.read_observations(pg_engine, ["长垣市"], ["academician_workstations"])
               .set_index("year").loc[2020, "version"])
    db.save_observations(pg_engine, [{**row, "expected_version": seen}], who="甲")
    with pytest.raises(db.ConcurrentEditError):
        db.save_observations(pg_engine, [{**row, "value": 8, "expected_version": seen}], who="乙")
    change = int(db.read_audit(pg_engine, entity="observation").iloc[0]["id"])
    db.revert_change(pg_engine, change, who="管理员")
    assert db.read_observations(pg_engine, ["长垣市"], ["academician_workstations"]).set_index(
        "year").loc[2020, "value"] == 6
