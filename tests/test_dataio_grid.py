"""The entry grid as data: stored values shown as typed, only changed or added rows validated, versions kept."""
from __future__ import annotations

import pandas as pd

import db
from dataio.grid import grid_entries, grid_frame, seen_versions, value_text


def test_values_shown_as_typed():
    assert [value_text(95.0), value_text(3.8), value_text(901.27), value_text(1.0, ["未启动", "申报中", "已获批"])] == [
        "95", "3.8", "901.27", "申报中"]


def test_only_changed_and_added_rows_become_entries(engine):
    base = grid_frame(db.read_observations(engine), "长垣市", "hte_count", [])
    assert list(base["period"]) == ["2016", "2017", "2018", "2019", "2020"]
    edited = base[["period", "value", "source", "note"]].copy()
    edited.loc[4, "value"] = "102"
    edited = pd.concat([edited, pd.DataFrame([{"period": "2021", "value": "110", "source": "x", "note": None},
                                              {"period": None, "value": None, "source": None, "note": None}])])
    entries = grid_entries(base, edited, "长垣市", "hte_count")
    assert [(e.row, e.period, e.value, e.code, e.region) for e in entries] == [
        (5, "2020", "102", "hte_count", "长垣市"), (6, "2021", "110", "hte_count", "长垣市")]
    versions = seen_versions(base, "长垣市", "hte_count")
    assert versions[("长垣市", "hte_count", 2020, 0)] == 1 and len(versions) == 5
