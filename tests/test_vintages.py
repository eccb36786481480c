"""A value's vintages in the store (issue 21): a new vintage never overwrites, the latest is the current value, an
earlier one is kept, the same vintage corrects; the vintage known on a day; reverts and deletes carry the history.
Keys are the issue's two revisions, in a database with the catalogues and no values."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import db
from bench.database import catalogue_only

HENAN = ("河南省", "rd_intensity", 2022)
FIRST = {"value": 1.86, "data_status": "preliminary", "released_on": date(2023, 9, 18),
         "source": "河南省统计局 2022年R&D经费投入统计公报（2023-09-18）"}
REVISED = {"value": 1.96, "data_status": "revised", "released_on": date(2024, 10, 10),
           "source": "河南省统计局 2023年R&D经费投入统计公报（2024-10-10）", "note": "推算：2.05 − 0.09"}


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("vintages") / "catalogue.sqlite"
    catalogue_only(f"sqlite:///{path}")
    return path


@pytest.fixture
def eng(empty_template, tmp_path):
    path = tmp_path / "t.sqlite"
    shutil.copy(empty_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def row(key=HENAN, **fields) -> dict:
    region, indicator, year = key
    return {"region": region, "indicator": indicator, "year": year, "quarter": 0, "is_sample": False,
            "note": "", **fields}


def current(eng, key=HENAN):
    obs = db.read_observations(eng, regions=[key[0]], indicators=[key[1]])
    return obs.loc[obs["year"] == key[2]].iloc[0]


def history(eng, key=HENAN):
    v = db.read_vintages(eng, key[0], key[1])
    return v.loc[v["year"] == key[2]]


def test_a_revision_becomes_current_and_keeps_the_first_release(eng):
    assert db.save_observations(eng, [row(**FIRST)], who="甲") == {"created": 1, "updated": 0, "unchanged": 0}
    assert db.save_observations(eng, [row(**REVISED)], who="乙") == {"created": 0, "updated": 1, "unchanged": 0}
    now = current(eng)
    assert (now["value"], now["data_status"], now["released_on"], now["version"]) == (
        1.96, "revised", pd.Timestamp("2024-10-10"), 2)
    v = history(eng)
    assert list(zip(v["value"], v["data_status"], v["is_current"])) == [(1.86, "preliminary", False),
                                                                         (1.96, "revised", True)]
    assert list(v["recorded_by"]) == ["甲", "乙"] and list(v["source"]) == [FIRST["source"], REVISED["source"]]
    audit = db.read_audit(eng, entity="observation").iloc[0]
    assert audit["action"] == "vintage" and audit["old"]["value"] == 1.86 and audit["new"]["value"] == 1.96
    assert audit["new"]["vintages"][0]["released_on"] == "2023-09-18"


def test_an_earlier_release_saved_later_is_kept_as_history_only(eng):
    db.save_observations(eng, [row(**REVISED)], who="甲")
    db.save_observations(eng, [row(**FIRST)], who="乙")
    assert current(eng)["value"] == 1.96 and current(eng)["version"] == 1
    assert list(history(eng)["value"]) == [1.86, 1.96]
    audit = db.read_audit(eng).iloc[0]
    assert (audit["entity"], audit["action"], audit["new"]["value"]) == ("observation_vintage", "create", 1.86)


def test_one_save_with_both_vintages_in_any_order_ends_the_same(eng):
    db.save_observations(eng, [row(**REVISED), row(**FIRST)], who="甲")
    assert current(eng)["value"] == 1.96
    assert list(history(eng)["value"]) == [1.86, 1.96]


def test_the_same_vintage_corrects_the_current_value_and_no_vintage_means_the_current_one(eng):
    db.save_observations(eng, [row(**FIRST)], who="甲")
    db.save_observations(eng, [row(**{**FIRST, "value": 1.87})], who="甲")
    db.save_observations(eng, [row(value=1.88, source="更正", expected_version=2)], who="甲")  # no vintage given
    now = current(eng)
    assert (now["value"], now["data_status"], now["version"]) == (1.88, "preliminary", 3)
    assert len(history(eng)) == 1
    assert list(db.read_audit(eng, entity="observation")["action"]) == ["update", "update", "create"]


def test_an_earlier_vintage_is_corrected_in_place(eng):
    db.save_observations(eng, [row(**FIRST), row(**REVISED)], who="甲")
    db.save_observations(eng, [row(**{**FIRST, "note": "原公报"})], who="乙")
    v = history(eng)
    assert list(v["note"]) == ["原公报", REVISED["note"]] and current(eng)["version"] == 2
    audit = db.read_audit(eng).iloc[0]
    assert (audit["entity"], audit["action"], audit["old"]["note"], audit["new"]["note"]) == (
        "observation_vintage", "update", "", "原公报")


def test_a_stated_vintage_replaces_a_value_of_unknown_standing_whenever_recorded(eng):
    db.save_observations(eng, [row(value=1.9, source="旧录入")], who="甲")  # 未注明, recorded today
    db.save_observations(eng, [row(**FIRST)], who="乙")  # released in 2023, still the later vintage
    assert current(eng)["value"] == 1.86
    assert list(history(eng)["data_status"]) == ["unstated", "preliminary"]


@pytest.mark.parametrize("day, expected", [
    (date(2023, 9, 17), None), (date(2023, 9, 18), 1.86), (date(2024, 10, 9), 1.86), (date(2024, 10, 10), 1.96),
    (date.today(), 1.96)])
def test_the_vintage_known_on_a_day(eng, day, expected):
    db.save_observations(eng, [row(**REVISED), row(**FIRST)], who="甲")
    known = db.read_observations(eng, regions=["河南省"], known_on=day)
    values = list(known.loc[known["year"] == 2022, "value"])
    assert values == ([] if expected is None else [expected])
    assert list(known.columns) == list(db.read_observations(eng).columns)


def test_undated_values_are_known_from_the_day_they_were_recorded_and_sample_values_on_any_day(eng):
    db.save_observations(eng, [row(value=1.9, source="录入"),
                               row(("河南省", "rd_intensity", 2021), value=1.7, source="示例", is_sample=True)],
                         who="甲")
    for day, years in ((date.today() - timedelta(days=1), [2021]), (date.today(), [2021, 2022])):
        assert list(db.read_observations(eng, regions=["河南省"], known_on=day)["year"]) == years


def test_bad_vintages_are_refused_and_nothing_is_written(eng):
    before = db.dump(eng)
    with pytest.raises(ValueError, match="数据状态“final”无效"):
        db.save_observations(eng, [row(**{**FIRST, "data_status": "final"})], who="甲")
    with pytest.raises(ValueError, match="不是日期"):
        db.save_observations(eng, [row(**{**FIRST, "released_on": "2023-09-18"})], who="甲")
    assert db.dump(eng) == before


def test_a_new_vintage_against_a_stale_version_is_refused(eng):
    db.save_observations(eng, [row(**FIRST)], who="甲")
    db.save_observations(eng, [row(**{**FIRST, "value": 1.87})], who="乙")
    before = db.dump(eng)
    with pytest.raises(db.ConcurrentEditError, match="已被“乙”修改为 1.87（版本 2）"):
        db.save_observations(eng, [row(**REVISED, expected_version=1)], who="甲")
    assert db.dump(eng) == before


def test_reverting_a_revision_makes_the_first_release_current_again_and_back(eng):
    db.save_observations(eng, [row(**FIRST)], who="甲")
    db.save_observations(eng, [row(**REVISED)], who="乙")
    pushed = int(db.read_audit(eng, entity="observation").iloc[0]["id"])
    db.revert_change(eng, pushed, who="管理员")
    assert current(eng)["value"] == 1.86 and current(eng)["data_status"] == "preliminary"
    assert list(history(eng)["value"]) == [1.86]
    db.revert_change(eng, int(db.read_audit(eng).iloc[0]["id"]), who="管理员")  # undo the undo
    assert current(eng)["value"] == 1.96 and list(history(eng)["value"]) == [1.86, 1.96]


def test_a_batch_with_both_vintages_reverts_as_one(eng):
    db.save_observations(eng, [row(**FIRST), row(**REVISED)], who="甲")
    batch = db.read_audit(eng).iloc[0]["batch_id"]
    assert db.revert_batch(eng, batch, who="管理员") == 2
    assert history(eng).empty


def test_an_earlier_vintage_added_later_blocks_undoing_the_create_until_it_is_undone(eng):
    db.save_observations(eng, [row(**REVISED)], who="甲")
    created = int(db.read_audit(eng).iloc[0]["id"])
    db.save_observations(eng, [row(**FIRST)], who="乙")
    added = int(db.read_audit(eng).iloc[0]["id"])
    before = db.dump(eng)
    with pytest.raises(db.ConcurrentEditError, match="补录了较早版次"):
        db.revert_change(eng, created, who="管理员")
    assert db.dump(eng) == before
    db.revert_change(eng, added, who="管理员")
    db.revert_change(eng, created, who="管理员")
    assert history(eng).empty


def test_a_delete_takes_the_history_along_and_its_revert_brings_it_back(eng):
    db.save_observations(eng, [row(**FIRST), row(**REVISED)], who="甲")
    db.delete_observation(eng, "河南省", "rd_intensity", 2022, 0, who="乙", reason="录错地区")
    assert history(eng).empty
    entry = db.read_audit(eng).iloc[0]
    assert [v["value"] for v in entry["old"]["vintages"]] == [1.86]
    db.revert_change(eng, int(entry["id"]), who="管理员")
    v = history(eng)
    assert list(zip(v["value"], v["is_current"])) == [(1.86, False), (1.96, True)]
    assert current(eng)["version"] == 3  # above every version the key had


VINTAGES = st.tuples(st.sampled_from(["estimate", "preliminary", "verified", "revised"]),
                     st.dates(min_value=date(2021, 1, 1), max_value=date(2025, 12, 31)),
                     st.integers(min_value=100, max_value=300))


@settings(max_examples=15, deadline=None)
@given(st.lists(VINTAGES, min_size=1, max_size=5, unique_by=lambda v: v[:2]))
def test_saved_one_by_one_in_any_order_the_latest_release_is_current(empty_template, tmp_path_factory, vintages):
    """Whatever order the vintages arrive in, the current value is the one released last, every vintage is kept,
    and the vintage known on a day is the latest one released by then."""
    path = tmp_path_factory.mktemp("prop") / "t.sqlite"
    shutil.copy(empty_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        for status, released, value in vintages:
            db.save_observations(engine, [row(value=value / 100, data_status=status, released_on=released,
                                              source=f"{status} {released}")], who="甲")
        by_release = sorted(vintages, key=lambda v: (v[1], vintages.index(v)))
        assert current(engine)["value"] == by_release[-1][2] / 100
        assert sorted(history(engine)["value"]) == sorted(v[2] / 100 for v in vintages)
        middle = by_release[len(by_release) // 2]
        known = db.read_observations(engine, regions=["河南省"], known_on=middle[1])
        last_known = [v for v in by_release if v[1] <= middle[1]][-1]
        assert list(known["value"]) == [last_known[2] / 100]
    finally:
        engine.dispose()
