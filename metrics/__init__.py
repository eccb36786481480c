"""Pure pandas calculators: DataFrames in, DataFrames out. No Streamlit, no database, no files.

Inputs are the store's frames (db.read_targets / read_observations / read_tasks / read_task_units /
read_progress) and the settings dict (catalogue.load_settings()). Outputs are DataFrames that pages, the deck,
exports and the CLI show as they are: every number anyone sees comes from here.

The contract other modules rely on (see README "Metrics" for the formulas):

metrics.status.target_status(targets, observations, as_of_year, as_of_quarter=0, settings=None, regions=None)
    One row per (region, target). Identity: policy, region, code, indicator, indicator_name, area, unit, decimals,
    kind, comparator, tier, clause, quote, start_year, due_year, benchmark, headline, task_clause, lead_units,
    responsible_units. Target: target_value, target_low, target_high. Data: base_year, baseline, actual,
    actual_year, actual_quarter, years_elapsed, years_remaining, is_sample (any value used is sample), sources.
    Progress: attainment (fraction), gap (in the unit; > 0 = still short), expected (path value now),
    required_annual_increase, required_growth_rate, actual_annual_increase, actual_growth_rate, ratio,
    region_growth, benchmark_growth, margin_pp (relative targets), forecast_linear, forecast_compound,
    forecast (by the indicator's path), forecast_reaches (bool).
    Status: status (a key of labels.STATUS_BY_KEY), status_label, status_order.
    Added: goal (the value the status tests: target; 左右 → value × (1 − tolerance); range → low; relative → the
    level clearly above the benchmark's growth), baseline_year (year of the baseline value used), missing_years
    (cumulative: years without a flow), region_growth_avg / benchmark_growth_avg (average annual growth since the
    base year), band_position ("below" | "inside" | "above" for 左右 and ranges, "" otherwise), actual_stage /
    target_stage (milestone stage names), path, measure, frequency, as_of_year, as_of_quarter.
    NaN only: without data (no_data) the progress columns; growth rates where undefined; forecasts with < 2 points;
    judged rows: the pace columns (expected, ratio, required_*, forecasts), with no_final_data attainment and gap.
    Verdicts (metrics.verdicts): judged (the due year has passed: the row reads its due year's data), final_year,
    later_value, later_year, later_reaches, later_margin_pp, later_is_sample (the latest whole-year value after the
    due year, shown beside the verdict, never changing it).
    Vintages (metrics.status_vintage; observations may carry data_status and released_on): actual_status (the
    数据状态 key of the actual's value; of the latest flow for cumulative targets; '' without a value),
    benchmark_status (a relative target's benchmark value that year; '' otherwise), provisional (bool: met, a
    verdict or a pace status that rests on a 预计 or 初步 value — the actual's values, for a pace status the
    baseline's too; never for no_data, no_final_data, stale), provisional_status ('estimate' / 'preliminary': the
    weakest such value; '' when not provisional), data_released_on (the latest release day of the
    values used: 发布日期, else the day entered; NaT for sample data).

metrics.scorecard.task_ledger(tasks, progress, as_of) → one row per task with its latest progress and a status
    key of labels.TASK_STATUSES (overdue = not done and the as-of date past the due date: due on D is not overdue
    on D, as for milestones).
metrics.scorecard.department_scorecard(status, ledger, task_units, settings, deadlines=None) → one row per unit:
    counts of targets/tasks led and shared, counts by status, targets_assessed, tasks_assessed, the parts of the
    score (target_points + task_points = base_score; metrics.deductions.DEDUCTION_COLUMNS: milestone counts,
    <item>_cases, <item>_deduction, deduction), score (0–100, one decimal), rank (1 = best), group
    (通报表扬/通报批评/""; never 通报批评 when is_sample), is_sample (the score rests on sample data).
metrics.changes.status_changes(before, after, revised_after=None) → one row per target in either status frame: code,
    indicator_name, status_before, status_after, direction ("judged" | "revised" | "up" | "down" | "same" | "new" |
    "gone"), status_move, actual_before, actual_after, value_added (bool: a value exists now that did not before),
    revised (bool, only with revised_after: the same year's figure differs and was released after that day; a status
    moved by it has direction "revised", 因数据修订). Used for "since last year" and "since the last meeting"
    (snapshots, revised_after = the meeting's day).
metrics.deadlines.milestone_deadlines(milestones, chases, extensions, as_of, settings) → one row per (milestone,
    responsible unit) as it stood on the as-of day (completions, approvals and chases after it do not count):
    policy, clause, task_title, milestone_id, title, unit, due_date (in force that day), original_due_date, status,
    state (a key of labels.DEADLINE_BY_KEY), days_left (<NA> when done), days_overdue (> 0 iff overdue), chases,
    last_chase_at, is_sample, plus extended, extensions, days_late, open_request (now), completed_on, evidence.
metrics.overdue.overdue_tasks(ledger) / overdue_milestones(deadlines) → the bulletin's two overdue lists, each item
    once (a milestone with several units is one row).
metrics.deadlines.chase_counts(deadlines) → DataFrame[unit, chases] for the scorecard.
metrics.standing.policy_standing(status, ledger, policy_row, as_of_year, as_of_quarter=0) → PolicyStanding (period
    over, targets met / unmet / no_final_data / in progress, tasks done / overdue …); area_counts(status);
    possible_statuses(status).
"""
