"""The command line: same functions as the app, errors on stderr with a non-zero exit."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, db_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}"}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_targets_csv_lists_every_target(db_path):
    out = run_cli("targets", "--format", "csv", db_path=db_path)
    assert out.returncode == 0, out.stderr
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert len(rows) == 53
    assert (rows["G01"]["value"], rows["G01"]["due_year"], rows["G01"]["clause"]) == ("3.8", "2020", "一（三）1")
    assert (rows["E06"]["tier"], rows["E06"]["value"]) == ("力争", "80.0")
    assert rows["J05"]["value_low"] == "1.0" and rows["J05"]["value_high"] == "2.0"
    assert rows["T01"]["lead_unit"] == "组织部"


def test_tasks_csv_lists_every_task(db_path):
    out = run_cli("tasks", "--format", "csv", db_path=db_path)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 41
    by = {r["clause"]: r for r in rows}
    assert by["三（三）3"]["lead"] == "金融局" and "人行" in by["三（三）3"]["responsible"]


def test_init_on_empty_database(tmp_path):
    out = run_cli("init", "--no-sample", db_path=tmp_path / "new.sqlite")
    assert out.returncode == 0 and "示例数据 0 条" in out.stdout


def test_error_goes_to_stderr_with_nonzero_exit(tmp_path):
    out = run_cli("targets", db_path=tmp_path / "missing" / "deeper" / "x.sqlite")
    assert out.returncode != 0 and out.stderr


@pytest.mark.parametrize("cmd", ["frobnicate"])
def test_unknown_command_fails(cmd, db_path):
    assert run_cli(cmd, db_path=db_path).returncode != 0
