"""The 督查通报 renders: LibreOffice converts the .docx to an A4 PDF whose text names the engine's criticised units
and overdue count; poppler draws the pages into shots/bulletin/ for a person to look at. Slow; CI runs it."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from bulletin import build_bulletin, bulletin_data
from store import catalogue
from tests.office import convert, pdf_pages
from views import policy as views
from vocab import labels

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_libreoffice_renders_an_a4_bulletin_with_the_engines_units_and_counts(engine, tmp_path, lo_profile):
    frames = views.load_frames(engine)
    policy = views.default_policy(frames)
    settings = catalogue.load_settings()
    data = bulletin_data(frames, settings, policy=policy, region="长垣市", as_of=2020, issued=date(2021, 1, 8))
    docx = tmp_path / "bulletin.docx"
    docx.write_bytes(build_bulletin(data))
    pdf = convert(docx, tmp_path, "pdf", lo_profile)

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)

    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    card = views.scorecard_at(frames, settings, policy, "长垣市", 2020)[2]
    criticised = list(card.loc[card["group"] == labels.CRITICISE, "unit"])
    assert criticised and all(f"{u}。得分" in text for u in criticised)
    ledger = views.policy_ledger(frames, policy, 2020)
    assert f"重点任务{int((ledger['status'] == 'overdue').sum())}项" in text
    assert "长科督〔2020〕1号" in text and labels.SAMPLE_MARK in text

    pages = pdf_pages(pdf, tmp_path, prefix="page")
    assert len(pages) >= 2 and all(p.stat().st_size > 5_000 for p in pages)
    shots = ROOT / "shots" / "bulletin"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    for p in pages:
        shutil.copy(p, shots / p.name)
