"""The bulletin's annex: the evidence behind each 办结 item of the as-of year (milestones reported done and tasks
whose latest report says done), with the evidence text and the 佐证材料 files stored for it.

`evidence_files` gathers the file rows from the frames (views.load_catalogue_frames holds "attachments", the rows
without their bytes); `annex_rows` is pure pandas; `add_annex` draws it after the signature, on a new page, as
GB/T 9704 places an annex: “附件” at the top left in 黑体, the annex title centred."""
from __future__ import annotations

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from bulletin.docx_kit import paragraph, run, table
from dataio.limits import size_text

ANNEX_TITLE = "办结事项佐证材料清单"
ANNEX_COLUMNS = ["unit", "task", "item", "completed_on", "evidence", "files"]
DONE_STATES = ("done_on_time", "done_late")


def evidence_files(frames: dict, policy: str) -> pd.DataFrame:
    """The policy's files with what they belong to: owner_kind, clause, milestone_id (milestones), reported_on
    (progress reports), file_name, size. Empty when the frames hold no attachments."""
    columns = ["owner_kind", "clause", "milestone_id", "reported_on", "file_name", "size"]
    files = frames.get("attachments")
    if files is None or files.empty:
        return pd.DataFrame(columns=columns)
    files = files.astype({"owner_id": "int64"})
    progress = frames["progress"].loc[frames["progress"]["policy"] == policy, ["id", "clause", "reported_on"]]
    milestones = frames["milestones"].loc[frames["milestones"]["policy"] == policy, ["milestone_id", "clause"]]
    of_reports = files.loc[files["owner_kind"] == "task_progress"].merge(
        progress.astype({"id": "int64"}), left_on="owner_id", right_on="id")
    of_milestones = files.loc[files["owner_kind"] == "milestone"].merge(
        milestones.astype({"milestone_id": "int64"}), left_on="owner_id", right_on="milestone_id")
    both = pd.concat([of_reports, of_milestones], ignore_index=True)
    return both.reindex(columns=columns)


def _files_text(files: pd.DataFrame) -> str:
    return "、".join(f"{n}（{size_text(int(s))}）" for n, s in zip(files["file_name"], files["size"])) or "—"


def annex_rows(deadlines: pd.DataFrame | None, ledger: pd.DataFrame, files: pd.DataFrame | None,
               as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per 办结 item completed in the as-of year up to the as-of day: unit, task, item, completed_on
    (YYYY-MM-DD), evidence (text), files (names and sizes, '—' when none). Milestones first (by completion date),
    then tasks."""
    as_of = pd.Timestamp(as_of).normalize()
    start = pd.Timestamp(as_of.year, 1, 1)
    files = files if files is not None else pd.DataFrame(columns=["owner_kind", "clause", "milestone_id",
                                                                    "reported_on", "file_name", "size"])
    rows = []
    if deadlines is not None and {"completed_on", "evidence"} <= set(deadlines.columns):
        done = deadlines.loc[deadlines["state"].isin(DONE_STATES)].copy()
        done["completed_on"] = pd.to_datetime(done["completed_on"])
        done = done.loc[done["completed_on"].between(start, as_of)]
        for mid, group in done.groupby("milestone_id", sort=False):
            r = group.iloc[0]
            own = files.loc[(files["owner_kind"] == "milestone") & (files["milestone_id"] == mid)]
            rows.append({"unit": "、".join(dict.fromkeys(group["unit"])), "task": str(r["task_title"]),
                         "item": str(r["title"]), "completed_on": r["completed_on"],
                         "evidence": str(r["evidence"] or "").strip() or "—", "files": _files_text(own)})
    tasks = ledger.loc[(ledger["status"] == "done") & pd.to_datetime(ledger["reported_on"]).between(start, as_of)]
    for r in tasks.itertuples():
        own = files.loc[(files["owner_kind"] == "task_progress") & (files["clause"] == r.clause)
                        & (pd.to_datetime(files["reported_on"]) <= as_of)]
        units = str(getattr(r, "lead_units", "") or getattr(r, "responsible_units", "") or "—")
        rows.append({"unit": units, "task": str(r.title), "item": "任务办结", "completed_on": pd.Timestamp(r.reported_on),
                     "evidence": str(r.evidence or "").strip() or "—", "files": _files_text(own)})
    out = pd.DataFrame(rows, columns=ANNEX_COLUMNS)
    if out.empty:
        return out
    out["completed_on"] = pd.to_datetime(out["completed_on"]).dt.strftime("%Y-%m-%d")
    return out


def add_annex(annexes, data) -> None:
    """Hands the 办结 evidence table to the bulletin's annexes (nothing when no item was 办结 in the as-of year)."""
    rows = annex_rows(data.deadlines, data.ledger, getattr(data, "files", None), data.as_of)
    if not rows.empty:
        annexes.add(ANNEX_TITLE, lambda doc, data: _draw(doc, data, rows))


def _draw(doc, data, rows: pd.DataFrame) -> None:
    p = paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    run(p, f"（{data.as_of.year}年1月1日至{data.as_of.month}月{data.as_of.day}日办结{len(rows)}项）")
    body = [[str(i), r.unit, r.task, r.item, r.completed_on, r.evidence, r.files]
            for i, r in enumerate(rows.itertuples(), start=1)]
    table(doc, ["序号", "责任单位", "任务", "办结事项", "完成日期", "办结情况及佐证说明", "佐证材料文件"], body,
          size=10.5)   # 五号 and sized to the content, like the other annexes
