"""The page 数据填报 under AppTest: a clerk opens on its own department's grid with every indicator, a save writes and
is logged under the account, forged values are refused with the Chinese message and nothing written, a concurrent
edit is refused, uploads are checked, visitors and other regions get read-only tables.

One database and one AppTest session per role for the whole module (a fresh session costs a full app start): each
test uses its own indicator or year, so that the tests do not depend on each other's writes."""
from __future__ import annotations

from datetime import date

import pytest

import db
from dataio.unit_grid import UNIT_GRID_COLUMNS
from tests.entry_pages import edit_grid, grid_row, pick_indicator, shown, upload, value
from tests.helpers import set_filters
from tests.xlsx import long_table
from vocab import labels
from vocab.text import md_escape

# ------------------------------------------------------------------ what each role is offered

def test_a_clerk_opens_on_its_departments_grid_with_every_indicator(clerk):
    assert clerk.session_state["entry_tabs/editor"] == "本单位填报"
    unit = next(e for e in clerk.data_editor if e.key.startswith("unit_grid/"))
    rows = unit.value
    (caption,) = [c.value for c in clerk.tabs[1].caption if "个指标" in c.value]
    (label,) = [b.label for b in clerk.tabs[1].get("download_button")]
    assert f"共 {len(rows)} 个指标" in caption and f"，{len(rows)} 个指标，" in label and len(rows) == 46
    assert list(rows.columns) == list(UNIT_GRID_COLUMNS)  # 上期数值 is one column: “95（2019年）”
    assert clerk.sidebar.selectbox(key="as_of_year").value == 2020  # the latest year with data
    assert rows.set_index("name").loc["高新技术企业总数", "last"] == "83（2019年）"
    assert unit.proto.placeholder == "" and "None" not in rows.astype(str).to_csv()
    notice = next(c.value for c in clerk.caption if "可填报" in c.value)
    assert "可填报 46 个指标" in notice


def test_the_excel_template_lists_what_the_indicator_grid_lists(clerk, boss):
    listed = clerk.selectbox(key="entry_indicator").options
    label = next(b.label for b in clerk.tabs[3].get("download_button"))
    assert f"，{len(listed)} 个指标，" in label and len(listed) == 46
    boss.switch_page("pages/entry.py").run()
    try:
        assert boss.session_state["entry_tabs/admin"] == "逐项填报"
        listed = boss.selectbox(key="entry_indicator").options
        label = next(b.label for b in boss.tabs[3].get("download_button"))
        assert f"（长垣市，{len(listed)} 个指标，" in label and len(listed) == 50  # 46 targeted + 4 context
    finally:
        boss.switch_page("pages/audit.py").run()


def test_a_visitor_gets_read_only_tables_and_no_forms(visitor):
    at = visitor
    assert at.warning[0].value == labels.LOGIN_NEEDED
    assert not at.data_editor and not [b for b in at.button if b.key in ("entry_check", "unit_check")]
    assert not [b for b in at.button if b.label == "提交进展"] and not at.file_uploader
    tables = [d for d in at.dataframe if d.editing_mode == "read_only"]
    assert len(shown(at, 0)[0]) == 5 and len(shown(at, 1)[0]) == 46
    assert all(d.proto.placeholder == "—" for d in tables[:2])
    assert next(c.value for c in at.tabs[0].caption if "只读" in c.value).endswith("只读：登录填报账号后可以修改。")


def test_a_region_the_clerk_may_not_write_is_read_only_with_its_reason(clerk):
    set_filters(clerk, region="河南省")
    try:
        assert not clerk.data_editor
        (reason,) = [c.value for c in clerk.tabs[1].caption if "只读" in c.value]
        assert "无权填报河南省的数据" in reason and "长垣市" in reason
        assert shown(clerk, 1)[0].shape[0] == 46
    finally:
        set_filters(clerk, region="长垣市")
    assert clerk.data_editor


# ------------------------------------------------------------------ 逐项填报

def test_grid_shows_the_stored_values_with_the_sample_banner(clerk):
    at = pick_indicator(clerk, "hte_count")
    grid = next(e for e in at.data_editor if e.key.startswith("grid/"))
    assert grid.value.set_index("period").loc["2020", "value"] == "95" and grid.proto.placeholder == ""
    assert any(labels.SAMPLE_MARK in w.value for w in at.warning)


