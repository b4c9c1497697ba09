"""Each person's stored alert facts (services.alert_facts) give the team alerts computed
from scratch (the fragmentation and recognition reports reading every event), on the day
they were stored and on others; after new events only those people's rows are read again
from the ledger; an erasure, a new framework version or a row this code cannot read make
the facts be read again. On a generated organization, on each engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import ENGINES, prepared_database
from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.adapters.store import EventRepository
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.events import EventKind
from trellis.services import alert_facts
from trellis.services.demo import run_demo
from trellis.services.fragmentation import fragmentation_report, report_document
from trellis.services.frameworks import load_framework, version_in_force
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import erase_person
from trellis.services.recognition import recognition_report, recognize
from trellis.services.recognition import report_document as recognition_document
from trellis.services.team_alerts import team_alerts
from trellis.settings import Settings

END = date(2025, 6, 30)
DAYS = (END, END + timedelta(days=1), END + timedelta(days=200), END - timedelta(days=400))


def build_org(url: str) -> None:
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=150, years=3,
             seed=5, author="tester", today=END)
    trellis.close()


@pytest.fixture(params=ENGINES)
def org(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Trellis]:
    """The generated organization, built once per worker and engine, copied for each test
    (every test writes: alert facts, events, an erasure)."""
    with prepared_database(request, "alert_facts_demo", build_org, tmp_path) as url:
        trellis = open_trellis(Settings(database_url=url, author="tester"))
        yield trellis
        trellis.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[int] | None]:
    """Whose events each ``of_kinds`` call read (None: everyone's)."""
    calls: list[frozenset[int] | None] = []
    real = EventRepository.of_kinds

    def recorded(self, kinds, person_ids=None, **kw):  # type: ignore[no-untyped-def]
        calls.append(None if person_ids is None else frozenset(person_ids))
        return real(self, kinds, person_ids, **kw)

    monkeypatch.setattr(EventRepository, "of_kinds", recorded)
    return calls


def scratch(trellis: Trellis, day: date) -> tuple[object, object]:
    """Both reports from every event, as the CLI's reports read them."""
    return (report_document(fragmentation_report(trellis.uow(), today=day)),
            recognition_document(recognition_report(trellis.uow(), today=day), everyone=True))


def documents(trellis: Trellis, day: date) -> tuple[object, object]:
    found = team_alerts(trellis.uow(), today=day)
    return (report_document(found.fragmentation),
            recognition_document(found.recognition, everyone=True))


def stored(trellis: Trellis) -> dict[int, tuple[object, ...]]:
    with trellis.engine.connect() as c:
        return {row[0]: tuple(row[1:]) for row in c.execute(text(
            "SELECT person_id, format, events, framework_version, last_erasure_id, facts "
            "FROM alert_facts"))}


def read_of(calls: list[frozenset[int] | None], since: int) -> set[int]:
    out: set[int] = set()
    for found in calls[since:]:
        assert found is not None, "everyone's events were read"
        out |= found
    return out


def test_stored_facts_give_the_alerts_computed_from_scratch(org, reads) -> None:
    trellis = org
    assert stored(trellis) == {}
    first = team_alerts(trellis.uow(), today=END)  # nothing stored: read and stored
    rows = stored(trellis)
    assert len(rows) == first.fragmentation.assessed > 50
    assert all(fmt == alert_facts.code_format() for fmt, *_ in rows.values())
    with trellis.engine.connect() as c:
        counts = dict(c.execute(text(
            "SELECT person_id, count(*) FROM events GROUP BY person_id")).all())
    assert {i: row[1] for i, row in rows.items()} == {i: counts[i] for i in rows}
    # Another day, later or earlier: the stored facts alone, the same answer as from
    # every event; with expansions pending, unrecognized and acknowledged (a band
    # upgrade among them) on the way.
    lines = first.fragmentation.lines
    statuses = {e.status.value for x in lines for e in x.assessment.expansions}
    assert statuses >= {"acknowledged", "unrecognized"}
    assert any("band upgrade" in (e.acknowledged_by or "") for x in lines
               for e in x.assessment.expansions)
    for day in DAYS:
        before = len(reads)
        found = documents(trellis, day)
        assert read_of(reads, before) == set(), day
        assert found == scratch(trellis, day), day
    assert stored(trellis) == rows


def test_only_the_people_whose_history_moved_are_read_again(org, reads) -> None:
    trellis = org
    before = team_alerts(trellis.uow(), today=END)
    rows = stored(trellis)
    lonely = next(x for x in before.recognition.lines if x.alerts).person
    expanded = next(x for x in before.fragmentation.lines
                    if any(e.status.value == "unrecognized" for e in x.assessment.expansions)
                    and x.person.id != lonely.id).person
    retracted_of = next(x for x in before.recognition.lines
                        if x.person.id not in (lonely.id, expanded.id)
                        and x.cadence.count > 2).person
    with trellis.uow() as uow:
        at_risk = {x.person.id for x in before.fragmentation.lines}
        quiet = next(x for x in before.recognition.lines if x.person.id not in
                     {*at_risk, lonely.id, expanded.id, retracted_of.id}).person
        [track] = [r["track"] for r in uow.state.rows([quiet.id], ["track"])]
        other = next(f for f in uow.frameworks.catalog[
            version_in_force(uow, END).id].tracks if f != track)
        [last] = uow.events.of_kinds([EventKind.RECOGNITION], [retracted_of.id])[-1:]
    recognize(trellis.uow(), lonely.handle, "at last", author="tester", on=END)
    record_event(trellis.uow(), quiet.handle, EventKind.RESPONSIBILITY, date(2024, 6, 3),
                 {"function": other, "share": 0.4}, author="tester")
    record_event(trellis.uow(), expanded.handle, EventKind.COMPENSATION, date(2025, 1, 2),
                 {"compensation_kind": "bonus", "amount": 2000}, author="tester")
    retract_event(trellis.uow(), last.id, "not this one", author="tester")
    moved = {lonely.id, quiet.id, expanded.id, retracted_of.id}
    for day in DAYS:
        start = len(reads)
        found = documents(trellis, day)
        assert read_of(reads, start) == (moved if day == END else set()), day
        assert found == scratch(trellis, day), day
    now = stored(trellis)
    assert {i for i in rows if now[i] != rows[i]} == moved
    assert all(now[i][1] == rows[i][1] + 1 for i in moved)


def test_what_makes_every_row_be_read_again(org, reads, tmp_path) -> None:
    trellis = org
    team_alerts(trellis.uow(), today=END)
    rows = stored(trellis)
    # A row that this code cannot read: read again from that person's events.
    someone = min(rows)
    with trellis.engine.begin() as c:
        c.execute(text("UPDATE alert_facts SET facts = '{\"held\": 3}' WHERE person_id = :i"),
                  {"i": someone})
    start = len(reads)
    found = documents(trellis, END)
    assert read_of(reads, start) == {someone}
    assert found == scratch(trellis, END)
    assert stored(trellis) == rows
    # A new framework version (a role's track may change): everyone read again.
    path = shipped_framework_path("software-company")
    assert path is not None
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(path.read_text().replace("title: Associate Software Engineer",
                                                "title: Software Engineer I", 1))
    framework, document = read_framework_file(renamed)
    load_framework(trellis.uow(), framework, document, author="tester",
                   effective_from=END - timedelta(days=30))
    start = len(reads)
    found = documents(trellis, END)
    assert read_of(reads, start) == set(rows)
    assert found == scratch(trellis, END)
    versions = stored(trellis)
    assert set(versions) == set(rows)
    assert all(row[2] == rows[i][2] + 1 for i, row in versions.items())
    # An erasure clears them all (a recognition may name the erased as its giver).
    with trellis.uow() as uow:
        gone = next(p for p in uow.people.all() if p.id != someone and p.id in rows)
    erase_person(trellis.uow(), gone.handle, author="tester")
    assert stored(trellis) == {}
    assert documents(trellis, END) == scratch(trellis, END)
    again = stored(trellis)
    assert set(again) == set(rows) - {gone.id}
    assert all(row[3] != rows[i][3] for i, row in again.items())  # the erasure's number


def test_facts_read_before_an_erasure_are_not_stored_after_it(org) -> None:
    trellis = org
    with trellis.uow().reading() as uow:
        people = [p.id for p in uow.people.all()]
        _, rows = alert_facts.read_facts(uow, people)
    assert len(rows) == len(people)
    erase_person(trellis.uow(), trellis_handle(trellis, people[-1]), author="tester")
    assert alert_facts.store(trellis.uow(), {i: r for i, r in rows.items()
                                             if i != people[-1]}) is False
    assert stored(trellis) == {}


def trellis_handle(trellis: Trellis, person_id: int) -> str:
    with trellis.uow().reading() as uow:
        found = uow.people.get(person_id)
    assert found is not None
    return found.handle
