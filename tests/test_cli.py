"""The command line: same functions as the app, errors on stderr with a non-zero exit."""
from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from tests.helpers import ROOT, run_cli


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


def test_the_script_runs_as_a_process(db_path):
    """The one test that runs cli.py as a process: the entry point, exit code and stderr of a real run."""
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "cli.py", "tasks", "--policy", "无此政策"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    ok = subprocess.run([sys.executable, "cli.py", "targets", "--format", "csv"], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.startswith("code,")
    assert done.returncode == 0 or done.stderr
