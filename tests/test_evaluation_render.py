"""The 终期评估报告 renders: LibreOffice converts the .docx of 长政〔2019〕20号 to an A4 PDF carrying the 文号, the
成文日期, the title, every section and the annex, the carry-over into the imported 十五五 policy, the charts as
images, no heading left at the foot of a page and the signature never alone on a page; poppler draws the pages into
shots/evaluation/ for a person to look at. Slow; CI runs it (one conversion)."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from evaluation import build_evaluation, evaluation_data
from evaluation.sections import SECTIONS
from store import catalogue
from tests.helpers import engine_at
from tests.office import convert, page_size_mm, pdf_pages, pdf_text
from tests.portfolio_db import DOC_NUMBER, with_imported_policy
from views import policy as views
from vocab import labels

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
HEADING = re.compile(r"^[一二三四五六七八九十]、\S+$")


def test_libreoffice_renders_the_closing_evaluation(template_db, tmp_path, lo_profile):
    # with the 十五五 test policy imported, so that the carry-over table is there to look at
    with engine_at(with_imported_policy(template_db, tmp_path / "tracker.sqlite")) as eng:
        frames = views.load_frames(eng)
    data = evaluation_data(frames, catalogue.load_settings(), policy="CY2019-20", issued=date(2021, 3, 15), number=1)
    docx = tmp_path / "evaluation.docx"
    docx.write_bytes(build_evaluation(data))
    pdf = convert(docx, tmp_path, "pdf", lo_profile)

    assert page_size_mm(pdf) == (210, 297)

    raw = pdf_text(pdf)
    text = re.sub(r"\s+", "", raw)
    assert "长科评〔2021〕1号" in text and "2021年3月15日" in text and labels.SAMPLE_MARK in text
    assert "关于《长垣市人民政府关于实施河南省创新驱动提速增效工程的意见》实施情况的终期评估报告" in text
    assert all(f"{n}、{name}" in text for n, (name, _) in zip("一二三四五六七", SECTIONS))
    assert "附件" in text and "重点任务完成情况表" in text
    assert "中继续设定目标" in text and DOC_NUMBER in text    # 六、与后续政策的衔接: the table
    pages = raw.split("\f")
    for page in pages:  # no level-1 heading is the last line of a page (above the page number)
        body = [x.strip() for x in page.splitlines() if x.strip() and not re.fullmatch(r"—\s*\d+\s*—", x.strip())]
        assert not body or not HEADING.match(body[-1]), body[-1]
    signed = next(p for p in pages if "2021 年 3 月 15 日" in p or "2021年3月15日" in re.sub(r"\s+", "", p))
    assert "附件：" in signed                        # the signature stands with the 附件 list, never alone

    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len([x for x in images.splitlines()[2:] if x.strip()]) == len(data.charted) == 8

    shots = pdf_pages(pdf, tmp_path, prefix="page")
    assert len(shots) >= 10 and all(p.stat().st_size > 5_000 for p in shots)
    out = ROOT / "shots" / "evaluation"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for p in shots:
        shutil.copy(p, out / p.name)
