"""Benchmark: a full run of each dashboard page (AppTest, no browser) on the province-scale synthetic database,
against reading the same observation rows from the database (db.read_observations), measured in the same run.

  baseline  db.read_observations(engine): every observation row, as the pages' cached loader reads them
  cold      the page script with empty caches: reads every frame, computes the statuses, lays out, charts
  warm      the page script again with the caches filled (what a user sees when switching pages)
Medians over --repeat runs; the baseline is sampled before and after the pages (shared, noisy machine) and the
ratios use the median of all its samples.

    .venv/bin/python bench/pages.py [--repeat 5] [--regions 160]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import db  # noqa: E402
from bench.synthetic import build_province_db  # noqa: E402

PAGES = ("overview", "detail", "areas", "departments", "compare", "quality")


def timings(fn: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None) -> list[float]:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def page_runner(page: str) -> Callable[[], AppTest]:
    """A fresh AppTest of the page script, run once; fails loudly if the page raised."""
    def run() -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=600).run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        return at
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regions", type=int, default=160)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "province.sqlite"
        start = time.perf_counter()
        engine = build_province_db(path, n_regions=args.regions)
        print(f"province database: {args.regions} regions, built in {time.perf_counter() - start:.1f} s")
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        rows = len(db.read_observations(engine))
        reads = timings(lambda: db.read_observations(engine), args.repeat)
        results = {}
        for page in PAGES:
            run = page_runner(page)
            run()  # warm-up: imports
            cold = statistics.median(timings(run, args.repeat, before=clear_caches))
            run()
            results[page] = (cold, statistics.median(timings(run, args.repeat)))
        # the machine is shared: the baseline is sampled before and after the pages, and the ratio uses all samples
        reads += timings(lambda: db.read_observations(engine), args.repeat)
        read = statistics.median(reads)
        print(f"baseline db.read_observations: {rows:,} rows, median {read * 1000:8.1f} ms "
              f"(samples {min(reads) * 1000:.0f}–{max(reads) * 1000:.0f} ms)")
        print(f"{'page':<12} {'cold (ms)':>10} {'ratio':>7} {'warm (ms)':>10} {'ratio':>7}")
        for page, (cold, warm) in results.items():
            print(f"{page:<12} {cold * 1000:10.0f} {cold / read:6.2f}× {warm * 1000:10.0f} {warm / read:6.2f}×")
        engine.dispose()


if __name__ == "__main__":
    main()
