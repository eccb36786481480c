"""数据质量's vintages (issue 21 §2): values still 预计 or 初步 after their usual final release ([vintages] in
data/settings.toml: R&D by 31 October of the next year, GDP's 最终核实 by 31 January two years on, the rest by the
yearbook), and the revisions of the last twelve months with their size. Hand-computed days and sizes."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.quality import final_by, final_by_rules, late_provisional, revisions
from store import catalogue
from tests.helpers import open_page
from views.vintage_words import history_text, late_table, revision_table

SETTINGS = catalogue.load_settings()


def obs(rows) -> pd.DataFrame:
    """(region, indicator, year, value, data_status, released_on, is_sample) rows as db.read_observations gives."""
    df = pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "data_status", "released_on", "is_sample"])
    return df.assign(quarter=0, period=df["year"].astype(str), source="公报",
                     released_on=pd.to_datetime(df["released_on"]))


@pytest.mark.parametrize("indicator, year, day, rule", [
    ("rd_intensity", 2020, "2021-10-31", "R&D经费统计公报（次年10月31日前）"),
    ("rd_expenditure", 2022, "2023-10-31", "R&D经费统计公报（次年10月31日前）"),
    ("gdp", 2020, "2022-01-31", "地区生产总值最终核实（两年后1月31日前）"),
    ("hte_count", 2018, "2019-12-31", "统计年鉴（次年12月31日前）"),      # no rule lists it: the default
])
def test_each_indicator_takes_its_rule(indicator, year, day, rule):
    row = final_by(pd.DataFrame({"indicator": [indicator], "year": [year]}), SETTINGS).iloc[0]
    assert (row["final_by"], row["rule"]) == (pd.Timestamp(day), rule)


def test_a_provisional_value_is_late_from_the_day_after_its_final_day():
    """河南省 2020 R&D intensity 1.64 (初步, released 2021-10-09): final by 2021-10-31, so not late on that day and
    one day late on 2021-11-01; the 核实 2019 value, a sample value and a year after the as-of are never listed."""
    frame = obs([("河南省", "rd_intensity", 2020, 1.64, "preliminary", "2021-10-09", False),
                 ("河南省", "rd_intensity", 2019, 1.48, "verified", "2021-10-09", False),
                 ("长垣市", "rd_intensity", 2019, 3.1, "estimate", None, True),
                 ("河南省", "rd_intensity", 2021, 1.75, "estimate", "2022-01-20", False)])
    assert late_provisional(frame, 2020, date(2021, 10, 31), SETTINGS).empty
    late = late_provisional(frame, 2020, date(2021, 11, 1), SETTINGS)
    assert late[["region", "indicator", "year", "days_late"]].values.tolist() == [["河南省", "rd_intensity", 2020, 1]]
    later = late_provisional(frame, 2021, date(2022, 11, 1), SETTINGS)   # 2021's 预计: final by 2022-10-31
    assert later[["year", "days_late"]].values.tolist() == [[2020, 366], [2021, 1]]
    words = late_table(later, pd.DataFrame({"code": ["rd_intensity"], "name": ["全社会研发投入强度"], "unit": ["%"],
                                            "decimals": [2]}))
    assert words[["value", "data_status", "final_by"]].values.tolist() == [
        ["1.64%", "初步", "2021-10-31"], ["1.75%", "预计", "2022-10-31"]]


@pytest.mark.parametrize("rule, message", [
    ({"month": 2, "day": 29, "years_after": 1}, "month 和 day 须是每年都有的日期"),
    ({"month": 13, "day": 1, "years_after": 1}, "month 和 day 须是每年都有的日期"),
    ({"month": 10, "day": 31, "years_after": -1}, "years_after 须是 0 或正整数"),
])
def test_a_bad_rule_is_named_in_chinese(rule, message):
    settings = {"vintages": {"default": "x", "final_by": {"x": rule}}}
    with pytest.raises(ValueError, match=message) as err:
        final_by_rules(settings)
    assert "[vintages.final_by.x]" in str(err.value)
    with pytest.raises(ValueError, match="不是 \\[vintages.final_by\\] 中的规则"):
        final_by_rules({"vintages": {"default": "y", "final_by": {"x": {"month": 1, "day": 31, "years_after": 2}}}})


def vintages(rows) -> pd.DataFrame:
    """(year, value, data_status, known_from, is_sample, is_current) of 河南省 rd_intensity, oldest first per year."""
    df = pd.DataFrame(rows, columns=["year", "value", "data_status", "known_from", "is_sample", "is_current"])
    return df.assign(region="河南省", indicator="rd_intensity", quarter=0, period=df["year"].astype(str),
                     known_from=pd.to_datetime(df["known_from"]), released_on=pd.to_datetime(df["known_from"]))


HISTORY = vintages([(2021, 1.70, "unstated", None, True, False), (2021, 1.75, "preliminary", "2022-09-20", False, False),
                    (2021, 1.73, "revised", "2023-09-18", False, True),
                    (2022, 1.86, "preliminary", "2023-09-18", False, False),
                    (2022, 1.96, "revised", "2024-10-10", False, True)])


def test_revisions_of_the_last_twelve_months_with_their_size():
    """On 2024-12-06 the last twelve months hold 2022's 1.86 → 1.96 (+0.10, +5.4 %); 2021's 1.75 → 1.73 came out
    2023-09-18, more than twelve months before; a sample value replaced by a published one is no revision."""
    recent = revisions(HISTORY, date(2024, 12, 6), 12)
    assert recent[["year", "from_value", "to_value", "is_current"]].values.tolist() == [[2022, 1.86, 1.96, True]]
    assert recent["change"].iloc[0] == pytest.approx(0.10)
    assert recent["change_pct"].iloc[0] == pytest.approx(0.10 / 1.86)
    every = revisions(HISTORY, date(2024, 12, 6), None)
    assert every[["year", "from_value", "to_value"]].values.tolist() == [[2022, 1.86, 1.96], [2021, 1.75, 1.73]]
    assert revisions(HISTORY, date(2024, 10, 9), None)["year"].tolist() == [2021]   # 2024-10-10 not out yet
    ind = pd.DataFrame({"code": ["rd_intensity"], "name": ["全社会研发投入强度"], "unit": ["%"], "decimals": [2]})
    assert revision_table(every, ind)[["before", "after", "change"]].values.tolist() == [
        ["初步 1.86% (2023-09)", "修订 1.96% (2024-10)", "+0.10个百分点（+5.4%）"],
        ["初步 1.75% (2022-09)", "修订 1.73% (2023-09)", "-0.02个百分点（-1.1%）"]]


def test_a_history_in_words():
    part = HISTORY.loc[HISTORY["year"] == 2022]
    assert history_text(part, "%", 2) == "初步 1.86% (2023-09) → 修订 1.96% (2024-10)"
    part = HISTORY.loc[HISTORY["year"] == 2021]
    assert history_text(part, "%", 2) == "示例数据 1.70% → 初步 1.75% (2022-09) → 修订 1.73% (2023-09)"


def test_the_quality_page_lists_them(app_db):
    """The built-in data on 数据质量 for 河南省: the 初步 R&D figures of 2020, 2022 and 2023 past their final day
    (the 2022 intensity was revised and is not listed), and the revision of 2022 among every revision."""
    at = open_page("quality", 2024, "河南省")
    headers = [h.value for h in at.subheader]
    late = next(df.value for df in at.dataframe if "final_by" in df.value.columns)
    assert f"初步数、预计数已过通常定稿时间（{len(late)}）" in headers
    listed = set(zip(late["indicator_name"], late["period"]))
    assert {("全社会研发投入强度", "2020"), ("全社会研发投入强度", "2023"), ("全社会研发投入", "2022")} <= listed
    assert ("全社会研发投入强度", "2022") not in listed
    every = next(df.value for df in at.dataframe if "before" in df.value.columns)
    assert every[["period", "before", "after"]].values.tolist() == [
        ["2022", "初步 1.86% (2023-09)", "修订 1.96% (2024-10)"]]
