"""The pages 数据填报 and 修改记录 under AppTest, logged in: a save writes and is logged under the account, forged
values are refused with the Chinese message and nothing written, a concurrent edit is refused, uploads are
checked, an admin reverts."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import db
from tests.accounts import PASSWORD, admin, editor, store_account
from tests.helpers import start_on
from tests.xlsx import long_table
from vocab import labels
from vocab.text import md_escape


@pytest.fixture
def store(app_db):
    """The app's database with 张三 (a 科工信局 clerk), 李四 (a 组织部 clerk) and 管理员 (admin)."""
    eng = db.make_engine(f"sqlite:///{app_db}")
    store_account(eng, editor("科工信局", "张三"))
    store_account(eng, editor("组织部", "李四"))
    store_account(eng, admin("管理员"))
    yield eng
    eng.dispose()


def login(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill the sidebar's login form (用户名, 密码) and press 登录."""
    at.sidebar.text_input(key="login_name").set_value(name)
    at.sidebar.text_input(key="login_password").set_value(password)
    next(b for b in at.sidebar.button if b.label == "登录").click().run()
    return at


def open_page(page: str, who: str | None = "张三") -> AppTest:
    at = start_on(page, timeout=60).run()
    if who:
        login(at, who)
    assert not at.exception, at.exception
    return at


def pick_indicator(at: AppTest, code: str) -> AppTest:
    at.selectbox(key="entry_indicator").set_value(code).run()
    return at


def edit_grid(at: AppTest, edited_rows: dict | None = None, added_rows: list | None = None) -> AppTest:
    """Type into the grid (the editor's edit state, as the browser sends it), then 检查并预览."""
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": edited_rows or {}, "added_rows": added_rows or [], "deleted_rows": []}
    at.run()
    at.button(key="entry_check").click().run()
    assert not at.exception, at.exception
    return at


def grid_row(at: AppTest, period: str) -> int:
    return int(at.data_editor[0].value.reset_index(drop=True).query("period == @period").index[0])


def shown(at: AppTest, tab: int = 0) -> list:
    """The read-only tables in one tab of the page (0 grid, 1 本单位填报, 2 progress, 3 Excel): problems or preview."""
    return [d.value for d in at.tabs[tab].dataframe if d.editing_mode == "read_only"]


def value(store, code: str, year: int, region: str = "长垣市") -> float:
    obs = db.read_observations(store, regions=[region], indicators=[code])
    return obs.set_index("year").loc[year, "value"]


def test_grid_shows_the_stored_values_with_the_sample_banner(store):
    at = pick_indicator(open_page("pages/entry.py"), "hte_count")
    grid = at.data_editor[0].value
    assert grid.set_index("period").loc["2020", "value"] == "95"
    assert any(labels.SAMPLE_MARK in w.value for w in at.warning)


def test_save_previews_old_and_new_then_writes_and_logs(store):
    at = pick_indicator(open_page("pages/entry.py"), "hte_count")
    edit_grid(at, {grid_row(at, "2020"): {"value": "1,02", "source": "科工信局"}})
    assert "不是数值" in shown(at)[0].loc[0, "问题"]
    edit_grid(at, {grid_row(at, "2020"): {"value": "102", "source": "科工信局认定文件"}},
              [{"period": "2021年", "value": "110", "source": "科工信局"}])
    preview = shown(at)[0].set_index("期间")
    assert (preview.loc["2020", "变更"], preview.loc["2020", "原值"], preview.loc["2020", "新值"]) == ("修改", 95, 102)
    assert preview.loc["2021", "变更"] == "新增"
    at.button(key="entry_confirm").click().run()
    assert not at.exception
    assert value(store, "hte_count", 2020) == 102 and value(store, "hte_count", 2021) == 110
    assert at.success[0].value == "已保存：新增 1 条，修改 1 条。"
    assert at.data_editor[0].value.set_index("period").loc["2020", "value"] == "102"
    log = db.read_audit(store, entity="observation").iloc[:2]
    assert set(log["who"]) == {"张三"} and set(log["reason"]) == {"数据填报"}
    at.switch_page("pages/audit.py").run()
    table = at.dataframe[0].value
    assert table.iloc[0]["操作人"] == "张三" and table.iloc[1]["数据项"] == "长垣市/hte_count/2020"
    assert table.iloc[1]["原值"].startswith("95 [示例数据]") and table.iloc[1]["新值"] == "102（科工信局认定文件）"


@pytest.mark.parametrize("typed, message", [
    ("380", "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"),
    ("380%", "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"),
    ("三点八", "不是数值：请填写数字，如 1234、1,234 或 3.8%"),
])
def test_forged_values_are_refused_and_nothing_written(store, typed, message):
    before = db.dump(store)
    at = pick_indicator(open_page("pages/entry.py"), "rd_intensity")
    edit_grid(at, {grid_row(at, "2020"): {"value": typed, "source": "统计公报"}})
    assert at.error[0].value == "发现 1 处问题，未写入任何数据。请改正后重试："
    problems = shown(at)[0]
    assert (problems.loc[0, "行"], problems.loc[0, "列"], problems.loc[0, "问题"]) == (grid_row(at, "2020") + 1, "数值",
                                                                                  message)
    assert not [b for b in at.button if b.key == "entry_confirm"]
    assert db.dump(store) == before


def test_percent_typed_with_the_sign_is_saved(store):
    at = pick_indicator(open_page("pages/entry.py"), "rd_intensity")
    edit_grid(at, {grid_row(at, "2020"): {"value": "３．８％", "source": "统计公报"}})
    at.button(key="entry_confirm").click().run()
    assert value(store, "rd_intensity", 2020) == 3.8


def test_source_is_required(store):
    at = pick_indicator(open_page("pages/entry.py"), "hte_count")
    edit_grid(at, added_rows=[{"period": "2012", "value": "3"}])
    assert shown(at)[0].loc[0, "问题"] == "来源不能为空：请填写数据出处（如“2020年长垣市统计公报”）"


def test_concurrent_edit_is_refused(store):
    at = pick_indicator(open_page("pages/entry.py"), "hte_count")
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                  "value": 99, "source": "李四核实", "is_sample": False}], who="李四")
    edit_grid(at, {grid_row(at, "2020"): {"value": "102", "source": "科工信局"}})
    before = db.dump(store)
    at.button(key="entry_confirm").click().run()
    # the message names a person: shown as Markdown-escaped text (vocab.text.md_escape)
    assert at.error[0].value.startswith(md_escape("长垣市/hte_count/2020：保存失败——您打开后该数值已被“李四”修改为 99"))
    assert value(store, "hte_count", 2020) == 99 and db.dump(store) == before


