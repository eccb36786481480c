"""Units named in a 牵头单位 / 责任单位 cell, matched through data/departments.toml (names, full names, aliases,
width and spaces folded). An unknown unit is a problem to resolve, never dropped. Pure."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from store import catalogue as cat
from vocab.labels import is_blank
from vocab.periods import normalise

_SPLIT = re.compile(r"[、,，;；/\s\x0b]+")  # not at 和/及: 科技和工业信息化局 is one unit
_LOCAL_PREFIXES = ("长垣市", "长垣县", "中共长垣市委", "市委", "市", "县")
_LEAD_MARK = re.compile(r"^[（(]?牵头[)）]?|[（(]牵头[)）]$")


@dataclass(frozen=True)
class UnitLookup:
    """name (folded) → canonical unit name; `collective` names pseudo-units such as 市直有关部门."""
    names: Mapping[str, str]
    collective: frozenset[str]

    def canonical(self, name: str) -> str | None:
        """The canonical name of a unit as written, or None when data/departments.toml does not know it."""
        key = fold(name)
        if key in self.names:
            return self.names[key]
        for prefix in _LOCAL_PREFIXES:  # '市科工信局', '长垣市财政局': the place is implied
            if key.startswith(prefix) and key[len(prefix):] in self.names:
                return self.names[key[len(prefix):]]
        return None


def fold(name: str) -> str:
    return normalise(name).replace("(", "（").replace(")", "）")


def unit_lookup(departments: Iterable[Mapping[str, Any]] | None = None) -> UnitLookup:
    """The lookup from data/departments.toml (or the given department specs: name, full_name, aliases)."""
    specs = list(departments) if departments is not None else cat.load_toml("departments.toml")["departments"]
    names: dict[str, str] = {}
    for d in specs:
        for n in [d["name"], d.get("full_name") or d["name"], *(d.get("aliases") or [])]:
            names.setdefault(fold(n), d["name"])
    return UnitLookup(names, frozenset(d["name"] for d in specs if d.get("collective")))


def split_units(cell: object) -> list[str]:
    """The unit names of a cell, in order, as written ('科工信局、财政局\n税务局' → three names; '（牵头）' marks
    dropped)."""
    if is_blank(cell):
        return []
    names = [_LEAD_MARK.sub("", n.strip()).strip() for n in _SPLIT.split(str(cell))]
    return list(dict.fromkeys(n for n in names if n))


def resolve(names: list[str], lookup: UnitLookup) -> tuple[list[str], list[str]]:
    """(canonical names in order without repeats, unknown names as written)."""
    known, unknown = [], []
    for n in names:
        c = lookup.canonical(n)
        if c is None:
            unknown.append(n)
        elif c not in known:
            known.append(c)
    return known, unknown


def unknown_unit_problem(name: str, column: str) -> str:
    return (f"{column}“{name}”不在单位别名表（data/departments.toml）中：请改为表中已有的单位名称，"
            "或请管理员把该单位加入别名表后重新读取")
