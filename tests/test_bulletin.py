"""The 督查通报 (.docx): GB/T 9704 page set-up, and every unit and count in its text equal to the engine's."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

import db
from bulletin import build_bulletin, bulletin_data
from metrics.overdue import overdue_items, unit_reasons
from store import catalogue
from tests.test_cli import run_cli
from views import policy as views
from vocab import labels

SETTINGS = catalogue.load_settings()


def make(engine, as_of, deadlines=None):
    frames = views.load_frames(engine)
    policy = views.default_policy(frames)
    region = str(views.policy_row(frames, policy)["region"])
    data = bulletin_data(frames, SETTINGS, policy=policy, region=region, as_of=as_of, deadlines=deadlines,
                         issued=date(2020, 10, 9))
    return data, Document(io.BytesIO(build_bulletin(data))), (frames, policy, region)


def text_of(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def table_headed(doc, header: str):
    """The table whose first row has this header cell."""
    return next(t for t in doc.tables if header in [c.text for c in t.rows[0].cells])


def section(doc, name: str, following: str) -> str:
    """The body text between two level-1 headings ('二、表扬单位' … '三、通报批评单位')."""
    texts = [p.text for p in doc.paragraphs]
    start = next(i for i, t in enumerate(texts) if t.endswith(f"、{name}"))
    end = next(i for i, t in enumerate(texts) if t.endswith(f"、{following}"))
    return "\n".join(texts[start + 1:end])


@pytest.fixture(scope="module")
def year_end(template_db):
    """The year-end bulletin of the built-in data, built once for the tests that only read it."""
    eng = db.make_engine(f"sqlite:///{template_db}")
    try:
        yield make(eng, 2020)
    finally:
        eng.dispose()


def test_page_is_a4_with_gb_margins(year_end):
    _, doc, _ = year_end
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]


def test_title_body_fonts_and_page_numbers(year_end):
    _, doc, _ = year_end
    title = next(p for p in doc.paragraphs if p.text == SETTINGS["bulletin"]["title"])
    rfonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    body = next(p for p in doc.paragraphs if p.text.startswith("为推动"))
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.runs[0].font.size.pt == 16
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    assert "PAGE" in doc.sections[0].even_page_footer._element.xml
    fonts = doc.part.part_related_by("http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable")
    assert "仿宋_GB2312" in fonts.blob.decode() and 'w:altName w:val="仿宋"' in fonts.blob.decode()


def test_doc_number_and_sample_mark(year_end):
    data, doc, _ = year_end
    text = text_of(doc)
    assert "长科督〔2020〕1号" in text and "2020年10月9日" in text
    assert data.is_sample and labels.SAMPLE_MARK in doc.paragraphs[0].text


def test_praised_and_criticised_units_are_the_scorecards(year_end):
    data, doc, (frames, policy, region) = year_end
    card = views.scorecard_at(frames, SETTINGS, policy, region, 2020)[2]
    praised = set(card.loc[card["group"] == labels.PRAISE, "unit"])
    criticised = set(card.loc[card["group"] == labels.CRITICISE, "unit"])
    assert criticised  # the built-in data criticise someone at the end of 2020
    praise_text = section(doc, "表扬单位", "通报批评单位")
    criticise_text = section(doc, "通报批评单位", "颜色分档")
    units = set(card["unit"])
    assert {u for u in units if f"）{u}。" in praise_text} == praised
    assert {u for u in units if f"）{u}。" in criticise_text} == criticised
    for u in criticised:  # the numbers that earned it, not adjectives
        r = card.set_index("unit").loc[u]
        assert f"）{u}。得分{r['score']:.1f}分，排第{int(r['rank'])}名" in criticise_text
        assert f"逾期{int(r['tasks_overdue'])}项" in criticise_text


def test_overdue_count_is_the_ledgers(year_end):
    data, doc, (frames, policy, _) = year_end
    ledger = views.policy_ledger(frames, policy, 2020)
    tasks = int((ledger["status"] == "overdue").sum())
    nodes = int((views.policy_deadlines(frames, SETTINGS, policy, "2020-12-31")["state"] == "overdue").sum())
    n = tasks + nodes
    assert tasks > 0
    assert f"逾期事项共{n}项（重点任务{tasks}项、任务节点{nodes}项）" in section(doc, "逾期任务清单", "下步工作要求")
    overdue_table = table_headed(doc, "逾期天数")
    assert len(overdue_table.rows) == n + 1
    assert [c.text for c in overdue_table.rows[0].cells] == ["序号", "责任单位", "任务", "节点", "逾期天数", "催办次数"]


def test_counts_by_status_are_the_engines(year_end):
    data, doc, (frames, policy, region) = year_end
    status = views.policy_status(frames, SETTINGS, policy, region, 2020)
    overall = section(doc, "总体情况", "表扬单位")
    for key, n in status["status"].value_counts().items():
        assert f"{labels.STATUS_BY_KEY[key].label}{n}项" in overall
    assert "未完成" in overall and "略有滞后" not in overall  # year-end verdicts at the end of 2020


def test_bands_table_lists_every_ranked_unit_with_icon_and_word(year_end):
    data, doc, _ = year_end
    band_table = doc.tables[0]
    ranked = data.scorecard.loc[data.scorecard["ranked"]]
    assert len(band_table.rows) == len(ranked) + 1
    words = {labels.colour_band_text(b.key) for b in labels.COLOUR_BANDS}
    last = {row.cells[-1].text for row in band_table.rows[1:]}
    assert last <= words and len(last) == 4


def test_requirements_paragraph_comes_from_settings(year_end):
    _, doc, _ = year_end
    first = SETTINGS["bulletin"]["requirements"].strip().splitlines()[0]
    assert first in section(doc, "下步工作要求", "下步工作要求") or first in text_of(doc)


# ------------------------------------------------------------------ overdue list: deadlines or the ledger

def test_overdue_from_the_ledger_counts_days_from_the_due_date():
    ledger = pd.DataFrame({"title": ["甲任务", "乙任务", "丙任务"], "lead_units": ["甲局", "", "丙局"],
                           "responsible_units": ["", "乙局、丁局", ""], "due_date": ["2020-06-30"] * 3,
                           "status": ["overdue", "overdue", "done"],
                           "as_of": pd.Timestamp("2020-09-30")})
    items = overdue_items(ledger)
    assert list(items["unit"]) == ["乙局、丁局", "甲局"]          # equal days: by unit
    assert list(items["days_overdue"]) == [92, 92]              # 30 June → 30 September
    assert items["chases"].isna().all() and list(items["milestone"]) == ["", ""]


def test_overdue_from_deadlines_lists_only_overdue_milestones():
    deadlines = pd.DataFrame({
        "policy": "P", "clause": ["c1", "c1", "c2"], "task_title": ["甲任务", "甲任务", "乙任务"],
        "milestone_id": [1, 2, 3], "title": ["上半年节点", "下半年节点", "上半年节点"], "unit": ["甲局", "甲局", "乙局"],
        "due_date": ["2020-06-30", "2020-12-31", "2020-08-31"], "original_due_date": ["2020-06-30", "2020-12-31",
                                                                                     "2020-07-31"],
        "status": ["in_progress", "not_started", "in_progress"], "state": ["overdue", "normal", "overdue"],
        "days_left": [pd.NA, 92, pd.NA], "days_overdue": [92, 0, 30], "chases": [2, 0, 1],
        "last_chase_at": pd.NaT, "is_sample": False})
    items = overdue_items(pd.DataFrame(), deadlines)
    assert items[["unit", "milestone", "days_overdue", "chases"]].values.tolist() == [
        ["甲局", "上半年节点", 92, 2], ["乙局", "上半年节点", 30, 1]]


def test_bulletin_with_deadlines_lists_milestones_and_their_states(engine):
    frames = views.load_frames(engine)
    policy = views.default_policy(frames)
    task = frames["tasks"].iloc[0]
    deadlines = pd.DataFrame({
        "policy": policy, "clause": [task["clause"]] * 2, "task_title": [task["title"]] * 2, "milestone_id": [1, 2],
        "title": ["上半年节点", "下半年节点"], "unit": ["科工信局", "科工信局"], "due_date": ["2020-06-30", "2020-12-31"],
        "original_due_date": ["2020-06-30", "2020-12-31"], "status": ["in_progress", "not_started"],
        "state": ["overdue", "normal"], "days_left": [pd.NA, 92], "days_overdue": [92, 0], "chases": [3, 0],
        "last_chase_at": pd.NaT, "is_sample": True})
    data, doc, _ = make(engine, "2020-09-30", deadlines)
    overdue = section(doc, "逾期任务清单", "下步工作要求")
    assert "逾期事项共1项（重点任务0项、任务节点1项）" in overdue   # no task is due before 31 December
    row = [c.text for c in table_headed(doc, "逾期天数").rows[1].cells]
    assert row == ["1", "科工信局", task["title"], "上半年节点", "92", "3"]
    assert "任务节点2个：已逾期1个、正常1个" in section(doc, "总体情况", "表扬单位") or \
        "任务节点2个：正常1个、已逾期1个" in section(doc, "总体情况", "表扬单位")


def test_reasons_count_overdue_items_per_unit():
    card = pd.DataFrame({"unit": ["甲局", "乙局"], "group": [labels.PRAISE, ""], "rank": [1, 2], "score": [90.0, 50.0],
                         "targets_met": [2, 0], "targets_unmet": [1, 1], "targets_no_data": [4, 0],
                         "targets_led": [3, 1], "targets_shared": [0, 0], "tasks_led": [2, 1], "tasks_shared": [1, 0],
                         "tasks_done": [2, 0], "tasks_overdue": [0, 1]})
    items = pd.DataFrame({"unit": ["乙局、甲局", "乙局"]})
    r = unit_reasons(card, items).set_index("unit")
    assert r.loc["甲局", ["targets", "targets_met", "tasks", "overdue_items"]].tolist() == [3, 2, 3, 1]
    assert r.loc["乙局", "overdue_items"] == 2


def test_cli_bulletin_writes_the_file(db_path, tmp_path):
    out = tmp_path / "通报.docx"
    res = run_cli("bulletin", "--as-of", "2020-09-30", "-o", str(out), db_path=db_path)
    assert res.returncode == 0, res.stderr
    assert "已生成" in res.stdout and out.stat().st_size > 10_000
    assert "截至2020年9月30日" in text_of(Document(str(out)))
    bad = run_cli("bulletin", "--as-of", "2020-13-01", "-o", str(out), db_path=db_path)
    assert bad.returncode == 1 and "不是日期" in bad.stderr
