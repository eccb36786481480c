"""Benchmark: building the full meeting deck, against computing the statuses alone, in the same run.

Two databases: the built-in data (53 targets, one county) and the province-scale synthetic database
(bench/synthetic.py: 160 regions × every indicator × 2010–2025, annual and quarterly). Both steps start from the
frames already read from the store, for the policy's own region:
  baseline  metrics.status.target_status
  deck      deck.data.deck_data (statuses, task ledger, scorecard, key messages) + deck.build_deck (.pptx bytes)

    .venv/bin/python bench/deck.py [--repeat 7] [--regions 160] [--database-url URL]

--database-url (default: DATABASE_URL, else two temporary SQLite files) reads both databases from there, e.g.
PostgreSQL (bench/pg.py starts a throwaway one): it is emptied and built with one, then the other (bench/database.py).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from bench.database import add_database_argument, bench_url, build  # noqa: E402
from bench.synthetic import build_province_db  # noqa: E402
from bench.timing import median_seconds  # noqa: E402
from deck import build_deck, plan_deck  # noqa: E402
from deck.data import deck_data  # noqa: E402
from store import catalogue  # noqa: E402
from views.policy import load_frames, policy_status  # noqa: E402


def measure(label: str, engine, repeat: int) -> None:
    settings = catalogue.load_settings()
    frames = load_frames(engine)
    policies = frames["policies"]
    policy, region = str(policies["code"].iloc[0]), str(policies["region"].iloc[0])
    as_of = int(policies["end_year"].iloc[0])

    def statuses():
        return policy_status(frames, settings, policy, region, as_of)

    def deck():
        return build_deck(deck_data(frames, settings, policy=policy, region=region, as_of_year=as_of))

    data = deck_data(frames, settings, policy=policy, region=region, as_of_year=as_of)
    slides = len(plan_deck(data))
    base = median_seconds(statuses, repeat)
    full = median_seconds(deck, repeat)
    size = len(deck()) / 1024
    print(f"{label}: {len(frames['observations']):,} observations, {len(data.status)} targets, {slides} slides, "
          f"{size:,.0f} KiB")
    print(f"  statuses alone   median {base * 1000:8.1f} ms")
    print(f"  full deck        median {full * 1000:8.1f} ms   ratio {full / base:6.1f}× the statuses")


def builtin_data(url: str) -> None:
    """The app's own database: db.init_db (catalogue, built-in data, milestone plans)."""
    engine = db.make_engine(url)
    db.init_db(engine)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--regions", type=int, default=160)
    add_database_argument(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        builtin = build(bench_url(args.database_url, tmp, "builtin"), builtin_data)
        measure(f"built-in data ({builtin.dialect.name})", builtin, args.repeat)
        builtin.dispose()
        start = time.perf_counter()
        province = build(bench_url(args.database_url, tmp, "province"),
                         lambda url: build_province_db(url, n_regions=args.regions).dispose())
        print(f"(province database built in {time.perf_counter() - start:.1f} s)")
        measure(f"province scale ({args.regions} regions, {province.dialect.name})", province, args.repeat)
        province.dispose()


if __name__ == "__main__":
    main()
