"""对比分析 wired once: the regions a region is compared with, its "growth clearly above the benchmark" targets, what
peer growth to read for them, and the comparison the page shows (side by side growth, the regions with data, the
peers' standing, the region's rank, the fastest and slowest peers). Pure: frames in, frames out; the page reads the
peers' growth through ui (store.reads.read_year_pairs → metrics.compare.year_on_year) between growth_request and
growth_comparison."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.compare import (
    growth_side_by_side,
    long_growth,
    peer_growth,
    peer_regions,
    regional_rank,
    regions_to_compare,
    top_and_bottom,
)
from views.policy import Frames, policy_row


def benchmark_region(frames: Frames, policy: str) -> str:
    """The policy's benchmark region (e.g. 河南省), '' when it names none."""
    name = policy_row(frames, policy).get("benchmark_region")
    return name if isinstance(name, str) else ""


def regions_shown(frames: Frames, policy: str, region: str) -> list[str]:
    """The region, the regions above it up to the policy's benchmark, and the benchmark
    (metrics.compare.regions_to_compare)."""
    return regions_to_compare(frames["regions"], region, benchmark_region(frames, policy))


def relative_targets(status_shown: pd.DataFrame, region: str) -> pd.DataFrame:
    """The region's "growth clearly above the benchmark" targets (kind relative) from a several-region status."""
    own = status_shown.loc[status_shown["region"] == region]
    return own.loc[own["kind"] == "relative"]


@dataclass(frozen=True)
class GrowthRequest:
    """What peer growth rows the comparison needs: the indicators, the years their status is judged on, the level."""
    indicators: list[str]
    years: list[int]
    level: str


def growth_request(status_shown: pd.DataFrame, regions: pd.DataFrame, region: str) -> GrowthRequest:
    """The indicators, years and region level to read peer growth for (store.reads.read_year_pairs, then
    metrics.compare.year_on_year); a region not in the catalogue counts as a county."""
    relative = relative_targets(status_shown, region)
    level = regions.loc[regions["name"] == region, "level"]
    return GrowthRequest(indicators=list(relative["indicator"]),
                         years=[int(y) for y in relative["actual_year"].dropna()],
                         level=str(level.iloc[0]) if len(level) else "county")


@dataclass(frozen=True)
class GrowthComparison:
    """Everything the compare page shows: the region's relative targets, side by side growth (wide and long), the
    regions with data, the peers, their standing, the region's rank and the fastest and slowest peers."""
    relative: pd.DataFrame
    peers: list[str]
    side: pd.DataFrame
    long: pd.DataFrame
    present: list[str]
    standing: pd.DataFrame
    ranks: pd.DataFrame
    ends: pd.DataFrame
    sample: tuple[int, int]   # (sample values, values) among the growth targets' values of the regions shown

    @property
    def peers_with_data(self) -> int:
        """How many regions of the level have a growth value to rank (fewer than 2: 无同级可比地区)."""
        return int(self.standing["region"].nunique())


def growth_comparison(status_shown: pd.DataFrame, growth: pd.DataFrame, regions: pd.DataFrame, region: str,
                      shown: list[str]) -> GrowthComparison:
    """The region's growth against the shown regions and its peers (same level). status_shown: policy_status of
    the shown regions; growth: metrics.compare.year_on_year rows of the growth_request; shown: regions_shown."""
    relative = relative_targets(status_shown, region)
    peers = peer_regions(regions, region)
    standing = peer_growth(relative, growth, peers)
    side = growth_side_by_side(status_shown, shown)
    long = (long_growth(side, shown) if len(relative)
            else pd.DataFrame(columns=["code", "indicator_name", "region", "growth"]))
    present = list(dict.fromkeys(long["region"])) or shown[:1]
    values = status_shown.loc[(status_shown["kind"] == "relative") & status_shown["region"].isin(present)
                              & status_shown["actual"].notna()]
    return GrowthComparison(relative=relative, peers=peers, side=side, long=long, present=present, standing=standing,
                            ranks=regional_rank(relative, standing, region), ends=top_and_bottom(standing),
                            sample=(int(values["is_sample"].astype(bool).sum()), len(values)))
