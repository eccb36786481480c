"""The store: idempotent loading, audited changes, compare-and-set, revert, built-in data honesty."""
from __future__ import annotations

import shutil

import pytest

import db
from store import catalogue as cat


def test_loading_twice_changes_nothing(engine):
    before = db.dump(engine)
    db.init_db(engine)
    assert db.dump(engine) == before


def test_sqlite_has_wal_and_foreign_keys(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_changed_target_is_updated_and_audited(engine, tmp_path):
    folder = tmp_path / "policies"
    shutil.copytree(cat.POLICY_DIR, folder)
    f = folder / "changyuan-2019-20.toml"
    f.write_text(f.read_text(encoding="utf-8").replace(
        'code = "T01"\nindicator = "academician_workstations"\nkind = "level"\ncomparator = ">="\nvalue = 7',
        'code = "T01"\nindicator = "academician_workstations"\nkind = "level"\ncomparator = ">="\nvalue = 8'),
        encoding="utf-8")
    db.load_catalogue(engine, cat.load_policy(f))
    t = db.read_targets(engine).set_index("code")
    assert t.loc["T01", "value"] == 8
    log = db.read_audit(engine, entity="target", key_contains="T01")
    assert log.iloc[0]["old"] == {"value": 7.0} and log.iloc[0]["new"] == {"value": 8}


def test_every_target_and_task_loaded(engine):
    assert len(db.read_targets(engine)) == len(cat.load_policies()[0].targets)
    tasks = db.read_tasks(engine).set_index("clause")
    assert len(tasks) == 41
    assert tasks.loc["二（五）3", "lead"] == "发改委"
    assert tasks.loc["二（四）2", "lead"] == ""


def test_unit_aliases_normalised_but_spelling_kept(engine):
    units = db.read_task_units(engine)
    row = units[(units.clause == "三（二）1") & (units.display_name == "县委组织部")].iloc[0]
    assert row["department"] == "组织部"


def test_builtin_real_values_carry_sources_and_sample_values_are_marked(engine):
    obs = db.read_observations(engine)
    real = obs[~obs.is_sample]
    assert len(real) >= 12
    assert (real["source"].str.len() > 10).all()
    hn = real[(real.region == "河南省") & (real.indicator == "rd_expenditure") & (real.year == 2020)]
    assert hn["value"].tolist() == [901.27]
    assert obs[obs.is_sample]["source"].str.contains("示例数据").all()
    assert set(obs[obs.region == "长垣市"]["year"]) >= {2016, 2017, 2018, 2019, 2020}


def test_no_sample_init_loads_only_real_values(tmp_path):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    db.init_db(eng, with_sample=False)
    obs = db.read_observations(eng)
    assert len(obs) > 0 and not obs["is_sample"].any()
    assert db.read_progress(eng).empty


def _row(value, **kw):
    return {"region": "长垣市", "indicator": "hte_count", "year": 2020, "quarter": 0, "value": value,
            "source": "科工信局统计", "is_sample": False, **kw}


def test_update_is_audited_with_old_and_new(engine):
    db.save_observations(engine, [_row(97)], who="张三", reason="核对")
    entry = db.read_audit(engine, entity="observation").iloc[0]
    assert entry["who"] == "张三" and entry["old"]["value"] == 95 and entry["new"]["value"] == 97
    assert entry["entity_key"] == "长垣市/hte_count/2020"


def test_second_save_of_same_version_is_refused(engine):
    obs = db.read_observations(engine, ["长垣市"], ["hte_count"]).set_index("year")
    seen = int(obs.loc[2020, "version"])
    db.save_observations(engine, [_row(96, expected_version=seen)], who="甲")
    with pytest.raises(db.ConcurrentEditError, match="已被“甲”修改"):
        db.save_observations(engine, [_row(98, expected_version=seen)], who="乙")
    assert db.read_observations(engine, ["长垣市"], ["hte_count"]).set_index("year").loc[2020, "value"] == 96


def test_failed_batch_writes_nothing(engine):
    before = db.dump(engine)
    with pytest.raises(db.ConcurrentEditError):
        db.save_observations(engine, [_row(1, year=2021, expected_version=None),
                                      _row(2, expected_version=999)], who="甲")
    assert db.dump(engine) == before


def test_revert_restores_and_is_logged(engine):
    db.save_observations(engine, [_row(99)], who="甲")
    change = int(db.read_audit(engine, entity="observation").iloc[0]["id"])
    db.revert_change(engine, change, who="管理员")
    assert db.read_observations(engine, ["长垣市"], ["hte_count"]).set_index("year").loc[2020, "value"] == 95
    top = db.read_audit(engine, entity="observation").iloc[0]
    assert top["action"] == "revert" and top["reverts_id"] == change


def test_revert_refused_when_value_changed_again(engine):
    db.save_observations(engine, [_row(99)], who="甲")
    first = int(db.read_audit(engine, entity="observation").iloc[0]["id"])
    db.save_observations(engine, [_row(100)], who="乙")
    with pytest.raises(db.ConcurrentEditError):
        db.revert_change(engine, first, who="管理员")


def test_delete_then_revert(engine):
    db.delete_observation(engine, "长垣市", "hte_count", 2020, 0, who="甲", reason="误填")
    assert 2020 not in set(db.read_observations(engine, ["长垣市"], ["hte_count"])["year"])
    db.revert_change(engine, int(db.read_audit(engine, entity="observation").iloc[0]["id"]), who="管理员")
    assert 2020 in set(db.read_observations(engine, ["长垣市"], ["hte_count"])["year"])


def test_data_version_moves_on_every_write(engine):
    v = db.data_version(engine)
    db.save_observations(engine, [_row(96)], who="甲")
    assert db.data_version(engine) > v

