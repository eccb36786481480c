"""The deck renders: LibreOffice converts it to PDF without error and poppler draws one page per slide.

Slow (≈10 s); CI runs it. The PNGs stay in shots/deck/ for a person to look at."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pptx import Presentation

import db
from deck import build_deck
from deck.data import deck_data
from store import catalogue
from tests.office import convert, pdf_pages
from views.policy import load_frames

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def render(pptx: Path, out_dir: Path, profile: Path) -> list[Path]:
    """pptx → PDF (soffice) → PNG pages at 60 dpi."""
    return pdf_pages(convert(pptx, out_dir, "pdf", profile), out_dir)


@pytest.mark.parametrize("with_sample", [True, False], ids=["builtin", "real-only"])
def test_libreoffice_renders_one_page_per_slide(tmp_path, with_sample, lo_profile):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.init_db(eng, with_sample=with_sample)
    policy = str(db.read_policies(eng)["code"].iloc[0])
    data = deck_data(load_frames(eng), catalogue.load_settings(), policy=policy, region="长垣市", as_of_year=2020)
    eng.dispose()
    pptx = tmp_path / "deck.pptx"
    pptx.write_bytes(build_deck(data))
    slides = len(Presentation(str(pptx)).slides)
    pages = render(pptx, tmp_path, lo_profile)
    assert len(pages) == slides
    assert all(p.stat().st_size > 5_000 for p in pages)  # a blank 800×450 page compresses to far less
    shots = ROOT / "shots" / "deck" / ("builtin" if with_sample else "real-only")
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    for p in pages:
        shutil.copy(p, shots / p.name)
