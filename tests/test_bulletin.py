"""The 督查通报 (.docx): GB/T 9704 page set-up, the 文号 and 成文日期 as asked, every unit, score and count in its text
equal to the engine's, overdue items counted once, and a layout that can be issued (balanced title, tables whose
rows stay whole, repeated headers, headings kept with their text, long lists in annexes)."""
from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from bulletin import build_bulletin, bulletin_data
from bulletin.docx_kit import CELL_PADDING_MM, PT_MM, column_widths, title_lines
from bulletin.text import title_text
from store import catalogue
from tests.helpers import engine_at, run_cli
from views import policy as views_policy
from views.score_text import parts_text
from vocab import labels
from vocab.labels import score_text

SETTINGS = catalogue.load_settings()
POLICY, REGION = "CY2019-20", "长垣市"


def make(frames, as_of, deadlines=None, issued=date(2021, 1, 15), number=None):
    data = bulletin_data(frames, SETTINGS, policy=POLICY, region=REGION, as_of=as_of, deadlines=deadlines,
                         issued=issued, number=number)
    return data, Document(io.BytesIO(build_bulletin(data)))


def text_of(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def section(doc, name: str, following: str | None = None) -> str:
    """The body text between a level-1 heading ('二、得分情况') and the next one (or the 附件 list)."""
    texts = [p.text for p in doc.paragraphs]
    start = next(i for i, t in enumerate(texts) if re.fullmatch(rf"[一二三四五六七八九十]、{name}", t))
    end = next((i for i, t in enumerate(texts[start + 1:], start + 1)
                if re.fullmatch(r"[一二三四五六七八九十]、\S+", t) or t.startswith("附件：")), len(texts))
    return "\n".join(texts[start + 1:end])


def annex_table(doc, title: str):
    """The table that follows an annex's title."""
    body = doc.element.body
    title_el = next(p._p for p in doc.paragraphs if p.text == title)
    following = title_el.getnext()
    while following is not None and following.tag != qn("w:tbl"):
        following = following.getnext()
    return next(t for t in doc.tables if t._tbl is following) if following is not None and body is not None else None


@pytest.fixture(scope="module")
def frames(template_db):
    with engine_at(template_db) as eng:
        yield views_policy.load_frames(eng)


@pytest.fixture(scope="module")
def year_end(frames):
    """As of 2020-12-31 on the built-in (sample) data, dated 2021-01-15 under number 3."""
    return make(frames, "2020-12-31", number=3)


@pytest.fixture(scope="module")
def new_year(frames):
    """As of 2021-01-01, with every value and report marked published (so that the scorecard can criticise)."""
    published = {**frames, "observations": frames["observations"].assign(is_sample=False),
                 "progress": frames["progress"].assign(is_sample=False)}
    return make(published, "2021-01-01"), published


# ------------------------------------------------------------------ page set-up and head

def test_page_is_a4_with_gb_margins(year_end):
    _, doc = year_end
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]


def test_title_body_fonts_and_page_numbers(year_end):
    _, doc = year_end
    title = next(p for p in doc.paragraphs if p.text.replace("\n", "") == title_text(SETTINGS))
    assert title.text.split("\n") == ["关于全市创新驱动目标任务", "落实情况的督查通报"]  # the settings' own break
    rfonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    body = next(p for p in doc.paragraphs if p.text.startswith("为推动"))
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.runs[0].font.size.pt == 16
    assert "PAGE" in doc.sections[0].footer._element.xml and "PAGE" in doc.sections[0].even_page_footer._element.xml
    fonts = doc.part.part_related_by("http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable")
    assert "仿宋_GB2312" in fonts.blob.decode() and 'w:altName w:val="仿宋"' in fonts.blob.decode()


