"""A stored policy written back in the data/policies TOML form: loading the file (store.catalogue.load_policy) gives
the same catalogue. The writer covers exactly what a catalogue holds (strings, numbers, booleans, lists of
strings); values at their default are left out."""
from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy.engine import Engine

from store import catalogue as cat
from store.policy_import import POLICY_FIELDS, stored_policy

HEADER = ("# {doc} {title}\n# 由 python cli.py policy export 从数据库导出。放入 data/policies/ 并运行"
          " python cli.py init 即按文件载入（代码与已导入的政策相同时，数据库中的导入版本保持不变）。\n")
INDICATOR_DEFAULTS = {"min": None, "max": None, "stages": [], "aliases": [], "decimals": 0}


def export_policy(engine: Engine, code: str) -> str:
    """The TOML text of the stored policy; ValueError (Chinese) when the store has no such policy."""
    policy = stored_policy(engine, code)
    if policy is None:
        raise ValueError(f"数据库中没有政策 {code}：用 python cli.py targets 查看已有政策的代码")
    return policy_toml(policy)


def policy_toml(policy: cat.Policy) -> str:
    """The catalogue as a data/policies file: [policy], then [[indicators]], [[targets]], [[tasks]]."""
    parts = [HEADER.format(doc=policy.doc_number, title=policy.title), "[policy]",
             _pair("code", policy.code)]
    parts += [_pair(f, getattr(policy, f)) for f in POLICY_FIELDS]
    for name, items, defaults in (("indicators", policy.indicators, INDICATOR_DEFAULTS),
                                  ("targets", policy.targets, cat.TARGET_DEFAULTS),
                                  ("tasks", policy.tasks, {"lead": [], "units": []})):
        for item in items:
            parts.append(f"\n[[{name}]]")
            parts += [_pair(k, v) for k, v in item.items() if k not in defaults or v != defaults[k]]
    return "\n".join(p for p in parts if p is not None) + "\n"


def _pair(key: str, value: Any) -> str | None:
    if value is None:
        return None
    return f"{key} = {_value(value)}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"目录中的数值 {value} 无法写入 TOML")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to the catalogue TOML")


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (\\" \\\\ \\n \\t \\uXXXX), except that TOML has no \\/ (json
    never writes it) and needs DEL escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
