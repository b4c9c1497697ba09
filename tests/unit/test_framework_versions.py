"""Framework versions, pure: ``replaces`` checked with file and line, the diff of two
hand-built versions (rename, split, merge, retire), evidence carried along the mapping
(a merge keeps the highest, a split copies to each), and titles from the version in force.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.adapters.framework_files import parse_framework
from trellis.domain.carry_forward import carry_forward
from trellis.domain.events import Assessed, Assessor, Demonstrated, Event, Hire, SkillStep
from trellis.domain.framework import Framework
from trellis.domain.framework_diff import ChangeKind, diff_frameworks, replaces_problems
from trellis.domain.framework_versions import FrameworkVersions, VersionDate
from trellis.domain.profile import fold
from trellis.errors import FrameworkInvalid

D = date.fromisoformat

FIXTURES = Path(__file__).parent.parent / "fixtures"
V1 = (FIXTURES / "acme-v1.yaml").read_text(encoding="utf-8")
# acme-v2: python renamed coding; sql + testing merged into quality; docs split into writing
# and diagrams; ops retired; security added. comms.1 renamed (and reworded), comms.2
# reworded, comms.3 + comms.4 merged into comms.lead; comms.5 added. eng2 retitled, level
# L2 renamed.
V2 = (FIXTURES / "acme-v2.yaml").read_text(encoding="utf-8")


def load(text: str) -> Framework:
    return parse_framework(text, "acme.yaml")[0]


def problems(text: str) -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, "acme.yaml")
    return [str(p) for p in caught.value.problems]


# --- the file's own checks


def test_an_item_replacing_itself_or_an_id_twice_is_refused_with_its_line() -> None:
    text = V2.replace("replaces: [python]", "replaces: [coding]").replace(
        "replaces: [sql, testing]", "replaces: [sql, sql]")
    assert problems(text) == [
        "acme.yaml:13: skill_bands[0].competencies[0].replaces[0]: 'coding' cannot replace "
        "itself",
        "acme.yaml:14: skill_bands[0].competencies[1].replaces[1]: 'sql' is listed twice",
    ]


def test_a_replaces_cycle_is_refused_with_its_line() -> None:
    text = V1.replace("{id: python, name: Python}", "{id: python, name: Python, replaces: [sql]}"
                      ).replace("{id: sql, name: SQL}", "{id: sql, name: SQL, replaces: [python]}")
    assert problems(text) == [
        "acme.yaml:14: skill_bands[0].competencies[1].replaces: replaces cycle: "
        "python -> sql -> python"]


def test_a_replaces_pointing_nowhere_is_named_by_path() -> None:
    new = load(V2.replace("replaces: [comms.3, comms.4]", "replaces: [comms.3, comms.9]"))
    found = replaces_problems(load(V1), new, "acme v1")
    assert [f"{p.path}: {p.message}" for p in found] == [
        "topics[0].criteria[2].replaces[1]: 'comms.9' is not one of the criteria of acme v1"]
    assert next(p.message for p in replaces_problems(None, new)) == (
        "'python' points nowhere: no version of 'acme' is loaded yet")


def test_merges_and_splits_are_legal() -> None:
    assert replaces_problems(load(V1), load(V2)) == []


# --- the diff


def test_the_diff_names_every_change() -> None:
    found = diff_frameworks(load(V1), load(V2))
    assert [c.describe() for c in found.changes] == [
        "level L2: name changed",
        "role eng1: expects changed",
        "role eng2: title, expects changed",
        "competency python renamed to coding (name changed)",
        "competency sql, testing merged into quality",
        "competency security added",
        "competency docs split into writing, diagrams",
        "competency ops retired (nothing replaces it)",
        "criterion comms.1 renamed to comms.status (text changed)",
        "criterion comms.2: text changed",
        "criterion comms.3, comms.4 merged into comms.lead",
        "criterion comms.5 added",
    ]
    assert found.competencies.targets == {
        "python": ("coding",), "sql": ("quality",), "testing": ("quality",),
        "docs": ("writing", "diagrams")}
    assert found.competencies.retired == {"ops"}
    assert found.criteria.retired == frozenset()


def test_merging_into_a_kept_item_and_splitting_off_a_kept_one() -> None:
    # sql is kept and absorbs testing; docs is kept and also copied to writing
    v2 = V1.replace("{id: sql, name: SQL}", "{id: sql, name: SQL, replaces: [testing]}"
                    ).replace("{id: testing, name: Testing}",
                              "{id: writing, name: Writing, replaces: [docs]}")
    found = diff_frameworks(load(V1), load(v2))
    assert [c.describe() for c in found.changes if c.item.value == "competency"] == [
        "competency sql, testing merged into sql",
        "competency docs split into docs, writing",
    ]
    assert not found.of_kind(ChangeKind.RETIRED)


# --- carrying evidence forward

EFFECTIVE = D("2025-01-01")


class Ledger:
    def __init__(self) -> None:
        self.v1, self.v2 = load(V1), load(V2)
        self.frameworks = FrameworkVersions(
            {1: self.v1, 2: self.v2},
            [VersionDate(1, "acme", 1, None), VersionDate(2, "acme", 2, EFFECTIVE)])
        self.ids = count(1)
        self.events = [self.add("2023-01-02", Hire("eng1"))]

    def add(self, on: str, details: object, evidence: str | None = None,
            version: int = 1) -> Event:
        event = Event(next(self.ids), 1, D(on), details, datetime(2024, 1, 1),  # type: ignore[arg-type]
                      "ada", evidence, framework_version=version)
        if hasattr(self, "events"):
            self.events.append(event)
        return event

    def step(self, on: str, competency: str, a: int, b: int) -> None:
        self.add(on, SkillStep(competency, a, b))

    def carry(self) -> list[tuple[str, object, str]]:
        found = carry_forward(1, self.events, self.frameworks, new_version=2,
                              effective=EFFECTIVE, competencies=self.diff.competencies,
                              criteria=self.diff.criteria, previous="acme v1")
        for c in found:
            self.add(c.on.isoformat(), c.details, c.evidence, version=2)
        return [(c.on.isoformat(), c.details, c.evidence) for c in found]

    @property
    def diff(self):  # type: ignore[no-untyped-def]
        return diff_frameworks(self.v1, self.v2)


def test_a_rename_a_merge_and_a_split_carry_mastery() -> None:
    ledger = Ledger()
    ledger.step("2023-03-01", "python", 0, 2)  # event 2
    ledger.step("2023-04-01", "sql", 0, 1)  # 3
    ledger.step("2023-05-01", "testing", 0, 3)  # 4: the merge keeps the highest: 3
    ledger.step("2023-06-01", "docs", 0, 2)  # 5: copied to writing and to diagrams
    ledger.step("2023-07-01", "ops", 0, 4)  # 6: retired, carried nowhere
    assert ledger.carry() == [
        ("2025-01-01", SkillStep("coding", 0, 2), "carried from acme v1: 'python' at mastery 2 "
         "(event 2)"),
        ("2025-01-01", SkillStep("quality", 0, 3), "carried from acme v1: 'testing' at "
         "mastery 3 (event 4)"),
        ("2025-01-01", SkillStep("writing", 0, 2), "carried from acme v1: 'docs' at mastery 2 "
         "(event 5)"),
        ("2025-01-01", SkillStep("diagrams", 0, 2), "carried from acme v1: 'docs' at mastery "
         "2 (event 5)"),
    ]
    after = fold(1, ledger.events, ledger.frameworks, D("2025-06-01"))
    assert {c: layer.mastery for c, layer in after.mastery.items()} == {
        "python": 2, "sql": 1, "testing": 3, "docs": 2, "ops": 4,  # history stays
        "coding": 2, "quality": 3, "writing": 2, "diagrams": 2}
    before = fold(1, ledger.events, ledger.frameworks, D("2024-12-31"))
    assert set(before.mastery) == {"python", "sql", "testing", "docs", "ops"}
    assert (before.framework_version, after.framework_version) == (1, 2)
    assert ledger.carry() == []  # carrying again finds nothing new


def test_criteria_carry_the_latest_demonstration_and_the_highest_assessment_per_assessor(
) -> None:
    ledger = Ledger()
    ledger.add("2023-02-01", Demonstrated("comms.1"), "status page")  # 2
    ledger.add("2023-03-01", Demonstrated("comms.3"), "ran retro")  # 3
    ledger.add("2023-09-01", Demonstrated("comms.4"), "told the CTO")  # 4: the latest
    ledger.add("2023-04-01", Assessed("comms.3", 3, Assessor.MANAGER))  # 5: the highest
    ledger.add("2023-10-01", Assessed("comms.4", 2, Assessor.MANAGER))  # 6
    ledger.add("2023-05-01", Assessed("comms.4", 1, Assessor.SELF))  # 7: self kept apart
    assert ledger.carry() == [
        ("2025-01-01", Demonstrated("comms.status"),
         "carried from acme v1: 'comms.1' demonstrated on 2023-02-01 (event 2)"),
        ("2025-01-01", Demonstrated("comms.lead"),
         "carried from acme v1: 'comms.4' demonstrated on 2023-09-01 (event 4)"),
        ("2025-01-01", Assessed("comms.lead", 3, Assessor.MANAGER),
         "carried from acme v1: 'comms.3' assessed 3 by manager on 2023-04-01 (event 5)"),
        ("2025-01-01", Assessed("comms.lead", 1, Assessor.SELF),
         "carried from acme v1: 'comms.4' assessed 1 by self on 2023-05-01 (event 7)"),
    ]
    record = fold(1, ledger.events, ledger.frameworks, D("2025-02-01")).criteria["comms.lead"]
    assert (record.demonstrated_on, record.demonstrations) == (EFFECTIVE, 1)
    assert {k: a.proficiency for k, a in record.assessments.items()} == {
        "manager": 3, "self": 1}
    assert ledger.carry() == []


def test_a_back_dated_version_also_carries_evidence_recorded_after_it_took_effect() -> None:
    ledger = Ledger()
    ledger.step("2023-03-01", "python", 0, 2)  # 2
    ledger.step("2025-03-01", "python", 2, 3)  # 3: recorded under v1, after v2's date
    ledger.add("2025-04-01", Demonstrated("comms.1"), "status page")  # 4
    assert ledger.carry() == [
        ("2025-01-01", SkillStep("coding", 0, 2),
         "carried from acme v1: 'python' at mastery 2 (event 2)"),
        ("2025-03-01", SkillStep("coding", 2, 3),
         "carried from acme v1: 'python' at mastery 3 (event 3)"),
        ("2025-04-01", Demonstrated("comms.status"),
         "carried from acme v1: 'comms.1' demonstrated on 2025-04-01 (event 4)"),
    ]
    assert fold(1, ledger.events, ledger.frameworks, D("2025-06-01")).mastery_of("coding") == 3


def test_a_kept_item_keeps_its_own_higher_evidence_in_a_merge() -> None:
    ledger = Ledger()
    ledger.v2 = load(V1.replace("{id: sql, name: SQL}",
                                "{id: sql, name: SQL, replaces: [testing]}")
                     .replace("      - {id: testing, name: Testing}\n", ""))
    ledger.frameworks[2] = ledger.v2
    ledger.step("2023-03-01", "sql", 0, 3)
    ledger.step("2023-04-01", "testing", 0, 2)  # lower than sql's own: nothing to carry
    assert ledger.carry() == []
    ledger.step("2024-04-01", "testing", 2, 4)  # 4 now beats sql's 3: sql steps from 3
    assert ledger.carry() == [("2025-01-01", SkillStep("sql", 3, 4),
                               "carried from acme v1: 'testing' at mastery 4 (event 4)")]


def test_nothing_is_carried_for_someone_who_left_before_the_version() -> None:
    from trellis.domain.events import Departure

    ledger = Ledger()
    ledger.step("2023-03-01", "python", 0, 2)
    ledger.add("2024-01-01", Departure())
    assert ledger.carry() == []


# --- the title comes from the version in force on the profile's date


def test_a_renamed_title_shows_from_the_day_its_version_takes_effect() -> None:
    ledger = Ledger()
    ledger.frameworks[2] = load(V1.replace("title: Engineer I,", "title: Software Engineer I,"))
    assert fold(1, ledger.events, ledger.frameworks, D("2024-06-01")).title == "Engineer I"
    later = fold(1, ledger.events, ledger.frameworks, D("2025-06-01"))
    assert (later.title, later.framework_version) == ("Software Engineer I", 2)
    # a plain mapping knows no dates: the latest event's version, as before
    plain = {1: ledger.v1, 2: ledger.frameworks[2]}
    assert fold(1, ledger.events, plain, D("2025-06-01")).title == "Engineer I"


def test_a_role_the_new_version_dropped_keeps_its_old_title() -> None:
    ledger = Ledger()
    ledger.frameworks[2] = load(V1.replace(
        "  - {id: eng1, track: eng, level: L1, title: Engineer I, expects: {python: 1}}\n", ""))
    profile = fold(1, ledger.events, ledger.frameworks, D("2025-06-01"))
    assert (profile.role, profile.title, profile.level_rank) == ("eng1", "Engineer I", 1)


# --- a property: whatever the evidence, the carry lands each new item on the best of its
# sources, changes nothing before the version, and carrying again adds nothing

OLD = ("python", "sql", "testing", "docs", "ops")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=len(OLD), max_size=len(OLD)),
       st.lists(st.dates(D("2023-01-03"), D("2026-06-01")), min_size=len(OLD),
                max_size=len(OLD)))
def test_the_carry_lands_on_the_best_source_and_is_idempotent(masteries: list[int],
                                                               days: list[date]) -> None:
    ledger = Ledger()
    for competency, mastery, day in zip(OLD, masteries, days, strict=True):
        if mastery:
            ledger.step(day.isoformat(), competency, 0, mastery)
    before = fold(1, ledger.events, ledger.frameworks, D("2024-12-31"))
    ledger.carry()
    reached = dict(zip(OLD, masteries, strict=True))
    after = fold(1, ledger.events, ledger.frameworks, D("2026-06-01"))
    sources = ledger.diff.competencies
    for new in sources.new_items:
        assert after.mastery_of(new) == max(reached[o] for o in sources.sources(new))
    assert fold(1, ledger.events, ledger.frameworks, D("2024-12-31")) == before
    assert ledger.carry() == []