@pytest.mark.parametrize("title, lines", [
    # 22 pt = 7.76 mm a character; 156 mm ÷ 7.76 = 20.1 → 20 a line. 21 characters: two lines of ⌈21 ÷ 2⌉ = 11
    # and 10, never 20 and a lone 1
    ("关于全市创新驱动目标任务落实情况督查通报告", ["关于全市创新驱动目标任", "务落实情况督查通报告"]),
    # a break that would start a line with 的 (the 12th character) moves one on: 12 and 9
    ("一二三四五六七八九十一的三四五六七八九十一", ["一二三四五六七八九十一的", "三四五六七八九十一"]),
    ("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五",
     ["一二三四五六七八九十一二三四五", "六七八九十一二三四五六七八九十", "一二三四五六七八九十一二三四五"]),  # 45 → 15 × 3
    ("短标题", ["短标题"]),
    ("第一行\n第二行", ["第一行", "第二行"]),  # the author's breaks stay
])
def test_title_lines_never_leave_a_lone_character(title, lines):
    assert title_lines(title) == lines
    assert all(len(line) > 1 for line in title_lines(title))


def test_doc_number_year_follows_the_date_of_issue(year_end):
    data, doc = year_end
    text = text_of(doc)
    assert "长科督〔2021〕3号" in text and "2021年1月15日" in text and "〔2020〕" not in text
    assert data.is_sample and labels.SAMPLE_MARK in doc.paragraphs[0].text


def test_a_date_of_issue_before_the_as_of_day_or_a_bad_number_is_refused(frames):
    with pytest.raises(ValueError, match="成文日期 2020-12-30 早于通报的截至日期 2020-12-31"):
        bulletin_data(frames, SETTINGS, policy=POLICY, region=REGION, as_of="2020-12-31", issued=date(2020, 12, 30))
    with pytest.raises(ValueError, match="文号序号 0 无效"):
        bulletin_data(frames, SETTINGS, policy=POLICY, region=REGION, as_of=2020, issued=date(2021, 1, 1), number=0)


def test_cli_bulletin_with_date_and_number(db_path, tmp_path):
    out = tmp_path / "通报.docx"
    res = run_cli("bulletin", "--as-of", "2020-12-31", "--date", "2021-01-15", "--number", "3", "-o", str(out),
                  db_path=db_path)
    assert res.returncode == 0, res.stderr
    assert "长科督〔2021〕3号" in res.stdout and "成文日期 2021-01-15" in res.stdout
    text = text_of(Document(str(out)))
    assert "长科督〔2021〕3号" in text and "2021年1月15日" in text and "截至2020年12月31日" in text
    bad = run_cli("bulletin", "--as-of", "2020-13-01", "-o", str(out), db_path=db_path)
    assert bad.returncode == 1 and "不是日期" in bad.stderr
    early = run_cli("bulletin", "--as-of", "2020-12-31", "--date", "2020-06-01", "-o", str(out), db_path=db_path)
    assert early.returncode == 1 and "早于通报的截至日期" in early.stderr
    for flag, value, message in (("--number", "0", "文号序号“0”无效"), ("--number", "三", "文号序号“三”无效"),
                                 ("--date", "2021-02-30", "成文日期“2021-02-30”不是日期")):
        bad = run_cli("bulletin", "--as-of", "2020", flag, value, "-o", str(out), db_path=db_path)
        assert bad.returncode != 0 and message in bad.stderr


def test_no_code_words_in_the_text(year_end):
    _, doc = year_end
    words = re.findall(r"[A-Za-z_]{3,}|settings|\.toml", text_of(doc))
    assert words == []


# ------------------------------------------------------------------ scores, groups and counts

def test_counts_by_status_are_the_engines(year_end, frames):
    _, doc = year_end
    status = views_policy.policy_status(frames, SETTINGS, POLICY, REGION, 2020)
    overall = section(doc, "总体情况")
    for key, n in status["status"].value_counts().items():
        assert f"{labels.STATUS_BY_KEY[key].label}{n}项" in overall


