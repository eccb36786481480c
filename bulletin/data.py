"""The inputs of the 督查通报: the same engine frames as the 部门督办 page and the deck (views.policy), gathered for
one policy, region and as-of day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from bulletin.evidence_annex import evidence_files
from metrics.bands import with_bands
from metrics.overdue import overdue_items, unit_reasons
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
    reasons: pd.DataFrame           # metrics.overdue.unit_reasons
    overdue: pd.DataFrame           # metrics.overdue.overdue_items
    bands: pd.DataFrame             # metrics.bands.band_history over the last quarters
    deadlines: pd.DataFrame | None  # metrics.deadlines.milestone_deadlines, when milestones exist
    settings: dict
    issued: date
    files: pd.DataFrame | None = None  # bulletin.evidence_annex.evidence_files: the 佐证材料 behind 办结 items

    @property
    def is_sample(self) -> bool:
        """True when any number printed rests on sample data (targets, tasks or milestones)."""
        parts = [self.status["is_sample"], self.ledger["is_sample"]]
        if self.deadlines is not None and "is_sample" in self.deadlines:
            parts.append(self.deadlines["is_sample"])
        return any(bool(p.fillna(False).astype(bool).any()) for p in parts)


def bulletin_data(frames: Frames, settings: dict, *, policy: str, region: str, as_of: int | str | date,
                  deadlines: pd.DataFrame | None = None, issued: date | None = None,
                  quarters: int = 4) -> BulletinData:
    """Everything the bulletin prints. deadlines: the milestone deadline frame (None until milestones exist: the
    overdue list then comes from the task ledger)."""
    status, ledger, card = scorecard_at(frames, settings, policy, region, as_of)
    if deadlines is None:
        deadlines = ledger_deadlines(frames, settings, policy, ledger)
    card = with_bands(card, settings)
    overdue = overdue_items(ledger, deadlines)
    return BulletinData(
        policy=policy_row(frames, policy), region=region, as_of=pd.Timestamp(ledger["as_of"].iloc[0])
        if len(ledger) else pd.Timestamp(as_of), status=status, ledger=ledger, scorecard=card,
        reasons=unit_reasons(card, overdue), overdue=overdue,
        bands=policy_band_history(frames, settings, policy, region, as_of, quarters), deadlines=deadlines,
        settings=settings, issued=issued or date.today(), files=evidence_files(frames, policy))
