"""暂判 on every surface (issue 21 §2): a verdict that rests on a 初步 value reads 暂判 on the page (AppTest), in the
deck (python-pptx), in the bulletin (python-docx) and in `cli.py status`, in the renderer's words; once a 核实
value of the same year is saved, the verdict is final everywhere. The built-in database with 长垣市's 2020 R&D
intensity saved as a 初步 vintage (3.52 %, released 2021-03-01) over the sample value."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from docx import Document
from pptx import Presentation

import db
from bulletin import build_bulletin, bulletin_data
from deck import build_deck, plan_deck
from deck.data import deck_data
from store import catalogue
from tests.helpers import engine_at, frame_by_columns, open_page, run_cli
from views import policy as views
from views import target_words as words
from vocab import labels

REGION, AS_OF = "长垣市", 2020
SETTINGS = catalogue.load_settings()
FIRST = {"region": REGION, "indicator": "rd_intensity", "year": 2020, "quarter": 0, "value": 3.52, "is_sample": False,
         "source": "长垣市统计局 2020年R&D经费快报（2021-03-01）", "note": "", "data_status": "preliminary",
         "released_on": date(2021, 3, 1)}
VERIFIED = {**FIRST, "value": 3.55, "source": "河南省统计局 2020年R&D经费统计公报（2021-10-09）",
            "data_status": "verified", "released_on": date(2021, 10, 9)}


def surfaces(path) -> dict:
    """G01's engine row and what each of the four surfaces says about it."""
    with engine_at(path) as eng:
        frames = views.load_frames(eng)
    policy = views.default_policy(frames)
    status = views.policy_status(frames, SETTINGS, policy, REGION, AS_OF).set_index("code", drop=False)
    deck = deck_data(frames, SETTINGS, policy=policy, region=REGION, as_of_year=AS_OF)
    prs = Presentation(io.BytesIO(build_deck(deck)))
    deck_cells = {}
    for slide, spec in zip(prs.slides, plan_deck(deck)):
        if spec.kind == "table":
            table = next(s.table for s in slide.shapes if s.has_table)
            deck_cells.update({table.cell(i, 0).text: table.cell(i, 7).text for i in range(1, len(table.rows))})
    doc = Document(io.BytesIO(build_bulletin(bulletin_data(frames, SETTINGS, policy=policy, region=REGION,
                                                           as_of=AS_OF, issued=date(2021, 1, 15)))))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "编号" and t.rows[0].cells[4].text == "结论")
    bulletin = {r.cells[0].text: r.cells[4].text for r in table.rows[1:]}
    out = run_cli("status", "--as-of", str(AS_OF), "--format", "csv", db_path=path)
    assert out.returncode == 0, out.stderr
    cli_rows = {r["code"]: r["status"] for r in csv.DictReader(io.StringIO(out.stdout))}
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides)
    return {"row": status.loc["G01"], "deck": deck_cells["G01"], "bulletin": bulletin["G01"],
            "cli": cli_rows["G01"], "notes": [line for line in notes.splitlines() if line.startswith("G01 ")],
            "basis": words.provisional_basis(status), "data_notes": next(
                spec.extra["lines"] for spec in plan_deck(deck) if spec.kind == "data_notes")}


@pytest.fixture(scope="module")
def first_release(module_app_db):
    with engine_at(module_app_db) as eng:
        db.save_observations(eng, [FIRST], who="测试")
    return module_app_db


def test_the_four_surfaces_say_provisional(first_release):
    said = surfaces(first_release)
    row = said["row"]
    assert (row["status"], row["actual"], row["actual_status"], row["provisional"]) == (
        "unmet", 3.52, "preliminary", True)
    verdict = words.verdict_text(row)
    assert verdict == "暂判未完成（完成 93%，初步数）"      # 3.52 ÷ 3.8 = 92.6 %
    icon = labels.STATUS_BY_KEY["unmet"].icon
    assert said["deck"] == f"{icon} {verdict}"
    assert said["bulletin"] == said["cli"] == verdict
    assert said["notes"] and all(words.notes_line(row) in line for line in said["notes"])
    assert said["basis"] and said["basis"] in said["data_notes"]   # the deck's data notes say what 暂判 means
    at = open_page("areas", AS_OF, REGION)
    shown = frame_by_columns(at, "code", "status_text").set_index("code")
    assert shown.loc["G01", "status_text"] == f"{labels.STATUS_BY_KEY['unmet'].icon} {verdict}"


def test_a_verified_value_makes_the_verdict_final_everywhere(first_release):
    with engine_at(first_release) as eng:
        db.save_observations(eng, [VERIFIED], who="测试")
    said = surfaces(first_release)
    assert (said["row"]["actual"], said["row"]["provisional"]) == (3.55, False)
    assert said["bulletin"] == said["cli"] == "未完成（完成 93%）"
    assert said["deck"].endswith(" 未完成（完成 93%）")
    assert said["notes"] and not any("暂判" in line for line in said["notes"])
