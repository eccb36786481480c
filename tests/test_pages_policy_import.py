"""The page 导入政策 under AppTest: only admins are offered it; an upload shows each row's reading beside its original
text with the uncertain ones marked; corrections in the grid and 已核对 ticks clear them; 确认导入 writes the policy
(audited under the admin's login); the same table again shows that nothing differs."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import db
from tests import breakdown
from tests.accounts import PASSWORD, admin, store_account, viewer
from tests.helpers import start_on
from vocab import labels
from vocab.text import md_escape

PAGE = "pages/policy_import.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def store(module_app_db):
    eng = db.make_engine(f"sqlite:///{module_app_db}")
    store_account(eng, admin("boss"))
    store_account(eng, viewer("leader"))
    yield eng
    eng.dispose()


def logged_in(name: str) -> AppTest:
    at = start_on(None, timeout=90).run()
    at.sidebar.text_input(key="login_name").set_value(name)
    at.sidebar.text_input(key="login_password").set_value(PASSWORD)
    next(b for b in at.sidebar.button if b.label == labels.LOGIN_LABELS["submit"]).click().run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def page(store) -> AppTest:
    """One admin session on the page with the realistic table uploaded (shared by the tests, in order)."""
    at = logged_in("boss").switch_page(PAGE).run()
    assert not at.exception, at.exception
    at.file_uploader(key="policy_file").upload("十五五任务分解表.xlsx", breakdown.xlsx_bytes(), XLSX).run()
    assert not at.exception, at.exception
    return at


def test_a_viewer_who_opens_the_page_gets_no_upload(store):
    at = logged_in("leader").switch_page(PAGE).run()
    assert [i.value for i in at.info] == [labels.ADMIN_ONLY_POLICY]
    assert not at.file_uploader


def test_each_reading_beside_its_original_text_with_the_uncertain_ones_marked(page):
    grid = page.data_editor[0].value.set_index("seq")
    assert len(grid) == 22
    assert grid.loc["1", "text"] == breakdown.ROWS[1][1]
    assert (grid.loc["7", "kind"], grid.loc["7", "value"], grid.loc["7", "stretch"]) == ("年末存量", "60", 70)
    assert grid.loc["6", "kind"] == labels.KIND_LABELS["cagr"] and grid.loc["12", "value"] == "1—2"
    marks = (grid.loc["1", "mark"], grid.loc["5", "mark"], grid.loc["2", "mark"])
    assert marks == ("✖ 有问题", "⚠ 待核对", "✔ 已读出")
    todo = [line for m in page.markdown for line in m.value.split("\n") if line.startswith("- 第")]
    assert len(todo) == 3                                               # what needs doing, under the grid
    assert "（序号 1）：责任单位“统计局”" in todo[0] and "（序号 5）：待核对：指标按相近名称" in todo[1]
    assert "（序号 17）" in todo[2] and "翻一番" in todo[2]
    metrics = {m.label: m.value for m in page.metric}
    shown = (metrics["读出的目标"], metrics["仅任务（无数值）"], metrics["待核对"], metrics["有问题"])
    assert shown == ("19", "3", "2", "2")
    assert not [b for b in page.button if b.key == "policy_confirm"]       # nothing to confirm yet


def test_corrections_in_the_grid_then_confirm_writes_the_policy(page, store):
    grid = page.data_editor[0].value.reset_index(drop=True)
    row = {s: i for i, s in enumerate(grid["seq"])}
    page.session_state[page.data_editor[0].key] = {"edited_rows": {
        row["1"]: {"units": "发改委、财政局"},
        row["5"]: {"checked": True},
        row["17"]: {"kind": "年末存量", "comparator": "不低于", "value": "1200", "checked": True},
    }, "added_rows": [], "deleted_rows": []}
    page.run()
    page.text_input(key="policy_code").set_value("CY2026-05").run()
    assert not page.exception, page.exception
    assert {m.label: m.value for m in page.metric}["有问题"] == "0"
    page.button(key="policy_confirm").click().run()
    assert not page.exception, page.exception
    assert page.success[0].value.startswith(md_escape("已导入政策 CY2026-05：20 个目标，22 项任务"))
    targets = db.read_targets(store, "CY2026-05").set_index("code")
    assert targets.loc["17-1", "value"] == 1200 and targets.loc["17-1", "quote"] == "专利授权量翻一番"
    assert "统计局" not in db.read_tasks(store, "CY2026-05").set_index("clause").loc["1", "responsible"]
    log = db.read_audit(store, entity="policy")
    assert log.iloc[0]["who"] == "boss" and log.iloc[0]["entity_key"] == "CY2026-05"


def test_the_same_table_again_shows_no_difference(page):
    page.run()
    assert any("没有需要修改的内容" in i.value for i in page.info)
    assert not [b for b in page.button if b.key == "policy_confirm"]
