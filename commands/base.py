"""What every command shares: the registry, the database it opens, table output and the policy/region choice."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import pandas as pd

import db
from views import policy as views_policy
from vocab import labels
from vocab.text import formula_safe

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help_text: str, setup: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a sub-command: its help, its arguments and its handler."""
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = (help_text, setup, fn)
        return fn
    return register


def engine():
    eng = db.make_engine()
    db.create_schema(eng)
    return eng


def ready_engine():
    """An engine on a filled database (initialised on first use, like the app)."""
    eng = engine()
    if db.read_policies(eng).empty:
        db.init_db(eng)
    return eng


def emit(df: pd.DataFrame, fmt: str, sample: bool = False) -> None:
    """A table on stdout; as CSV every text cell goes through formula_safe, so that opening the file in Excel
    never runs a formula someone typed into a name, source or meeting title. A table with a sample row (`sample`)
    is followed by the 示例数据 banner (the CSV marks each row in its own column)."""
    if fmt == "csv":
        safe = df.rename(columns=formula_safe)
        text_cols = [c for c in safe.columns if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c])]
        safe[text_cols] = safe[text_cols].map(formula_safe)
        safe.to_csv(sys.stdout, index=False)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 40, "display.unicode.east_asian_width", True):
            print(df.to_string(index=False))
        if sample:
            print(f"\n{labels.SAMPLE_BANNER}")


def format_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["csv", "table"], default="table", help="输出格式")
    p.add_argument("--policy", default=None, help="政策代码（默认全部）")



def policy_and_region(frames: views_policy.Frames, policy: str | None, region: str | None) -> tuple[str, str]:
    """The policy (default: the first) and the region (default: the policy's own), both checked."""
    policy = policy or views_policy.default_policy(frames)
    row = views_policy.policy_row(frames, policy)
    return policy, views_policy.check_region(frames, region or str(row["region"]))
