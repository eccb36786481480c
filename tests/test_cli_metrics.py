"""cli.py status / scorecard on the built-in database, checked by hand against data/observations/builtin.csv."""
from __future__ import annotations

import csv
import io

import pytest

import db
from store import catalogue
from tests.helpers import run_cli
from views.target_words import share_text
from vocab import labels

SETTINGS = catalogue.load_settings()
POLICY = catalogue.load_policies()[0]
INDICATORS = {i["code"]: i for i in POLICY.indicators}


def builtin() -> dict[tuple[str, int], float]:
    """(indicator, year) → whole-year value of the policy's own region, from the built-in CSV."""
    with open(db.BUILTIN_OBSERVATIONS, encoding="utf-8") as fh:
        return {(r["indicator"], int(r["period"])): float(r["value"]) for r in csv.DictReader(fh)
                if r["region"] == POLICY.region and "Q" not in r["period"]}


def builtin_provisional() -> set[tuple[str, int]]:
    """(indicator, year) of the policy's own region whose built-in value is 初步 or 预计."""
    with open(db.BUILTIN_OBSERVATIONS, encoding="utf-8") as fh:
        return {(r["indicator"], int(r["period"])) for r in csv.DictReader(fh)
                if r["region"] == POLICY.region and "Q" not in r["period"] and r["data_status"] in ("初步", "预计")}


def label_of(status: str) -> str:
    """The status label of a status text: '暂判进度正常（含初步数）' → '进度正常'."""
    return status.removeprefix("暂判").split("（")[0]


def status_rows(db_path, *args: str) -> dict[str, dict[str, str]]:
    out = run_cli("status", *args, "--format", "csv", db_path=db_path)
    assert out.returncode == 0, out.stderr
    return {r["code"]: r for r in csv.DictReader(io.StringIO(out.stdout))}


def label_for_ratio(ratio: float) -> str:
    th = SETTINGS["status"]
    key = ("on_track" if ratio >= th["on_track"] else "moderate" if ratio >= th["moderate"]
           else "off_track" if ratio >= 0 else "reverse")
    return labels.STATUS_BY_KEY[key].label


@pytest.mark.parametrize("year", [2019, 2020])
def test_status_gives_a_row_for_every_target(db_path, year):
    rows = status_rows(db_path, "--as-of", str(year))
    assert len(rows) == len(POLICY.targets) == 53
    assert set(label_of(r["status"]) for r in rows.values()) <= {s.label for s in labels.STATUSES}


def test_unmet_targets_read_weicheng_at_the_due_year(db_path):
    """Year-end verdict: at --as-of 2020 a 2020 target short of its goal reads 未完成 with its attainment, never a
    pace status; in 2019 the same target still has a pace status."""
    now, before = status_rows(db_path, "--as-of", "2020"), status_rows(db_path, "--as-of", "2019")
    assert now["G02"]["status"] == "未完成（完成 95%）"  # 95 of 100 firms
    assert label_of(before["G02"]["status"]) in {"进度正常", "略有滞后", "明显滞后", "逆向变化"}
    pace = {"进度正常", "略有滞后", "明显滞后", "逆向变化"}
    due = {t["code"] for t in POLICY.targets if t["due_year"] <= 2020}
    assert not [c for c in due if label_of(now[c]["status"]) in pace]


def test_g02_in_2020_by_hand(db_path):
    rows = status_rows(db_path, "--as-of", "2020")
    g02 = rows["G02"]
    # baseline: the published 2018 count (新乡日报 2019-03-13: 66 firms), not a sample value any more
    assert float(g02["baseline"]) == 66 and float(g02["actual"]) == 95
    assert g02["status"] == "未完成（完成 95%）"   # due in 2020: the due-year verdict, not 略有滞后
    assert g02["ratio"] == "" and g02["expected"] == ""  # judged: no pace, no path value
    g02 = status_rows(db_path, "--as-of", "2019")["G02"]  # a year ahead: path 66 + 34·½ = 83, actual 83
    assert float(g02["ratio"]) == pytest.approx((83 - 66) / (83 - 66), abs=1e-4)


