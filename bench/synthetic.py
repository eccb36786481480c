"""Synthetic province-scale observations for benchmarks (never for the app's real data).

Stable API (other benches import it):
    region_names(n_regions=160) -> list[str]         the policy's own region first, then 示例县001, 示例县002, …
    synthetic_observations(n_regions=160, years=range(2010, 2026), quarterly=True, seed=0) -> DataFrame
        shaped like db.read_observations (region, indicator, year, quarter, value, source, is_sample, note,
        entered_by, entered_at, version, period, data_status, released_on): every catalogue indicator for every
        region plus the benchmark region (河南省), whole-year rows (quarter 0) and, with quarterly=True, Q1–Q4
        year-to-date rows. is_sample is True everywhere; the last two years are 初步 (released the September after),
        the others 核实; values are deterministic for a seed.
    build_province_db(path, n_regions=160, years=range(2010, 2026), quarterly=True, seed=0) -> Engine
        a SQLite database at `path` created by db.init_db (catalogue, no sample data) plus those rows
        (bulk insert, not audited: bench data only).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from store import catalogue  # noqa: E402

SOURCE = "合成基准数据（仅用于性能测试）"


def _policy() -> catalogue.Policy:
    return catalogue.load_policies()[0]


def region_names(n_regions: int = 160) -> list[str]:
    """The policy's own region first, then synthetic county names."""
    return [_policy().region] + [f"示例县{i:03d}" for i in range(1, n_regions)]


def synthetic_observations(n_regions: int = 160, years: range = range(2010, 2026), quarterly: bool = True,
                           seed: int = 0) -> pd.DataFrame:
    """Every catalogue indicator × every region (+ the benchmark region) × years, annual and quarterly rows."""
    policy = _policy()
    rng = np.random.default_rng(seed)
    regions = region_names(n_regions) + [policy.benchmark_region]
    inds = pd.DataFrame(policy.indicators)[["code", "measure", "stages"]]
    yrs = np.asarray(list(years))
    n_r, n_i, n_y = len(regions), len(inds), len(yrs)
    # one growth rate and one level per (region, indicator); the province is ~100× a county for counts
    scale = np.where(np.arange(n_r) == n_r - 1, 100.0, 1.0)[:, None] * rng.uniform(5, 50, (n_r, n_i))
    growth = rng.normal(0.08, 0.06, (n_r, n_i))
    k = np.arange(n_y)[None, None, :]
    noise = rng.normal(1.0, 0.05, (n_r, n_i, n_y))
    level = scale[:, :, None] * (1 + growth[:, :, None]) ** k * noise
    measure = inds["measure"].to_numpy()[None, :, None]
    n_stages = inds["stages"].map(len).to_numpy()[None, :, None]
    ratio = np.clip(30 + 40 * (level / level.max(axis=2, keepdims=True)), 0, 100)
    rank = np.clip(np.round(rng.uniform(1, 160, (n_r, n_i))[:, :, None] - k * rng.uniform(0, 2, (n_r, n_i, 1))),
                   1, None)
    stage = np.minimum(np.floor(k * rng.uniform(0, 0.3, (n_r, n_i, 1))), np.maximum(n_stages - 1, 0))
    value = np.select([measure == "ratio", measure == "rank", measure == "stage"], [ratio, rank, stage],
                      np.round(level, 2))
    grid = pd.MultiIndex.from_product([regions, inds["code"], yrs], names=["region", "indicator", "year"])
    annual = grid.to_frame(index=False).assign(quarter=0, value=value.ravel())
    frames = [annual]
    if quarterly:
        flow = np.repeat((inds["measure"] == "flow").to_numpy()[None, :], n_r, axis=0)
        flow = np.repeat(flow[:, :, None], n_y, axis=2).ravel()
        for q in range(1, 5):
            # flows: year-to-date share of the year; stocks, ratios, ranks, stages: the level at the quarter's end
            ytd = np.where(flow, np.round(annual["value"] * q / 4 * rng.normal(1.0, 0.03, len(annual)), 2),
                           annual["value"])
            frames.append(annual.assign(quarter=q, value=ytd))
    obs = pd.concat(frames, ignore_index=True)
    obs = obs.assign(source=SOURCE, is_sample=True, note="", entered_by="基准测试",
                     entered_at=pd.Timestamp("2026-01-01"), version=1)
    # vintages: the last two years 初步 (released in the September after), earlier years 核实 (two Septembers after)
    recent = obs["year"] >= yrs.max() - 1
    obs = obs.assign(data_status=np.where(recent, "preliminary", "verified"),
                     released_on=pd.to_datetime((obs["year"] + np.where(recent, 1, 2)).astype(str) + "-09-30"))
    obs["period"] = obs["year"].astype(str).where(obs["quarter"] == 0,
                                                  obs["year"].astype(str) + "Q" + obs["quarter"].astype(str))
    return obs.sort_values(["region", "indicator", "year", "quarter"], ignore_index=True)


def build_province_db(path: str | Path, n_regions: int = 160, years: range = range(2010, 2026),
                      quarterly: bool = True, seed: int = 0):
    """A database at `path` (a SQLite file, or a URL): db.init_db (no sample data) plus the synthetic rows, bulk
    inserted."""
    from sqlalchemy import insert, select

    import db

    engine = db.make_engine(str(path) if "://" in str(path) else f"sqlite:///{path}")
    db.init_db(engine, with_sample=False)
    obs = synthetic_observations(n_regions, years, quarterly, seed)
    with db.session_scope(engine) as s:
        for name in obs["region"].unique():
            db.ensure_region(s, str(name), db.SYSTEM_USER)
    with engine.begin() as conn:
        rid = dict(conn.execute(select(db.Region.name, db.Region.id)).all())
        iid = dict(conn.execute(select(db.Indicator.code, db.Indicator.id)).all())
        have = pd.DataFrame(conn.execute(select(db.Observation.region_id, db.Observation.indicator_id,
                                                db.Observation.year, db.Observation.quarter)).all(),
                            columns=["region_id", "indicator_id", "year", "quarter"])
        rows = obs.assign(region_id=obs["region"].map(rid), indicator_id=obs["indicator"].map(iid))
        rows = rows.merge(have, how="left", indicator=True,
                          on=["region_id", "indicator_id", "year", "quarter"])
        rows = rows[rows["_merge"] == "left_only"]
        cols = ["region_id", "indicator_id", "year", "quarter", "value", "source", "is_sample", "note",
                "entered_by", "entered_at", "version"]
        records = rows[cols].astype({"region_id": int, "indicator_id": int, "year": int, "quarter": int,
                                     "version": int}).to_dict("records")
        for r in records:
            r["entered_at"] = r["entered_at"].to_pydatetime()
        conn.execute(insert(db.Observation), records)
    return engine
