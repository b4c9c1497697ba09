"""Loading a new framework version on a real database (SQLite, and PostgreSQL when set):
evidence carried forward along ``replaces`` as derived events in one transaction, retired
evidence kept in history, titles from the version in force, and bad versions refused with
file and line and nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_ledger_store import assert_state_is_a_fresh_fold

from conftest import make_trellis
from trellis.adapters import tables as t
from trellis.adapters.framework_files import parse_framework
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind, SkillStep
from trellis.errors import FrameworkInvalid, LedgerRuleBroken
from trellis.services import frameworks
from trellis.services.frameworks import Carry
from trellis.services.ledger import record_event
from trellis.services.people import add_person
from trellis.services.profiles import history, profile

K = EventKind
D = date.fromisoformat
HERE = Path(__file__).parent


ONE = (HERE.parent / "fixtures" / "acme-v1.yaml").read_text(encoding="utf-8")
TWO = (HERE.parent / "fixtures" / "acme-v2.yaml").read_text(encoding="utf-8")  # see
# tests/unit/test_framework_versions.py for what changes


@pytest.fixture
def acme(database_url: str) -> Iterator[Trellis]:
    """A database holding acme v1, with ada (evidence on renamed, merged, split and
    retired items), bob (evidence on a renamed item, left before v2) and carol (evidence
    only on a retired item)."""
    trellis = make_trellis(database_url, framework=None)
    load(trellis, ONE)
    for handle in ("ada", "bob", "carol"):
        add_person(trellis.uow(), handle, handle.title(), role="eng1", hired_on=D("2023-01-02"),
                   author="tester")
    for competency, mastery in (("python", 2), ("sql", 1), ("testing", 3), ("docs", 2),
                                ("ops", 4)):
        log(trellis, K.SKILL_STEP, "ada", "2023-06-01", competency=competency,
            from_mastery=0, to_mastery=mastery)
    log(trellis, K.DEMONSTRATED, "ada", "2023-07-01", criterion="comms.4",
        evidence="told the CTO")
    log(trellis, K.ASSESSED, "ada", "2023-08-01", criterion="comms.3", proficiency=3,
        assessor="manager")
    log(trellis, K.SKILL_STEP, "bob", "2023-06-01", competency="python", from_mastery=0,
        to_mastery=1)
    log(trellis, K.DEPARTURE, "bob", "2024-01-01")
    log(trellis, K.SKILL_STEP, "carol", "2023-06-01", competency="ops", from_mastery=0,
        to_mastery=1)
    yield trellis
    trellis.close()


def load(trellis: Trellis, text: str, effective: str | None = None) -> frameworks.Loaded:
    framework, document = parse_framework(text, "acme.yaml")
    return frameworks.load_framework(trellis.uow(), framework, document, author="tester",
                                     effective_from=D(effective) if effective else None)


def log(trellis: Trellis, kind: EventKind, person: str, on: str, **fields: object) -> None:
    evidence = fields.pop("evidence", None)
    record_event(trellis.uow(), person, kind, D(on), fields, author="tester",
                 evidence=evidence)  # type: ignore[arg-type]


def counts(trellis: Trellis) -> tuple[int, int]:
    with trellis.uow() as uow:
        c = uow.connection
        return (c.scalar(select(func.count()).select_from(t.framework_versions)),
                c.scalar(select(func.count()).select_from(t.events)))


def test_loading_a_version_carries_evidence_as_derived_events(acme: Trellis) -> None:
    loaded = load(acme, TWO, "2025-01-01")
    # ada: coding 2, quality 3 (the highest of sql 1, testing 3), writing 2, diagrams 2,
    # comms.lead demonstrated and assessed 3 by her manager: 6 events. bob had left; ada
    # and carol have evidence on ops, retired; bob's and carol's current profiles are
    # rewritten to read v2 (ada's were by the carry).
    assert loaded.carry == Carry(people=1, events=6, retired_people=2, unchanged=1,
                                 refreshed=2)
    _, events = history(acme.uow(), "ada")
    derived = [e for e in events if e.framework_version == loaded.version.id]
    assert {e.author for e in derived} == {"trellis (carried from acme v1)"}
    assert {e.effective_on for e in derived} == {D("2025-01-01")}
    assert [e.details for e in derived][:4] == [
        SkillStep("coding", 0, 2), SkillStep("quality", 0, 3), SkillStep("writing", 0, 2),
        SkillStep("diagrams", 0, 2)]
    source = next(e for e in events if getattr(e.details, "competency", None) == "testing")
    assert derived[1].evidence == (f"carried from acme v1: 'testing' at mastery 3 "
                                   f"(event {source.id})")
    now = profile(acme.uow(), "ada").profile
    assert {c: layer.mastery for c, layer in now.mastery.items()} == {
        "python": 2, "sql": 1, "testing": 3, "docs": 2, "ops": 4,
        "coding": 2, "quality": 3, "writing": 2, "diagrams": 2}
    assert now.criteria["comms.lead"].assessments["manager"].proficiency == 3
    assert_state_is_a_fresh_fold(acme, "ada")
    # at a past date the profile reads v1, retired evidence and all
    before = profile(acme.uow(), "ada", D("2024-06-01")).profile
    assert set(before.mastery) == {"python", "sql", "testing", "docs", "ops"}
    assert before.framework_version == loaded.version.id - 1


def test_the_ledger_goes_on_from_the_carried_evidence(acme: Trellis) -> None:
    load(acme, TWO, "2025-01-01")
    log(acme, K.SKILL_STEP, "ada", "2025-06-01", competency="coding", from_mastery=2,
        to_mastery=3)
    # an event dated before v2 took effect is v1's, on an item v2 retired: it still folds
    log(acme, K.SKILL_STEP, "carol", "2024-06-01", competency="ops", from_mastery=1,
        to_mastery=2)
    assert profile(acme.uow(), "ada").profile.mastery_of("coding") == 3
    assert profile(acme.uow(), "carol").profile.mastery_of("ops") == 2
    assert_state_is_a_fresh_fold(acme, "carol")


def test_a_renamed_title_shows_from_its_date_without_any_event_after_it(
        database_url: str) -> None:
    trellis = make_trellis(database_url, framework=None)
    try:
        load(trellis, ONE)
        add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=D("2023-01-02"),
                   author="tester")
        loaded = load(trellis, ONE.replace("title: Engineer I,", "title: Software Engineer I,"),
                      "2025-01-01")
        assert loaded.carry.refreshed == 1 and loaded.carry.events == 0
        assert profile(trellis.uow(), "ada", D("2024-06-01")).profile.title == "Engineer I"
        assert profile(trellis.uow(), "ada", D("2025-06-01")).profile.title == \
            "Software Engineer I"
        assert profile(trellis.uow(), "ada").profile.title == "Software Engineer I"
        assert_state_is_a_fresh_fold(trellis, "ada")
    finally:
        trellis.close()


@pytest.mark.parametrize(("change", "message"), [
    (("replaces: [comms.3, comms.4]", "replaces: [comms.3, comms.9]"),
     "'comms.9' is not one of the criteria of acme v1"),
    (("replaces: [python]", "replaces: [pyton]"),
     "'pyton' is not one of the competencies of acme v1"),
])
def test_a_replaces_pointing_nowhere_writes_nothing(acme: Trellis, change: tuple[str, str],
                                                     message: str) -> None:
    before = counts(acme)
    with pytest.raises(FrameworkInvalid) as caught:
        load(acme, TWO.replace(*change), "2025-01-01")
    assert [p.message for p in caught.value.problems] == [message]
    assert counts(acme) == before


def test_a_carry_that_would_break_a_ledger_writes_nothing(acme: Trellis) -> None:
    # sql is kept and absorbs testing: ada's sql steps from 1 to 3 on 2025-01-01, so her
    # sql step from 1 recorded under v1 for 2025-06-01 can no longer follow
    log(acme, K.SKILL_STEP, "ada", "2025-06-01", competency="sql", from_mastery=1,
        to_mastery=2)
    before = counts(acme)
    v2 = ONE.replace("{id: sql, name: SQL}", "{id: sql, name: SQL, replaces: [testing]}")
    with pytest.raises(LedgerRuleBroken) as info:
        load(acme, v2, "2025-01-01")
    assert info.value.on_command_line() == (
        "carrying evidence into acme v2 would break ada's ledger: skill_step on 2025-06-01: "
        "sql is at mastery 3, not 1 (nothing was loaded)")  # the rule's terms kept
    assert str(info.value) == (
        "carrying evidence into acme v2 would break Ada's ledger: a skill step on 1 Jun "
        "2025: SQL is at mastery 3, not 1 (nothing was loaded)")
    assert counts(acme) == before


def test_a_version_that_replaces_cannot_take_effect_in_the_future(acme: Trellis) -> None:
    with pytest.raises(Exception, match="in the future"):
        load(acme, TWO, "2999-01-01")


# --- the CLI: load and diff


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_load_reports_the_carry_and_locates_a_bad_replaces(cli, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    one, two = write(tmp_path, "v1.yaml", ONE), write(tmp_path, "v2.yaml", TWO)
    assert cli("--db", db, "init", "--framework", one).code == 0
    assert cli("--db", db, "person", "add", "ada", "--name", "Ada", "--role", "eng1",
               "--hired", "2023-01-02").code == 0
    for competency in ("ops", "python"):
        assert cli("--db", db, "log", "skill_step", "ada", "--on", "2023-06-01",
                   "--competency", competency, "--from", "0", "--to", "2").code == 0
    bad = write(tmp_path, "bad.yaml", TWO.replace("replaces: [docs]}", "replaces: [dox]}", 1))
    result = cli("--db", db, "framework", "load", bad, "--effective", "2025-01-01")
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"error: invalid framework: {bad}:15: skill_bands[0].competencies[2].replaces[0]: "
        "'dox' is not one of the competencies of acme v1"]
    result = cli("--db", db, "framework", "load", two, "--effective", "2025-01-01")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "loaded 'acme' version 2 [active]",
        "carried evidence forward: 1 derived event for 1 person",
        "1 person has evidence on retired items: it stays in their history (see `trellis "
        "framework diff`)"]


def test_cli_diff_of_two_files_and_against_the_database(cli, tmp_path: Path) -> None:
    one, two = write(tmp_path, "v1.yaml", ONE), write(tmp_path, "v2.yaml", TWO)
    result = cli("--db", tmp_path / "none.db", "framework", "diff", one, two)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"{one} -> {two}: 12 changes"
    assert "  competency docs split into writing, diagrams" in lines
    assert not (tmp_path / "none.db").exists()  # no database: the changes alone

    db = tmp_path / "t.db"
    assert cli("--db", db, "init", "--framework", one).code == 0
    assert cli("--db", db, "person", "add", "ada", "--name", "Ada", "--role", "eng1",
               "--hired", "2023-01-02").code == 0
    for competency in ("docs", "ops"):
        assert cli("--db", db, "log", "skill_step", "ada", "--on", "2023-06-01",
                   "--competency", competency, "--from", "0", "--to", "1").code == 0
    result = cli("--db", db, "framework", "diff", "acme@1", two, "--json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert found["old"] == "acme v1" and len(found["changes"]) == 12
    assert found["changes"][6] == {
        "change": "split", "item": "competency", "old": ["docs"],
        "new": ["writing", "diagrams"], "fields": [],
        "description": "competency docs split into writing, diagrams"}
    assert found["affected"] == [{"person": "ada", "replaced": ["docs"], "retired": ["ops"]}]
    result = cli("--db", db, "framework", "diff", "acme@7", two)
    assert result.code == 1 and "'acme' has no version 7 (versions: 1)" in result.err
    cycle = write(tmp_path, "cycle.yaml", TWO.replace(
        "{id: security, name: Security}", "{id: security, name: Security, replaces: [coding]}"
    ).replace("replaces: [python]}", "replaces: [python, security]}"))
    result = cli("--db", db, "framework", "diff", "acme@1", cycle)
    assert result.code == 1
    assert "cycle.yaml:17: skill_bands[0].competencies[4].replaces: replaces cycle: " \
        "coding -> security -> coding" in result.err