def test_no_save_without_a_login(store):
    at = pick_indicator(open_page("pages/entry.py", who=None), "hte_count")
    assert at.warning[0].value == labels.LOGIN_NEEDED
    assert at.button(key="entry_check").disabled


def test_task_progress_is_recorded(store):
    at = open_page("pages/entry.py")
    at.selectbox(key="progress_task").set_value("二（一）2").run()
    at.selectbox(key="progress_status").set_value("done")
    at.text_area(key="progress_text").set_value("认定高企 12 家")
    at.text_input(key="progress_evidence").set_value("豫科〔2020〕1号")
    next(b for b in at.button if b.label == "提交进展").click().run()
    assert not at.exception
    latest = db.read_progress(store).query("clause == '二（一）2'").iloc[-1]
    assert (latest["status"], latest["progress"], latest["evidence"], latest["reported_by"], latest["is_sample"]) == (
        "done", "认定高企 12 家", "豫科〔2020〕1号", "张三", False)
    assert db.read_audit(store, entity="task_progress").iloc[0]["who"] == "张三"


def test_upload_with_errors_lists_them_and_writes_nothing(store):
    before = db.dump(store)
    at = open_page("pages/entry.py")
    bad = long_table([("长垣市", "高企数量", 2020, "abc", "x"), ("长垣县", "高企数量", 2019, 1, "x")])
    at.file_uploader(key="entry_upload").set_value(("bad.xlsx", bad, "application/octet-stream")).run()
    assert not at.exception
    assert at.error[0].value == "发现 2 处问题，未写入任何数据。请改正后重试："
    assert list(shown(at, 3)[0]["列"]) == ["数值", "地区"]
    assert db.dump(store) == before


