"""因数据修订 (issue 21 §2): a status that changed since a meeting because a figure of the same year was revised after
it is told apart from progress — metrics.changes.status_changes' direction "revised", the deck's change slide, the
overview's 自上次会议以来 and the sentence that counts the moves."""
from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
import pytest
from pptx import Presentation

import db
from deck import build_deck, plan_deck
from deck.data import deck_data
from metrics.changes import change_counts, status_changes
from store import catalogue
from tests.accounts import admin, store_account
from tests.helpers import engine_at, open_page, run_cli, shown_frames
from views import policy as views
from views import sentences

MEETING = date(2021, 6, 30)
ORDER = {"met": 1, "unmet": 7}


def frame(rows, released=None) -> pd.DataFrame:
    """Status-like rows (code, status, actual, actual_year, attainment)."""
    df = pd.DataFrame(rows, columns=["code", "status", "actual", "actual_year", "attainment"])
    df = df.assign(policy="P", region="甲县", indicator_name=df["code"] + "指标", status_order=df["status"].map(ORDER),
                   ratio=np.nan, judged=True)
    return df if released is None else df.assign(data_released_on=pd.to_datetime(released))


BEFORE = frame([("A", "unmet", 3.75, 2020, 0.987), ("B", "unmet", 3.75, 2020, 0.987), ("C", "unmet", 3.75, 2020, 0.987),
                ("D", "unmet", 3.75, 2020, 0.987)])


def test_a_status_moved_by_a_later_release_of_the_same_year_is_revised():
    """A: 2020's 3.75 became 3.82 (修订, released after the meeting) → 已完成: 因数据修订, moving up. B: the same
    move on a figure released before the meeting (the snapshot read an older vintage): an ordinary move. C: a 2021
    value released after the meeting: a new year's value, an ordinary move. D: revised to 3.78, still 未完成: the
    status stands (same), the revision is flagged."""
    after = frame([("A", "met", 3.82, 2020, 1.0), ("B", "met", 3.82, 2020, 1.0), ("C", "met", 3.85, 2021, 1.0),
                   ("D", "unmet", 3.78, 2020, 0.995)],
                  released=["2021-10-09", "2021-05-01", "2022-03-01", "2021-10-09"])
    ch = status_changes(BEFORE, after, revised_after=MEETING).set_index("code")
    assert ch["direction"].to_dict() == {"A": "revised", "B": "up", "C": "up", "D": "same"}
    assert ch["status_move"].to_dict() == {"A": "up", "B": "up", "C": "up", "D": "same"}
    assert ch["revised"].to_dict() == {"A": True, "B": False, "C": False, "D": True}
    counts = change_counts(ch)
    assert (counts["revised"], counts["up"], counts["same"]) == (1, 2, 1)
    assert sum(counts[k] for k in ("judged", "revised", "up", "down", "same", "new", "gone")) == len(ch)
    # without the meeting's day (the year-on-year comparison) nothing is a revision
    assert set(status_changes(BEFORE, after)["direction"]) == {"up", "same"}


def test_a_revision_that_lowers_the_attainment_of_a_relative_target_counts_too():
    """A relative target's own value stays while the benchmark's is revised: the attainment differs."""
    after = frame([("A", "unmet", 3.75, 2020, 0.95)], released=["2021-10-09"])
    before = frame([("A", "met", 3.75, 2020, 1.0)])
    ch = status_changes(before, after, revised_after=MEETING).set_index("code")
    assert (ch.loc["A", "direction"], ch.loc["A", "status_move"]) == ("revised", "down")


def test_the_words():
    assert sentences.direction_text("revised", "up") == "↑ 因数据修订"
    assert sentences.direction_text("revised", "down") == "↓ 因数据修订"
    assert sentences.direction_text("up", "up") == "↑ 好转"
    after = frame([("A", "met", 3.82, 2020, 1.0), ("B", "met", 3.82, 2020, 1.0), ("C", "unmet", 3.75, 2020, 0.987),
                   ("D", "unmet", 3.75, 2020, 0.987)], released=["2021-10-09", "2021-05-01", None, None])
    ch = status_changes(BEFORE, after, revised_after=MEETING)
    assert sentences.change_message(ch, "二季度会议") == (
        "与“二季度会议”相比：状态上升1项、下降0项、因数据修订而变化1项、不变2项，新增数据0项。")


# ------------------------------------------------------------------ the built-in database, a meeting and a revision

FIRST = {"region": "长垣市", "indicator": "rd_intensity", "year": 2020, "quarter": 0, "value": 3.75, "is_sample": False,
         "source": "长垣市统计局 2020年R&D经费快报（2021-03-01）", "note": "", "data_status": "preliminary",
         "released_on": date(2021, 3, 1)}
REVISED = {**FIRST, "value": 3.82, "source": "河南省统计局 2020年R&D经费统计公报（2021-10-09）", "data_status": "revised",
           "released_on": date(2021, 10, 9)}


@pytest.fixture(scope="module")
def revised_db(module_app_db):
    """G01 (≥3.8 % by 2020) was 3.75 % (初步) at the meeting of 2021-06-30 and is 3.82 % (修订, 2021-10-09) now."""
    with engine_at(module_app_db) as eng:
        store_account(eng, admin("管理员"))
        db.save_observations(eng, [FIRST], who="管理员")
    result = run_cli("snapshot", "--meeting", "2021年二季度会议", "--as-of", "2020", "--date", MEETING.isoformat(),
                     "--as", "管理员", db_path=module_app_db)
    assert result.returncode == 0, result.stderr
    with engine_at(module_app_db) as eng:
        db.save_observations(eng, [REVISED], who="管理员")
    return module_app_db


def test_the_deck_lists_it_as_revised(revised_db):
    with engine_at(revised_db) as eng:
        frames = views.load_frames(eng)
        snapshot = views.last_snapshot(eng, views.default_policy(frames), "长垣市")
    data = deck_data(frames, catalogue.load_settings(), policy=views.default_policy(frames), region="长垣市",
                     as_of_year=2020, snapshot=snapshot)
    g01 = data.meeting.changes.set_index("code").loc["G01"]
    assert (g01["status_before"], g01["status_after"], g01["direction"]) == ("unmet", "met", "revised")
    assert (g01["actual_before"], g01["actual_after"]) == (3.75, 3.82)
    plan = plan_deck(data)
    prs = Presentation(io.BytesIO(build_deck(data)))
    (slide, spec), = [(s, p) for s, p in zip(prs.slides, plan) if p.kind == "changes"]
    table = next(s.table for s in slide.shapes if s.has_table)
    cells = {table.cell(i, 0).text: table.cell(i, 4).text for i in range(1, len(table.rows))}
    assert cells["G01"] == "↑ 因数据修订"
    assert "因数据修订而变化1项" in spec.extra["message"]
    assert "G01 全社会研发投入强度：未完成 → 已完成；实际值 3.75% → 3.82%（因数据修订：会后发布的修订数）" in spec.notes


def test_the_overview_lists_it_as_revised(revised_db):
    at = open_page("overview", 2020, "长垣市")
    tables = [t for t in shown_frames(at) if {"code", "before", "after", "direction"} <= set(t.columns)]
    since_last_year, since_meeting = (t.set_index("code") for t in tables)   # 与2019年相比, 自上次会议以来
    assert since_last_year.loc["G01", "direction"] == "■ 到期判定"     # no revision between two years' statuses
    assert since_meeting.loc["G01", "direction"] == "↑ 因数据修订"
    assert any("因数据修订：会后发布的修订数" in c.value for c in at.caption)
