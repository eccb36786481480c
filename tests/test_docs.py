"""The README documents every CLI command and starts with the two commands CI runs."""
from __future__ import annotations

from pathlib import Path

import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_names_every_cli_command():
    missing = [name for name in cli.COMMANDS if f"cli.py {name}" not in README]
    assert not missing, f"README does not document: {missing}"


def test_readme_starts_with_the_two_commands():
    blocks = README.split("```")
    assert "scripts/run.sh" in blocks[1] and "scripts/test.sh" in blocks[3]


def test_readme_layout_lists_every_top_level_folder():
    root = Path(__file__).resolve().parent.parent
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    folders = [p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
               and p.name not in ("var", "shots", "out") and any(p.iterdir())]
    missing = [f for f in folders if f"`{f}/`" not in layout]
    assert not missing, f"README's layout table does not list: {missing}"
