"""The 终期评估报告 (.docx) and the reports of a policy other than the seed, on one database with the seed policy
and the imported 十五五 test policy: the evaluation reopened with python-docx — every target with the renderer's
verdict, attainment and gap, grouped by area; tasks and their units; every unit's final score with its parts; the
headline charts as images; what carries over into the 十五五 policy; the 示例数据 marks, and none without sample data
— a running policy refused in Chinese; and `cli.py status | deck | bulletin | portfolio` for the imported policy."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pandas as pd
import pytest
from docx import Document
from PIL import Image
from pptx import Presentation

import db
from evaluation import build_evaluation, evaluation_data
from evaluation.charts import cjk_font
from store import catalogue
from tests.helpers import engine_at, run_cli
from tests.portfolio_db import CODE, DOC_NUMBER, SEED, SHORT_TITLE, with_imported_policy
from views import policy as views
from views.score_text import deduction_text, rules_text
from views.target_words import target_words
from vocab import labels
from vocab.labels import score_text

SETTINGS = catalogue.load_settings()
AREA_HEADING = re.compile(r"^（[一二三四五六七八九十]+）(\S+?)。目标(\d+)项，完成(\d+)项。$")


@pytest.fixture(scope="module")
def db_path(template_db, tmp_path_factory):
    return with_imported_policy(template_db, tmp_path_factory.mktemp("evaluation") / "tracker.sqlite")


@pytest.fixture(scope="module")
def frames(db_path) -> views.Frames:
    with engine_at(db_path) as eng:
        return views.load_frames(eng)


@pytest.fixture(scope="module")
def report(db_path, tmp_path_factory):
    """The seed policy's evaluation through the CLI, dated 2021-03-15 under number 2, reopened."""
    out = tmp_path_factory.mktemp("evaluation_out") / "评估.docx"
    res = run_cli("evaluation", "--policy", SEED, "-o", str(out), "--date", "2021-03-15", "--number", "2",
                  db_path=db_path)
    assert res.returncode == 0, res.stderr
    return res, Document(str(out))


def text_of(doc) -> str:
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def rows_of(doc, first_header: str) -> list[list[str]]:
    """The body rows of every table whose header row starts with first_header (in document order)."""
    return [[c.text for c in r.cells] for t in doc.tables if t.rows[0].cells[0].text == first_header
            for r in t.rows[1:]]


def seed_status(frames):
    return views.policy_status(frames, SETTINGS, SEED, "长垣市", 2020)


# ------------------------------------------------------------------ the head

def test_the_head_carries_the_number_the_date_and_the_sample_marks(report):
    res, doc = report
    first = [p.text for p in doc.paragraphs[:12]]
    assert first[0] == labels.SAMPLE_MARK                                   # red mark above the issuer
    assert "长垣市科技和工业信息化局" in first and "长科评〔2021〕2号" in first
    assert any("（本报告含示例数据，仅供演示，请勿引用）" == t for t in first)
    title = next(t for t in first if t.startswith("关于《"))
    assert title.replace("\n", "") == "关于《长垣市人民政府关于实施河南省创新驱动提速增效工程的意见》实施情况的终期评估报告"
    assert title.split("\n")[-1] == "实施情况的终期评估报告"      # the line break of [evaluation] title
    assert doc.paragraphs[-1].text != "" and "2021年3月15日" in [p.text for p in doc.paragraphs]
    assert "长科评〔2021〕2号" in res.stdout and "53 项目标完成" in res.stdout


# ------------------------------------------------------------------ targets

def test_every_target_has_the_renderers_verdict_attainment_and_gap(report, frames):
    _, doc = report
    rows = {r[0]: r for r in rows_of(doc, "编号")}
    status = seed_status(frames)
    assert set(rows) == set(status["code"])
    for r in status.to_dict("records"):
        w = target_words(r)
        shown = rows[r["code"]]
        assert shown[1] == w.name and shown[2] == f"{w.target}（{w.due}）"
        assert shown[3].startswith(w.value) and (("＊" in shown[3]) == bool(r["is_sample"]))
        assert shown[4].split("\n")[0] == w.verdict
        assert shown[5] == (w.attainment or "—")
        assert shown[6] in (w.gap, "—")
    # by hand: E02 (≥60 by 2019, 2019 value 52) stays 未完成 and shows the later value beside the verdict
    assert rows["E02"][4].startswith("未完成（完成 87%）") and "逾期达到" in rows["E02"][4]
    assert rows["G02"][4] == "未完成（完成 95%）" and rows["G02"][6] == "5家"


def test_the_targets_are_grouped_by_area_with_their_counts(report, frames):
    _, doc = report
    status = seed_status(frames)
    headings = [m.groups() for p in doc.paragraphs if (m := AREA_HEADING.match(p.text))]
    assert [h[0] for h in headings] == [a for a in labels.AREAS if a in set(status["area"])]
    for area, n, met in headings:
        part = status.loc[status["area"] == area]
        assert (int(n), int(met)) == (len(part), int((part["status"] == "met").sum()))


