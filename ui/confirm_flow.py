"""The check → preview → confirm cycle of 数据填报's writes, written once for its four tabs.

A check keeps the plan it made for what the user had on screen, under the form's name and for its owner (a grid's
region and indicator, an uploaded file and the account): the preview shows exactly that plan and the confirm writes
exactly it through the importer (access.guard checks the account where the write happens), compare-and-set against
the versions the user saw. A refusal is one Chinese sentence and writes nothing; a success reloads the page with
fresh data, fresh grids and the outcome shown once."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import pandas as pd
import streamlit as st

import db
import ui
from dataio import importer
from dataio.cells import Problem
from dataio.validate import Entry, Rules, problems_frame, validate_entries
from ui import tables
from ui.audit_log import readable
from vocab.accounts import Account, PermissionDenied
from vocab.text import md_escape

FLASH = "entry_flash"
NONCE = "entry_grid_nonce"
PREVIEW_TITLE = "**将要保存的修改（原值 → 新值）**"
# pixel widths that keep every column of the preview on a 1366-pixel screen (the main area is about 900 px)
PREVIEW_WIDTHS = {"变更": 52, "地区": 56, "指标": 190, "期间": 52, "原值": 60, "新值": 60, "原来源": 100, "来源": 110,
                  "示例数据": 56, "数据状态": 60, "发布日期": 88}


def flash() -> None:
    """The outcome of the last write, shown once after the page reloaded with fresh data."""
    if message := st.session_state.pop(FLASH, None):
        st.success(md_escape(message), icon=":material/check_circle:")


def nonce() -> int:
    """A number in the grids' widget keys: a new one gives every grid fresh rows (after a save or a refresh)."""
    return int(st.session_state.get(NONCE, 0))


def fresh_grids(*forget: str) -> NoReturn:
    """Forget the named session keys (a grid's kept rows, a pending check) and rerun with new grids."""
    for key in forget:
        st.session_state.pop(key, None)
    st.session_state[NONCE] = nonce() + 1
    st.rerun()


def done(message: str, forget: Iterable[str] = ()) -> NoReturn:
    """After a successful write: the message for the next run, the named keys forgotten, fresh grids."""
    st.session_state[FLASH] = message
    fresh_grids(*forget)


def show_problems(problems: list[Problem]) -> None:
    st.error(f"发现 {len(problems)} 处问题，未写入任何数据。请改正后重试：", icon=":material/error:")
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch")


def saved_text(counts: dict[str, int]) -> str:
    extra = f"，任务进展 {counts['progress']} 条" if counts.get("progress") else ""
    return f"已保存：新增 {counts['created']} 条，修改 {counts['updated']} 条{extra}。"


def attempt(write: Callable[[], Any], success: str, *, forget: Iterable[str] = (),
            then: Callable[[], None] | None = None) -> None:
    """A write without a preview (a progress report): a refused role, file, date or the database's refusal is shown
    as its sentence and what was typed stays; on success `then` (e.g. a fresh uploader), and `done`."""
    try:
        with importer.database_errors():
            write()
    except PermissionDenied as exc:
        st.error(md_escape(exc), icon=":material/lock:")
    except ValueError as exc:  # a refused file, date or name, or importer.SaveError
        st.error(md_escape(exc), icon=":material/error:")
    else:
        if then is not None:
            then()
        done(success, forget)


@dataclass
class Check:
    """One check's outcome for its owner: problems (nothing may be written), or the plan of values and progress
    reports to preview; `summary` is the upload's “新增 … 条” line."""
    owner: Hashable
    problems: list[Problem] = field(default_factory=list)
    plan: pd.DataFrame | None = None
    progress: pd.DataFrame | None = None
    summary: str = ""

    @property
    def changes(self) -> int:
        """Values and progress reports the confirm would write (unchanged rows are not writes)."""
        values = 0 if self.plan is None else int((self.plan["change"] != "unchanged").sum())
        reports = 0 if self.progress is None else int((self.progress["change"] == "new").sum())
        return values + reports

    @property
    def uses_sample(self) -> bool:
        return self.plan is not None and bool(self.plan["is_sample"].astype(bool).any())


def upload_check(result: importer.ImportResult, owner: Hashable) -> Check:
    """An import's dry run as a Check."""
    if not result.ok:
        return Check(owner, problems=result.problems)
    return Check(owner, plan=result.plan, progress=result.progress if len(result.progress) else None,
                 summary=result.summary())


class ConfirmFlow:
    """The pending check of one form, kept in st.session_state[name] while its owner is what the page shows."""

    def __init__(self, name: str, owner: Hashable) -> None:
        self.name, self.owner = name, owner

    def pending(self) -> Check | None:
        check = st.session_state.get(self.name)
        return check if isinstance(check, Check) and check.owner == self.owner else None

    def keep(self, check: Check) -> None:
        st.session_state[self.name] = check

    def forget(self) -> None:
        st.session_state.pop(self.name, None)

    def check_entries(self, entries: list[Entry], rules: Rules, seen: dict) -> None:
        """Validate what the user typed: its problems now (nothing kept), “没有修改”, or the plan kept for the
        preview, compared against the versions the user saw (`seen`)."""
        clean, problems = validate_entries(entries, rules)
        if problems or not clean:
            self.forget()
            show_problems(problems) if problems else st.info("没有修改。")
            return
        self.keep(Check(self.owner, plan=importer.plan_changes(ui.engine(), clean, seen)))

    def review(self, who: Account | None, reason: str, *, key: str, label: str = "确认保存",
               forget: Iterable[str] = (), recheck: Callable[[], Check] | None = None) -> None:
        """The pending check: its problems, or its preview and the confirm button that writes exactly that plan.
        With `recheck`, a plan refused because the data changed since is checked again and shown with a warning
        (an upload); without, the refusal is shown (a grid: the user refreshes and types again)."""
        check = self.pending()
        if check is None:
            return
        if message := st.session_state.pop(f"{self.name}_conflict", None):
            st.warning(md_escape(message), icon=":material/sync_problem:")
        if check.problems:
            show_problems(check.problems)
            return
        ui.sample_banner(check.uses_sample)
        if check.summary:
            st.info(f"检查通过：{check.summary}。", icon=":material/search:")
        st.markdown(PREVIEW_TITLE)
        preview = importer.preview_frame(check.plan)
        st.dataframe(preview, hide_index=True, width="stretch", height=tables.table_height(preview, 15),
                     column_config={c: st.column_config.Column(width=w) for c, w in PREVIEW_WIDTHS.items()},
                     placeholder="")
        if check.progress is not None:
            st.dataframe(importer.progress_preview_frame(check.progress), hide_index=True, width="stretch")
        if st.button(label, type="primary", key=key, disabled=not check.changes):
            self._write(check, who, reason, [self.name, *forget], recheck)

    def _write(self, check: Check, who: Account | None, reason: str, forget: list[str],
               recheck: Callable[[], Check] | None) -> None:
        try:
            counts = importer.apply_plan(ui.engine(), check.plan, account=who, reason=reason, progress=check.progress)
        except db.ConcurrentEditError as exc:
            if recheck is None:
                st.error(md_escape(readable(exc)), icon=":material/error:")
                return
            self.keep(recheck())
            st.session_state[f"{self.name}_conflict"] = (
                f"未写入：预览之后数据已被他人修改（{readable(exc)}）。下方是按最新数据重新生成的预览，请核对后再确认。")
            st.rerun()
        except (PermissionDenied, ValueError) as exc:  # ValueError: importer.SaveError (the database refused)
            st.error(md_escape(readable(exc)), icon=":material/error:")
            return
        done(saved_text(counts), forget)
