"""Hostile user text (HTML, Excel formulas, Markdown links and bold) stored through every input and read back from
every output: the pages show it literally (as text, never rendered as a link, bold or HTML), the Excel export and
CLI CSV never run it as a formula, the deck and the Word bulletin carry it as plain text without hyperlinks."""
from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.testing.v1 import AppTest

import db
from access import auth, guard
from bulletin import build_bulletin, bulletin_data
from dataio.exporter import export_workbook
from deck import build_deck
from deck.data import deck_data
from store import catalogue
from supervision import actions
from tests.accounts import PASSWORD, save_as, store_account
from tests.helpers import app_pointed_at, html_frames, run_cli, start_on
from ui.milestone_panels import REFUSED_ICON
from views import policy as views_policy
from vocab.accounts import Account
from vocab.text import md_escape

POLICY = "CY2019-20"
REGION = "长垣市"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
LINK = "[请重新登录](http://x)"
BOLD = "**粗体**"
HOSTILE = [SCRIPT, FORMULA, "+1+1", "-2", "@SUM(A1)", LINK, BOLD]
# What Markdown would turn into something else (HTML, a link, bold): never in an element rendered as Markdown.
MARKDOWN_HOSTILE = [SCRIPT, FORMULA, LINK, BOLD]
COMBINED = f"{SCRIPT} {LINK} {BOLD}"   # one field that shows only one text (latest meeting, display name)
# one level target per hostile string: its 2020 value gets the string as source and note
INDICATORS = ["county_innovation_rank", "hti_share", "sei_share", "tech_progress_contribution",
              "academician_workstations", "major_rd_institutions", "provincial_rd_institutions"]
# one open milestone per hostile string: its evidence, title, extension reason and chase message
MILESTONES = [3, 4, 7, 8, 11, 12, 15]
TASK = "二（一）2"
ADMIN = Account("boss", "boss", "admin")
INSPECTOR = Account("ducha", "督查员", "inspector")
EDITORS = {"科工信局": Account("keji", "keji", "editor", ("科工信局",)),
           "组织部": Account("zzb", "zzb", "editor", ("组织部",))}
USER = Account("xss", COMBINED, "editor", ("科工信局",))
MEETING_DAYS = [date(2020, 1, d) for d in range(1, len(HOSTILE) + 1)]
LAST_MEETING = date(2020, 3, 1)


def hostile_rows(eng) -> list[dict]:
    obs = db.read_observations(eng, regions=[REGION]).set_index(["indicator", "year", "quarter"])
    rows = []
    for indicator, text in zip(INDICATORS, HOSTILE):
        old = obs.loc[(indicator, 2020, 0)]
        rows.append({"region": REGION, "indicator": indicator, "year": 2020, "quarter": 0, "value": float(old["value"]),
                     "source": text, "note": text, "is_sample": bool(old["is_sample"]),
                     "expected_version": int(old["version"])})
    return rows


@pytest.fixture(scope="module")
def hostile_db(template_db, tmp_path_factory) -> Path:
    """The built-in database with the hostile strings stored through every input, by stored accounts."""
    path = tmp_path_factory.mktemp("hostile") / "tracker.sqlite"
    shutil.copy(template_db, path)
    eng = db.make_engine(f"sqlite:///{path}")
    for acc in (ADMIN, INSPECTOR, *EDITORS.values()):
        store_account(eng, acc)
    guard.add_user_as(eng, ADMIN, USER.login, role="editor", password=PASSWORD, departments=USER.departments,
                      display_name=USER.display_name)
    rows = hostile_rows(eng)
    for row, text in zip(rows, HOSTILE):
        save_as(eng, ADMIN, [row], reason=text)
    for text in HOSTILE:
        guard.add_progress_as(eng, USER, POLICY, TASK, status="in_progress", progress=text, evidence=text,
                              reported_on=date(2020, 6, 1), reported_by=text)
    guard.add_progress_as(eng, USER, POLICY, TASK, status="in_progress", progress=COMBINED, evidence="",
                          reported_on=date(2020, 6, 2))  # reported by the display name
    status = views_policy.policy_status(views_policy.load_frames(eng), catalogue.load_settings(), POLICY, REGION, 2020)
    for text, day in zip([*HOSTILE, COMBINED], [*MEETING_DAYS, LAST_MEETING]):
        guard.snapshot_as(eng, ADMIN, status, name=text, meeting_date=day, policy=POLICY, region=REGION,
                          as_of_year=2020)
    milestones = db.read_milestones(eng, POLICY).set_index("milestone_id")
    actions.edit_milestones_as(eng, INSPECTOR, [{"milestone_id": m, "expected_version": int(milestones.loc[m, "version"]),
                                                 "evidence": text, "title": text}
                                                for m, text in zip(MILESTONES, HOSTILE)], reason=HOSTILE[0])
    for m, text in zip(MILESTONES, HOSTILE):
        unit = milestones.loc[m, "units"][0]
        actions.request_extension_as(eng, EDITORS[unit], m, reason=text, new_date=date(2021, 3, 31),
                                     seen_due_date=milestones.loc[m, "due_date"])
        actions.chase_as(eng, INSPECTOR, m, unit, text)
    eng.dispose()
    return path


