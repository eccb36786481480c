"""Every dashboard page under AppTest, for each as-of year and region: no exception, and the figures on the page
are the ones the metrics engine computes for the same database (the expected frames are computed here with the
engine, never typed in)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import db
from metrics.standing import possible_statuses
from metrics.summary import moved_since, needs_attention, status_counts
from store import catalogue
from tests.helpers import (
    PageSessions,
    engine_at,
    frame_by_columns,
    frame_or_empty,
    open_page,
)
from tests.page_text import code_words
from ui import status_tables
from views import policy as views_policy
from views import standing
from views import target_words as words
from vocab import labels

POLICY = "CY2019-20"
YEARS = (2019, 2020)
REGIONS = ("长垣市", "河南省")
PAGES = ("overview", "detail", "areas", "departments", "compare", "quality")
LEADER_PAGES = (*PAGES, "report")


@pytest.fixture(scope="module")
def view(module_app_db):
    """One AppTest session per page for this module: view(page, year, region) switches it in place."""
    return PageSessions()


@pytest.fixture(scope="module")
def expected(module_app_db):
    """expected(year, region): the engine's status frame for the module's database, through views.policy."""
    with engine_at(module_app_db) as eng:
        frames = views_policy.load_frames(eng)
    cache: dict = {}

    def status(year: int, region: str) -> pd.DataFrame:
        if (year, region) not in cache:
            cache[year, region] = views_policy.policy_status(frames, catalogue.load_settings(), POLICY, region, year)
        return cache[year, region]
    status.frames = frames
    return status


def status_text(row: pd.Series) -> str:
    """What a table shows as a target's status: the icon and the renderer's verdict ('✘ 未完成（完成 92%）')."""
    return f"{labels.STATUS_BY_KEY[row['status']].icon} {words.verdict_text(row)}"


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("page", PAGES)
def test_page_renders(view, page, year, region):
    at = view(page, year, region)
    assert at.title[0].value in (labels.APP_TITLE, labels.PAGE_TITLES[page])
    assert any(f"截至 {year} 年" in c.value for c in at.caption)


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_overview_shows_the_engine_figures(view, expected, year, region):
    at = view("overview", year, region)
    status = expected(year, region)
    heads = status.loc[status["headline"].astype(bool)]
    cards = {m.label.split(" ")[0]: m for m in at.metric}
    assert set(cards) == set(heads["code"])
    for _, row in heads.iterrows():
        assert cards[row["code"]].value == words.value_text(row)
        assert any(c.value.startswith(f"目标 {words.target_text(row)}（{words.due_text(row)}）") for c in at.caption)
    counts = status_counts(status)
    shown_counts = counts.loc[counts["status"].isin(possible_statuses(status))]
    chart = frame_by_columns(at, "status_text", "n_text", "share")   # the statuses that can occur, with their counts
    assert list(chart["n_text"]) == [f"{n} 个" for n in shown_counts["n"]]
    assert list(chart["status_text"]) == [labels.status_text(k) for k in shown_counts["status"]]
    attention = needs_attention(status)
    shown = frame_or_empty(at, "code", "status_text", "due_text")   # no table when nothing needs attention
    assert list(shown["code"]) == list(attention["code"])
    assert list(shown["status_text"]) == [status_text(r) for _, r in attention.iterrows()]
    before = expected(year - 1, region)
    moved = moved_since(views_policy.changes_since(before, status))
    shown = frame_or_empty(at, "before", "after")
    assert list(shown["code"]) == list(moved["code"])
    assert list(shown["after"]) == [labels.status_text(k) for k in moved["status_after"]]
    assert list(shown["direction"]) == [labels.DIRECTION_LABELS["value_added" if d == "same" else d]
                                        for d in moved["direction"]]
    cards = {m.value.split("**")[1]: m.value for m in at.markdown if m.value.endswith("已完成") and "**" in m.value}
    for area in labels.AREAS:
        rows = status.loc[status["area"] == area]
        if rows.empty:   # an area without targets has no card
            assert area not in cards
            continue
        assert cards[area] == f"**{area}**  \n{int((rows['status'] == 'met').sum())}/{len(rows)} 已完成"


def test_overview_first_screen_says_the_period_is_over(view, expected, module_app_db):
    """As of 2020 (the policy's last year) every target is judged: the first screen says the period is over with the
    counts, and lists the targets not met by lead unit; as of 2019 it does not say so."""
    at = view("overview", 2020, "长垣市")
    status = expected(2020, "长垣市")
    ledger = views_policy.policy_ledger(expected.frames, POLICY, 2020)
    summary = standing.period_over_text(status, ledger, views_policy.policy_row(expected.frames, POLICY))
    assert summary.startswith(f"实施期 2019—2020 年已结束：53 项目标完成 {int((status['status'] == 'met').sum())} 项")
    assert next(i.value for i in at.info) == summary
    not_met = standing.not_met_by_unit(status)
    assert len(not_met) >= 2
    for unit in not_met.itertuples():
        line = next(m.value for m in at.markdown if m.value.startswith(f"**{unit.unit}**"))
        assert line == f"**{unit.unit}**（{unit.n} 项）：" + "；".join(unit.items)
    assert "G01 全社会研发投入强度（2020年底，完成 92%）" in "".join(m.value for m in at.markdown)
    at = view("overview", 2019, "长垣市")
    assert not any("已结束" in i.value for i in at.info)


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_sample_banner_follows_the_data(view, expected, year, region):
    at = view("overview", year, region)
    status = expected(year, region)
    with_value = status.loc[status["actual"].notna()]
    n_sample = int(with_value["is_sample"].sum())
    banners = [w.value for w in at.warning if labels.SAMPLE_MARK in w.value]
    assert bool(banners) == bool(n_sample)
    if n_sample:   # the banner counts the page's sample values (every one: 全部; else how many)
        share = "全部" if n_sample == len(with_value) else f"中 {n_sample} 个"
        assert banners == [f"{labels.SAMPLE_MARK}：本页 {len(with_value)} 个数值{share}{labels.SAMPLE_WARNING}"]


@pytest.mark.parametrize("year", YEARS)
def test_detail_shows_each_kind_of_target(view, expected, year):
    region = "长垣市"
    status = expected(year, region).set_index("code", drop=False)
    at = view("detail", year, region)
    one_per_kind = status.drop_duplicates("kind")["code"]
    with_actual = with_path = 0
    for code in one_per_kind:
        at.selectbox(key="detail_code").set_value(code).run()
        assert not at.exception
        row = status.loc[code]
        w = words.target_words(row)
        metrics = {m.label: m.value for m in at.metric}
        if row["kind"] == "relative":   # the two growth rates; the target in words below them
            assert metrics[f"{region}增速（{w.value_year}）"] == labels.percent_text(row["region_growth"], 1)
            assert metrics[f"{row['benchmark']}增速"] == labels.percent_text(row["benchmark_growth"], 1)
        else:
            value_label = f"期末值（{w.value_year}）" if w.judged else "实际值"
            assert metrics[value_label] == w.value
            assert metrics["目标"] == w.target and metrics["完成率"] == (w.attainment or "—")
        assert any(m.value.startswith(f"**目标**：{w.target}（{w.due}）") for m in at.markdown)
        if w.judged:
            assert any(m.value == f"#### 按{w.due}数值判定：{w.verdict}" for m in at.markdown)
            assert not any("按目前趋势" in c.value for c in at.caption)
        else:
            assert row["kind"] == "relative" or metrics["进度比"] == labels.percent_text(row["ratio"])
            assert any(m.value == f"#### {w.pace}" for m in at.markdown)
        behind = frame_by_columns(at, "item", "value").set_index("item")["value"]
        if row["actual"] == row["actual"]:
            assert behind[f"{'期末值' if w.judged else '实际值'}（{int(row['actual_year'])}年）"] == \
                words.amount_text(row, row["actual"])
            with_actual += 1
        sources = frame_by_columns(at, "period", "source")
        assert (sources["source"] != "").all()
        assert (sources["period"].str[:4].astype(int) <= year).all()
        if row["kind"] in ("level", "milestone") and row["actual"] == row["actual"]:
            assert sources.loc[sources["region"] == region, "value"].iloc[-1] == pytest.approx(row["actual"])
            with_path += 1
        assert any(row["quote"] in m.value for m in at.markdown)
    assert with_actual >= 3 and with_path >= 1   # the branches above ran, not skipped


def test_detail_history_lists_the_edits(app_db):
    eng = db.make_engine(f"sqlite:///{app_db}")
    db.save_observations(eng, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                "value": 97.0, "source": "测试出处", "is_sample": False, "note": ""}],
                         who="测试员", reason="更正")
    eng.dispose()
    at = open_page("detail", 2020, "长垣市")
    at.selectbox(key="detail_code").set_value("G02").run()
    history = frame_by_columns(at, "who", "old", "new")
    # the record text of 修改记录 (ui.tables.audit_value_text) with the value as the card writes it, the period in
    # words (not the stored key 长垣市/hte_count/2020)
    assert history.iloc[0]["who"] == "测试员" and history.iloc[0]["new"] == "97家（测试出处）"
    assert history.iloc[0]["key"] == "2020年"
    assert {m.label: m.value for m in at.metric}["期末值（2020年）"] == "97家"
    sources = frame_by_columns(at, "period", "value_text", "source")
    assert sources.set_index("period").loc["2020年", "value_text"] == "97家"


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_areas_tables_are_the_engine_rows(view, expected, year, region):
    at = view("areas", year, region)
    status = expected(year, region)
    areas = [a for a in labels.AREAS if a in set(status["area"])]   # one area at a time, chosen at the top
    assert at.radio(key="area").options == [f"{a}（{int((status['area'] == a).sum())} 项）" for a in areas]
    tables_, headers = [], []
    for area in areas:
        at.radio(key="area").set_value(area).run()
        tables_.append(frame_by_columns(at, "code", "status_text"))
        headers.append(at.header[0].value.split("（")[0])
    shown = pd.concat(tables_, ignore_index=True)
    expected = pd.concat([status.loc[status["area"] == a] for a in areas], ignore_index=True)
    assert list(shown["code"]) == list(expected["code"])
    assert list(shown["status_text"]) == [status_text(r) for _, r in expected.iterrows()]
    # the shown columns only (the table sends no others): value, target and due year in the renderer's words
    assert list(shown["actual_text"]) == [words.value_text(r) for _, r in expected.iterrows()]
    assert list(shown["target_text"]) == [words.target_text(r) for _, r in expected.iterrows()]
    assert list(shown["due_text"]) == [words.due_text(r) for _, r in expected.iterrows()]
    assert set(shown.columns) <= set(status_tables.STATUS_COLUMNS)
    assert headers == areas


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_departments_scorecard_and_ledger(view, expected, year, region):
    at = view("departments", year, region)
    ledger = views_policy.policy_ledger(expected.frames, POLICY, year)
    board = views_policy.policy_scorecard(expected.frames, catalogue.load_settings(), POLICY, expected(year, region), ledger)
    shown = frame_by_columns(at, "rank", "unit", "score")
    # every unit in the scorecard's order (ranked by rank, then the others), criticised ones included
    assert list(shown["unit"]) == list(board["unit"])
    assert board.loc[board["ranked"], "rank"].is_monotonic_increasing
    assert shown["score"].tolist() == board["score"].tolist()
    parts = (shown["target_points"] + shown["task_points"] - shown["deduction"]).clip(lower=0)
    assert list(parts) == pytest.approx(list(board["score"]), abs=1e-9)  # the parts shown add up to the score
    for group in (labels.PRAISE, labels.CRITICISE):
        members = "、".join(board.loc[board["group"] == group].sort_values("rank")["unit"]) or "本期无"
        assert any(members == box.value for box in [*at.success, *at.error])
    tasks = frame_by_columns(at, "clause", "status_text", "progress")
    assert list(tasks["clause"]) == list(ledger["clause"])
    assert list(tasks["status"]) == list(ledger["status"])


def test_ledger_filters_by_unit_and_status(module_app_db, expected):
    at = open_page("departments", 2020, "长垣市")
    units = views_policy.policy_task_units(expected.frames, POLICY)
    ledger = views_policy.policy_ledger(expected.frames, POLICY, 2020)
    unit = "组织部"
    clauses = set(units.loc[units["department"] == unit, "clause"])
    at.multiselect(key="ledger_units").set_value([unit]).run()
    shown = frame_by_columns(at, "clause", "status_text", "progress")
    assert set(shown["clause"]) == clauses
    at.multiselect(key="ledger_status").set_value(["overdue"]).run()
    shown = frame_by_columns(at, "clause", "status_text", "progress")
    expected = ledger.loc[ledger["clause"].isin(clauses) & (ledger["status"] == "overdue"), "clause"]
    assert list(shown["clause"]) == list(expected)


@pytest.mark.parametrize("year", YEARS)
def test_compare_shows_the_engine_growth_rates(view, expected, year):
    region = "长垣市"
    at = view("compare", year, region)
    status = expected(year, region)
    bench = expected(year, "河南省")
    rel = status.loc[status["kind"] == "relative"].set_index("code")
    shown = frame_by_columns(at, "code", "margin").set_index("code")
    assert list(shown.index) == list(rel.index)
    for code, row in rel.iterrows():
        assert shown.loc[code, f"growth::{region}"] == labels.percent_text(row["region_growth"], 1)
        assert shown.loc[code, "margin"] == ("—" if row["margin_pp"] != row["margin_pp"]
                                             else f"{row['margin_pp']:+,.1f}")
        assert shown.loc[code, "status_text"] == status_text(row)   # the renderer's verdict (暂判 …) as everywhere
        # 长垣市 is the only county with data: no rank among peers, not "第 1 位 / 1"
        assert shown.loc[code, "rank"] == status_tables.NO_PEERS
    assert "growth::河南省" in shown.columns   # the built-in data have the province's growth
    # 新乡市 (the city above) has a single year of data, no growth: the caption names only 河南省
    assert any(c.value.startswith("长垣市 对比 河南省 · ") for c in at.caption)
    assert not any("新乡市" in c.value for c in at.caption)
    own = bench.loc[bench["kind"] == "relative"].set_index("code")["region_growth"]
    assert list(shown["growth::河南省"]) == [labels.percent_text(v, 1) for v in own.reindex(shown.index)]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("year", YEARS)
def test_quality_counts_agree_with_the_engine(view, expected, year, region):
    at = view("quality", year, region)
    status = expected(year, region)
    counts = {m.label: int(m.value.split(" ")[0]) for m in at.metric}
    stale = status.loc[status["status"] == "stale", "indicator"].nunique()
    assert counts[labels.QUALITY_LABELS["stale"]] == stale
    obs = expected.frames["observations"]
    obs = obs.loc[obs["region"] == region]
    used = set(status["indicator"])
    upto = obs.loc[obs["year"] <= year]
    assert counts[labels.QUALITY_LABELS["no_data"]] == len(used - set(upto["indicator"]))
    assert counts[labels.QUALITY_LABELS["sample"]] == len(set(upto.loc[upto["is_sample"], "indicator"]) & used)


def test_departments_shows_colour_bands_and_the_bulletin_button(app_db):
    """颜色分档: every ranked unit with its band per quarter (icon + word) as the engine computes it; the
    督查通报 download button."""
    at = open_page("departments", 2020, "长垣市")
    eng = db.make_engine(f"sqlite:///{app_db}")
    frames = views_policy.load_frames(eng)
    eng.dispose()
    history = views_policy.policy_band_history(frames, catalogue.load_settings(), POLICY, "长垣市", 2020)
    shown = frame_by_columns(at, "unit", "score", "2020年四季度")
    quarters = ["2020年一季度", "2020年二季度", "2020年三季度", "2020年四季度"]   # never '2020Q1'
    assert list(shown.columns[2:]) == quarters  # the page's cached quarter cards = views' own path
    expected = history.set_index("unit")[quarters].map(labels.colour_band_text).loc[shown["unit"]]
    assert shown.set_index("unit")[quarters].to_dict() == expected.to_dict()
    assert set(shown["2020年四季度"]) == {labels.colour_band_text(b.key) for b in labels.COLOUR_BANDS}
    buttons = at.get("download_button")
    assert any("督查通报" in b.proto.label for b in buttons)
    # the 成文日期 and the 文号's number are chosen here, as `cli.py bulletin --date --number` does
    at.date_input(key="bulletin_date").set_value(date(2021, 1, 15))
    at.number_input(key="bulletin_number").set_value(3).run()
    assert any(c.value.startswith("文号：长科督〔2021〕3号　成文日期：2021年1月15日") for c in at.caption)
    at.date_input(key="bulletin_date").set_value(date(2020, 12, 30)).run()  # before the as-of day: no document
    assert any("早于通报的截至日期 2020-12-31" in w.value for w in at.warning)
    assert not any("督查通报" in b.proto.label for b in at.get("download_button"))


@pytest.mark.parametrize("page", LEADER_PAGES)
def test_no_code_words_english_or_placeholders_on_the_page(view, page):
    """What the page shows as of 2020 (every target judged) and 2019 (pace statuses) holds no file or command name,
    no raw column name or English word, no None/NaN/NaT and no '2020Q1' (tests/page_text.py reads every text), and
    no table cuts a text (cut_cells)."""
    for year in (2020, 2019):
        at = view(page, year, "长垣市")
        assert code_words(at) == set(), (page, year)
        assert cut_cells(at) == [], (page, year)   # and no table cuts a text (below)


def cut_cells(at) -> list[tuple[str, str]]:
    """(column, text) of every cell of a table with px column widths (tables.fit) that its row height cannot show
    whole: the lines the text wraps into at the column's width (ui.text_width, checked against the font in
    tests/test_text_width.py) against the lines a row of that height holds."""
    import json

    from ui import tables
    from ui.text_width import wrapped_lines
    cut = []
    for element in at.dataframe:
        widths = {c: v.get("width") for c, v in json.loads(element.proto.columns or "{}").items()
                  if isinstance(v, dict) and isinstance(v.get("width"), int)}
        if not widths or not element.proto.HasField("row_height"):
            continue
        held = (element.proto.row_height - 5) // tables.LINE_HEIGHT
        frame = element.value
        for column, width in widths.items():
            texts = {v for v in frame[column].tolist() if isinstance(v, str)} if column in frame.columns else set()
            cut += [(column, t) for t in texts if wrapped_lines(t, width - tables.CELL_PADDING) > held]
    return cut


@pytest.mark.parametrize("page", [p for p in PAGES if p != "overview"])   # 总览's tables are HTML: they wrap
def test_the_cut_text_check_sees_the_fitted_tables(view, page):
    """test_no_code_words… checks every fitted table (tables.fit) for a text its rows cannot show whole — e.g.
    部门督办's deadline list with '三（二）1 积极对接国家创新大平台、大科学装置在我市布局'; here: each page has such tables, as
    the last test left its session, so that the check is not vacuous."""
    at = view.sessions.get(page) or view(page, 2019, "长垣市")
    assert any(e.proto.HasField("row_height") and '"width": ' in e.proto.columns for e in at.dataframe), page
