"""Vintages on the pages (issue 21), under AppTest: the entry grid shows 数据状态 and 发布日期, a value saved with a
new 数据状态 is previewed as 新版次 and keeps the value it replaces; 数据质量 counts published against sample values."""
from __future__ import annotations

from datetime import date

import db
from metrics.quality import provenance_counts
from tests.accounts import editor, store_account
from tests.helpers import open_page, start_on
from tests.entry_pages import edit_grid, grid_row, login, pick_indicator, shown


def test_a_new_status_in_the_grid_is_a_new_vintage(app_db):
    eng = db.make_engine(f"sqlite:///{app_db}")
    store_account(eng, editor("科工信局", "张三"))
    at = pick_indicator(login(start_on("pages/entry.py", timeout=60).run(), "张三"), "hte_count")
    grid = at.data_editor[0].value.set_index("period")
    assert (grid.loc["2018", "data_status"], grid.loc["2018", "released_on"]) == ("初步", date(2019, 3, 13))
    assert grid.loc["2020", "data_status"] == "未注明"
    row = grid_row(at, "2020")
    edit_grid(at, {row: {"value": "97", "source": "2020年长垣市统计公报", "data_status": "初步",
                         "released_on": "2021-06-16"}})
    preview = shown(at)[0]
    assert list(zip(preview["变更"], preview["原值"], preview["新值"], preview["数据状态"], preview["发布日期"])) == [
        ("新版次", 95, 97, "初步", "2021-06-16")]
    at.button(key="entry_confirm").click().run()
    assert not at.exception, at.exception
    v = db.read_vintages(eng, "长垣市", "hte_count").query("year == 2020")
    assert list(zip(v["value"], v["is_sample"], v["data_status"], v["is_current"])) == [
        (95, True, "unstated", False), (97, False, "preliminary", True)]
    assert v["released_on"].dt.date.tolist()[-1] == date(2021, 6, 16)
    assert db.read_audit(eng, entity="observation").iloc[0][["who", "action"]].tolist() == ["张三", "vintage"]
    eng.dispose()


def test_quality_counts_published_against_sample_values(app_db):
    at = open_page("quality", 2020, "长垣市")
    eng = db.make_engine(f"sqlite:///{app_db}")
    counts = provenance_counts(db.read_observations(eng), "长垣市", 2020)
    eng.dispose()
    # 长垣市 up to 2020: the published 2018 high-tech firms (66) and patents (7390), the 2020 bulletin's GDP,
    # industry value added and above-scale firms; every other value is sample data
    assert counts["real"] == 5 and counts["sample"] > 100
    text = " ".join(m.value for m in at.markdown)
    assert (f"长垣市截至 2020 年共 {counts['real'] + counts['sample']} 个数值，公开数据 {counts['real']} 个"
            f"（公开发布或由公开数推算，附出处），示例数据 {counts['sample']} 个。") in text
