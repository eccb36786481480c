"""政策一览 and a second policy in the app (AppTest, one session for the module): the list shows every policy with
the counts of views.portfolio, a click opens a policy in the sidebar, every page runs for the imported 十五五
policy (no milestones, cagr targets, almost no data), and 目标详情 draws the other policy's targets on the one
series of a shared indicator."""
from __future__ import annotations

import json
from datetime import date

import pytest

from store import catalogue
from tests.helpers import app_pointed_at, engine_at, start_on
from tests.portfolio_db import CODE, DOC_NUMBER, SEED, SHORT_TITLE, with_imported_policy
from views import policy as views
from views import portfolio

PAGES = ("overview", "detail", "areas", "departments", "compare", "quality", "entry", "audit", "report")


@pytest.fixture(scope="module")
def app_two(template_db, tmp_path_factory):
    path = with_imported_policy(template_db, tmp_path_factory.mktemp("two_policies") / "tracker.sqlite")
    with app_pointed_at(path):
        yield path


@pytest.fixture(scope="module")
def at(app_two):
    session = start_on("pages/portfolio.py").run()
    assert not session.exception, [e.value for e in session.exception]
    return session


@pytest.fixture(scope="module")
def frames(app_two) -> views.Frames:
    with engine_at(app_two) as eng:
        return views.load_frames(eng)


def goto(at, page: str):
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_list_shows_every_policy_with_the_engines_counts(at, frames):
    goto(at, "portfolio")
    rows = portfolio.portfolio(lambda code: frames, frames, catalogue.load_settings(), date.today())
    heads = [m.value for m in at.markdown if m.value.startswith("**长政")]
    assert heads == [f"**{DOC_NUMBER}**　长垣市“十五五”科技创新发展规划",
                     "**长政〔2019〕20号**　长垣市人民政府关于实施河南省创新驱动提速增效工程的意见"]
    captions = [c.value for c in at.caption if c.value.startswith("实施期")]
    assert captions[0].startswith(f"实施期 2026—2030年 · ▲ 实施中 · 目标截至 {rows['as_of_year'].iloc[0]}年")
    assert captions[1].startswith("实施期 2019—2020年 · ■ 已结束 · 目标截至 2020年底（期末） · 任务截至 2021-01-01")
    metrics = [(m.label, m.value) for m in at.metric]
    assert len(metrics) == 7 * len(rows)
    for i, r in enumerate(rows.itertuples()):
        assert metrics[7 * i:7 * i + 7] == [
            ("目标", str(r.targets)), ("已完成", str(r.met)), ("未完成", str(r.unmet)),
            ("无期末数据", str(r.no_final_data)), ("进行中", str(r.in_progress)),
            ("任务已完成", f"{r.tasks_done}/{r.tasks}"), ("任务已逾期", str(r.tasks_overdue))]
    assert r.targets == 53 and r.met + r.unmet + r.no_final_data + r.in_progress == 53   # the seed's card, last
    assert "政策一览" in [t.value for t in at.title]


def test_a_click_opens_the_policy_in_the_sidebar(at, frames):
    goto(at, "portfolio")
    at.button(key=f"portfolio_open_{CODE}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="policy").value == CODE
    # the year its line was counted at (no 十五五 data yet: this year), not its end year
    assert at.sidebar.selectbox(key="as_of_year").value == portfolio.review_point(frames, CODE, date.today()).as_of_year
    assert any("已完成" in m.value and "/" in m.value for m in at.markdown)   # 总览's area counts, now for 十五五
    at.switch_page("pages/portfolio.py").run()
    at.button(key=f"portfolio_open_{SEED}").click().run()
    assert (at.sidebar.selectbox(key="policy").value, at.sidebar.selectbox(key="as_of_year").value) == (SEED, 2020)


@pytest.mark.parametrize("year", [2026, 2030])
def test_every_page_runs_for_the_imported_policy(at, year):
    goto(at, "overview")
    at.sidebar.selectbox(key="policy").set_value(CODE).run()
    at.sidebar.selectbox(key="as_of_year").set_value(year).run()
    for page in PAGES:
        goto(at, page)
        assert at.sidebar.selectbox(key="policy").value == CODE, page


def test_the_detail_chart_draws_the_seed_policys_targets_on_the_shared_series(at):
    goto(at, "detail")
    at.sidebar.selectbox(key="policy").set_value(CODE).run()
    at.sidebar.selectbox(key="as_of_year").set_value(2026).run()
    at.selectbox(key="detail_code").set_value("2-1").run()
    assert not at.exception, [e.value for e in at.exception]
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    markers = {t["name"]: (t["x"], t["y"]) for t in fig["data"]}
    assert markers["创新驱动提速增效工程 E01"] == (["2019"], [80.0])
    assert markers["创新驱动提速增效工程 G02"] == (["2020"], [100.0])
    assert "2018" in markers["实际值"][0]           # the seed's years of the one series
    caption = next(c.value for c in at.caption if c.value.startswith("同一指标在其他政策中的目标"))
    assert "R03" in caption and "口径不同，未画入图中" in caption
    at.sidebar.selectbox(key="policy").set_value(SEED).run()
    at.sidebar.selectbox(key="as_of_year").set_value(2020).run()
    at.selectbox(key="detail_code").set_value("G02").run()
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["name"]: (t["x"], t["y"]) for t in fig["data"]}[f"{SHORT_TITLE} 2-1"] == (["2030"], [200.0])


def test_report_offers_the_evaluation_once_the_period_is_over(at):
    goto(at, "report")
    at.sidebar.selectbox(key="policy").set_value(SEED).run()
    assert "终期评估报告" in [h.value for h in at.subheader]
    assert any(c.value.startswith("文号：长科评〔") for c in at.caption)
    at.sidebar.selectbox(key="policy").set_value(CODE).run()
    assert not at.exception, [e.value for e in at.exception]
    refusal = [i.value for i in at.info if "终期评估报告在实施期结束后" in i.value]
    assert refusal and "实施期 2026—2030 年尚未结束" in refusal[0]
    assert not any(c.value.startswith("文号：长科评〔") for c in at.caption)