@pytest.mark.parametrize("year", [2019, 2020])
def test_linear_level_targets_match_hand_computation(db_path, year):
    """Every ≥ level target with a linear path and values in the base year and the as-of year."""
    data, rows = builtin(), status_rows(db_path, "--as-of", str(year))
    checked = 0
    for t in POLICY.targets:
        ind = INDICATORS[t["indicator"]]
        base, now = data.get((t["indicator"], POLICY.base_year)), data.get((t["indicator"], year))
        if t["kind"] != "level" or t["comparator"] != ">=" or ind["path"] != "linear" or None in (base, now):
            continue
        row = rows[t["code"]]
        if year >= t["due_year"]:  # judged on the due year's value (E01, E02: 2019's), whatever comes later
            final = data[(t["indicator"], t["due_year"])]
            want = "已完成" if final >= t["value"] else f"未完成（完成 {share_text(final / t['value'], False)}）"
            assert row["status"] == want and float(row["actual"]) == final, t["code"]
            assert row["ratio"] == "", t["code"]
        elif now >= t["value"]:
            assert row["status"] == "已完成", t["code"]
        else:
            share = min((year - POLICY.base_year) / (t["due_year"] - POLICY.base_year), 1)
            expected = base + (t["value"] - base) * share
            assert float(row["expected"]) == pytest.approx(expected, abs=1e-4), t["code"]
            ratio = (now - base) / (expected - base)
            assert float(row["ratio"]) == pytest.approx(ratio, abs=1e-4), t["code"]
            # a pace status rests on the baseline too: on the published 2018 count (初步) it is only 暂判
            provisional = {(t["indicator"], POLICY.base_year), (t["indicator"], year)} & builtin_provisional()
            note = "初步数" if (t["indicator"], year) in provisional else "含初步数"
            want = f"暂判{label_for_ratio(ratio)}（{note}）" if provisional else label_for_ratio(ratio)
            assert row["status"] == want, t["code"]
        checked += 1
    assert checked >= 10


def test_cumulative_targets_sum_the_flows(db_path):
    data, rows = builtin(), status_rows(db_path, "--as-of", "2020")
    for t in POLICY.targets:
        if t["kind"] == "cumulative":
            total = sum(data.get((t["indicator"], y), 0) for y in range(t["start_year"], 2021))
            assert float(rows[t["code"]]["actual"]) == total, t["code"]


def test_status_for_another_region_and_unknown_region(db_path):
    rows = status_rows(db_path, "--as-of", "2020", "--region", "新乡市")
    assert len(rows) == 53 and {r["region"] for r in rows.values()} == {"新乡市"}
    bad = run_cli("status", "--as-of", "2020", "--region", "不存在县", db_path=db_path)
    assert bad.returncode == 1 and "不存在县" in bad.stderr


def test_status_table_marks_sample_data(db_path):
    out = run_cli("status", "--as-of", "2020", db_path=db_path)
    assert out.returncode == 0 and labels.SAMPLE_BANNER in out.stdout and "G02" in out.stdout


def test_scorecard_ranks_units(db_path):
    out = run_cli("scorecard", "--as-of", "2020", "--format", "csv", db_path=db_path)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    units = {r["unit"]: r for r in rows}
    assert "科工信局" in units and int(units["科工信局"]["targets_led"]) > 0
    ranked = [r for r in rows if r["rank"]]
    assert [float(r["score"]) for r in ranked] == sorted((float(r["score"]) for r in ranked), reverse=True)
    assert units["市直有关部门"]["rank"] == "" and units["市直有关部门"]["group"] == ""
    assert {r["group"] for r in rows} <= {"", labels.PRAISE, labels.CRITICISE}


def test_scorecard_shows_the_parts_and_sample_milestones_cost_nothing(db_path):
    """Issue 17 §4: 科工信局 (27 of 53 targets met) scored 0.0 at the end of 2020 from −5 per sample milestone
    overdue. Now every sample milestone is counted but costs nothing, and the parts add up to the score."""
    out = run_cli("scorecard", "--as-of", "2020-12-31", "--format", "csv", db_path=db_path)
    assert out.returncode == 0, out.stderr
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    bureau = rows["科工信局"]
    assert int(bureau["milestones_overdue"]) == 30 and int(bureau["milestones_sample"]) == 120
    assert float(bureau["deduction"]) == 0 and "示例数据节点120个不扣分" in bureau["deduction_reasons"]
    assert float(bureau["score"]) > 0 and bureau["sample"] == labels.SAMPLE_MARK and bureau["group"] == ""
    for r in rows.values():
        parts = max(0.0, float(r["target_points"]) + float(r["task_points"]) - float(r["deduction"]))
        assert float(r["score"]) == pytest.approx(parts, abs=1e-9)
        assert r["group"] != labels.CRITICISE  # every score here rests on sample data


@pytest.mark.parametrize("date, period", [("2020-12-31", (2020, 0)), ("2020-06-30", (2020, 2)),
                                          ("2020-05-01", (2020, 1)), ("2020-02-01", (2019, 0))])
def test_scorecard_date_judges_the_latest_complete_period(date, period):
    import pandas as pd

    from views.policy import period_at
    assert period_at(pd.Timestamp(date)) == period