# ------------------------------------------------------------------ tasks, scores, charts, carry-over

def test_tasks_with_their_units(report, frames):
    _, doc = report
    ledger = views.policy_ledger(frames, SEED, "2021-01-01")
    body = text_of(doc)
    assert f"重点任务{len(ledger)}项（截至2020年12月31日" in body
    assert f"实施期结束时尚未完成{int((ledger['status'] != 'done').sum())}项" in body
    units = {r[0]: r for r in rows_of(doc, "单位")}
    led = ledger.loc[ledger["lead_units"].str.split("、").map(lambda u: "科工信局" in u)]
    assert units["科工信局"][1:3] == [str(len(led)), str(int((led["status"] == "done").sum()))]
    annex = rows_of(doc, "序号")
    assert len(annex) == len(ledger) and [r[2] for r in annex] == list(ledger["title"])
    assert annex[0][3] == ledger["lead"].iloc[0] and annex[0][4] == ledger["responsible"].iloc[0]


def test_every_unit_has_its_final_score_with_its_parts(report, frames):
    _, doc = report
    card = views.scorecard_at(frames, SETTINGS, SEED, "长垣市", "2021-01-01")[2]
    shown = {r[1]: r for r in rows_of(doc, "名次")}
    assert set(shown) == set(card["unit"])
    for r in card.to_dict("records"):
        row = shown[r["unit"]]
        assert row[2].rstrip("＊") == score_text(r["score"]) and row[3] == score_text(r["target_points"])
        assert row[4] == score_text(r["task_points"]) and row[5] == f"{float(r['deduction']):g}"
        assert row[6] == deduction_text(pd.Series(r), SETTINGS)
        assert ("＊" in row[2]) == bool(r["is_sample"])


@pytest.mark.skipif(cjk_font() is None, reason="needs a CJK font (fonts-noto-cjk)")
def test_the_headline_indicators_are_charted_as_images(report, frames):
    _, doc = report
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    headline = seed_status(frames).loc[lambda s: s["headline"].astype(bool)]
    assert len(images) == headline["indicator"].nunique() == 8
    png = Image.open(io.BytesIO(images[0].target_part.blob))
    assert png.format == "PNG" and png.size == (1600, 820)
    captions = [p.text for p in doc.paragraphs if re.match(r"^图\d+　", p.text)]
    assert captions[0] == "图1　G01 全社会研发投入强度（2016—2020年）（含示例数据）"


def test_what_carries_over_into_the_later_policy(report):
    _, doc = report
    rows = {r[0]: r for r in rows_of(doc, "指标")}
    assert rows["高新技术企业总数"][2] == DOC_NUMBER
    assert rows["高新技术企业总数"][3] == "2-1 ≥200家（2030年底）"
    assert "G02 ≥100家（2020年底）未完成（完成 95%）" in rows["高新技术企业总数"][1]
    assert rows["全社会研发投入强度"][3] == "1-1 ≥3.2%（2030年底）"
    assert f"《{SHORT_TITLE}》（{DOC_NUMBER}）中继续设定目标" in text_of(doc)


def test_without_sample_data_no_mark_is_printed(frames):
    published = {**frames, "observations": frames["observations"].assign(is_sample=False),
                 "progress": frames["progress"].assign(is_sample=False),
                 "milestones": frames["milestones"].assign(is_sample=False)}
    data = evaluation_data(published, SETTINGS, policy=SEED, issued=date(2021, 3, 15), today=date(2021, 3, 15))
    assert not data.is_sample
    text = text_of(Document(io.BytesIO(build_evaluation(data)))).replace(rules_text(SETTINGS), "")  # a rule, no mark
    assert labels.SAMPLE_MARK not in text and labels.SAMPLE_NOTE_MARK not in text


# ------------------------------------------------------------------ refusals

def test_a_running_policy_is_refused_in_chinese(db_path, tmp_path):
    out = tmp_path / "x.docx"
    before = db.dump(db.make_engine(f"sqlite:///{db_path}"))
    res = run_cli("evaluation", "--policy", CODE, "-o", str(out), db_path=db_path)
    assert res.returncode == 1 and not out.exists()
    assert "实施期 2026—2030 年尚未结束" in res.stderr and "2031年1月1日起" in res.stderr
    assert db.dump(db.make_engine(f"sqlite:///{db_path}")) == before


def test_a_date_inside_the_period_is_refused(db_path, tmp_path):
    res = run_cli("evaluation", "--policy", SEED, "-o", str(tmp_path / "x.docx"), "--date", "2020-12-31",
                  db_path=db_path)
    assert res.returncode == 1 and "成文日期 2020-12-31 不在实施期结束（2020-12-31）之后" in res.stderr


