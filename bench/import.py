"""Benchmark: importing a 10,000-row long table with full validation, against a bare pandas.read_excel of the same
file, in the same run.

  baseline  pandas.read_excel(file)                          (openpyxl, values only, no checks)
  dry run   dataio.importer.import_workbook(dry_run=True)    (read, every check, plan old → new against the store)
  import    the same, writing into a fresh copy of a database that holds the catalogue only (one transaction;
            the copy is made outside the timing: bench/database.py)

The table mixes what clerks type ("1,234", "3.8%", full-width digits, "2020年第三季度") with plain numbers.

    .venv/bin/python bench/import.py [--rows 10000] [--repeat 5] [--database-url URL]

--database-url (default: DATABASE_URL, else a temporary SQLite file) runs the store part against that
database, e.g. PostgreSQL (bench/pg.py starts a throwaway one); it is emptied and rebuilt per run.
"""
from __future__ import annotations

import argparse
import io
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd
from openpyxl import Workbook

import db
from bench.database import FreshCopies, add_database_argument, bench_url, catalogue_only
from bench.timing import median_seconds
from dataio.importer import import_workbook
from store import catalogue
from vocab.accounts import Account

BENCH = Account(login="bench", display_name="bench", role="admin")  # writes every indicator

QUARTER_TEXT = {0: "{y}", 1: "{y}Q1", 2: "{y}年第二季度", 3: "{y}年第三季度", 4: "{y}Q4"}


def long_table(rows: int) -> bytes:
    """rows distinct (region, indicator, period) values, valid for their indicators."""
    policy = catalogue.load_policies()[0]
    regions = [r["name"] for r in catalogue.load_toml("regions.toml")["regions"]]
    keys = itertools.product(regions, policy.indicators, range(policy.track_from, policy.track_to + 1), range(5))
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["地区", "指标", "期间", "数值", "来源", "备注"])
    for n, (region, ind, year, q) in enumerate(itertools.islice(keys, rows)):
        if ind["stages"]:
            value: object = ind["stages"][n % len(ind["stages"])]
        elif ind["unit"] == "%":
            value = f"{(n % 997) / 10:.1f}%" if n % 2 else (n % 997) / 10
        elif ind["decimals"] == 0:
            value = f"{n * 7 % 100000:,}" if n % 3 == 0 else n * 7 % 100000 + (ind["min"] or 0)
        else:
            value = round(n * 1.37 % 5000, 2)
        ws.append([region, ind["name"], QUARTER_TEXT[q].format(y=year), value, f"统计年报 {year}", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    add_database_argument(parser)
    args = parser.parse_args()
    data = long_table(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        store = FreshCopies(bench_url(args.database_url, tmp, "empty"), catalogue_only, tmp)
        eng = db.make_engine(store.url)
        dialect = eng.dialect.name
        check = import_workbook(eng, data, account=BENCH, dry_run=True)
        assert check.ok, check.problems[:3]
        assert len(check.plan) == args.rows
        eng.dispose()

        def baseline() -> object:
            return pd.read_excel(io.BytesIO(data))

        def dry_run() -> object:
            e = db.make_engine(store.url)
            try:
                return import_workbook(e, data, account=BENCH, dry_run=True)
            finally:
                e.dispose()

        target: list[str] = []

        def fresh() -> None:
            target[:] = [store.fresh()]

        def write() -> object:
            e = db.make_engine(target[0])
            try:
                result = import_workbook(e, data, account=BENCH)
                assert result.written["created"] == args.rows
                return result
            finally:
                e.dispose()

        t_base = median_seconds(baseline, args.repeat)
        t_dry = median_seconds(dry_run, args.repeat)  # before the writes: on PostgreSQL they refill store.url
        t_write = median_seconds(write, max(1, args.repeat // 2), before=fresh)
    print(f"database: {dialect}")
    print(f"import of a {args.rows:,}-row long table ({len(data) / 1e6:.1f} MB .xlsx), median of {args.repeat} runs")
    print(f"  pandas.read_excel (baseline)           {t_base:7.3f} s")
    print(f"  import_workbook dry run (full checks)  {t_dry:7.3f} s   ratio {t_dry / t_base:5.2f} × read_excel")
    print(f"  import_workbook into an empty store    {t_write:7.3f} s   ratio {t_write / t_base:5.2f} × read_excel")


if __name__ == "__main__":
    main()