def test_sample_data_criticise_nobody_and_say_so(year_end):
    data, doc = year_end
    assert data.scorecard["is_sample"].all() and (data.scorecard["group"] != labels.CRITICISE).all()
    assert section(doc, "通报批评单位") == f"本期无。（{labels.SAMPLE_NOT_CRITICISED}。）"


def test_criticised_units_with_the_parts_of_their_scores(new_year):
    (data, doc), _ = new_year
    card = data.scorecard
    criticised = card.loc[card["group"] == labels.CRITICISE]
    assert len(criticised) and not criticised["is_sample"].any()  # published data: the bottom units are criticised
    text = section(doc, "通报批评单位")
    for _, r in criticised.iterrows():
        assert (f"{r['unit']}。得分{score_text(r['score'])}分（{parts_text(r)}），排第{int(r['rank'])}名"
                in text.replace("\n", ""))
        assert f"逾期{int(r['tasks_overdue'])}项" in text
    praised = set(card.loc[card["group"] == labels.PRAISE, "unit"])
    assert {u for u in card["unit"] if f"）{u}。" in section(doc, "表扬单位")} == praised


def test_score_annex_lists_every_unit_with_its_parts(new_year):
    data, doc = new_year[0]
    t = annex_table(doc, "各单位得分构成表")
    assert [c.text for c in t.rows[0].cells] == ["名次", "单位", "得分", "目标分", "任务分", "扣分", "扣分原因", "通报"]
    rows = [[c.text for c in row.cells] for row in t.rows[1:]]
    card = data.scorecard.set_index("unit")
    assert sorted(r[1] for r in rows) == sorted(card.index)  # every unit, criticised ones included
    for r in rows:
        u = card.loc[r[1]]
        assert r[2:5] == [score_text(u["score"]), score_text(u["target_points"]), score_text(u["task_points"])]
        assert r[7] == u["group"]
    assert any(r[7] == labels.CRITICISE for r in rows)


def test_bands_table_lists_every_ranked_unit_with_icon_and_word(year_end):
    data, doc = year_end
    band_table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "2020年四季度")
    ranked = data.scorecard.loc[data.scorecard["ranked"]]
    assert len(band_table.rows) == len(ranked) + 1
    words = {labels.colour_band_text(b.key) for b in labels.COLOUR_BANDS}
    assert {row.cells[-1].text for row in band_table.rows[1:]} <= words


# ------------------------------------------------------------------ overdue: each item once, in its own list

def test_on_the_due_day_nothing_due_that_day_is_overdue(year_end):
    """Tasks and the second-half milestones are due 2020-12-31: not overdue on that day."""
    data, doc = year_end
    text = section(doc, "逾期事项")
    assert "（一）逾期重点任务。截至2020年12月31日，无逾期未完成的重点任务。" in text
    assert set(pd.to_datetime(data.overdue_milestones["due_date"])) == {pd.Timestamp(2020, 6, 30)}


def test_overdue_tasks_and_milestones_counted_once_under_their_own_headings(new_year):
    _, doc = new_year[0]
    ledger = views_policy.policy_ledger(new_year[1], POLICY, "2021-01-01")
    deadlines = views_policy.policy_deadlines(new_year[1], SETTINGS, POLICY, "2021-01-01")
    n_tasks = int((ledger["status"] == "overdue").sum())
    n_nodes = int(deadlines.loc[deadlines["state"] == "overdue", "milestone_id"].nunique())
    assert n_tasks == 26 and n_nodes > 41  # the 2020-12-31 milestones are overdue from 2021-01-01 too
    text = section(doc, "逾期事项")
    assert f"尚未完成的重点任务{n_tasks}项" in text and f"尚未完成的推进节点{n_nodes}个" in text
    assert "逾期事项共" not in text
    tasks, nodes = annex_table(doc, "逾期重点任务清单"), annex_table(doc, "逾期推进节点清单")
    assert len(tasks.rows) == n_tasks + 1 and len(nodes.rows) == n_nodes + 1
    for t in (tasks, nodes):
        days = [int(row.cells[[c.text for c in t.rows[0].cells].index("逾期天数")].text) for row in t.rows[1:]]
        assert min(days) >= 1  # never "逾期天数 0"
    assert [c.text for c in nodes.rows[0].cells] == ["序号", "责任单位", "任务", "节点", "截止日期", "逾期天数", "催办次数"]


