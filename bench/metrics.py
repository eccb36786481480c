"""Benchmark: every target's status for a whole province, against a plain pandas groupby-last over the same frame.

    .venv/bin/python bench/metrics.py [--regions 160] [--runs 7]

Builds bench.synthetic's frame (regions × every catalogue indicator × 2010–2025, annual and quarterly rows, with
数据状态 and 发布日期; counted as published values, so that the engine carries every value's vintage),
times metrics.status.target_status for every region as of 2020 and, in the same run, the baseline
`observations.sort_values(...).groupby([region, indicator]).last()`; prints both medians and the ratio.
Pure pandas: it never opens a database, so it has no --database-url (the store benches do: bench/database.py)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from bench.synthetic import region_names, synthetic_observations  # noqa: E402
from bench.timing import median_seconds  # noqa: E402
from metrics.status import target_status  # noqa: E402
from store import catalogue  # noqa: E402


def catalogue_targets() -> pd.DataFrame:
    """The policy's targets shaped like db.read_targets (the columns target_status uses), without a database."""
    policy = catalogue.load_policies()[0]
    inds = pd.DataFrame(policy.indicators).rename(columns={"code": "indicator", "name": "indicator_name"})
    t = pd.DataFrame(policy.targets).rename(columns={"task": "task_clause"}).merge(
        inds[["indicator", "indicator_name", "unit", "area", "measure", "path", "frequency", "decimals", "stages"]],
        on="indicator")
    return t.assign(policy=policy.code, base_year=policy.base_year, policy_region=policy.region, lead_units="",
                    responsible_units="", start_year=t["start_year"].astype(float))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=160)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    # published values (not sample) so that every value carries its 数据状态 and release day into the engine
    obs = synthetic_observations(args.regions).assign(is_sample=False)
    targets, regions, settings = catalogue_targets(), region_names(args.regions), catalogue.load_settings()
    status = target_status(targets, obs, 2020, 0, settings, regions=regions)

    def baseline() -> pd.DataFrame:
        return (obs[obs["year"] <= 2020].sort_values(["region", "indicator", "year", "quarter"])
                .groupby(["region", "indicator"]).last())

    def engine() -> pd.DataFrame:
        return target_status(targets, obs, 2020, 0, settings, regions=regions)

    base = median_seconds(baseline, args.runs)
    full = median_seconds(engine, args.runs)
    print(f"observations: {len(obs):,} rows ({args.regions} regions + benchmark, {obs['indicator'].nunique()} "
          f"indicators, {obs['year'].min()}–{obs['year'].max()}, annual and quarterly)")
    print(f"statuses:     {len(status):,} rows ({len(targets)} targets × {len(regions)} regions)")
    print(f"groupby-last baseline median: {base * 1000:8.1f} ms  (n={args.runs})")
    print(f"target_status median:         {full * 1000:8.1f} ms  (n={args.runs})")
    print(f"ratio target_status / groupby-last: {full / base:.2f}×")


if __name__ == "__main__":
    main()
