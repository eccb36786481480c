"""Which indicators, tasks and regions an account may write, read off the catalogue (no second list kept by hand).

Pure functions over the frames of db.read_targets (lead_units, responsible_units: canonical names joined by "、"),
db.read_task_units (policy, clause, role, department), db.read_policies (region) and db.read_regions (name).
A department reports for its own region (the region of the policies, e.g. 长垣市); the benchmark and peer regions
(河南省, 新乡市, other counties) hold published statistics, written by admins only."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from vocab.accounts import Account

WRITER_ROLES = ("editor", "inspector", "admin")   # may write observations and task progress
ALL_DEPARTMENT_ROLES = ("inspector", "admin")     # ... for every department
ADMIN_ROLES = ("admin",)                          # users, reverts, snapshots, settings


def _units(text: object) -> set[str]:
    return {u for u in str(text or "").split("、") if u}


def department_indicators(targets: pd.DataFrame, departments: Iterable[str]) -> set[str]:
    """Indicator codes of every target whose task the departments lead or share."""
    wanted = set(departments)
    if not wanted or targets.empty:
        return set()
    mine = [bool((_units(lead) | _units(resp)) & wanted)
            for lead, resp in zip(targets["lead_units"], targets["responsible_units"])]
    return set(targets.loc[mine, "indicator"])


def department_tasks(task_units: pd.DataFrame, departments: Iterable[str]) -> set[tuple[str, str]]:
    """(policy, clause) of every task the departments lead or share."""
    rows = task_units.loc[task_units["department"].isin(set(departments))]
    return set(zip(rows["policy"], rows["clause"]))


def may_write_any(account: Account | None) -> bool:
    """Whether the account may write data at all (an editor, inspector or admin)."""
    return account is not None and account.role in WRITER_ROLES


def writable_indicators(account: Account | None, targets: pd.DataFrame,
                        all_indicators: Iterable[str]) -> set[str]:
    """The indicator codes the account may write: none for a viewer, its departments' for an editor, all else."""
    if not may_write_any(account):
        return set()
    if account.role in ALL_DEPARTMENT_ROLES:
        return set(all_indicators)
    return department_indicators(targets, account.departments)


def writable_tasks(account: Account | None, task_units: pd.DataFrame,
                   all_tasks: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(policy, clause) of the tasks whose progress the account may report."""
    if not may_write_any(account):
        return set()
    if account.role in ALL_DEPARTMENT_ROLES:
        return set(all_tasks)
    return department_tasks(task_units, account.departments)


def is_admin(account: Account | None) -> bool:
    return account is not None and account.role in ADMIN_ROLES


def writable_regions(account: Account | None, policies: pd.DataFrame, regions: pd.DataFrame) -> set[str]:
    """The regions the account may write values of: none for a viewer, every region for an admin, else the
    policies' own regions (a department's clerk and the inspectors report for the county, not for 河南省)."""
    if not may_write_any(account):
        return set()
    if account.role in ADMIN_ROLES:
        return set(regions["name"])
    return set(policies["region"])
