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
from tests.helpers import app_pointed_at, open_page, run_cli
from tests.test_vintages_cli import FIRST_RELEASES, REVISIONS, catalogues_and_admin


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
    catalogues_and_admin(path)
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


def test_published_figures_are_real_with_their_sources_on_page_deck_and_bulletin(template_db):
    """河南省 as of 2023 on the built-in data: G01 rests on the published 2020 intensity 1.64 % (初步): no 示例数据
    star in the deck's table, its source in the slide's notes and the data notes, in the bulletin's table with
    暂判 and its source under it, and 公开数据 with the source on 目标详情."""
    from datetime import date

    from docx import Document
    from pptx import Presentation

    from bulletin import build_bulletin, bulletin_data
    from deck import build_deck, plan_deck
    from deck.data import deck_data
    from store import catalogue
    from views import policy as views

    source = "河南省统计局《2020年河南省研究与试验发展经费使用情况》(2021-10-09)"
    settings = catalogue.load_settings()
    eng = db.make_engine(f"sqlite:///{template_db}")
    frames = views.load_frames(eng)
    eng.dispose()
    policy = views.default_policy(frames)
    data = deck_data(frames, settings, policy=policy, region="河南省", as_of_year=2023)
    g01 = data.status.set_index("code").loc["G01"]
    assert (g01["actual"], bool(g01["is_sample"]), g01["actual_status"]) == (1.64, False, "preliminary")
    assert source in g01["sources"]
    plan, prs = plan_deck(data), Presentation(io.BytesIO(build_deck(data)))
    (slide, spec), = [(sl, sp) for sl, sp in zip(prs.slides, plan)
                      if sp.kind == "table" and "G01" in set(sp.rows["code"])]
    table = next(s.table for s in slide.shapes if s.has_table)
    row = next(table.rows[i] for i in range(1, len(table.rows)) if table.cell(i, 0).text == "G01")
    assert [c.text for c in row.cells][5] == "1.64%"                       # no 示例数据 star
    assert any(line.startswith("G01 ") and f"来源：{source}" in line for line in spec.notes.splitlines())
    notes = next(s for s in plan if s.kind == "data_notes")
    assert any(source in s for s in notes.extra["sources"])
    doc = Document(io.BytesIO(build_bulletin(bulletin_data(frames, settings, policy=policy, region="河南省",
                                                           as_of=2023, issued=date(2024, 1, 15)))))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "编号" and t.rows[0].cells[4].text == "结论")
    row = next([c.text for c in r.cells] for r in table.rows[1:] if r.cells[0].text == "G01")
    assert (row[3], row[4]) == ("1.64%", "暂判未完成（完成 43%，初步数）")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "结论前标“暂判”的，依据的是初步数或预计数" in text and source in text
    with app_pointed_at(template_db):
        at = open_page("detail", 2023, "河南省")
        at.selectbox(key="detail_code").set_value("G01").run()
        shown = next(df.value for df in at.dataframe if "data_text" in df.value.columns and "source" in df.value)
    published = shown.loc[shown["source"].str.contains(source, regex=False)]
    assert len(published) and set(published["data_text"]) == {"公开数据"}
