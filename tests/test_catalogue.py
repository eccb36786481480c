"""The catalogue matches the policy document: every number, quote, clause and unit."""
from __future__ import annotations

import re

import pytest

from store import catalogue as cat

POLICY = cat.load_policies()[0]
DOC = POLICY.text()
TARGETS = {t["code"]: t for t in POLICY.targets}


def test_one_policy_file_per_document():
    assert [p.doc_number for p in cat.load_policies()] == ["长政〔2019〕20号"]


def test_target_count():
    assert len(POLICY.targets) >= 40


@pytest.mark.parametrize("code", sorted(TARGETS))
def test_quote_occurs_in_document_and_contains_number(code):
    t = TARGETS[code]
    assert t["quote"] in DOC
    if t.get("also_quote"):
        assert t["also_quote"] in DOC
    if t["kind"] in {"relative", "milestone"}:
        return
    if t["interpreted"]:  # a vague word (e.g. 前列) turned into a number: the note must say so
        assert t["note"] and "理解" in t["note"]
        return
    numbers = ([t["value_low"], t["value_high"]] if t["comparator"] == "range" else [t["value"]])
    for n in numbers:
        assert f"{n:g}" in t["quote"], f"{code}: {n:g} not in quote"


# The numbers the document states, by clause: (clause, indicator, due year or start year, value)
EXPECTED = [
    ("一（三）1", "rd_intensity", 2020, 3.8), ("一（三）1", "hte_count", 2020, 100),
    ("一（三）1", "hti_share", 2020, 90), ("一（三）1", "sei_share", 2020, 90),
    ("一（三）1", "tech_progress_contribution", 2020, 68),
    ("一（三）2", "hte_count", 2019, 80), ("一（三）2", "tsme_count", 2019, 60), ("一（三）2", "tsme_count", 2020, 60),
    ("一（三）2", "hte_reserve", 2019, 50), ("一（三）2", "hte_reserve", 2020, 60),
    ("二（一）2", "hte_reserve", 2020, 80),
    ("一（三）2", "provincial_platforms_new", 2020, 20), ("一（三）2", "national_platforms_new", 2020, 2),
    ("一（三）2", "academician_workstations", 2020, 7), ("一（三）2", "national_talent_new", 2020, 1),
    ("一（三）2", "high_degree_talent_new", 2020, 50), ("一（三）2", "provincial_teams_new", 2020, 2),
    ("一（三）2", "high_end_rd_institutions_new", 2020, 1), ("一（三）2", "major_rd_institutions", 2020, 1),
    ("一（三）2", "provincial_rd_institutions", 2020, 4), ("一（三）2", "tech_transfer_institutions_new", 2020, 1),
    ("一（三）2", "city_projects", 2020, 15), ("一（三）2", "city_projects", 2020, 50),
    ("一（三）2", "provincial_application_projects", 2020, 10), ("一（三）2", "provincial_demo_projects", 2020, 3),
    ("一（三）2", "invention_patents_new", 2020, 50),
    ("二（一）2", "hte_training_sessions", 2020, 1), ("二（一）2", "staff_training_sessions", 2020, 4),
    ("二（一）2", "hte_service_applicants", 2020, 10), ("二（三）3", "hte_provincial_rd_share", 2020, 80),
    ("二（三）3", "city_platforms_new", 2020, 15), ("二（四）1", "city_rd_institutions_new", 2020, 5),
    ("二（四）1", "key_rd_institutions_approved", 2020, 1), ("二（四）1", "provincial_rd_institutions_approved", 2020, 2),
    ("三（二）4", "service_institutions_listed", 2020, 10), ("二（八）1", "crop_varieties_new", 2020, 3),
    ("二（八）1", "star_innovation_carriers", 2020, 5), ("二（八）2", "commissioner_teams", 2020, 1),
    ("二（八）2", "provincial_commissioners", 2020, 5), ("二（八）2", "county_commissioners", 2020, 10),
]


@pytest.mark.parametrize("clause,indicator,year,value", EXPECTED)
def test_every_stated_number_is_a_target(clause, indicator, year, value):
    hits = [t for t in POLICY.targets if t["clause"] == clause and t["indicator"] == indicator
            and t["due_year"] == year and t["value"] == value]
    assert hits, f"missing target {clause} {indicator} {year} {value}"


def test_range_target_for_leading_projects():
    t = next(t for t in POLICY.targets if t["indicator"] == "leading_projects")
    assert (t["comparator"], t["value_low"], t["value_high"]) == ("range", 1, 2)