@pytest.fixture
def hostile_app(hostile_db, tmp_path) -> Path:
    """A private copy of the hostile database with the app (AppTest) pointed at it and fresh caches."""
    path = tmp_path / "tracker.sqlite"
    shutil.copy(hostile_db, path)
    with app_pointed_at(path):
        yield path


# ------------------------------------------------------------------ reading pages

MARKDOWN_KINDS = ("markdown", "caption", "error", "info", "warning", "success", "title", "subheader", "header",
                  "expander", "tab", "metric")


def rendered_as_markdown(at: AppTest) -> list[str]:
    """Every text the page renders as Markdown (bodies of markdown, captions and alerts; expander, tab and metric
    labels)."""
    out = []
    for kind in MARKDOWN_KINDS:
        for e in at.get(kind):
            out += [str(getattr(e, attr)) for attr in ("value", "label") if getattr(e, attr, None) is not None]
    return out


def shown_as_text(at: AppTest) -> str:
    """Every text the page shows literally: st.text, table cells, widget values and options."""
    parts = [str(e.value) for e in at.get("text")]
    parts += [d.value.astype(str).to_csv() for d in at.dataframe] + [t.to_csv() for t in html_frames(at)]
    for kind in ("text_input", "text_area"):
        parts += [str(e.value) for e in at.get(kind)]
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def assert_never_markdown(at: AppTest) -> None:
    rendered = rendered_as_markdown(at)
    leaked = [(h, m) for h in MARKDOWN_HOSTILE for m in rendered if h in m]
    assert not leaked, leaked
    assert not at.exception, [e.value for e in at.exception]


def open_as(page: str | None, account: Account | None = None) -> AppTest:
    at = start_on(page)
    if account is not None:
        eng = db.make_engine()
        auth.start_session(at.session_state, account, eng)
        eng.dispose()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_cells(at: AppTest) -> set[str]:
    return ({str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel()}
            | {str(v) for t in html_frames(at) for v in t.to_numpy().ravel()})


def test_detail_page_shows_sources_and_notes_as_typed(hostile_app):
    at = open_as("pages/detail.py")
    codes = db.read_targets(db.make_engine()).query("policy == @POLICY and kind != 'relative'")
    by_indicator = dict(zip(codes["indicator"], codes["code"]))
    for indicator, text in zip(INDICATORS, HOSTILE):
        at.selectbox(key="detail_code").set_value(by_indicator[indicator]).run()
        assert_never_markdown(at)
        sources = next(d.value for d in at.dataframe if len(d.value.columns) and (d.value == text).any().any())
        assert (sources == text).sum().sum() >= 2, indicator   # source and note, each exactly as typed


def test_entry_page_shows_progress_and_display_name_as_typed(hostile_app):
    at = open_as("pages/entry.py", USER)
    assert at.sidebar.text[0].value == f"{COMBINED}（xss）· 填报"
    at.selectbox(key="progress_task").set_value(TASK).run()
    assert_never_markdown(at)
    history = next(d.value for d in at.dataframe if "进展" in d.value.columns)
    typed = history.loc[history["进展"].isin(HOSTILE)]
    assert sorted(typed["进展"]) == sorted(HOSTILE)
    assert (typed["进展"] == typed["佐证材料"]).all() and (typed["进展"] == typed["填报人"]).all()
    assert history.loc[history["进展"] == COMBINED, "填报人"].tolist() == [COMBINED]


def test_audit_page_shows_reasons_and_values_as_typed(hostile_app):
    at = open_as("pages/audit.py", ADMIN)
    assert_never_markdown(at)
    log = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    assert set(HOSTILE) <= set(log["原因"])
    for text in HOSTILE:
        assert log["新值"].astype(str).str.contains(text, regex=False).any(), text


def test_supervision_page_shows_evidence_reasons_and_chases_as_typed(hostile_app):
    at = open_as("pages/departments.py", INSPECTOR)
    at.date_input(key="deadline_as_of").set_value(date(2020, 6, 27)).run()
    assert_never_markdown(at)
    cells = frame_cells(at) | {str(v) for e in at.data_editor for v in e.value.astype(str).to_numpy().ravel()}
    missing = [t for t in HOSTILE if t not in cells]
    assert not missing, missing   # milestone titles, evidence, extension reasons and chase messages


def test_report_page_lists_snapshot_names_and_confirms_them_escaped(hostile_app):
    at = open_as("pages/report.py", ADMIN)
    assert_never_markdown(at)
    names = next(d.value for d in at.dataframe if "name" in d.value.columns)["name"]
    assert set(HOSTILE) | {COMBINED} <= set(names)
    at.text_input(key="snapshot_name").set_value(LINK + "（二）")
    at.date_input(key="snapshot_date").set_value(date(2020, 9, 1))
    next(b for b in at.button if b.label == "保存为会议快照").click().run()
    assert not at.error, [e.value for e in at.error]
    assert_never_markdown(at)
    assert md_escape(LINK + "（二）") in at.success[0].value
    at.text_input(key="snapshot_new_name").set_value(FORMULA + BOLD).run()
    at.button(key="snapshot_rename").click().run()
    assert_never_markdown(at)
    assert md_escape(FORMULA + BOLD) in at.success[0].value