def test_upload_previews_then_imports(store):
    at = open_page("pages/entry.py")
    good = long_table([("长垣市", "高企数量", 2020, 130, "科工信局")])
    at.file_uploader(key="entry_upload").set_value(("good.xlsx", good, "application/octet-stream")).run()
    assert any(i.value == "检查通过：新增 0 条，修改 1 条，不变 0 条。" for i in at.info)
    assert value(store, "hte_count", 2020) == 95
    at.button(key="upload_confirm").click().run()
    assert value(store, "hte_count", 2020) == 130
    assert db.read_audit(store, entity="observation").iloc[0]["reason"] == "Excel 导入：good.xlsx"


def test_upload_of_a_gbk_csv_previews_then_imports(store):
    at = open_page("pages/entry.py")
    data = "地区,指标,期间,数值,来源\r\n长垣市,高企数量,2020,131,科工信局\r\n".encode("gbk")
    at.file_uploader(key="entry_upload").set_value(("高企.csv", data, "text/csv")).run()
    assert any(i.value == "检查通过：新增 0 条，修改 1 条，不变 0 条。" for i in at.info)
    at.button(key="upload_confirm").click().run()
    assert value(store, "hte_count", 2020) == 131


def test_template_download_is_offered(store):
    at = open_page("pages/entry.py")
    labels_ = [b.label for b in at.get("download_button")]
    assert "下载填报模板（长垣市·科工信局，2018—2020年）" in labels_
    at.select_slider(key="template_years").set_value((2012, 2020)).run()
    assert "下载填报模板（长垣市·科工信局，2012—2020年）" in [b.label for b in at.get("download_button")]


# ------------------------------------------------------------------ 修改记录

def change(store, value: float, who: str = "张三") -> int:
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                  "value": value, "source": "科工信局", "is_sample": False}], who=who)
    return int(db.read_audit(store, entity="observation").iloc[0]["id"])


def test_audit_log_filters(store):
    change(store, 101, who="王五")
    at = open_page("pages/audit.py")
    at.text_input(key="audit_who").set_value("王五").run()
    table = at.dataframe[0].value
    assert list(table["操作人"]) == ["王五"] and table.iloc[0]["数据项"] == "长垣市/hte_count/2020"
    at.text_input(key="audit_who").set_value("").run()
    at.text_input(key="audit_key").set_value("河南省/rd_expenditure").run()
    assert set(at.dataframe[0].value["数据项"].str.rsplit("/", n=1).str[0]) == {"河南省/rd_expenditure"}
    assert any(labels.SAMPLE_MARK in w.value for w in
               open_page("pages/audit.py").warning)


def test_only_admins_may_revert(store):
    change(store, 101)
    at = open_page("pages/audit.py", who="张三")
    assert at.info[0].value == labels.ADMIN_ONLY
    assert not [b for b in at.button if b.key == "revert_button"]


def test_admin_reverts_a_change_and_the_revert_is_logged(store):
    entry = change(store, 101)
    at = open_page("pages/audit.py", who="管理员")
    at.selectbox(key="revert_id").set_value(entry)
    at.text_input(key="revert_reason").set_value("录入错误")
    at.button(key="revert_button").click().run()
    assert not at.exception
    assert at.success[0].value == f"已撤销记录 #{entry}，撤销本身已记入修改记录。"
    assert value(store, "hte_count", 2020) == 95
    top = db.read_audit(store, entity="observation").iloc[0]
    assert (top["action"], top["who"], top["reverts_id"], top["reason"]) == ("revert", "管理员", entry, "录入错误")


def test_revert_refused_when_changed_again(store):
    first = change(store, 101)
    change(store, 102, who="李四")
    before = db.dump(store)
    at = open_page("pages/audit.py", who="管理员")
    at.selectbox(key="revert_id").set_value(first)
    at.button(key="revert_button").click().run()
    assert at.error[0].value == md_escape("长垣市/hte_count/2020：该数值在此次修改之后又被修改过，请先撤销较新的修改。")
    assert db.dump(store) == before


