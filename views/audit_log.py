"""修改记录 in the words people use: an audit entry's key with names instead of codes ('长垣市/rd_intensity/2020' →
'长垣市 · 全社会研发投入强度 · 2020年'), the log filtered by those words, times in local time, and what undoing a
whole batch would undo. Pure pandas over the store's frames (audit log, batches, indicators, policies, targets)."""
from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from db import SYSTEM_USER
from vocab import labels
from vocab.periods import parse_period, period_label

SEPARATOR = " · "
NUMBERED = {"task_progress": "进展", "chase": "催办"}  # the last part of their keys is a row number


def key_names(indicators: pd.DataFrame, policies: pd.DataFrame) -> dict[str, dict[str, str]]:
    """The lookups key_text needs: indicator code → name, policy code → document number."""
    return {"indicators": dict(zip(indicators["code"], indicators["name"])),
            "policies": dict(zip(policies["code"], policies["doc_number"]))}


def key_text(entity: str, key: str, names: Mapping[str, Mapping[str, str]]) -> str:
    """An audit key in words: regions and units as they are, indicator codes as names, a period as '2020年' /
    '2020年三季度', a policy code as its document number, a report's or chase's number as '进展 #47'."""
    if not isinstance(key, str) or not key:
        return ""
    inds, pols = names["indicators"], names["policies"]
    parts = key.split("/")
    if entity in ("observation", "observation_vintage") and len(parts) == 3:
        region, code, period = parts
        parsed = parse_period(period)
        return SEPARATOR.join([region, inds.get(code, code),
                               period_label(*parsed) if isinstance(parsed, tuple) else period])
    if entity == "indicator":
        return inds.get(key, key)
    words = [pols.get(parts[0], parts[0]), *parts[1:]]
    if entity in NUMBERED and len(words) > 2 and words[-1].isdigit():
        words[-1] = f"{NUMBERED[entity]} #{words[-1]}"
    return SEPARATOR.join(inds.get(w, w) if i else w for i, w in enumerate(words))


_VALUE_KEY = re.compile(r"([^\s/：:，,“”]+)/([a-z][a-z0-9_]*)/(\d{4}(?:Q[1-4])?)")


def in_words(text: str, names: Mapping[str, Mapping[str, str]]) -> str:
    """A message with every value key in it ('长垣市/hte_count/2020：保存失败…', as the store writes them) in words."""
    return _VALUE_KEY.sub(lambda m: key_text("observation", m.group(0), names), str(text))


def _folded(text: pd.Series) -> pd.Series:
    """Text compared without spaces, separators and slashes, case-folded."""
    return text.astype(str).str.replace(r"[\s·/]", "", regex=True).str.casefold()


def local_time(stamps: pd.Series, timezone: str) -> pd.Series:
    """Stored UTC times (naive or aware) in the local timezone, naive: what the page shows."""
    return pd.to_datetime(stamps, utc=True).dt.tz_convert(timezone).dt.tz_localize(None)


def log_frame(audit: pd.DataFrame, names: Mapping[str, Mapping[str, str]], timezone: str) -> pd.DataFrame:
    """The audit log with key_text and local_at (local_time of its time)."""
    return audit.assign(key_text=[key_text(e, k, names) for e, k in zip(audit["entity"], audit["entity_key"])],
                        local_at=local_time(audit["at"], timezone))


def matching(log: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """The entries whose key, in words or as stored, contains every word of the text ('高新技术企业 2020' finds
    '长垣市 · 高新技术企业总数 · 2020年'); all entries for a blank text."""
    words = [w for w in _folded(pd.Series(str(text or "").split(), dtype=object)) if w]
    if not words:
        return log
    shown, stored = _folded(log["key_text"]), _folded(log["entity_key"])
    hit = pd.Series(True, index=log.index)
    for word in words:
        hit &= shown.str.contains(word, regex=False) | stored.str.contains(word, regex=False)
    return log.loc[hit]


def open_batches(batches: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """The batches an admin may undo as one: not reverted, and not the built-in data load (written by SYSTEM_USER);
    with local_at (local_time of the batch's first entry)."""
    shown = batches.loc[~batches["reverted"].astype(bool) & (batches["who"] != SYSTEM_USER)]
    return shown.assign(local_at=local_time(shown["at"], timezone))


def batch_details(entries: pd.DataFrame, names: Mapping[str, Mapping[str, str]]) -> dict:
    """What undoing a batch would undo, from its value and progress entries (key_text and local_at as log_frame
    adds them): rows, indicators (names, first seen order), who, when, reason, and a table of each entry's key
    with the value it holds now and the value it returns to."""
    values = entries.loc[entries["entity"].isin(("observation", "observation_vintage"))]
    codes = [k.split("/")[1] for k in values["entity_key"] if k.count("/") == 2]
    indicators = list(dict.fromkeys(names["indicators"].get(c, c) for c in codes))
    table = pd.DataFrame({
        "数据项": entries["key_text"].to_numpy(),
        "操作": entries["action"].map(labels.AUDIT_ACTIONS).fillna(entries["action"]).to_numpy(),
        "现值": [_value(r) for r in entries["new"]], "撤销后": [_value(r) for r in entries["old"]]})
    return {"rows": len(entries), "indicators": indicators, "who": "、".join(dict.fromkeys(entries["who"])),
            "when": entries["local_at"].min(), "reason": next(iter(entries["reason"].dropna()), ""), "table": table}


def _value(record) -> str:
    """An entry's value in a batch table: the number (without trailing zeros) or the progress state, '（无）'."""
    if not isinstance(record, dict):
        return "（无）"
    if "value" in record:
        return labels.number_text(record["value"], 2).rstrip("0").rstrip(".")
    if "status" in record:
        return labels.TASK_STATUSES.get(record["status"], str(record["status"]))
    return "（有记录）"
