"""The inputs of the meeting deck: the same engine frames the dashboard shows (views.policy), gathered for one
policy, region and year."""
from __future__ import annotations

import pandas as pd

from deck.plan import DeckData, Meeting
from views.policy import (
    Frames,
    changes_since,
    policy_ledger,
    policy_row,
    policy_scorecard,
    policy_status,
)


def deck_data(frames: Frames, settings: dict, *, policy: str, region: str, as_of_year: int,
              snapshot: tuple[pd.Series, pd.DataFrame] | None = None) -> DeckData:
    """Everything the deck shows. snapshot: (db.read_snapshots row, db.read_snapshot rows) of the last meeting."""
    status = policy_status(frames, settings, policy, region, as_of_year)
    ledger = policy_ledger(frames, policy, as_of_year)
    meeting = None
    if snapshot is not None:
        meta, rows = snapshot
        day = pd.Timestamp(meta["meeting_date"]).date()
        meeting = Meeting(name=str(meta["name"]), meeting_date=day, changes=changes_since(rows, status, day))
    return DeckData(status=status, scorecard=policy_scorecard(frames, settings, policy, status, ledger),
                    ledger=ledger, as_of_year=int(as_of_year), region=region, policy=policy_row(frames, policy),
                    settings=settings, meeting=meeting)
