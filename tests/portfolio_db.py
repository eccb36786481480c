"""A database with two policies: the built-in 长政〔2019〕20号 and the 十五五 test policy imported from
tests/breakdown.py's table through `cli.py policy import` (as a clerk would: the corrected table, readings checked).
The imported policy shares 全社会研发投入强度 (1-1 ↔ G01, R02) and 高新技术企业总数 (2-1 ↔ E01, G02, R03) with the
seed policy; it has no milestones, cagr targets (6-1, 13-1) and almost no data of its own yet."""
from __future__ import annotations

import shutil
from pathlib import Path

import db
from tests import breakdown
from tests.accounts import admin, store_account
from tests.helpers import run_cli

CODE = "CY2026-05"
DOC_NUMBER = "长政〔2026〕5号"
TITLE = "长垣市“十五五”科技创新发展规划"
SHORT_TITLE = "十五五科技规划"
SEED = "CY2019-20"


def with_imported_policy(template_db: Path, path: Path) -> Path:
    """A copy of the built-in database at path, with the 十五五 test policy imported into it (admin 'boss')."""
    shutil.copy(template_db, path)
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        store_account(eng, admin("boss"))
    finally:
        eng.dispose()
    table = path.parent / "分解表.xlsx"
    table.write_bytes(breakdown.xlsx_bytes(clean=True))
    res = run_cli("policy", "import", str(table), "--code", CODE, "--title", TITLE, "--short-title", SHORT_TITLE,
                  "--doc-number", DOC_NUMBER, "--issued", "2026-03-01", "--as", "boss", "--accept-uncertain",
                  db_path=path)
    assert res.returncode == 0, res.stderr
    return path
