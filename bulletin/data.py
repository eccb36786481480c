"""The inputs of the 督查通报: the same engine frames as the 部门督办 page and the deck (views.policy), gathered for
one policy, region and as-of day, with the 成文日期 and the 文号's number."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from bulletin.evidence_annex import evidence_files
from metrics.bands import with_bands
from metrics.overdue import overdue_milestones, overdue_tasks
from views.policy import (
    Frames,
    ledger_deadlines,
    policy_band_history,
    policy_row,
    scorecard_at,
)


@dataclass
class BulletinData:
    policy: dict                    # views.policy.policy_row
    region: str
    as_of: pd.Timestamp             # the day judged (tasks on that day, targets at the latest complete quarter)
    status: pd.DataFrame            # metrics.status.target_status for the region
    ledger: pd.DataFrame            # metrics.scorecard.task_ledger
    scorecard: pd.DataFrame         # department_scorecard with band / band_label (metrics.bands.with_bands)
    overdue_tasks: pd.DataFrame     # metrics.overdue.overdue_tasks
    overdue_milestones: pd.DataFrame  # metrics.overdue.overdue_milestones (one row per milestone)
    bands: pd.DataFrame             # metrics.bands.band_history over the last quarters
    deadlines: pd.DataFrame | None  # metrics.deadlines.milestone_deadlines, when milestones exist
    settings: dict
    issued: date                    # 成文日期: the 文号's year is its year
    number: int | None = None       # the 文号's number (None: [bulletin] serial)
    files: pd.DataFrame | None = None  # bulletin.evidence_annex.evidence_files: the 佐证材料 behind 办结 items

    @property
    def is_sample(self) -> bool:
        """True when any number printed rests on sample data (targets, tasks or milestones)."""
        parts = [self.status["is_sample"], self.ledger["is_sample"]]
        if self.deadlines is not None and "is_sample" in self.deadlines:
            parts.append(self.deadlines["is_sample"])
        return any(bool(p.fillna(False).astype(bool).any()) for p in parts)


def bulletin_data(frames: Frames, settings: dict, *, policy: str, region: str, as_of: int | str | date,
                  deadlines: pd.DataFrame | None = None, issued: date | None = None, number: int | None = None,
                  quarters: int = 4) -> BulletinData:
    """Everything the bulletin prints. deadlines: the milestone deadline frame (None: computed from the frames'
    milestones, if any). issued: the 成文日期 (default today); a day before the as-of day is refused."""
    status, ledger, card = scorecard_at(frames, settings, policy, region, as_of)
    day = pd.Timestamp(ledger["as_of"].iloc[0]) if len(ledger) else pd.Timestamp(as_of)
    issued = issued or date.today()
    if pd.Timestamp(issued) < day:
        raise ValueError(f"成文日期 {issued.isoformat()} 早于通报的截至日期 {day.date().isoformat()}，请检查日期")
    if number is not None and not 1 <= int(number) <= 9999:
        raise ValueError(f"文号序号 {number} 无效：应为 1 至 9999 的整数")
    if deadlines is None:
        deadlines = ledger_deadlines(frames, settings, policy, ledger)
    return BulletinData(
        policy=policy_row(frames, policy), region=region, as_of=day, status=status, ledger=ledger,
        scorecard=with_bands(card, settings), overdue_tasks=overdue_tasks(ledger),
        overdue_milestones=overdue_milestones(deadlines),
        bands=policy_band_history(frames, settings, policy, region, as_of, quarters), deadlines=deadlines,
        settings=settings, issued=issued, number=None if number is None else int(number),
        files=evidence_files(frames, policy))
