"""Import an uploaded workbook (the template, a plain long table, or our own export) or a long table saved as .csv:
read it (dataio.files, dataio.sheets), validate every value (dataio.validate, dataio.validate_progress), show what
would change and write it all in one audited transaction — or nothing at all (dataio.plan).

`import_workbook(engine, file, account, dry_run)` is the one function the page and `cli.py import` call; the account
is checked by access.guard (values outside the account's departments are problems of their rows)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from sqlalchemy.engine import Engine

import db
from access import guard
from access.permissions import WRITER_ROLES
from dataio.cells import Problem
from dataio.plan import (
    PLAN_COLUMNS,
    PROGRESS_PLAN_COLUMNS,
    SaveError,
    apply_plan,
    database_error_message,
    database_errors,
    plan_changes,
    plan_progress,
    preview_frame,
    progress_preview_frame,
)
from dataio.sheets import header_field, header_period, read_workbook
from dataio.validate import Rules, validate_entries
from dataio.validate_progress import validate_progress
from vocab.accounts import Account
from vocab.labels import CHANGE_LABELS, TASK_STATUSES, VINTAGE_CHANGE_LABELS

# what the page and the tests call by these names
__all__ = ["ImportResult", "SaveError", "apply_plan", "database_error_message", "database_errors", "header_field",
           "header_period", "import_workbook", "load_rules", "permission_problems", "plan_changes", "plan_progress",
           "preview_frame", "progress_preview_frame", "read_workbook"]


@dataclass
class ImportResult:
    """Problems (nothing written when any), the plan (one row per value: new | update | unchanged, old → new),
    and the counts written (None for a dry run or a refused file)."""
    problems: list[Problem] = field(default_factory=list)
    plan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLAN_COLUMNS))
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROGRESS_PLAN_COLUMNS))
    written: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        """new / update / unchanged; a new vintage and an earlier one count as updates of their value."""
        vc = self.plan["change"].value_counts()
        counts = {k: int(vc.get(k, 0)) for k in CHANGE_LABELS}
        counts["update"] += sum(int(vc.get(k, 0)) for k in VINTAGE_CHANGE_LABELS)
        return counts

    def vintages(self) -> dict[str, int]:
        """vintage (新版次: becomes current, the value it replaces kept) / earlier (较早版次: kept beside it)."""
        vc = self.plan["change"].value_counts()
        return {k: int(vc.get(k, 0)) for k in VINTAGE_CHANGE_LABELS}

    def new_progress(self) -> int:
        return int((self.progress["change"] == "new").sum())

    def summary(self) -> str:
        c = self.counts()
        text = f"新增 {c['new']} 条，修改 {c['update']} 条，不变 {c['unchanged']} 条"
        v = self.vintages()
        if any(v.values()):
            text += "（修改中" + "、".join(f"{VINTAGE_CHANGE_LABELS[k]} {n} 条" for k, n in v.items() if n) + "）"
        if len(self.progress):
            text += f"；任务进展新增 {self.new_progress()} 条，已有 {len(self.progress) - self.new_progress()} 条"
        return text



# ------------------------------------------------------------------ the one entry point

def import_workbook(engine: Engine, file: str | Path | bytes | IO[bytes], account: Account | None = None,
                    dry_run: bool = False, reason: str = "Excel 导入", name: str | None = None) -> ImportResult:
    """Parse, validate and (unless dry_run or any problem) write the file's values in one transaction. The file is
    an .xlsx workbook or a .csv long table; `name` (default: the path's or upload's name) tells them apart.

    With an account, a value or task outside what it may write is a problem of its row (so the preview says so);
    writing needs an account that may write (vocab.accounts.PermissionDenied otherwise, nothing written)."""
    if account is not None or not dry_run:
        guard.require(account, WRITER_ROLES, "导入数据")
    entries, progress_entries, problems = read_workbook(file, name)
    if problems and not entries and not progress_entries:  # the file itself is refused: no need to ask the store
        return ImportResult(problems=problems)
    rules = load_rules(engine)
    clean, bad = validate_entries(entries, rules)
    policies = db.read_policies(engine)
    progress, bad_progress = validate_progress(progress_entries, db.read_tasks(engine), TASK_STATUSES,
                                               dict(zip(policies["code"], policies["start_year"])))
    problems = problems + bad + bad_progress
    if not problems and not clean and not progress:
        problems = [Problem("", None, "", "", "工作簿中没有可导入的数值：请在模板的年份列或长表的“数值”列中填写数据")]
    if not problems and account is not None:
        problems = permission_problems(guard.write_scope(engine, account), account, clean, progress)
    if problems:
        return ImportResult(problems=problems)
    result = ImportResult(plan=plan_changes(engine, clean), progress=plan_progress(engine, progress))
    if not dry_run:
        try:
            result.written = apply_plan(engine, result.plan, account=account, reason=reason, progress=result.progress)
        except SaveError as exc:
            result.problems = [Problem("", None, "", "", str(exc))]
    return result


def permission_problems(scope: guard.Scope, account: Account, clean: list[dict[str, Any]],
                        progress: list[dict[str, Any]]) -> list[Problem]:
    """One problem per row whose region, indicator or task the account may not write."""
    depts = "、".join(account.departments) or "本单位"
    message = f"账号{guard.account_text(account)}无权填报此项：只能填报{depts}牵头或参与的目标指标和任务"
    return ([Problem(r["sheet"], r["row"], "地区", r["region"], guard.region_refusal(scope, account, r["region"]))
             for r in clean if r["region"] not in scope.regions]
            + [Problem(r["sheet"], r["row"], "指标", scope.indicator_names.get(r["indicator"], r["indicator"]),
                       message)
               for r in clean if r["region"] in scope.regions and r["indicator"] not in scope.indicators]
            + [Problem(r["sheet"], r["row"], "条款", r["clause"], message)
               for r in progress if (r["policy"], r["clause"]) not in scope.tasks])


def load_rules(engine: Engine) -> Rules:
    return Rules.from_frames(db.read_indicators(engine), db.read_regions(engine), db.read_policies(engine))