def test_save_previews_old_and_new_then_writes_and_logs(clerk, boss, store):
    at = pick_indicator(clerk, "hte_count")
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
    assert next(e for e in at.data_editor if e.key.startswith("grid/")).value.set_index("period").loc[
        "2020", "value"] == "102"
    log = db.read_audit(store, entity="observation").iloc[:2]
    assert set(log["who"]) == {"张三"} and set(log["reason"]) == {"数据填报"}
    boss.text_input(key="audit_who").set_value("张三").run()
    table = boss.dataframe[0].value
    boss.text_input(key="audit_who").set_value("").run()
    assert table.iloc[0]["操作人"] == "张三" and table.iloc[1]["数据项"] == "长垣市 · 高新技术企业总数 · 2020年"
    assert table.iloc[1]["原值"].startswith("95 [示例数据]") and table.iloc[1]["新值"] == "102（科工信局认定文件）"


@pytest.mark.parametrize("typed, message", [
    ("380", "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"),
    ("380%", "百分比指标请填写 0—100 之间的数值（如 3.8 或 3.8%）"),
    ("三点八", "不是数值：请填写数字，如 1234、1,234 或 3.8%"),
])
def test_forged_values_are_refused_and_nothing_written(clerk, store, typed, message):
    before = db.dump(store)
    at = pick_indicator(clerk, "rd_intensity")
    edit_grid(at, {grid_row(at, "2020"): {"value": typed, "source": "统计公报"}})
    assert at.error[0].value == "发现 1 处问题，未写入任何数据。请改正后重试："
    problems = shown(at)[0]
    assert (problems.loc[0, "行"], problems.loc[0, "列"], problems.loc[0, "问题"]) == (grid_row(at, "2020") + 1, "数值",
                                                                                  message)
    assert not [b for b in at.button if b.key == "entry_confirm"]
    assert db.dump(store) == before


def test_percent_typed_with_the_sign_is_saved(clerk, store):
    at = pick_indicator(clerk, "rd_intensity")
    edit_grid(at, {grid_row(at, "2019"): {"value": "３．８％", "source": "统计公报"}})
    at.button(key="entry_confirm").click().run()
    assert value(store, "rd_intensity", 2019) == 3.8


def test_source_is_required(clerk):
    at = pick_indicator(clerk, "hte_count")
    edit_grid(at, added_rows=[{"period": "2012", "value": "3"}])
    assert shown(at)[0].loc[0, "问题"] == "来源不能为空：请填写数据出处（如“2020年长垣市统计公报”）"


def test_concurrent_edit_is_refused(clerk, store):
    at = pick_indicator(clerk, "rd_expenditure")
    db.save_observations(store, [{"region": "长垣市", "indicator": "rd_expenditure", "year": 2020, "quarter": 0,
                                  "value": 99, "source": "李四核实", "is_sample": False}], who="李四")
    edit_grid(at, {grid_row(at, "2020"): {"value": "102", "source": "科工信局"}})
    before = db.dump(store)
    at.button(key="entry_confirm").click().run()
    # the message names a person: shown as Markdown-escaped text (vocab.text.md_escape)
    assert at.error[0].value.startswith(md_escape("长垣市 · 全社会研发投入 · 2020年：保存失败——您打开后该数值已被“李四”修改为 99"))
    assert value(store, "rd_expenditure", 2020) == 99 and db.dump(store) == before
    at.button(key="entry_refresh").click().run()  # the clerk reloads and sees the colleague's value
    assert next(e for e in at.data_editor if e.key.startswith("grid/")).value.set_index("period").loc[
        "2020", "value"] == "99"


# ------------------------------------------------------------------ 任务进展

def test_task_progress_defaults_to_the_reported_year_and_is_recorded(clerk, store):
    at = clerk
    at.selectbox(key="progress_task").set_value("二（一）2").run()
    year = at.sidebar.selectbox(key="as_of_year").value
    day = at.date_input(key=f"progress_date/{year}")
    assert day.value == min(date(year, 12, 31), date.today()) and day.proto.format == "YYYY-MM-DD"
    at.selectbox(key="progress_status").set_value("done")
    at.text_area(key="progress_text").set_value("认定高企 12 家")
    at.text_input(key="progress_evidence").set_value("豫科〔2020〕1号")
    next(b for b in at.button if b.label == "提交进展").click().run()
    assert not at.exception
    latest = db.read_progress(store).query("clause == '二（一）2'").iloc[-1]
    assert (latest["status"], latest["progress"], latest["evidence"], latest["reported_by"], latest["is_sample"],
            latest["reported_on"]) == ("done", "认定高企 12 家", "豫科〔2020〕1号", "张三", False, date(year, 12, 31))
    assert db.read_audit(store, entity="task_progress").iloc[0]["who"] == "张三"
    assert at.text_area(key="progress_text").value == ""


# ------------------------------------------------------------------ Excel 导入导出