def test_overview_names_the_last_meeting_escaped(hostile_app):
    at = open_as(None)
    assert_never_markdown(at)
    assert any(md_escape(COMBINED) in c.value for c in at.caption)


def test_refusals_naming_user_text_are_escaped(hostile_app):
    """A refused milestone edit names the milestone by its title (typed by inspectors)."""
    at = open_as("pages/departments.py", INSPECTOR)
    grid = at.data_editor(key="milestone_editor")
    row = int(grid.value.index[grid.value["title"] == LINK][0])
    at.session_state["milestone_editor"] = {"edited_rows": {row: {"units": "不存在局"}}, "added_rows": [],
                                            "deleted_rows": []}
    at.run()
    at.button(key="save_milestones").click().run()
    assert [e.value for e in at.error if e.icon == REFUSED_ICON] == [md_escape(f"节点“{LINK}”（CY2019-20/二（一）3/{LINK}）：责任单位“不存在局”"
                                                     "不在单位表中（请用 data/departments.toml 的简称）")]
    assert_never_markdown(at)


# ------------------------------------------------------------------ files

def test_excel_export_holds_no_formula_and_the_text_intact(hostile_db):
    eng = db.make_engine(f"sqlite:///{hostile_db}")
    wb = load_workbook(io.BytesIO(export_workbook(eng)))
    eng.dispose()
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    assert set(HOSTILE) <= texts
    progress = pd.DataFrame(wb["任务进展"].values)
    assert set(HOSTILE) <= set(progress[3]) & set(progress[4]) & set(progress[6])   # 进展, 佐证材料, 填报人
    observations = pd.DataFrame(wb["观测值"].values)
    assert set(HOSTILE) <= set(observations[6]) & set(observations[7])              # 来源, 备注


def no_hyperlinks(blob: bytes) -> None:
    """No part of the Office file holds a hyperlink or an external relationship."""
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8", "replace")
            assert "hlinkClick" not in text and "<w:hyperlink" not in text, name
            assert 'TargetMode="External"' not in text, name
            assert "HYPERLINK" not in re.sub(r"<w:t[^>]*>[^<]*</w:t>|<a:t>[^<]*</a:t>", "", text), name


def test_deck_carries_sources_and_meeting_name_as_plain_text(hostile_db):
    eng = db.make_engine(f"sqlite:///{hostile_db}")
    snapshots = db.read_snapshots(eng, POLICY, REGION).sort_values("meeting_date")
    last = snapshots.iloc[-1]
    data = deck_data(views_policy.load_frames(eng), catalogue.load_settings(), policy=POLICY, region=REGION,
                     as_of_year=2020, snapshot=(last, db.read_snapshot(eng, int(last["id"]))))
    eng.dispose()
    blob = build_deck(data)
    no_hyperlinks(blob)
    prs = Presentation(io.BytesIO(blob))
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides if s.has_notes_slide)
    assert set(HOSTILE) <= set(notes.splitlines())
    shown = "\n".join(shape.text_frame.text for s in prs.slides for shape in s.shapes if shape.has_text_frame)
    assert COMBINED in shown   # the meeting compared with


def test_bulletin_carries_milestone_titles_as_plain_text(hostile_db):
    eng = db.make_engine(f"sqlite:///{hostile_db}")
    frames, settings = views_policy.load_frames(eng), catalogue.load_settings()
    deadlines = views_policy.policy_deadlines(views_policy.load_catalogue_frames(eng), settings, POLICY, "2020-09-30")
    eng.dispose()
    blob = build_bulletin(bulletin_data(frames, settings, policy=POLICY, region=REGION, as_of="2020-09-30",
                                        deadlines=deadlines))
    no_hyperlinks(blob)
    doc = Document(io.BytesIO(blob))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    overdue = [text for m, text in zip(MILESTONES, HOSTILE) if m in (3, 7, 11, 15)]   # due 2020-06-30, not done
    assert set(overdue) <= cells


# ------------------------------------------------------------------ CLI CSV

def excel_safe(text: str) -> str:
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


@pytest.mark.parametrize("args, column, expected", [
    (("snapshots",), "name", {excel_safe(t) for t in HOSTILE} | {COMBINED}),
    (("user", "list"), "display_name", {COMBINED}),
])
def test_cli_csv_cells_never_start_a_formula(hostile_db, tmp_path, args, column, expected):
    path = tmp_path / "tracker.sqlite"
    shutil.copy(hostile_db, path)
    result = run_cli(*args, "--format", "csv", db_path=path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert not [v for r in rows for v in r.values() if v and v.startswith(("=", "+", "-", "@"))]
    assert expected <= {r[column] for r in rows}
