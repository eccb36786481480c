"""Child processes for tests/test_faults.py (run as `python -m tests.fault_processes ...` from the project root).

writer URL SPEC   saves SPEC["n"] times: distinct keys of its own, and every 4th save the shared key with the
                  version it just read (compare-and-set); prints one JSON line per saved or refused write.
import URL FILE   `cli.py import FILE`, with a fault hook: SQLite's page cache is tiny, so uncommitted pages spill
                  into the WAL, and after the first batch of observation rows went to the database the process writes
                  a marker line to stdout and waits to be killed (a fixed kill point inside the transaction)."""
from __future__ import annotations

import json
import sys

from sqlalchemy import event

import db


def writer(url: str, spec: dict) -> None:
    eng = db.make_engine(url)
    region, (s_ind, s_year, s_q) = spec["region"], spec["shared"]
    keys = iter(spec["keys"])
    for i in range(spec["n"]):
        if i % 4 == 3:
            obs = db.read_observations(eng, [region], [s_ind])
            version = int(obs[(obs["year"] == s_year) & (obs["quarter"] == s_q)]["version"].iloc[0])
            value = spec["worker"] * 1000 + i
            row = {"region": region, "indicator": s_ind, "year": s_year, "quarter": s_q, "value": value,
                   "source": "并发测试", "is_sample": False, "expected_version": version}
            try:
                db.save_observations(eng, [row], who=f"写入进程{spec['worker']}")
                print(json.dumps({"shared": True, "version": version + 1, "value": value}), flush=True)
            except db.ConcurrentEditError:
                print(json.dumps({"refused": True}), flush=True)
        else:
            ind, year, q = next(keys)
            value = (i % 50) + 1
            db.save_observations(eng, [{"region": region, "indicator": ind, "year": year, "quarter": q,
                                        "value": value, "source": "并发测试", "is_sample": False}],
                                 who=f"写入进程{spec['worker']}")
            print(json.dumps({"key": [ind, year, q], "value": value}), flush=True)
    eng.dispose()


def import_and_wait_to_be_killed(url: str, path: str) -> None:
    import cli
    real_make_engine = db.make_engine

    def faulty_engine(url_: str | None = None):
        eng = real_make_engine(url_)

        @event.listens_for(eng, "connect")
        def small_cache(dbapi_conn, _record) -> None:
            dbapi_conn.execute("PRAGMA cache_size=20")  # pages: spill uncommitted rows into the WAL early

        @event.listens_for(eng, "after_cursor_execute")
        def stop_inside(conn, cursor, statement, params, context, executemany) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO OBSERVATION"):
                print("WRITING", flush=True)
                sys.stdin.read()  # the test never writes: blocks here until SIGKILL
        return eng
    db.make_engine = faulty_engine
    cli.main(["import", path, "--as", "importer"])


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    if kind == "writer":
        writer(url, json.loads(sys.argv[3]))
    else:
        import_and_wait_to_be_killed(url, sys.argv[3])