def test_upload_with_errors_lists_them_and_writes_nothing(clerk, store):
    before = db.dump(store)
    assert clerk.file_uploader(key="entry_upload").label == "上传 Excel 或 CSV 文件"
    bad = long_table([("长垣市", "高企数量", 2019, "abc", "x"), ("长垣县", "高企数量", 2019, 1, "x")])
    at = upload(clerk, "bad.xlsx", bad)
    assert at.error[0].value == "发现 2 处问题，未写入任何数据。请改正后重试："
    assert list(shown(at, 3)[0]["列"]) == ["数值", "地区"]
    assert db.dump(store) == before


def test_upload_previews_then_imports(clerk, store):
    at = upload(clerk, "good.xlsx", long_table([("长垣市", "高企数量", 2019, 130, "科工信局")]))
    assert any(i.value == "检查通过：新增 0 条，修改 1 条，不变 0 条。" for i in at.info)
    assert value(store, "hte_count", 2019) == 83
    at.button(key="upload_confirm").click().run()
    assert value(store, "hte_count", 2019) == 130
    assert db.read_audit(store, entity="observation").iloc[0]["reason"] == "Excel 导入：good.xlsx"


def test_upload_of_a_gbk_csv_previews_then_imports(clerk, store):
    data = "地区,指标,期间,数值,来源\r\n长垣市,高企数量,2018,131,科工信局\r\n".encode("gbk")
    at = clerk
    at.file_uploader(key="entry_upload").set_value(("高企.csv", data, "text/csv")).run()
    assert any(i.value == "检查通过：新增 0 条，修改 1 条，不变 0 条。" for i in at.info)
    at.button(key="upload_confirm").click().run()
    assert value(store, "hte_count", 2018) == 131


def test_template_download_is_offered(clerk):
    assert "下载填报模板（长垣市·科工信局，46 个指标，2018—2020年）" in [b.label for b in clerk.get("download_button")]
    clerk.select_slider(key="template_years").set_value((2012, 2020)).run()
    assert "下载填报模板（长垣市·科工信局，46 个指标，2012—2020年）" in [b.label for b in clerk.get("download_button")]


def test_import_confirm_writes_only_the_plan_that_was_shown(clerk, store):
    """A colleague's value saved between the preview and the click is never overwritten unseen: the click is
    refused, and the page shows the new preview (原值 140) with a message."""
    at = upload(clerk, "tcv.xlsx", long_table([("长垣市", "技术合同成交额", 2019, 3.1, "科工信局")]))
    assert list(shown(at, 3)[0]["原值"]) == [2.6]
    db.save_observations(store, [{"region": "长垣市", "indicator": "tech_contract_turnover", "year": 2019,
                                  "quarter": 0, "value": 2.9, "source": "同事核对", "is_sample": False}], who="李四")
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert value(store, "tech_contract_turnover", 2019) == 2.9
    assert any("预览之后数据已被他人修改" in w.value for w in at.warning)
    assert list(shown(at, 3)[0]["原值"]) == [2.9]
    at.button(key="upload_confirm").click().run()
    assert value(store, "tech_contract_turnover", 2019) == 3.1


def test_import_confirm_refuses_when_an_unchanged_value_changed_since(clerk, store):
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2017, "quarter": 0,
                                  "value": 49, "source": "科工信局统计", "is_sample": False}], who="李四")
    same = long_table([("长垣市", "高企数量", 2017, 49, "科工信局统计"), ("长垣市", "高企数量", 2015, 1, "科工信局")])
    at = upload(clerk, "same.xlsx", same)
    assert any(i.value == "检查通过：新增 1 条，修改 0 条，不变 1 条。" for i in at.info), [i.value for i in at.info]
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2017, "quarter": 0,
                                  "value": 140, "source": "同事核对", "is_sample": False}], who="李四")
    before = db.dump(store)
    at.button(key="upload_confirm").click().run()
    assert db.dump(store) == before


def test_export_download_is_rebuilt_after_a_write(clerk, store, monkeypatch):
    """The download offers the data as it is now, not the bytes of the first click."""
    from dataio import exporter

    built: list[float] = []
    real = exporter.export_workbook

    def recording(engine):
        built.append(value(store, "hte_count", 2016))
        return real(engine)

    monkeypatch.setattr(exporter, "export_workbook", recording)
    clerk.button(key="export_build").click().run()
    db.save_observations(store, [{"region": "长垣市", "indicator": "hte_count", "year": 2016, "quarter": 0,
                                  "value": 140, "source": "同事核对", "is_sample": False}], who="李四")
    clerk.run()
    assert not clerk.exception, clerk.exception
    assert built == [36, 140]
