"""Which indicator a goal's phrase names, among every indicator in the store (names and aliases of all policies), so
that one series — 全社会研发投入强度, 高新技术企业总数 — feeds every policy that sets a target on it. No match: a
new indicator is proposed with the goal's unit. A near match is used but marked for checking. Pure: the store's
indicators come in as a frame (db.read_indicators)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from vocab.labels import AREAS
from vocab.periods import normalise

LEADING_VERBS = ("引进培育", "新引进", "新培育", "新创建", "新增", "新建", "引进", "培育", "创建", "建设", "建成",
                 "认定", "获批")
# the measures a kind may use (a yearly or running amount needs a flow, a milestone a stage series …)
MEASURES_FOR_KIND = {
    "level": ("stock", "ratio", "flow"), "rank": ("rank",), "annual": ("flow",), "cumulative": ("flow",),
    "cagr": ("flow", "stock"), "relative": ("flow", "stock", "ratio"), "milestone": ("stage",),
}
SIMILAR = 0.6          # bigram Dice coefficient from which a name counts as a near match
CONTAINED = 0.6        # share of the phrase a contained name must cover to count as the same indicator
STAGES = ["未启动", "申报中", "已获批"]
AREA_WORDS = (("乡村振兴", ("农业", "乡村", "农村", "特派员", "星创天地", "农作物")),
              ("知识产权", ("专利", "商标", "知识产权")), ("人才", ("人才", "团队", "专家", "院士", "博士")),
              ("机构", ("研发机构", "研究院", "孵化器", "众创空间", "服务机构", "转移机构")),
              ("平台", ("平台", "实验室", "中心", "工作站")), ("项目", ("项目", "专项")), ("企业", ("企业",)))
COUNT_UNITS = ("家", "个", "项", "件", "名", "次", "位", "所", "座", "支", "款", "条", "户", "人", "人次")


@dataclass(frozen=True)
class Match:
    """The indicator a phrase names: an existing code (how = exact | contained | similar) or a proposal (code None,
    how = new) with its name, unit, measure, and the existing name it was matched to when not exact."""
    code: str | None
    name: str
    unit: str
    measure: str
    how: str

    @property
    def is_new(self) -> bool:
        return self.code is None


def key(text: str) -> str:
    """A name folded for matching: width, spaces, quotes, brackets and common short forms."""
    text = normalise(text).replace("（", "(").replace("）", ")")
    text = re.sub(r"[“”\"'‘’《》「」]", "", text).replace("规模以上", "规上").replace("的", "")
    return text


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def dice(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


class IndicatorLookup:
    """Every stored indicator by folded name and alias. `indicators`: code, name, unit, measure, aliases."""

    def __init__(self, indicators: pd.DataFrame) -> None:
        self.rows: dict[str, dict[str, Any]] = {r["code"]: r for r in indicators.to_dict("records")}
        self.keys: list[tuple[str, str]] = []   # (folded name or alias, code)
        for code, r in self.rows.items():
            for name in [r["name"], *(r.get("aliases") or [])]:
                if name:
                    self.keys.append((key(name), code))

    def by_name(self, name: str) -> str | None:
        """The code whose name or alias is this name (folded), or None."""
        k = key(name)
        return next((code for n, code in self.keys if n == k), None)

    def match(self, phrase: str, kind: str, unit: str, rank: bool = False) -> Match:
        """The best stored indicator for a goal's phrase among those whose measure suits the kind; else a proposal."""
        allowed = MEASURES_FOR_KIND["rank" if rank else kind]
        variants = _variants(phrase)
        found = self._best(variants, allowed, unit)
        if found is not None:
            code, how = found
            r = self.rows[code]
            return Match(code, r["name"], r["unit"], r["measure"], how)
        return proposal(phrase, kind, unit, rank)

    def _best(self, variants: list[str], allowed: tuple[str, ...], unit: str) -> tuple[str, str] | None:
        def fits(code: str) -> bool:
            r = self.rows[code]
            return r["measure"] in allowed and (not unit or r["unit"] == unit or r["measure"] == "stage")
        for v in variants:
            exact = {code for n, code in self.keys if n == v and fits(code)}
            if len(exact) == 1:
                return exact.pop(), "exact"
        scored: dict[str, tuple[float, str]] = {}
        for v in variants:
            for n, code in self.keys:
                if not fits(code) or min(len(n), len(v)) < 4:
                    continue
                if n in v or v in n:
                    score, how = 1 + min(len(n), len(v)) / max(len(n), len(v)), "contained"
                    if min(len(n), len(v)) / len(v) < CONTAINED:
                        how = "similar"
                else:
                    score, how = dice(n, v), "similar"
                    if score < SIMILAR:
                        continue
                if score > scored.get(code, (0.0, ""))[0]:
                    scored[code] = (score, how)
        if not scored:
            return None
        ranked = sorted(scored.items(), key=lambda kv: -kv[1][0])
        best_code, (best, how) = ranked[0]
        if len(ranked) > 1 and best - ranked[1][1][0] < 0.05:
            how = "similar"   # two indicators fit about equally: the clerk decides
        return best_code, how


def _variants(phrase: str) -> list[str]:
    """The phrase and the phrase without a leading verb ('新创建市级创新平台', '市级创新平台')."""
    k = key(phrase)
    out = [k]
    for verb in LEADING_VERBS:
        if k.startswith(verb) and len(k) > len(verb) + 1:
            out.append(k[len(verb):])
            break
    return out


def proposal(phrase: str, kind: str, unit: str, rank: bool = False) -> Match:
    """A new indicator named by the phrase, with a measure that suits the kind and the unit."""
    if kind == "milestone":
        return Match(None, phrase if phrase.endswith("创建") else f"{phrase}创建", "阶段", "stage", "new")
    if rank:
        return Match(None, phrase if phrase.endswith(("位次", "排名")) else f"{phrase}位次", "位", "rank", "new")
    if kind in ("annual", "cumulative"):
        measure = "flow"
    elif unit == "%" and kind == "level":
        measure = "ratio"
    else:
        measure = "flow" if kind == "cagr" else "stock"
    return Match(None, phrase, "" if kind in ("cagr", "relative") else unit, measure, "new")


def proposed_spec(code: str, name: str, unit: str, measure: str, kind: str) -> dict[str, Any]:
    """The catalogue entry of a proposed indicator (area from its words, bounds and decimals from its unit)."""
    area = next((a for a, words in AREA_WORDS if any(w in name for w in words)), AREAS[0])
    decimals = 0 if unit in COUNT_UNITS or measure in ("rank", "stage") else (1 if unit == "%" else 2)
    spec: dict[str, Any] = {
        "code": code, "name": name, "unit": unit, "area": area, "measure": measure,
        "path": "compound" if kind == "cagr" else "linear", "frequency": "annual", "decimals": decimals,
        "min": 1 if measure == "rank" else 0, "max": None, "stages": [], "aliases": [],
    }
    if measure == "stage":
        spec.update(stages=list(STAGES), max=len(STAGES) - 1)
    if unit == "%" and measure == "ratio":
        spec["max"] = 100
    return spec
