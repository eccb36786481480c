"""Benchmark: every dashboard page (AppTest, no browser) on a province-scale database, against a plain DB-API read
of the rows that page needs, measured in the same run.

  plain     a DB-API cursor (sqlite3 / psycopg) fetching the rows a 长垣市 page shows: the observations of the
            region and its benchmark regions, joined with region and indicator names
  read      db.read_observations(regions=…) of the same rows (what the page's cached loader calls)
  start     app.py's first run in a new process state (engine, schema check, catalogue sync, then 总览): what
            the first visitor after a server start waits for; printed, not held to a goal
  cold      switching to the page with empty data caches: one script run (app.py's navigation and sidebar, then
            the page) that reads, computes the statuses, lays out and charts
  warm      switching to the page again with the caches filled (what a user waits for when changing pages)
  rss       the process's resident memory after every page has run (VmRSS; VmHWM = the peak)

Goals (issue 9): cold ≤ 1.0 s (对比分析 ≤ 1.5 s), warm ≤ 0.3 s, read ≤ 3× plain, RSS ≤ 300 MB.
Medians over --repeat runs; the plain read is sampled before and after the pages (noisy shared machine).

    .venv/bin/python bench/pages.py [--repeat 5] [--regions 160] [--db FILE] [--database-url URL]

--db reuses (or creates) a SQLite file, so that repeated runs skip building 600,000 rows; --database-url (default:
DATABASE_URL) runs against another database (e.g. PostgreSQL: bench/pg.py), which it fills when it has no
observations yet (bench/database.py).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import db  # noqa: E402
import ui  # noqa: E402
from bench.database import add_database_argument, bench_url, ensure_province  # noqa: E402
from bench.timing import median_seconds  # noqa: E402

PAGES = ("overview", "detail", "areas", "departments", "compare", "quality")
GOALS = {"cold": 1.0, "warm": 0.3}
COLD_GOALS = {"compare": 1.5}
PLAIN_SQL = """SELECT r.name, i.code, o.year, o.quarter, o.value, o.source, o.is_sample, o.note, o.entered_by,
                      o.entered_at, o.version
               FROM observation o JOIN region r ON r.id = o.region_id JOIN indicator i ON i.id = o.indicator_id
               WHERE r.name IN ({marks}) ORDER BY r.name, i.code, o.year, o.quarter"""


def plain_reader(url: str, regions: list[str]) -> Callable[[], int]:
    """A DB-API fetchall of the page's rows, without SQLAlchemy or pandas: the floor a page's read is held to."""
    if url.startswith("sqlite"):
        import sqlite3
        path = url.split("///", 1)[1]
        sql = PLAIN_SQL.format(marks=",".join("?" * len(regions)))

        def read() -> int:
            with sqlite3.connect(path) as conn:
                return len(conn.execute(sql, regions).fetchall())
        return read
    import psycopg
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    sql = PLAIN_SQL.format(marks=",".join(["%s"] * len(regions)))

    def read_pg() -> int:
        with psycopg.connect(dsn) as conn:
            return len(conn.execute(sql, regions).fetchall())
    return read_pg


def clear_caches() -> None:
    """Empty the data caches (frames, statuses, figures); the engine (a process resource) stays."""
    ui.clear_data_caches()


def open_app() -> AppTest:
    """A new session of the app, run once (on 总览); fails loudly if it raised."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    if at.exception:
        raise RuntimeError(f"app: {at.exception[0].value}")
    return at


def page_switcher(at: AppTest, page: str) -> Callable[[], AppTest]:
    """One script run of the session switched to the page (the sidebar keeps its choices, as for a user)."""
    def run() -> AppTest:
        at.switch_page(f"pages/{page}.py").run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        return at
    return run


def rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def ensure_database(args: argparse.Namespace, tmp: str) -> str:
    """The database URL (--db, else --database-url, else a temporary file), filled with the province when it has no
    observations yet."""
    url = f"sqlite:///{args.db}" if args.db else bench_url(args.database_url, tmp, "province")
    ensure_province(url, args.regions)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES), help="only these pages")
    parser.add_argument("--regions", type=int, default=160)
    parser.add_argument("--db", default=None, help="SQLite file to reuse or create")
    add_database_argument(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = ensure_database(args, tmp)
        os.environ["DATABASE_URL"] = url
        engine = db.make_engine(url)
        n_regions = len(db.read_regions(engine))
        regions = ["长垣市", "河南省"]
        plain = plain_reader(url, regions)
        rows = plain()
        plains = [median_seconds(plain, args.repeat)]
        read = median_seconds(lambda: db.read_observations(engine, regions=regions), args.repeat)
        start = median_seconds(open_app, args.repeat, warm_up=False,
                               before=lambda: (st.cache_data.clear(), st.cache_resource.clear()))
        at = open_app()
        results = {}
        for page in args.pages:
            run = page_switcher(at, page)
            run()  # warm-up: imports
            cold = median_seconds(run, args.repeat, warm_up=False, before=clear_caches)
            results[page] = (cold, median_seconds(run, args.repeat))
        rss, peak = rss_mb()
        plains.append(median_seconds(plain, args.repeat))
        base = statistics.median(plains)
        print(f"database: {engine.dialect.name}, {n_regions} regions; a 长垣市 page reads {rows:,} rows")
        print(f"plain DB-API read  median {base * 1000:7.1f} ms (samples {min(plains) * 1000:.1f}, "
              f"{max(plains) * 1000:.1f})")
        print(f"db.read_observations median {read * 1000:7.1f} ms  ratio {read / base:5.2f}×  (goal ≤ 3×)")
        print(f"app start (new engine, 总览) median {start * 1000:7.0f} ms")
        print(f"{'page':<12} {'cold (ms)':>10} {'goal':>6} {'warm (ms)':>10} {'goal':>6} {'cold/plain':>11}")
        ok = read / base <= 3
        for page, (cold, warm) in results.items():
            cold_goal = COLD_GOALS.get(page, GOALS["cold"])
            ok &= cold <= cold_goal and warm <= GOALS["warm"]
            print(f"{page:<12} {cold * 1000:10.0f} {'✓' if cold <= cold_goal else '✗':>6} {warm * 1000:10.0f} "
                  f"{'✓' if warm <= GOALS['warm'] else '✗':>6} {cold / base:10.1f}×")
        print(f"process memory after every page: RSS {rss:.0f} MB, peak {peak:.0f} MB (goal RSS ≤ 300 MB)")
        ok &= rss <= 300
        print("all goals met" if ok else "some goals missed")
        engine.dispose()


if __name__ == "__main__":
    main()
