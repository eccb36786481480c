"""Growth rates side by side and a region's rank among its peers, for the relative targets ("growth clearly
above the province average"). The growth rates themselves are the engine's (`region_growth`, `benchmark_growth`
of metrics.status.target_status run over several regions); this module only arranges and ranks them."""
from __future__ import annotations

import pandas as pd


def year_on_year(pairs: pd.DataFrame) -> pd.DataFrame:
    """Growth of each pair (store.reads.read_year_pairs: region, indicator, year, value, previous): the pairs plus
    growth = value ÷ previous − 1, NaN when the previous value is ≤ 0 (no rate is defined)."""
    value, previous = pairs["value"].astype("float64"), pairs["previous"].astype("float64")
    return pairs.assign(value=value, previous=previous,
                        growth=(value / previous.where(previous > 0) - 1).astype("float64"))


def growth_side_by_side(status_all: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """One row per relative target: code, indicator, indicator_name, the first region's benchmark, growth,
    margin (percentage points), average growth since the base year and status, then one column `growth::<region>`
    per region in the order given (latest year's growth as a fraction, as the engine computes it).

    status_all: target_status rows for several regions (at least the first of `regions`)."""
    rel = status_all.loc[status_all["kind"] == "relative"]
    first = rel.loc[rel["region"] == regions[0],
                    ["code", "indicator", "indicator_name", "benchmark", "actual_year", "region_growth",
                     "benchmark_growth", "margin_pp", "region_growth_avg", "benchmark_growth_avg", "status"]]
    wide = (rel.loc[rel["region"].isin(regions)]
               .pivot_table(index="code", columns="region", values="region_growth", aggfunc="first")
               .reindex(columns=regions))
    wide.columns = [f"growth::{r}" for r in wide.columns]
    return first.merge(wide, left_on="code", right_index=True, how="left").reset_index(drop=True)


def peer_growth(relative: pd.DataFrame, growth: pd.DataFrame, peers: list[str]) -> pd.DataFrame:
    """Each peer's growth in the year the region's status is judged on, per relative target: code,
    indicator_name, region, year, growth, rank (1 = fastest; ties share the best rank), n_ranked.

    relative: the region's relative-target rows of target_status (code, indicator, indicator_name, actual_year).
    growth: year_on_year rows (region, indicator, year, growth) of the peers' level."""
    cols = ["code", "indicator_name", "region", "year", "growth", "rank", "n_ranked"]
    judged = relative.loc[relative["actual_year"].notna(), ["code", "indicator", "indicator_name", "actual_year"]]
    judged = judged.assign(year=judged["actual_year"].astype("int64")).drop(columns="actual_year")
    if judged.empty or growth.empty:   # no growth target with data (a policy without one): nothing to rank
        return pd.DataFrame(columns=cols)
    rows = (growth.loc[growth["region"].isin(peers) & growth["growth"].notna(), ["region", "indicator", "year", "growth"]]
                  .merge(judged, on=["indicator", "year"]))
    if rows.empty:
        return pd.DataFrame(columns=cols)
    rows = rows.assign(rank=rows.groupby("code")["growth"].rank(ascending=False, method="min"),
                       n_ranked=rows.groupby("code")["growth"].transform("size").astype("int64"))
    return rows.sort_values(["code", "rank", "region"])[cols].reset_index(drop=True)


def regional_rank(relative: pd.DataFrame, standing: pd.DataFrame, region: str) -> pd.DataFrame:
    """The region's rank among its peers per relative target: code, rank, n_ranked (how many regions are ranked,
    the region included), n_peers (how many other regions of its level have a growth value that year).

    Without a peer with data there is no ranking — 无同级可比地区, not "第 1 位 / 1": rank NaN, n_ranked 0,
    n_peers 0. rank is NaN as well when the region itself has no growth value that year. standing: peer_growth."""
    codes = pd.DataFrame({"code": relative["code"].drop_duplicates()})
    mine = standing.loc[standing["region"] == region, ["code", "rank"]]
    peers = (standing.loc[standing["region"] != region].groupby("code").size().rename("n_peers"))
    counts = standing.groupby("code", as_index=False)["n_ranked"].first()
    out = (codes.merge(mine, on="code", how="left").merge(counts, on="code", how="left")
                .merge(peers, left_on="code", right_index=True, how="left"))
    n_peers = out["n_peers"].fillna(0).astype("int64")
    alone = n_peers == 0
    return out.assign(rank=out["rank"].astype("float64").where(~alone),
                      n_ranked=out["n_ranked"].fillna(0).astype("int64").where(~alone, 0),
                      n_peers=n_peers).reset_index(drop=True)


def top_and_bottom(standing: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The n fastest and n slowest peers per target (each region once): code, region, growth, rank, end
    ('top' | 'bottom')."""
    top = standing.groupby("code").head(n).assign(end="top")
    bottom = standing.groupby("code").tail(n).assign(end="bottom")
    bottom = bottom.loc[~bottom.set_index(["code", "region"]).index.isin(top.set_index(["code", "region"]).index)]
    return pd.concat([top, bottom], ignore_index=True)[["code", "region", "growth", "rank", "end"]]


def long_growth(side: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """growth_side_by_side in long form for a grouped bar chart: code, indicator_name, region, growth (regions
    without any growth value left out)."""
    cols = [f"growth::{r}" for r in regions]
    long = side.melt(id_vars=["code", "indicator_name"], value_vars=cols, var_name="region", value_name="growth")
    long = long.assign(region=long["region"].str.removeprefix("growth::"))
    has_any = long.groupby("region")["growth"].transform(lambda g: g.notna().any())
    return long.loc[has_any].reset_index(drop=True)


def regions_to_compare(regions: pd.DataFrame, region: str, benchmark: str | None) -> list[str]:
    """The region, the regions above it (parent, grandparent …) and the benchmark region, without repeats.
    regions: db.read_regions (name, level, parent)."""
    parent = dict(zip(regions["name"], regions["parent"]))
    chain = [region]
    while isinstance(parent.get(chain[-1]), str) and parent[chain[-1]] and parent[chain[-1]] not in chain:
        chain.append(parent[chain[-1]])
    if isinstance(benchmark, str) and benchmark and benchmark not in chain:
        chain.append(benchmark)
    return [r for r in chain if r in set(regions["name"])]


def peer_regions(regions: pd.DataFrame, region: str) -> list[str]:
    """Regions on the same level as the region (counties with counties), the region included."""
    level = regions.loc[regions["name"] == region, "level"]
    if level.empty:
        return [region]
    return list(regions.loc[regions["level"] == level.iloc[0], "name"])