def test_milestones_from_given_deadlines(frames):
    task = frames["tasks"].iloc[0]
    deadlines = pd.DataFrame({
        "policy": POLICY, "clause": [task["clause"]] * 3, "task_title": [task["title"]] * 3,
        "milestone_id": [1, 1, 2], "title": ["上半年节点", "上半年节点", "下半年节点"],
        "unit": ["科工信局", "财政局", "科工信局"], "due_date": ["2020-06-30", "2020-06-30", "2020-12-31"],
        "original_due_date": ["2020-06-30"] * 2 + ["2020-12-31"], "status": ["in_progress"] * 2 + ["not_started"],
        "state": ["overdue", "overdue", "normal"], "days_left": [pd.NA, pd.NA, 92], "days_overdue": [92, 92, 0],
        "chases": [3, 1, 0], "last_chase_at": pd.NaT, "is_sample": False})
    _, doc = make(frames, "2020-09-30", deadlines)
    text = section(doc, "逾期事项")
    # one milestone with two responsible units is one item: 1 个, both units named, chases added (3 + 1)
    assert "尚未完成的推进节点1个，责任单位：科工信局1个、财政局1个。清单见附件" in text
    row = [c.text for c in annex_table(doc, "逾期推进节点清单").rows[1].cells]
    assert row == ["1", "科工信局、财政局", task["title"], "上半年节点", "2020-06-30", "92", "4"]
    assert "推进节点2个：已逾期1个、正常1个" in section(doc, "总体情况")


# ------------------------------------------------------------------ layout

def test_rows_stay_whole_headers_repeat_headings_keep_with_next(new_year):
    _, doc = new_year[0]
    for t in doc.tables:
        rows = t.rows
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
    headings = [p for p in doc.paragraphs if re.fullmatch(r"[一二三四五六七八九十]、\S+", p.text)]
    assert len(headings) >= 7 and all(p.paragraph_format.keep_with_next for p in headings)
    annex_marks = [p.text for p in doc.paragraphs if re.fullmatch(r"附件\d", p.text)]
    # the targets not met (总体情况), the scores, the overdue tasks and milestones: one page each, in that order
    assert annex_marks == [f"附件{i}" for i in range(1, len(annex_marks) + 1)] and len(annex_marks) >= 3


def test_column_widths_keep_short_columns_on_one_line():
    # 10.5 pt: 3.70 mm a character, + 4 mm cell padding. Short columns on one line: 序号 (its 2-character header,
    # not split) → 2 → 11.4 mm; 截止日期 '2020-06-30' = 10 × ½ = 5 → 22.5 mm (the header takes two lines of 2);
    # 逾期天数 '184' = 1.5, header 2 → 11.4 mm. The long columns share 156 − (11.4 + 22.5 + 11.4) = 110.7 mm:
    # 节点 needs 10 CJK + 4 digits × ½ = 12 → 48.4 mm (under an even share of 55.35), 任务 the rest, 62.3 mm.
    header = ["序号", "任务", "节点", "截止日期", "逾期天数"]
    rows = [["12", "实施科技型中小企业培育工程" * 2, "完成2020年上半年工作计划", "2020-06-30", "184"]]
    w = column_widths(header, rows, 10.5)
    char = 10.5 * PT_MM
    short = [2 * char + CELL_PADDING_MM, 5 * char + CELL_PADDING_MM, 2 * char + CELL_PADDING_MM]
    node = 12 * char + CELL_PADDING_MM
    assert w == pytest.approx([short[0], 156 - sum(short) - node, node, short[1], short[2]])
    assert sum(w) == pytest.approx(156)
