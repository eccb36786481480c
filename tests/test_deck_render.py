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
from tests.office import convert_all, pdf_pages
from views.policy import load_frames

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, lo_profile) -> dict[str, tuple[int, list[Path]]]:
    """Both decks (built-in data with samples, published figures only), converted by one soffice run:
    {variant: (slides in the .pptx, PNG pages of its PDF)}."""
    out = tmp_path_factory.mktemp("deck-render")
    decks = {}
    for variant, with_sample in (("builtin", True), ("real-only", False)):
        eng = db.make_engine(f"sqlite:///{out / (variant + '.sqlite')}")
        db.init_db(eng, with_sample=with_sample)
        policy = str(db.read_policies(eng)["code"].iloc[0])
        data = deck_data(load_frames(eng), catalogue.load_settings(), policy=policy, region="长垣市", as_of_year=2020)
        eng.dispose()
        decks[variant] = out / f"{variant}.pptx"
        decks[variant].write_bytes(build_deck(data))
    pdfs = convert_all(list(decks.values()), out, "pdf", lo_profile)
    return {variant: (len(Presentation(str(pptx)).slides), pdf_pages(pdf, out, prefix=variant))
            for (variant, pptx), pdf in zip(decks.items(), pdfs)}


@pytest.mark.parametrize("variant", ["builtin", "real-only"])
def test_libreoffice_renders_one_page_per_slide(rendered, variant):
    slides, pages = rendered[variant]
    assert len(pages) == slides
    assert all(p.stat().st_size > 5_000 for p in pages)  # a blank 800×450 page compresses to far less
    shots = ROOT / "shots" / "deck" / variant
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    for p in pages:
        shutil.copy(p, shots / p.name.replace(f"{variant}-", "slide-"))