def test_the_imported_policy_once_over_has_its_own_evaluation(frames):
    # on 2031-01-02 the 十五五 policy is over: no milestones, no headline targets, no later policy, no 2030 data
    data = evaluation_data(frames, SETTINGS, policy=CODE, today=date(2031, 1, 2), issued=date(2031, 1, 2))
    doc = Document(io.BytesIO(build_evaluation(data)))
    text = text_of(doc)
    assert (data.deadlines is None or data.deadlines.empty) and data.carried.empty
    assert not re.search(r"推进节点\d+个", text)
    assert "目前没有后续政策对本政策的指标设定目标" in text
    rows = {r[0]: r for r in rows_of(doc, "编号")}
    assert set(rows) == set(views.policy_targets(frames, CODE)["code"])
    assert rows["13-1"][2] == "年均增长≥7%（2030年底）" and rows["13-1"][4] == "无期末数据"
    assert list(data.charted["code"]) == list(data.status.loc[data.status["actual"].notna()
                                                              & data.status["kind"].isin(["level", "annual",
                                                                                          "cumulative", "cagr",
                                                                                          "milestone"])]
                                              .drop_duplicates("indicator")["code"])[:8]


# ------------------------------------------------------------------ status, deck, bulletin, portfolio of the import

def test_status_lists_the_imported_policys_targets(db_path, frames):
    res = run_cli("status", "--as-of", "2026", "--policy", CODE, "--format", "csv", db_path=db_path)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["code"] for r in rows] == list(views.policy_targets(frames, CODE)["code"])
    g = {r["code"]: r for r in rows}
    assert g["2-1"]["target"] == "≥200家" and g["2-1"]["due_year"] == "2030"
    assert g["6-1"]["target"] == "年均增长≥10%"


def test_the_deck_of_the_imported_policy_names_it(db_path, tmp_path):
    out = tmp_path / "deck.pptx"
    res = run_cli("deck", "--as-of", "2026", "--policy", CODE, "-o", str(out), db_path=db_path)
    assert res.returncode == 0, res.stderr
    prs = Presentation(str(out))
    assert prs.slides[0].shapes.title.text == f"长垣市{SHORT_TITLE}推进情况"
    assert DOC_NUMBER in " ".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)


def test_the_bulletin_of_the_imported_policy_names_it(db_path, tmp_path):
    out = tmp_path / "bulletin.docx"
    res = run_cli("bulletin", "--as-of", "2026-12-06", "--policy", CODE, "-o", str(out), "--date", "2026-12-06",
                  db_path=db_path)
    assert res.returncode == 0, res.stderr
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert f"（{DOC_NUMBER}）各项目标任务落实" in text and "截至2026年12月6日" in text


def test_the_portfolio_command_lists_both_policies(db_path):
    res = run_cli("portfolio", "--today", "2031-01-02", "--format", "csv", db_path=db_path)
    assert res.returncode == 0, res.stderr
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert (rows[CODE]["state"], rows[CODE]["as_of_year"], rows[CODE]["tasks_on"]) == ("已结束", "2030", "2031-01-01")
    assert rows[SEED]["state"] == "已结束" and rows[SEED]["targets"] == "53"
    res = run_cli("portfolio", "--today", "2031-13-01", db_path=db_path)
    assert res.returncode == 2 and "日期“2031-13-01”无效" in res.stderr


def test_a_policy_without_a_benchmark_region_still_reports(frames):
    """No benchmark region (an import where none was set), no milestones, cagr targets, almost no data: the deck,
    the bulletin and the evaluation are still made, from frames in memory."""
    from bulletin import build_bulletin, bulletin_data
    from deck import build_deck
    from deck.data import deck_data
    bare = {**frames, "policies": frames["policies"].assign(
        benchmark_region=frames["policies"]["benchmark_region"].where(frames["policies"]["code"] != CODE, ""))}
    assert views.benchmark_regions(bare, CODE) == []
    deck = Presentation(io.BytesIO(build_deck(deck_data(bare, SETTINGS, policy=CODE, region="长垣市",
                                                        as_of_year=2026))))
    assert deck.slides[0].shapes.title.text == f"长垣市{SHORT_TITLE}推进情况"
    bulletin = bulletin_data(bare, SETTINGS, policy=CODE, region="长垣市", as_of="2026-12-06",
                             issued=date(2026, 12, 6))
    assert DOC_NUMBER in text_of(Document(io.BytesIO(build_bulletin(bulletin))))
    evaluation = evaluation_data(bare, SETTINGS, policy=CODE, today=date(2031, 1, 2))
    assert DOC_NUMBER in text_of(Document(io.BytesIO(build_evaluation(evaluation))))
