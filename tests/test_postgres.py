"""The same store on PostgreSQL (DATABASE_URL): a throwaway cluster from Debian's postgresql on a free port.

Mandatory like the browser tests: scripts/test.sh installs postgresql; a missing server is a failure."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert bins, "PostgreSQL server binaries missing: apt-get install postgresql"
    bindir = os.path.dirname(bins[-1])
    work = tempfile.mkdtemp(prefix="pgtest-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as the postgres user
        pw = pwd.getpwnam("postgres")
        os.chown(work, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(work, "data"), _free_port()
    subprocess.run([*as_user, f"{bindir}/initdb", "-D", data, "-U", "tracker", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)
    subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(work, "log"), "-w", "-o",
                    f"-p {port} -k {work} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    url = f"postgresql+psycopg://tracker@127.0.0.1:{port}/postgres"
    for _ in range(50):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    yield url
    subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)


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
