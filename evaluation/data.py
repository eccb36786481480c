"""The inputs of the 终期评估报告 (closing evaluation) of a policy whose period is over: the same engine frames as the
pages, the deck and the bulletin (views.policy), read at the period's end — every target judged at its due year
(metrics.verdicts), the tasks and the units' scores on the period's last day — plus the headline indicators'
series for the charts and what a later policy carries over (views.portfolio).

A policy still running is refused (a Chinese message): the report is a closing one, and a verdict before the end
would not stay."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.standing import area_counts, policy_standing
from metrics.trajectory import trajectories
from views import policy as views
from views import portfolio
from vocab import labels

CHART_KINDS = ("level", "annual", "cumulative", "cagr", "milestone")   # a relative target's series is an index
MAX_CHARTS = 8


@dataclass
class EvaluationData:
    policy: dict                    # views.policy.policy_row
    region: str
    period_end: date                # 31 December of the policy's last year
    status: pd.DataFrame            # target_status at the end year: every target judged at its due year
    ledger: pd.DataFrame            # task_ledger the day after the period (views.portfolio.closing_day)
    scorecard: pd.DataFrame         # department_scorecard at the period end (views.policy.scorecard_at)
    task_units: pd.DataFrame        # the policy's units per task (role lead / responsible)
    areas: pd.DataFrame             # metrics.standing.area_counts of the status
    charted: pd.DataFrame           # the status rows of the headline targets that are charted
    series: pd.DataFrame            # metrics.trajectory rows (actual, target) of the charted targets
    carried: pd.DataFrame           # views.portfolio.carried_over into later policies
    indicators: dict[str, dict]     # the charted indicators' catalogue rows (unit, decimals of the chart's axis)
    settings: dict
    issued: date                    # 成文日期: the 文号's year is its year
    number: int | None = None       # the 文号's number (None: [evaluation] serial)
    deadlines: pd.DataFrame | None = None   # the milestones' states on the last day, when the policy has any

    @property
    def is_sample(self) -> bool:
        """True when any number printed rests on sample data (targets, tasks, scores, milestones, charts)."""
        parts = [self.status["is_sample"], self.ledger["is_sample"], self.scorecard["is_sample"],
                 self.series["is_sample"] if len(self.series) else pd.Series([], dtype=bool)]
        if self.deadlines is not None and "is_sample" in self.deadlines:
            parts.append(self.deadlines["is_sample"])
        return any(bool(p.fillna(False).astype(bool).any()) for p in parts)

    @property
    def standing(self):
        """metrics.standing.PolicyStanding at the period end (the counts of the first section)."""
        return policy_standing(self.status, self.ledger, self.policy, int(self.policy["end_year"]))


def period_end(policy_row: dict) -> date:
    return date(int(policy_row["end_year"]), 12, 31)


def check_over(policy_row: dict, today: date) -> None:
    """ValueError in Chinese unless the policy's period is over on `today`."""
    if portfolio.policy_state(policy_row, today) != "over":
        end = int(policy_row["end_year"])
        raise ValueError(f"{policy_row['doc_number']}《{policy_row['title']}》的实施期 {int(policy_row['start_year'])}—"
                         f"{end} 年尚未结束（今天是 {today.isoformat()}）：终期评估报告在实施期结束后、{end + 1}年1月1日起"
                         f"才能生成；实施期内请用汇报材料或督查通报。")


def charted_targets(status: pd.DataFrame, most: int = MAX_CHARTS) -> pd.DataFrame:
    """The targets whose indicators are charted: the headline targets (catalogue `headline`) of a kind with a
    series of the indicator's own values; a policy without headline targets (an imported one) charts its first
    such targets that have a value. One chart per indicator, at most `most`."""
    drawable = status.loc[status["kind"].isin(CHART_KINDS)]
    head = drawable.loc[drawable["headline"].fillna(False).astype(bool)]
    if head.empty:
        head = drawable.loc[drawable["actual"].notna()]
    return head.drop_duplicates("indicator").head(most).reset_index(drop=True)


def evaluation_data(frames: views.Frames, settings: dict, *, policy: str, region: str | None = None,
                    issued: date | None = None, number: int | None = None, today: date | None = None
                    ) -> EvaluationData:
    """Everything the evaluation prints. today: the day it is made (default today: the period must be over);
    issued: the 成文日期 (default today), after the period's end; region: default the policy's own."""
    row = views.policy_row(frames, policy)
    today = today or date.today()
    check_over(row, today)
    end = period_end(row)
    issued = issued or today
    if issued <= end:
        raise ValueError(f"成文日期 {issued.isoformat()} 不在实施期结束（{end.isoformat()}）之后，请检查日期")
    if number is not None and not 1 <= int(number) <= 9999:
        raise ValueError(f"文号序号 {number} 无效：应为 1 至 9999 的整数")
    region = views.check_region(frames, region or str(row["region"]))
    # targets at the end year; tasks, milestones and scores the day after the period (what was not done is overdue)
    status, ledger, card = views.scorecard_at(frames, settings, policy, region, portfolio.closing_day(row))
    charted = charted_targets(status)
    series = trajectories(charted, frames["observations"], end.year)
    later = [views.policy_status(frames, settings, code, region, end.year)
             for code in portfolio.later_policies(frames, policy)]
    return EvaluationData(
        policy=row, region=region, period_end=end, status=status, ledger=ledger, scorecard=card,
        task_units=views.policy_task_units(frames, policy), areas=area_counts(status), charted=charted,
        series=series.loc[series["series"].isin(["actual", "target"])].reset_index(drop=True),
        carried=portfolio.carried_over(status, later, frames["policies"]),
        indicators={c: r for c, r in frames["indicators"].set_index("code").loc[list(charted["indicator"])]
                    .to_dict("index").items()}, settings=settings, issued=issued,
        number=None if number is None else int(number), deadlines=views.ledger_deadlines(frames, settings, policy,
                                                                                          ledger))


def sample_mark(flag) -> str:
    """＊ after a number that rests on sample data."""
    return labels.SAMPLE_NOTE_MARK if bool(flag) else ""
