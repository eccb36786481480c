"""The page 修改记录 under AppTest: the audit log in words and filtered by indicator names, reverts by admins only
(one change, a progress report, a whole import after seeing what it undoes), a revert refused when changed again.
One database and one AppTest session per role for the module (tests.entry_pages)."""
from __future__ import annotations

from datetime import date

import db
from tests.entry_pages import upload, value
from tests.xlsx import long_table
from vocab import labels
from vocab.text import md_escape

# ------------------------------------------------------------------ 修改记录

def change(store, code: str, year: int, value: float, who: str = "张三") -> int:
    db.save_observations(store, [{"region": "长垣市", "indicator": code, "year": year, "quarter": 0,
                                  "value": value, "source": "科工信局", "is_sample": False}], who=who)
    return int(db.read_audit(store, entity="observation").iloc[0]["id"])


def test_audit_log_shows_and_filters_by_indicator_names(boss, store):
    change(store, "hti_value_added", 2020, 161, who="王五")
    boss.text_input(key="audit_who").set_value("王五").run()
    table = boss.dataframe[0].value
    assert list(table["操作人"]) == ["王五"] and table.iloc[0]["数据项"] == "长垣市 · 高新技术产业增加值 · 2020年"
    boss.text_input(key="audit_who").set_value("").run()
    boss.text_input(key="audit_key").set_value("河南省 全社会研发投入 2022").run()
    keys = set(boss.dataframe[0].value["数据项"])
    boss.text_input(key="audit_key").set_value("").run()
    assert keys and {k.split(" · ")[0] for k in keys} == {"河南省"} and all("2022年" in k for k in keys)
    assert any(labels.SAMPLE_MARK in w.value for w in boss.warning)
    assert boss.date_input(key="audit_dates").proto.format == "YYYY-MM-DD"


def test_only_admins_may_revert(clerk, store):
    change(store, "hti_value_added", 2019, 150)
    clerk.switch_page("pages/audit.py").run()
    try:
        assert clerk.info[0].value == labels.ADMIN_ONLY
        assert not [b for b in clerk.button if b.key in ("revert_button", "batch_button")]
    finally:
        clerk.switch_page("pages/entry.py").run()


def test_admin_reverts_a_change_and_the_revert_is_logged(boss, store):
    entry = change(store, "hti_value_added", 2018, 140)
    boss.run()
    boss.selectbox(key="revert_id").set_value(entry)
    boss.text_input(key="revert_reason").set_value("录入错误")
    boss.button(key="revert_button").click().run()
    assert not boss.exception
    assert boss.success[0].value == f"已撤销记录 #{entry}，撤销本身已记入修改记录。"
    assert value(store, "hti_value_added", 2018) == 128
    top = db.read_audit(store, entity="observation").iloc[0]
    assert (top["action"], top["who"], top["reverts_id"], top["reason"]) == ("revert", "管理员", entry, "录入错误")


def test_revert_refused_when_changed_again(boss, store):
    first = change(store, "hti_value_added", 2017, 101)
    change(store, "hti_value_added", 2017, 102, who="李四")
    before = db.dump(store)
    boss.run()
    boss.selectbox(key="revert_id").set_value(first)
    boss.button(key="revert_button").click().run()
    assert boss.error[0].value == md_escape("长垣市 · 高新技术产业增加值 · 2017年：该数值在此次修改之后又被修改过，"
                                            "请先撤销较新的修改。")
    assert db.dump(store) == before


def test_admin_reverts_a_progress_report(boss, store):
    db.add_progress(store, "CY2019-20", "二（五）3", status="done", progress="误报完成", evidence="",
                    reported_on=date(2020, 6, 30), reported_by="发改委", who="张三")
    entry = int(db.read_audit(store, entity="task_progress").iloc[0]["id"])
    boss.selectbox(key="audit_entity").set_value("task_progress").run()
    try:
        assert boss.dataframe[0].value.iloc[0]["数据项"].startswith("长政〔2019〕20号 · 二（五）3 · 进展 #")
        boss.selectbox(key="revert_id").set_value(entry)
        boss.button(key="revert_button").click().run()
        assert not boss.exception, boss.exception
    finally:
        boss.selectbox(key="audit_entity").set_value("observation").run()
    assert "误报完成" not in db.read_progress(store)["progress"].tolist()


def test_admin_reverts_a_whole_import_after_seeing_what_it_undoes(clerk, boss, store):
    good = long_table([("长垣市", "高企数量", 2014, 130, "科工信局"), ("长垣市", "高企数量", 2013, 140, "科工信局")])
    upload(clerk, "whole.xlsx", good).button(key="upload_confirm").click().run()
    assert value(store, "hte_count", 2014) == 130
    at = boss.run()
    batches = at.selectbox(key="batch_id")
    assert batches.value is None  # nothing chosen: one click undoes nothing
    assert not [o for o in batches.options if "系统" in o] and any("Excel 导入：whole.xlsx" in o for o in batches.options)
    batch = db.read_batches(store).query("reason == 'Excel 导入：whole.xlsx'")["batch_id"].iloc[0]
    batches.set_value(batch).run()
    (what,) = [w.value for w in at.warning if "将撤销" in w.value]
    assert "将撤销 2 项修改" in what and "张三" in what and "高新技术企业总数" in what
    rows = next(d.value for d in at.dataframe if "撤销后" in d.value.columns)
    assert set(rows["数据项"]) == {"长垣市 · 高新技术企业总数 · 2014年", "长垣市 · 高新技术企业总数 · 2013年"}
    assert at.button(key="batch_button").disabled  # until the admin ticks that it checked the list
    at.checkbox(key=f"batch_sure/{batch}").check().run()
    at.button(key="batch_button").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已整批撤销 2 项修改，撤销本身已记入修改记录。"
    assert not {2013, 2014} & set(db.read_observations(store, ["长垣市"], ["hte_count"])["year"])
