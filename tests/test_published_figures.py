"""The published figures in the built-in data (issue 21 §3): real observations with source, vintage and release
date, derivations in the note, revisions kept beside first releases; sample values around them without a jump;
`init` puts a published figure over a stored sample value and never over a user's value."""
from __future__ import annotations

import csv
from datetime import date

import pandas as pd
import pytest

import db
from store import schema

with open(schema.BUILTIN_OBSERVATIONS, encoding="utf-8-sig") as fh:
    BUILTIN = pd.DataFrame(list(csv.DictReader(fh)))
REAL = BUILTIN.loc[BUILTIN["is_sample"] == "0"]


def test_the_25_published_figures_are_real_with_source_vintage_and_release_date():
    assert len(REAL) == 25 and (BUILTIN["is_sample"].isin(["0", "1"])).all()
    assert REAL["source"].str.strip().ne("").all() and REAL["note"].str.strip().ne("").all()
    assert set(REAL["data_status"]) == {"初步", "核实", "修订"}
    assert all(date.fromisoformat(d) <= date.today() for d in REAL["released_on"])
    derived = REAL.loc[REAL["note"].str.startswith("推算")]
    assert len(derived) == 9  # 河南省 2015–2019 spending and 2019, 2021 intensity; the two revisions
    assert set(derived.loc[derived["note"].str.contains("修订"), "data_status"]) == {"修订"}
    sample = BUILTIN.loc[BUILTIN["is_sample"] == "1"]
    assert (sample["data_status"] == "").all() and sample["source"].str.contains("示例数据").all()


def test_no_key_has_both_a_published_and_a_sample_row():
    keys = BUILTIN.assign(real=BUILTIN["is_sample"] == "0").groupby(["region", "indicator", "period"])["real"]
    assert not (keys.any() & ~keys.all()).any()


@pytest.mark.parametrize("region, indicator, period, vintages", [
    ("河南省", "rd_intensity", 2022, [(1.86, "preliminary", date(2023, 9, 18)), (1.96, "revised", date(2024, 10, 10))]),
    ("新乡市", "rd_intensity", 2020, [(2.22, "preliminary", date(2021, 10, 9)), (2.25, "revised", date(2022, 9, 7))]),
    ("长垣市", "hte_count", 2018, [(66, "preliminary", date(2019, 3, 13))]),
])
def test_the_built_in_database_holds_the_revisions_as_vintages(engine, region, indicator, period, vintages):
    v = db.read_vintages(engine, region, indicator).query("year == @period")
    assert list(zip(v["value"], v["data_status"], v["released_on"].dt.date)) == vintages
    assert not v["is_sample"].any() and v["is_current"].tolist() == [False] * (len(vintages) - 1) + [True]


def test_the_built_in_counts_of_real_and_sample_values(engine):
    """209 current values: 23 published (25 figures, two of them first releases kept as earlier vintages) and 186
    sample values (README, 数据质量)."""
    obs = db.read_observations(engine)
    assert (len(obs), int((~obs["is_sample"]).sum()), int(obs["is_sample"].sum())) == (209, 23, 186)
    assert len(db.read_vintages(engine)) == 211


def _annual_growth(series: pd.Series) -> pd.Series:
    """Growth per year between consecutive values (over a gap of several years, the average annual growth)."""
    years = series.index.to_series()
    return (series / series.shift()) ** (1 / (years - years.shift())) - 1


def test_sample_series_pass_through_the_published_anchors_without_a_jump(engine):
    """Where a series mixes published and sample values, each step next to a published value grows within
    [0.5 × the smallest, 1.25 × the largest] step between two sample values: the sample path was regenerated
    around the anchor (the old 长垣市 high-tech firms 22, 35, [66], 76, 95 would jump by 89 % into 2018)."""
    obs = db.read_observations(engine).query("quarter == 0")
    checked = 0
    for (region, indicator), s in obs.groupby(["region", "indicator"]):
        if not (s["is_sample"].any() and (~s["is_sample"]).any()):
            continue
        s = s.set_index("year").sort_index()
        growth = _annual_growth(s["value"]).iloc[1:]
        real = ~s["is_sample"]
        touches = (real | real.shift(fill_value=False)).iloc[1:]
        sample_steps = growth[~touches]
        if sample_steps.empty:
            continue
        low, high = 0.5 * sample_steps.min(), 1.25 * sample_steps.max()
        assert growth[touches].between(low, high).all(), (region, indicator, growth.round(3).to_dict())
        checked += 1
    assert checked >= 3  # 长垣市 gdp and hte_count, 河南省 tech_contract_turnover


def test_the_sample_count_of_high_tech_firms_never_grows_by_more_than_the_new_firms(engine):
    obs = db.read_observations(engine, regions=["长垣市"], indicators=["hte_count", "hte_new"])
    wide = obs.pivot(index="year", columns="indicator", values="value")
    growth = wide["hte_count"].diff().dropna()
    assert (growth <= wide.loc[growth.index, "hte_new"]).all() and (growth > 0).all()
    assert wide.loc[2018, "hte_count"] == 66 and wide.loc[2020, "hte_count"] == 95


def test_init_puts_a_published_figure_over_a_stored_sample_value_and_never_over_a_users(engine):
    db.delete_observation(engine, "长垣市", "hte_count", 2018, 0, who="甲", reason="模拟旧库")
    db.delete_observation(engine, "新乡市", "rd_intensity", 2020, 0, who="甲", reason="模拟旧库")
    db.save_observations(engine, [
        {"region": "长垣市", "indicator": "hte_count", "year": 2018, "quarter": 0, "value": 52,
         "source": "示例数据（非公开来源，仅用于演示）", "is_sample": True},
        {"region": "新乡市", "indicator": "rd_intensity", "year": 2020, "quarter": 0, "value": 2.3,
         "source": "市统计局快报", "is_sample": False}], who="甲")
    assert schema.load_builtin_observations(engine) == 1
    hte = db.read_vintages(engine, "长垣市", "hte_count").query("year == 2018")
    assert list(zip(hte["value"], hte["is_sample"], hte["is_current"])) == [(52, True, False), (66, False, True)]
    xinxiang = db.read_vintages(engine, "新乡市", "rd_intensity").query("year == 2020")
    assert list(xinxiang["value"]) == [2.3]
    assert schema.load_builtin_observations(engine) == 0
