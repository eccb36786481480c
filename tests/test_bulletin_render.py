"""The 督查通报 renders: LibreOffice converts the .docx to an A4 PDF whose text carries the 文号 and 成文日期 asked
for, the title in its two lines, the engine's overdue counts and three annexes, with no heading left at the foot
of a page; poppler draws the pages into shots/bulletin/ for a person to look at. Slow; CI runs it."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bulletin import build_bulletin, bulletin_data
from store import catalogue
from tests.office import convert, page_size_mm, pdf_pages, pdf_text
from views import policy as views_policy
from vocab import labels

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
HEADING = re.compile(r"^[一二三四五六七八九十]、\S+$")


def test_libreoffice_renders_an_a4_bulletin_that_can_be_issued(engine, tmp_path, lo_profile):
    frames = views_policy.load_frames(engine)
    settings = catalogue.load_settings()
    data = bulletin_data(frames, settings, policy="CY2019-20", region="长垣市", as_of="2021-01-01",
                         issued=date(2021, 1, 15), number=3)
    docx = tmp_path / "bulletin.docx"
    docx.write_bytes(build_bulletin(data))
    pdf = convert(docx, tmp_path, "pdf", lo_profile)

    assert page_size_mm(pdf) == (210, 297)

    raw = pdf_text(pdf)
    lines = [x.strip() for x in raw.splitlines() if x.strip()]
    assert "关于全市创新驱动目标任务" in lines and "落实情况的督查通报" in lines  # two lines, none alone
    text = re.sub(r"\s+", "", raw)
    assert "长科督〔2021〕3号" in text and "2021年1月15日" in text and labels.SAMPLE_MARK in text
    assert f"尚未完成的重点任务{len(data.overdue_tasks)}项" in text
    assert f"尚未完成的推进节点{len(data.overdue_milestones)}个" in text
    assert all(f"附件{i}" in text for i in (1, 2, 3))
    for page in raw.split("\f"):  # no level-1 heading is the last line of a page (above the page number)
        body = [x.strip() for x in page.splitlines() if x.strip() and not re.fullmatch(r"—\s*\d+\s*—", x.strip())]
        assert not body or not HEADING.match(body[-1]), body[-1]

    pages = pdf_pages(pdf, tmp_path, prefix="page")
    assert len(pages) >= 5 and all(p.stat().st_size > 5_000 for p in pages)
    shots = ROOT / "shots" / "bulletin"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    for p in pages:
        shutil.copy(p, shots / p.name)
