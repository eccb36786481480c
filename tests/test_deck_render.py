"""The deck renders: LibreOffice converts it to PDF without error and poppler draws one page per slide.

Slow (≈10 s); CI runs it. The PNGs stay in shots/deck/ for a person to look at."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation

import db
from deck import build_deck
from deck.data import deck_data
from store import catalogue
from views.policy import load_frames

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def render(pptx: Path, out_dir: Path) -> list[Path]:
    """pptx → PDF (soffice, private profile so parallel runs do not collide) → PNG pages at 60 dpi."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice and shutil.which("pdftoppm"), "needs libreoffice-impress and poppler-utils (scripts/test.sh)"
    profile = (out_dir / "lo-profile").as_uri()
    done = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(out_dir), str(pptx)], capture_output=True, text=True, timeout=300)
    pdf = out_dir / (pptx.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out_dir / "slide")], check=True, timeout=300)
    return sorted(out_dir.glob("slide-*.png"))


@pytest.mark.parametrize("with_sample", [True, False], ids=["builtin", "real-only"])
def test_libreoffice_renders_one_page_per_slide(tmp_path, with_sample):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.init_db(eng, with_sample=with_sample)
    policy = str(db.read_policies(eng)["code"].iloc[0])
    data = deck_data(load_frames(eng), catalogue.load_settings(), policy=policy, region="长垣市", as_of_year=2020)
    eng.dispose()
    pptx = tmp_path / "deck.pptx"
    pptx.write_bytes(build_deck(data))
    slides = len(Presentation(str(pptx)).slides)
    pages = render(pptx, tmp_path)
    assert len(pages) == slides
    assert all(p.stat().st_size > 5_000 for p in pages)  # a blank 800×450 page compresses to far less
    shots = ROOT / "shots" / "deck" / ("builtin" if with_sample else "real-only")
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    for p in pages:
        shutil.copy(p, shots / p.name)