def test_import_confirm_writes_only_the_plan_that_was_shown(store):
    """A colleague's value saved between the preview and the click is never overwritten unseen: the click is
    refused, and the page shows the new preview (原值 140) with a message."""
    at = open_page("pages/entry.py")
    good = long_table([("长垣市", "高企数量", 2020, 130, "科工信局")])
    at.file_uploader(key="entry_upload").set_value(("good.xlsx", good, "application/octet-stream")).run()
    assert list(shown(at, 3)[0]["原值"]) == [95]
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                  "value": 140, "source": "同事核对", "is_sample": False}], who="李四")
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert value(store, "hte_count", 2020) == 140
    assert any("预览之后数据已被他人修改" in w.value for w in at.warning)
    assert list(shown(at, 3)[0]["原值"]) == [140]
    at.button(key="upload_confirm").click().run()
    assert value(store, "hte_count", 2020) == 130


def test_import_confirm_refuses_when_an_unchanged_value_changed_since(store):
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                  "value": 95, "source": "科工信局统计", "is_sample": False}], who="李四")
    at = open_page("pages/entry.py")
    same = long_table([("长垣市", "高企数量", 2020, 95, "科工信局统计"), ("长垣市", "高企数量", 2021, 1, "科工信局")])
    at.file_uploader(key="entry_upload").set_value(("same.xlsx", same, "application/octet-stream")).run()
    assert any(i.value == "检查通过：新增 1 条，修改 0 条，不变 1 条。" for i in at.info), [i.value for i in at.info]
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                  "value": 140, "source": "同事核对", "is_sample": False}], who="李四")
    before = db.dump(store)
    at.button(key="upload_confirm").click().run()
    assert db.dump(store) == before


def test_export_download_is_rebuilt_after_a_write(store, monkeypatch):
    """The download offers the data as it is now, not the bytes of the first click."""
    from dataio import exporter

    built: list[float] = []
    real = exporter.export_workbook

    def recording(engine):
        built.append(value(store, "hte_count", 2020))
        return real(engine)

    monkeypatch.setattr(exporter, "export_workbook", recording)
    at = open_page("pages/entry.py")
    at.button(key="export_build").click().run()
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0,
                                  "value": 140, "source": "同事核对", "is_sample": False}], who="李四")
    at.run()
    assert not at.exception, at.exception
    assert built == [95, 140]


def test_admin_reverts_a_progress_report(store):
    from datetime import date
    db.add_progress(store, "CY2019-20", "二（五）3", status="done", progress="误报完成", evidence="",
                    reported_on=date(2020, 6, 30), reported_by="发改委", who="张三")
    entry = int(db.read_audit(store, entity="task_progress").iloc[0]["id"])
    at = open_page("pages/audit.py", who="管理员")
    at.selectbox(key="audit_entity").set_value("task_progress").run()
    at.selectbox(key="revert_id").set_value(entry)
    at.button(key="revert_button").click().run()
    assert not at.exception, at.exception
    assert "误报完成" not in db.read_progress(store)["progress"].tolist()


def test_admin_reverts_a_whole_import(store):
    at = open_page("pages/entry.py")
    good = long_table([("长垣市", "高企数量", 2020, 130, "科工信局"), ("长垣市", "高企数量", 2021, 140, "科工信局")])
    at.file_uploader(key="entry_upload").set_value(("good.xlsx", good, "application/octet-stream")).run()
    at.button(key="upload_confirm").click().run()
    assert value(store, "hte_count", 2021) == 140
    at = open_page("pages/audit.py", who="管理员")
    assert "Excel 导入：good.xlsx" in at.selectbox(key="batch_id").format_func(at.selectbox(key="batch_id").value)
    at.button(key="batch_button").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已整批撤销 2 项修改，撤销本身已记入修改记录。"
    assert value(store, "hte_count", 2020) == 95
    assert 2021 not in set(db.read_observations(store, ["长垣市"], ["hte_count"])["year"])