def test_floor_and_stretch_kept_side_by_side():
    reserve = {t["tier"]: t["value"] for t in POLICY.targets if t["indicator"] == "hte_reserve" and t["due_year"] == 2020}
    assert reserve == {"floor": 60, "stretch": 80}


def test_approximate_targets_are_the_zuoyou_sentences():
    approx = {t["code"] for t in POLICY.targets if t["comparator"] == "approx"}
    assert approx and all("左右" in TARGETS[c]["quote"] for c in approx)
    assert all(t["comparator"] == "approx" for t in POLICY.targets if "左右" in t["quote"])


def test_relative_targets_cover_the_named_indicators():
    rel = {t["indicator"] for t in POLICY.targets if t["kind"] == "relative"}
    assert rel == {"rd_expenditure", "rd_intensity", "hte_count", "hte_new", "patent_applications", "patent_grants",
                   "tech_contract_turnover", "hti_value_added"}
    assert all(t["benchmark"] == "河南省" for t in POLICY.targets if t["kind"] == "relative")


def test_three_headline_ambitions_are_milestones():
    ms = {t["indicator"] for t in POLICY.targets if t["kind"] == "milestone"}
    assert ms == {"zlx_radiation_zone", "innovative_county", "national_hitech_zone"}


def _document_tasks() -> dict[str, tuple[list[str], list[str]]]:
    """Parse the document's tasks (二、三、四) and their 牵头/责任单位 lines independently of the catalogue."""
    part = section = None
    out: dict[str, tuple[list[str], list[str]]] = {}
    current = None
    for raw in DOC.splitlines():
        line = raw.strip().strip("#* ").replace("(", "（").replace(")", "）")
        if m := re.match(r"^([二三四])、", line):
            part, section = m.group(1), None
            continue
        if part == "四" and (m := re.match(r"^（([一二三四五六七八])）", line)):
            current = f"四（{m.group(1)}）"
            out[current] = ([], [])
            continue
        if m := re.match(r"^（([一二三四五六七八])）", line):
            section = m.group(1)
            continue
        if part and section and (m := re.match(r"^(\d)\.", line)):
            current = f"{part}（{section}）{m.group(1)}"
            out[current] = ([], [])
            continue
        if current and (m := re.match(r"^(牵头单位|责任单位)[:：]\s*(.+)$", line)):
            names = [n.strip() for n in m.group(2).split("、")]
            out[current][0 if m.group(1) == "牵头单位" else 1].extend(names)
    return out


def test_every_task_with_the_documents_units():
    doc_tasks = _document_tasks()
    assert len(doc_tasks) == 41
    ours = {t["clause"]: (t["lead"], t["units"]) for t in POLICY.tasks}
    assert ours == doc_tasks


def test_tasks_without_lead_stay_without():
    no_lead = sorted(t["clause"] for t in POLICY.tasks if not t["lead"])
    assert no_lead == ["三（一）3", "三（三）2", "三（二）4", "二（四）2", "四（一）"]


def test_bad_catalogue_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    text = (cat.POLICY_DIR / "changyuan-2019-20.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace('indicator = "rd_intensity"\nkind = "level"', 'indicator = "nope"\nkind = "level"'),
                   encoding="utf-8")
    with pytest.raises(cat.CatalogueError, match="unknown indicator nope"):
        cat.load_policy(bad)


CAGR_TARGET = '''
[[targets]]
code = "Z01"
indicator = "rd_expenditure"
kind = "cagr"
comparator = "{comparator}"
value = {value}
due_year = {due}
clause = "一（三）1"
quote = "全社会研发投入年均增长10%以上"
'''


@pytest.mark.parametrize("comparator, value, due, problem", [
    (">=", 10, 2020, None),                      # 年均增长10%以上 from the policy's base year 2018
    (">", 10, 2020, 'comparator ">="'),
    (">=", 0, 2020, "value > 0"),
    (">=", 10, 2018, "base year"),               # due in the base year itself: no growth to measure
])
def test_cagr_target_validation(tmp_path, comparator, value, due, problem):
    path = tmp_path / "cagr.toml"
    text = (cat.POLICY_DIR / "changyuan-2019-20.toml").read_text(encoding="utf-8")
    path.write_text(text + CAGR_TARGET.format(comparator=comparator, value=value, due=due), encoding="utf-8")
    if problem is None:
        added = cat.load_policy(path).targets[-1]
        assert added["kind"] == "cagr" and added["value"] == 10
    else:
        with pytest.raises(cat.CatalogueError, match=f"Z01: a cagr target needs .*{re.escape(problem)}"):
            cat.load_policy(path)
