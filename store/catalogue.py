"""Reads and checks the declarative policy catalogue (data/policies/*.toml) — pure, no database.

A later policy period is a new TOML file in data/policies/; nothing here names a target."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
POLICY_DIR = DATA_DIR / "policies"

KINDS = {"level", "annual", "cumulative", "relative", "milestone", "cagr"}
COMPARATORS = {">=", "<=", "approx", "range", ">"}
MEASURES = {"stock", "flow", "ratio", "rank", "stage"}
PATHS = {"linear", "compound"}
FREQUENCIES = {"annual", "quarterly"}
TIERS = {None, "floor", "stretch"}
MILESTONES_SUFFIX = ".milestones.toml"  # a policy's milestone plans sit beside it (store/plans.py reads them)


class CatalogueError(ValueError):
    """The catalogue file is inconsistent; the message names the file and the entry."""


@dataclass
class Policy:
    code: str
    doc_number: str
    title: str
    short_title: str
    issued: str
    issuer: str
    region: str
    benchmark_region: str
    base_year: int
    start_year: int
    end_year: int
    track_from: int
    track_to: int
    task_due: str
    text_file: str | None
    indicators: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None

    def text(self) -> str:
        """The policy document's text, for quoting checks and display."""
        if not self.text_file or self.path is None:
            return ""
        return (self.path.parent / self.text_file).read_text(encoding="utf-8")


TARGET_DEFAULTS: dict[str, Any] = {
    "value": None, "value_low": None, "value_high": None, "start_year": None, "tier": None,
    "benchmark": None, "also_clause": None, "also_quote": None, "task": None, "task_basis": "document",
    "headline": False, "note": None, "interpreted": False,
}
INDICATOR_DEFAULTS: dict[str, Any] = {"min": None, "max": None, "stages": [], "aliases": [], "decimals": 0}


def load_policy(path: Path) -> Policy:
    """Parse one policy file and check it; raises CatalogueError with the entry at fault."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    p = raw["policy"]
    policy = Policy(
        code=p["code"], doc_number=p["doc_number"], title=p["title"], short_title=p.get("short_title", p["title"]),
        issued=p["issued"], issuer=p.get("issuer", ""), region=p["region"], benchmark_region=p["benchmark_region"],
        base_year=int(p["base_year"]), start_year=int(p["start_year"]), end_year=int(p["end_year"]),
        track_from=int(p["track_from"]), track_to=int(p["track_to"]), task_due=p["task_due"],
        text_file=p.get("text_file"), path=path,
    )
    policy.indicators = [{**INDICATOR_DEFAULTS, **i} for i in raw.get("indicators", [])]
    policy.targets = [{**TARGET_DEFAULTS, **t} for t in raw.get("targets", [])]
    policy.tasks = [{"lead": [], "units": [], **t} for t in raw.get("tasks", [])]
    _check(policy, path.name)
    return policy


def load_policies(folder: Path = POLICY_DIR) -> list[Policy]:
    """Every policy file in the folder, sorted by start year."""
    files = [f for f in folder.glob("*.toml") if not f.name.endswith(MILESTONES_SUFFIX)]
    return sorted((load_policy(f) for f in files), key=lambda p: (p.start_year, p.code))


def _check(policy: Policy, where: str) -> None:
    def fail(msg: str) -> None:
        raise CatalogueError(f"{where}: {msg}")

    codes = [i["code"] for i in policy.indicators]
    if len(codes) != len(set(codes)):
        fail("indicator codes repeat")
    for i in policy.indicators:
        for key, allowed in (("measure", MEASURES), ("path", PATHS), ("frequency", FREQUENCIES)):
            if i.get(key) not in allowed:
                fail(f"indicator {i['code']}: {key}={i.get(key)!r} not in {sorted(allowed)}")
        if i["measure"] == "stage" and not i["stages"]:
            fail(f"indicator {i['code']}: a stage indicator needs stages")
    tcodes = [t["code"] for t in policy.targets]
    if len(tcodes) != len(set(tcodes)):
        fail("target codes repeat")
    clauses = {t["clause"] for t in policy.tasks}
    if len(clauses) != len(policy.tasks):
        fail("task clauses repeat")
    for t in policy.targets:
        if t["indicator"] not in codes:
            fail(f"target {t['code']}: unknown indicator {t['indicator']}")
        if t["kind"] not in KINDS:
            fail(f"target {t['code']}: kind {t['kind']!r}")
        if t["comparator"] not in COMPARATORS:
            fail(f"target {t['code']}: comparator {t['comparator']!r}")
        if t["comparator"] == "range":
            if t["value_low"] is None or t["value_high"] is None or t["value_low"] > t["value_high"]:
                fail(f"target {t['code']}: a range needs value_low ≤ value_high")
        elif t["value"] is None:
            fail(f"target {t['code']}: value missing")
        if t["tier"] not in TIERS:
            fail(f"target {t['code']}: tier {t['tier']!r}")
        if t["kind"] in {"annual", "cumulative"} and t["start_year"] is None:
            fail(f"target {t['code']}: {t['kind']} targets need start_year")
        if t["kind"] == "relative" and not t["benchmark"]:
            fail(f"target {t['code']}: relative targets need a benchmark region")
        if t["task"] is not None and t["task"] not in clauses:
            fail(f"target {t['code']}: task {t['task']} is not a task clause")


def load_toml(name: str) -> dict[str, Any]:
    """A data file beside the policies (settings.toml, departments.toml, regions.toml)."""
    with open(DATA_DIR / name, "rb") as fh:
        return tomllib.load(fh)


def load_settings() -> dict[str, Any]:
    """Status thresholds, tolerance, staleness and scorecard rules (data/settings.toml)."""
    return load_toml("settings.toml")
