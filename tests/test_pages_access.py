"""Login on the pages (AppTest): the Chinese form, wrong passwords, what each role is offered, 本单位填报 in one
save, public_read = false, logout, and user text (display names, progress) shown literally, never as HTML."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import db
from access import guard
from store import catalogue
from tests.accounts import PASSWORD, admin, editor, store_account, viewer
from tests.helpers import start_on
from vocab import labels
from vocab.text import md_escape

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def store(app_db):
    eng = db.make_engine(f"sqlite:///{app_db}")
    store_account(eng, editor("组织部", "zzb"))
    store_account(eng, viewer("leader"))
    store_account(eng, admin("boss"))
    yield eng
    eng.dispose()


def login(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.sidebar.text_input(key="login_name").set_value(name)
    at.sidebar.text_input(key="login_password").set_value(password)
    next(b for b in at.sidebar.button if b.label == labels.LOGIN_LABELS["submit"]).click().run()
    assert not at.exception, at.exception
    return at


def app(page: str | None = None, who: str | None = None) -> AppTest:
    at = start_on(page, timeout=90).run()
    if who:
        login(at, who)
    assert not at.exception, at.exception
    return at


def every_text(at: AppTest) -> str:
    """Every value the page shows (texts, markdown, alerts, inputs, table cells)."""
    parts = [str(getattr(e, "value", "")) for kind in ("markdown", "text", "caption", "error", "info", "warning",
                                                       "success", "text_input", "title")
             for e in at.get(kind)]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


def test_login_form_is_chinese_and_a_wrong_password_is_refused(store):
    at = app()
    assert [t.label for t in at.sidebar.text_input][-2:] == ["用户名", "密码"]
    login(at, "zzb", "wrong-password-1")
    assert at.sidebar.error[0].value == "用户名或密码错误。"
    assert "wrong-password-1" not in every_text(at) and at.sidebar.text_input(key="login_password").value == ""
    login(at, "zzb")
    assert [t.value for t in at.sidebar.text] == ["zzb（zzb）· 填报", "单位：组织部"]
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert not at.sidebar.text and at.sidebar.text_input(key="login_name")


def test_viewer_reads_but_is_offered_no_writes(store):
    at = app("pages/entry.py", who="leader")
    assert at.info[0].value == labels.VIEWER_ONLY
    assert not at.data_editor and [d for d in at.dataframe if d.editing_mode == "read_only"]  # no pencil icons
    assert not [b for b in at.button if b.key in ("entry_check", "unit_check") or b.label == "提交进展"]
    assert not at.file_uploader
    assert any(c.value.endswith("只读：查看账号不能填报或修改。") for c in at.caption)


def test_editor_sees_only_its_indicators_and_saves_a_period_in_one_grid(store):
    at = app("pages/entry.py", who="zzb")
    offered = at.selectbox(key="entry_indicator").options
    assert any("院士工作站" in o or "人才" in o for o in offered) and not any("高新技术企业总数" in o for o in offered)
    at.selectbox(key="unit_year").set_value(2021).run()
    grid = next(e for e in at.data_editor if e.key.startswith("unit_grid/"))
    base = grid.value.reset_index(drop=True)
    assert len(base) == 7 and "高新技术企业总数" not in set(base["name"])
    row = 0
    code = str(db.read_indicators(store).set_index("name").loc[base.loc[row, "name"], "code"])
    at.session_state[grid.key] = {"edited_rows": {row: {"value": "2", "source": "组织部统计"}}, "added_rows": [],
                                  "deleted_rows": []}
    at.run()
    at.button(key="unit_check").click().run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="unit_confirm").click().run()
    assert not at.exception and at.success[0].value == "已保存：新增 1 条，修改 0 条。"
    saved = db.read_observations(store, regions=["长垣市"], indicators=[code]).set_index("year").loc[2021]
    assert saved["value"] == 2
    top = db.read_audit(store, entity="observation").iloc[0]
    assert (top["who"], top["reason"]) == ("zzb", "本单位填报：组织部 2021")


def test_reading_needs_a_login_when_public_read_is_off(store, monkeypatch):
    settings = catalogue.load_settings()
    monkeypatch.setattr(catalogue, "load_settings",
                        lambda: {**settings, "access": {**settings["access"], "public_read": False}})
    at = app().run()  # AppTest learns the page's address on its first run (a browser has it from the start)
    assert at.info[0].value == labels.LOGIN_TO_READ and not at.metric
    login_box = at.text_input(key="login_name")
    login_box.set_value("leader")
    at.text_input(key="login_password").set_value(PASSWORD)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception and at.metric


def test_user_text_is_shown_literally(store):
    guard.add_user_as(store, admin("boss"), "xss", role="editor", password=PASSWORD, departments=["科工信局"],
                      display_name=SCRIPT)
    at = app("pages/entry.py", who="xss")
    assert at.sidebar.text[0].value == f"{SCRIPT}（xss）· 填报"
    at.selectbox(key="progress_task").set_value("二（一）2").run()
    at.text_area(key="progress_text").set_value(FORMULA)
    at.text_input(key="progress_evidence").set_value(SCRIPT)
    next(b for b in at.button if b.label == "提交进展").click().run()
    assert not at.exception
    history = next(d.value for d in at.dataframe if "进展" in d.value.columns)
    assert (history.iloc[0]["进展"], history.iloc[0]["佐证材料"], history.iloc[0]["填报人"]) == (FORMULA, SCRIPT, SCRIPT)
    assert not [m for m in at.markdown if SCRIPT in m.value or "HYPERLINK" in m.value]  # never through markdown
    assert PASSWORD not in every_text(at)


def test_the_export_is_for_logged_in_accounts(store):
    at = app("pages/entry.py")
    assert not [b for b in at.button if b.key == "export_build"]
    assert labels.EXPORT_LOGIN in [i.value for i in at.info]
    login(at, "leader")
    assert [b for b in at.button if b.key == "export_build"]


@pytest.mark.parametrize("name", ["www.x.com", "a_b_c_", "x-1.@y"])
def test_account_notice_shows_the_login_literally(store, name):
    guard.add_user_as(store, admin("boss"), name, role="editor", password=PASSWORD, departments=["科工信局"])
    at = app("pages/entry.py", who=name)
    (notice,) = [c.value for c in at.caption if "可填报" in c.value]
    assert md_escape(name) in notice and f"“{name}”" not in notice


def test_the_entry_page_says_a_benchmark_region_is_for_admins(store):
    at = app("pages/entry.py", who="zzb")
    at.sidebar.selectbox(key="region").set_value("河南省").run()
    assert not at.data_editor
    assert any("只读" in c.value and "河南省是对比地区" in c.value and "只能填报长垣市" in c.value for c in at.caption)
