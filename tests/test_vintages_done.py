"""Issue 21's done-when, end to end on a database with the catalogues only: the two revision examples imported
through `cli.py import` (first releases, then revisions) — the verdict reads 暂判 until a final figure exists,
`--as-known-on` before the revision gives the first figure and its 暂判, and 目标详情 shows both vintages (the
history block and the chart's revision step), for 新乡市 and 河南省."""
from __future__ import annotations

import csv
import io
import json

import pytest

import db
from bench.database import catalogue_only
from tests.accounts import admin, store_account
from tests.helpers import app_pointed_at, open_page, run_cli
from tests.test_vintages_cli import FIRST_RELEASES, REVISIONS


def g01(path, region: str, as_of: str, *args: str) -> dict:
    out = run_cli("status", "--as-of", as_of, "--region", region, "--format", "csv", *args, db_path=path)
    assert out.returncode == 0, out.stderr
    return next(r for r in csv.DictReader(io.StringIO(out.stdout)) if r["code"] == "G01")


def imported(folder, path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8-sig")
    result = run_cli("import", str(folder / name), "--as", "管理员", db_path=path)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """The catalogues, an admin, the first releases imported (G01 for 新乡市 as of 2020 read then), the revisions
    imported after them: (path, G01's row after the first import)."""
    folder = tmp_path_factory.mktemp("done")
    path = folder / "t.sqlite"
    catalogue_only(f"sqlite:///{path}")
    eng = db.make_engine(f"sqlite:///{path}")
    store_account(eng, admin("管理员"))
    eng.dispose()
    imported(folder, path, "首次公布.csv", FIRST_RELEASES)
    first = g01(path, "新乡市", "2020")
    imported(folder, path, "修订.csv", REVISIONS)
    return path, first


def test_first_release_then_revision(database):
    path, first = database
    assert (first["actual"], first["status"]) == ("2.22", "暂判未完成（完成 58%，初步数）")   # 2.22 ÷ 3.8 = 58.4 %
    now = g01(path, "新乡市", "2020")
    assert (now["actual"], now["status"]) == ("2.25", "未完成（完成 59%）")               # 修订: final
    before = g01(path, "新乡市", "2020", "--as-known-on", "2022-09-06")               # the day before the revision
    assert (before["actual"], before["status"]) == ("2.22", "暂判未完成（完成 58%，初步数）")
    assert g01(path, "新乡市", "2020", "--as-known-on", "2022-09-07")["actual"] == "2.25"


@pytest.mark.parametrize("region, as_of, history", [
    ("新乡市", 2020, "初步 2.22% (2021-10) → 修订 2.25% (2022-09)"),
    ("河南省", 2022, "初步 1.86% (2023-09) → 修订 1.96% (2024-10)"),
])
def test_the_detail_page_shows_both_vintages(database, region, as_of, history):
    path, _ = database
    with app_pointed_at(path):
        at = open_page("detail", as_of, region)
        at.selectbox(key="detail_code").set_value("G01").run()
        assert not at.exception
        versions = next(df.value for df in at.dataframe if "history" in df.value.columns)
        assert versions["history"].tolist() == [history]
        (chart,) = at.get("plotly_chart")
    traces = json.loads(chart.proto.spec)["data"]
    assert any(t.get("name") == "修订（空心为修订前）" for t in traces)
