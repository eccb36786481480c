"""数据填报's indicator lists and the template they download (dataio.indicator_lists, dataio.template): a tab and its
template count the same indicators, for a clerk and for an admin; a department's list is its policy's, never every
policy's; the template's instructions count the rows of its sheets."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

import db
from access import guard
from dataio.indicator_lists import entry_indicators
from dataio.template import build_template
from tests.accounts import admin, editor
from views.policy import load_catalogue_frames

POLICY = "CY2019-20"


@pytest.fixture(scope="module")
def frames(template_db):
    eng = db.make_engine(f"sqlite:///{template_db}")
    yield eng, load_catalogue_frames(eng)
    eng.dispose()


def template_codes(data: bytes) -> list[str]:
    """The indicator codes on the area sheets of a template, and the count its instructions state."""
    wb = load_workbook(io.BytesIO(data))
    return [ws.cell(row=r, column=1).value for ws in wb.worksheets[1:] for r in range(4, ws.max_row + 1)
            if ws.cell(row=r, column=1).value]


def stated_count(data: bytes) -> int:
    text = next(str(c.value) for c in load_workbook(io.BytesIO(data))["说明"]["A"] if "共 " in str(c.value or ""))
    return int(text.split("共 ")[1].split(" 个")[0])


@pytest.mark.parametrize("account, departments, expected", [
    (editor("科工信局"), ["科工信局"], 46),   # the clerk's own: what 本单位填报 and the clerk's 逐项填报 list
    (admin(), None, 50),                     # 46 targeted + 4 context indicators (地区生产总值 …)
    (admin(), ["组织部"], 7),                 # an admin's 本单位填报 of 组织部
])
def test_the_template_holds_exactly_the_listed_indicators(frames, account, departments, expected):
    eng, f = frames
    scope = guard.write_scope(eng, account)
    writable = scope.indicators if account.role == "editor" else None
    codes = entry_indicators(f["indicators"], f["targets"], POLICY, departments=departments, writable=writable)
    data = build_template(eng, POLICY, "长垣市", range(2018, 2021), indicators=codes,
                          department="、".join(departments or []))
    assert len(codes) == expected
    assert sorted(template_codes(data)) == sorted(codes) and stated_count(data) == expected


def test_the_template_names_no_command():
    """The instructions a clerk reads name the page, never a command line or a file of the program."""
    from pathlib import Path

    from dataio import template
    source = Path(template.__file__).read_text(encoding="utf-8")
    assert "cli.py" not in source and "python " not in source


def test_a_departments_list_is_its_policys_only():
    """A clerk's scope spans every policy; the list of a policy's tab holds that policy's indicators only."""
    indicators = pd.DataFrame({"code": ["a", "b", "c", "gdp"]})
    targets = pd.DataFrame({"policy": ["P1", "P2", "P2"], "indicator": ["a", "b", "c"],
                            "lead_units": ["科工信局", "科工信局", "组织部"], "responsible_units": ["", "", "科工信局"]})
    writable = {"a", "b", "c"}
    assert entry_indicators(indicators, targets, "P1", departments=["科工信局"], writable=writable) == ["a"]
    assert entry_indicators(indicators, targets, "P2", departments=["科工信局"], writable=writable) == ["b", "c"]
    assert entry_indicators(indicators, targets, "P2", departments=["组织部"], writable={"b"}) == []
    assert entry_indicators(indicators, targets, "P1") == ["a", "gdp"]  # a policy's own plus the context ones
