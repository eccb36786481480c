"""What was known on a day (issue 21): the issue's two revisions imported as first release then revision keep both
vintages; `cli.py status --as-known-on` before the revision gives the first figure, and a meeting snapshot saved
for a past meeting uses the figures known on its day."""
from __future__ import annotations

import io
import shutil
from datetime import date

import pandas as pd
import pytest

import db
from bench.database import catalogue_only
from tests.accounts import admin, store_account
from tests.helpers import run_cli
from views.policy import load_frames

HEADER = "地区,指标,期间,数值,来源,备注,数据状态,发布日期\n"
FIRST_RELEASES = HEADER + (
    "河南省,研究与试验发展(R&D)经费投入强度,2022,1.86,河南省统计局 2022年R&D经费投入统计公报（2023-09-18）,,初步,2023-09-18\n"
    "新乡市,研究与试验发展(R&D)经费投入强度,2020,2.22,河南省统计局 2020年R&D经费使用情况（2021-10-09）,,初步,2021-10-09\n")
REVISIONS = HEADER + (
    "河南省,研究与试验发展(R&D)经费投入强度,2022,1.96,河南省统计局 2023年R&D经费投入统计公报（2024-10-10）,"
    "推算：2.05 − 0.09,修订,2024-10-10\n"
    "新乡市,研究与试验发展(R&D)经费投入强度,2020,2.25,中新网 2022-09-07,推算：2.45 − 0.2,修订,2022-09-07\n")


def catalogues_and_admin(path) -> None:
    """A SQLite file with the catalogues (no observations) and one admin, 管理员."""
    catalogue_only(f"sqlite:///{path}")
    eng = db.make_engine(f"sqlite:///{path}")
    store_account(eng, admin("管理员"))
    eng.dispose()


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A database with the catalogues, an admin, and the two files imported through the CLI, first releases first."""
    folder = tmp_path_factory.mktemp("known_on")
    path = folder / "t.sqlite"
    catalogues_and_admin(path)
    for name, text in (("首次公布.csv", FIRST_RELEASES), ("修订.csv", REVISIONS)):
        (folder / name).write_text(text, encoding="utf-8-sig")
        result = run_cli("import", str(folder / name), "--as", "管理员", db_path=path)
        assert result.returncode == 0, result.stderr
    eng = db.make_engine(f"sqlite:///{path}")
    with eng.connect() as conn:  # everything into the main file, so that a copy of it holds the imports
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def db_copy(imported, tmp_path):
    path = tmp_path / "copy.sqlite"
    shutil.copy(imported, path)
    return path


def test_both_vintages_are_kept(imported):
    eng = db.make_engine(f"sqlite:///{imported}")
    try:
        v = db.read_vintages(eng, ["河南省", "新乡市"], "rd_intensity")
        assert list(zip(v["region"], v["year"], v["value"], v["data_status"], v["is_current"])) == [
            ("新乡市", 2020, 2.22, "preliminary", False), ("新乡市", 2020, 2.25, "revised", True),
            ("河南省", 2022, 1.86, "preliminary", False), ("河南省", 2022, 1.96, "revised", True)]
    finally:
        eng.dispose()


def g01_actual(path, *extra: str) -> float:
    result = run_cli("status", "--as-of", "2020", "--region", "新乡市", "--format", "csv", *extra, db_path=path)
    assert result.returncode == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout)).set_index("code").loc["G01", "actual"]


@pytest.mark.parametrize("known_on, actual", [(None, 2.25), ("2022-09-06", 2.22), ("2022-09-07", 2.25),
                                              ("2021", 2.22), ("2021-10-08", None)])
def test_status_as_known_on_a_day_uses_the_vintage_known_then(imported, known_on, actual):
    """新乡市's 2020 intensity was first 2.22 (2021-10-09), revised to 2.25 (2022-09-07); before the first release
    nothing was known (G01 has no value)."""
    value = g01_actual(imported, *(["--as-known-on", known_on] if known_on else []))
    assert (pd.isna(value) if actual is None else value == actual)


def test_a_bad_known_on_date_is_refused_in_chinese(imported):
    result = run_cli("status", "--as-of", "2020", "--as-known-on", "2022-02-30", db_path=imported)
    assert result.returncode != 0 and "不是日期（该日不存在）" in result.stderr


@pytest.mark.parametrize("known_on, value", [(date(2024, 1, 1), 1.86), (date(2024, 10, 10), 1.96)])
def test_the_frames_for_a_past_day_hold_the_first_figure(imported, known_on, value):
    eng = db.make_engine(f"sqlite:///{imported}")
    try:
        obs = load_frames(eng, regions=["河南省"], known_on=known_on)["observations"]
        assert list(obs.loc[obs["year"] == 2022, "value"]) == [value]
    finally:
        eng.dispose()


def test_a_snapshot_of_a_past_meeting_uses_the_figures_known_on_its_day(db_copy):
    for meeting, day in (("2022年一季度会议", "2022-01-15"), ("2022年四季度会议", "2022-12-20")):
        result = run_cli("snapshot", "--meeting", meeting, "--as-of", "2020", "--region", "新乡市", "--date", day,
                         "--as", "管理员", db_path=db_copy)
        assert result.returncode == 0, result.stderr
    eng = db.make_engine(f"sqlite:///{db_copy}")
    try:
        snaps = db.read_snapshots(eng).set_index("name")
        actual = {name: db.read_snapshot(eng, int(snaps.loc[name, "id"])).set_index("code").loc["G01", "actual"]
                  for name in snaps.index}
        assert actual == {"2022年一季度会议": 2.22, "2022年四季度会议": 2.25}
    finally:
        eng.dispose()
