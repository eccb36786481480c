"""Milestone plans (data/policies/*.milestones.toml) and the audited 督办 writes: edit, chase."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

import db
from store import catalogue
from store.plans import load_plan, plan_path
from supervision import actions
from vocab.accounts import Account, PermissionDenied

POLICY = "CY2019-20"
INSPECTOR = Account("ducha01", "督查员甲", "inspector", ())
ADMIN = Account("admin01", "领导甲", "admin", ())
EDITOR = Account("keji01", "科工信填报员", "editor", ("科工信局",))
VIEWER = Account("view01", "查看员", "viewer", ())


def policy():
    return next(p for p in catalogue.load_policies() if p.code == POLICY)


def test_builtin_plan_has_four_half_year_milestones_per_task_marked_sample():
    pol = policy()
    plan = load_plan(pol)
    assert plan.is_sample
    assert len(plan.milestones) == 4 * len(pol.tasks) == 164
    dues = {m["due"] for m in plan.milestones}
    assert dues == {date(2019, 6, 30), date(2019, 12, 31), date(2020, 6, 30), date(2020, 12, 31)}


def test_milestones_file_is_not_read_as_a_policy():
    assert [p.code for p in catalogue.load_policies()] == [POLICY]


def test_policy_without_a_milestones_file_has_none(tmp_path):
    pol = policy()
    shutil.copy(pol.path, tmp_path / pol.path.name)
    copy = catalogue.load_policy(tmp_path / pol.path.name)
    assert plan_path(copy) == tmp_path / "changyuan-2019-20.milestones.toml"
    assert load_plan(copy).milestones == []


@pytest.mark.parametrize("entry, message", [
    ('clause = "九（九）9"\ntitle = "x"\ndue = 2020-06-30', "任务条款 '九（九）9' 不在政策文件的任务中"),
    ('clause = "二（一）1"\ntitle = ""\ndue = 2020-06-30', "缺少节点名称"),
    ('clause = "二（一）1"\ntitle = "x"\ndue = "六月底"', "截止日期 due 应为日期"),
    ('clause = "二（一）1"\ntitle = "x"\ndue = 2020-06-30\nstatus = "finished"', "status 'finished'"),
    ('clause = "二（一）1"\ntitle = "x"\ndue = 2020-06-30\nstatus = "done"', "须填写完成日期"),
    ('clause = "二（一）1"\ntitle = "x"\ndue = 2020-06-30\ncompleted_on = 2020-06-01', "不应有完成日期"),
])
def test_bad_plan_entries_are_named(tmp_path, entry, message):
    path = tmp_path / "p.milestones.toml"
    path.write_text(f'policy = "{POLICY}"\n[[milestones]]\n{entry}\n', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError) as err:
        load_plan(policy(), path)
    assert message in str(err.value) and "p.milestones.toml" in str(err.value) and "第 1 个节点" in str(err.value)


def test_repeated_milestone_is_refused(tmp_path):
    path = tmp_path / "p.milestones.toml"
    one = '[[milestones]]\nclause = "二（一）1"\ntitle = "x"\ndue = 2020-06-30\n'
    path.write_text(f'policy = "{POLICY}"\n{one}{one}', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="第 2 个节点.*重复"):
        load_plan(policy(), path)


def test_init_loads_milestones_once_with_default_lead_units(engine):
    m = db.read_milestones(engine, POLICY)
    assert len(m) == 164 and m["is_sample"].all()
    first = m.loc[m["clause"] == "二（一）1"].iloc[0]
    assert first["units"] == ["科工信局"] and first["due_date"] == first["original_due_date"] == date(2019, 6, 30)
    no_lead = m.loc[m["clause"] == "四（一）"].iloc[0]
    assert no_lead["units"] == ["市直有关部门"]  # no lead unit: the responsible units
    before = db.dump(engine)
    db.init_db(engine)
    assert db.dump(engine) == before


def test_no_sample_init_loads_no_sample_plans(tmp_path):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    db.init_db(eng, with_sample=False)
    assert db.read_milestones(eng).empty
    eng.dispose()


def _one(engine, clause="二（一）1", title="完成2020年上半年工作计划"):
    m = db.read_milestones(engine, POLICY)
    return m.loc[(m["clause"] == clause) & (m["title"] == title)].iloc[0]


@pytest.mark.parametrize("account", [EDITOR, VIEWER, None])
def test_only_inspectors_and_admins_edit_milestones(engine, account):
    m = _one(engine)
    before = db.dump(engine)
    with pytest.raises(PermissionDenied, match="督查|登录"):
        actions.edit_milestones_as(engine, account, [{"milestone_id": m["milestone_id"], "evidence": "x"}])
    assert db.dump(engine) == before


def test_edit_milestone_is_audited_and_versioned(engine):
    m = _one(engine)
    n = actions.edit_milestones_as(engine, INSPECTOR, [{"milestone_id": m["milestone_id"], "expected_version": 1,
                                                        "status": "done", "completed_on": date(2020, 6, 28),
                                                        "evidence": "验收报告"}])
    after = _one(engine)
    assert n == 1 and after["status"] == "done" and after["version"] == 2
    log = db.read_audit(engine, entity="milestone", limit=1).iloc[0]
    assert log["who"] == "ducha01" and log["new"]["evidence"] == "验收报告" and log["old"]["status"] == "in_progress"


@pytest.mark.parametrize("change, message", [
    ({"status": "done"}, "须填写完成日期"),
    ({"completed_on": date(2020, 6, 1)}, "不应填写完成日期"),
    ({"units": ["科技部"]}, "科技部"),
    ({"units": []}, "责任单位不能为空"),
    ({"title": " "}, "节点名称不能为空"),
    ({"status": "late"}, "状态“late”无效"),
    ({"expected_version": 7, "evidence": "x"}, "已被他人修改"),
])
def test_bad_milestone_edits_write_nothing(engine, change, message):
    m = _one(engine)
    before = db.dump(engine)
    with pytest.raises(db.MilestoneError, match=message) as err:
        actions.edit_milestones_as(engine, ADMIN, [{"milestone_id": m["milestone_id"], **change}])
    assert "完成2020年上半年工作计划" in str(err.value)
    assert db.dump(engine) == before


def test_plan_correction_moves_the_original_date_too(engine):
    m = _one(engine)
    actions.edit_milestones_as(engine, ADMIN, [{"milestone_id": m["milestone_id"], "due_date": date(2020, 7, 15)}])
    after = _one(engine)
    assert after["due_date"] == after["original_due_date"] == date(2020, 7, 15)


def test_chase_is_recorded_and_audited(engine):
    m = _one(engine)
    actions.chase_as(engine, INSPECTOR, m["milestone_id"], "科工信局", "请于6月30日前报送")
    chases = db.read_chases(engine, POLICY)
    assert chases[["milestone_id", "who", "unit", "message"]].values.tolist() == [
        [m["milestone_id"], "ducha01", "科工信局", "请于6月30日前报送"]]
    assert db.read_audit(engine, entity="chase").iloc[0]["who"] == "ducha01"


@pytest.mark.parametrize("account, unit, title, error", [
    (EDITOR, "科工信局", "完成2020年上半年工作计划", PermissionDenied),
    (None, "科工信局", "完成2020年上半年工作计划", PermissionDenied),
    (INSPECTOR, "组织部", "完成2020年上半年工作计划", db.MilestoneError),   # not a responsible unit
    (INSPECTOR, "科工信局", "完成2019年上半年工作计划", db.MilestoneError),   # already done
])
def test_refused_chases_write_nothing(engine, account, unit, title, error):
    m = _one(engine, title=title)
    before = db.dump(engine)
    with pytest.raises(error):
        actions.chase_as(engine, account, m["milestone_id"], unit, "催")
    assert db.dump(engine) == before


def test_readme_mentions_the_milestones_file():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert ".milestones.toml" in readme
