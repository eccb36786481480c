"""修改记录 in words (views.audit_log): keys with names instead of codes, the filter on those words, the store's
messages with their keys in words, the batches offered for undoing and what undoing one undoes; the guard refuses
to undo the built-in data load."""
from __future__ import annotations

import pandas as pd
import pytest

import db
from access import guard
from tests.accounts import admin, save_as
from views import audit_log

NAMES = {"indicators": {"rd_intensity": "全社会研发投入强度", "hte_count": "高新技术企业总数"},
         "policies": {"CY2019-20": "长政〔2019〕20号"}}


@pytest.mark.parametrize("entity, key, text", [
    ("observation", "长垣市/rd_intensity/2020", "长垣市 · 全社会研发投入强度 · 2020年"),
    ("observation", "河南省/hte_count/2020Q3", "河南省 · 高新技术企业总数 · 2020年三季度"),
    ("observation_vintage", "长垣市/hte_count/2019", "长垣市 · 高新技术企业总数 · 2019年"),
    ("observation", "长垣市/retired_code/2020", "长垣市 · retired_code · 2020年"),  # an indicator no longer listed
    ("indicator", "rd_intensity", "全社会研发投入强度"),
    ("task_progress", "CY2019-20/二（一）1/47", "长政〔2019〕20号 · 二（一）1 · 进展 #47"),
    ("milestone", "CY2019-20/三（一）1/完成2019年上半年工作计划", "长政〔2019〕20号 · 三（一）1 · 完成2019年上半年工作计划"),
    ("target", "CY2019-20/E01", "长政〔2019〕20号 · E01"),
    ("department", "科工信局", "科工信局"),
])
def test_keys_read_in_words(entity, key, text):
    assert audit_log.key_text(entity, key, NAMES) == text


def log(*keys: str) -> pd.DataFrame:
    frame = pd.DataFrame({"entity": "observation", "entity_key": list(keys)})
    return frame.assign(key_text=[audit_log.key_text(e, k, NAMES) for e, k in zip(frame["entity"],
                                                                                 frame["entity_key"])])


@pytest.mark.parametrize("typed, found", [
    ("高新技术企业", [1, 2]), ("高新技术企业 2020", [1]), ("河南省 研发", [3]), ("长垣市/hte_count", [1, 2]),
    ("  ", [0, 1, 2, 3]), ("高企", []), ("HTE_COUNT 2019", [2]),
])
def test_the_filter_finds_every_word_in_names_or_codes(typed, found):
    frame = log("长垣市/rd_intensity/2020", "长垣市/hte_count/2020", "长垣市/hte_count/2019",
                "河南省/rd_intensity/2020")
    assert list(audit_log.matching(frame, typed).index) == found


def test_messages_of_the_store_name_keys_in_words():
    message = "长垣市/hte_count/2020：保存失败——您打开后该数值已被“李四”修改为 99"
    assert audit_log.in_words(message, NAMES) == "长垣市 · 高新技术企业总数 · 2020年：保存失败——您打开后该数值已被“李四”修改为 99"
    assert audit_log.in_words("没有键的句子。", NAMES) == "没有键的句子。"


def test_the_built_in_load_is_never_offered_and_times_are_local():
    batches = pd.DataFrame({"batch_id": ["a", "b", "c"], "who": [db.SYSTEM_USER, "张三", "李四"],
                            "reverted": [False, False, True],
                            "at": pd.to_datetime(["2020-01-01 16:30", "2020-01-01 16:30", "2020-01-02 00:00"])})
    shown = audit_log.open_batches(batches, "Asia/Shanghai")
    assert list(shown["batch_id"]) == ["b"] and shown["local_at"].iloc[0] == pd.Timestamp("2020-01-02 00:30")


def test_guard_refuses_to_undo_the_built_in_load_and_writes_nothing(engine):
    system = db.read_batches(engine).query("who == @db.SYSTEM_USER")["batch_id"].iloc[0]
    before = db.dump(engine)
    with pytest.raises(ValueError, match="内置数据的载入不能整批撤销"):
        guard.revert_batch_as(engine, admin("管理员"), system, reason="误点")
    assert db.dump(engine) == before
    save_as(engine, admin("管理员"), [{"region": "长垣市", "indicator": "hte_count", "year": y, "quarter": 0,
                                      "value": 1, "source": "核对", "is_sample": False} for y in (2012, 2013)])
    mine = db.read_batches(engine).iloc[0]
    assert mine["who"] == "管理员" and guard.revert_batch_as(engine, admin("管理员"), mine["batch_id"]) == 2


def test_batch_details_say_what_undoing_undoes():
    entries = log("长垣市/hte_count/2020", "长垣市/rd_intensity/2020").assign(
        action=["update", "create"], who="张三", reason="Excel 导入：a.xlsx",
        local_at=pd.to_datetime(["2020-01-01 08:00", "2020-01-01 08:00"]),
        old=[{"value": 95.0, "is_sample": True}, None], new=[{"value": 102.0}, {"value": 3.8}])
    undo = audit_log.batch_details(entries, NAMES)
    assert (undo["rows"], undo["indicators"], undo["who"], undo["reason"]) == (
        2, ["高新技术企业总数", "全社会研发投入强度"], "张三", "Excel 导入：a.xlsx")
    assert undo["table"].to_dict("list") == {"数据项": ["长垣市 · 高新技术企业总数 · 2020年", "长垣市 · 全社会研发投入强度 · 2020年"],
                                             "操作": ["修改", "新增"], "现值": ["102", "3.8"], "撤销后": ["95", "（无）"]}
