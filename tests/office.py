"""LibreOffice for tests: convert a document with `soffice --headless`, reusing one user profile per test process
(the first conversion creates the profile, which takes seconds; later ones reuse it). Each xdist worker has its own
profile directory, so parallel conversions never share one."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

_PROFILE: list[Path] = []


def profile_dir(base: Path) -> Path:
    """The process's profile directory (created under `base` on the first call)."""
    if not _PROFILE:
        _PROFILE.append(base / "lo-profile")
    return _PROFILE[0]


def convert(document: Path, out_dir: Path, fmt: str, profile: Path) -> Path:
    """document → out_dir in fmt (e.g. "pdf", "xlsx", a csv filter string); fails with soffice's stderr."""
    return convert_all([document], out_dir, fmt, profile)[0]


def convert_all(documents: list[Path], out_dir: Path, fmt: str, profile: Path) -> list[Path]:
    """Several documents converted by one soffice run (one start-up instead of one per file), in order."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "needs LibreOffice (scripts/test.sh installs libreoffice-impress, -calc, -writer)"
    done = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", fmt,
                           "--outdir", str(out_dir), *map(str, documents)], capture_output=True, text=True,
                          timeout=600, check=False)
    outs = [out_dir / f"{d.stem}.{fmt.split(':')[0]}" for d in documents]
    assert done.returncode == 0 and all(o.exists() for o in outs), done.stderr
    return outs


def pdf_pages(pdf: Path, out_dir: Path, prefix: str = "slide", dpi: int = 60) -> list[Path]:
    """The PDF's pages as PNG files (poppler's pdftoppm), in page order."""
    assert shutil.which("pdftoppm"), "needs poppler-utils (scripts/test.sh)"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(out_dir / prefix)], check=True, timeout=300)
    return sorted(out_dir.glob(f"{prefix}-*.png"))


def page_size_mm(pdf: Path) -> tuple[int, int]:
    """The PDF's page size in whole millimetres (poppler's pdfinfo): (210, 297) for A4."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    return round(width / 72 * 25.4), round(height / 72 * 25.4)


def pdf_text(pdf: Path) -> str:
    """The PDF's text as laid out (poppler's pdftotext), pages separated by form feeds."""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
