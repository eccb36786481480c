"""The house stays readable: no project Python file (tests included) is over 400 lines — a file that grows past it
is doing several jobs and is split along them."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400
SKIP = {".venv", "var", ".git", "node_modules", "__pycache__", "shots", "out"}


def project_files(root: Path = ROOT) -> list[Path]:
    """Every .py file of the project (not the virtualenv, data or output folders)."""
    return sorted(p for p in root.rglob("*.py") if not SKIP & set(p.relative_to(root).parts))


def test_no_python_file_is_over_400_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in project_files()}
    assert len(sizes) > 100   # the walk found the project
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
