"""Layers point one way: vocab/ at the bottom imports nothing of ours; metrics/ only vocab/; store/ only vocab/
(roles are checked above it, in access/). Read from the source's import statements (AST), no module is run."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} | {"db", "cli", "app"}
ALLOWED = {"vocab": {"vocab"}, "metrics": {"metrics", "vocab"}, "store": {"store", "vocab"}}


def imported_packages(path: Path) -> set[str]:
    """The top-level names of our packages a module imports (anywhere in the file, function bodies included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names & OURS


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_is_below_it(layer):
    wrong = {f"{p.relative_to(ROOT)} → {name}" for p in (ROOT / layer).rglob("*.py")
             for name in imported_packages(p) - ALLOWED[layer]}
    assert not wrong, sorted(wrong)


def test_the_scan_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom views import policy\n\ndef f():\n    from access import guard\n", encoding="utf-8")
    assert imported_packages(module) == {"views", "access"}
