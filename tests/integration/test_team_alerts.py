"""The team alerts (fragmentation and recognition from one read of the team's history)
against an independent computation: each active person's own events, read one person at a
time, put through the domain rules; on a generated organization with a retraction and a
band upgrade in the way."""

from __future__ import annotations

import statistics
from datetime import date

import orjson
import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.events import EventKind
from trellis.domain.fragmentation import assess
from trellis.domain.recognition import RecognitionRules, alerts, cadence, severity
from trellis.services.demo import run_demo
from trellis.services.fragmentation import KINDS, fragmentation_report, report_document
from trellis.services.frameworks import version_in_force
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person
from trellis.services.recognition import recognition_report
from trellis.services.recognition import report_document as recognition_document
from trellis.services.team_alerts import team_alerts
from trellis.settings import Settings

END = date(2025, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite:///{tmp_path_factory.mktemp('alerts') / 'demo.db'}"
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=150, years=3,
             seed=5, author="tester", today=END)
    with trellis.uow() as uow:  # a retracted recognition must count nowhere
        [first] = uow.events.of_kinds([EventKind.RECOGNITION])[:1]
    retract_event(trellis.uow(), first.id, "recorded twice", author="tester")
    # Moved into product, then back on engineering work: a duty outside the role only
    # because of the move (the track follows the last move, not the hire).
    add_person(trellis.uow(), "mover", "Mo Ver", role="eng-l2", hired_on=date(2023, 1, 1),
               author="tester")
    for kind, on, fields in ((EventKind.LATERAL_MOVE, date(2024, 3, 1), {"role": "pm-l2"}),
                             (EventKind.RESPONSIBILITY, date(2024, 5, 1),
                              {"function": "engineering", "share": 0.4})):
        record_event(trellis.uow(), "mover", kind, on, fields, author="tester")
    yield trellis, first
    trellis.close()


def independent(trellis, team_ids: set[int] | None):
    """Each active person's assessment and cadence from their own events alone."""
    out_frag, cadences, managers = {}, {}, {}
    with trellis.uow() as uow:
        catalog = uow.frameworks.catalog
        track_of_role = {r.id: r.track for v in uow.frameworks.versions()
                         for r in catalog[v.id].roles.values()}
        functions = len(catalog[version_in_force(uow, END).id].tracks)
        for p in uow.people.all():
            [state] = uow.state.rows([p.id])
            if not state["hired_on"] or state["departed_on"] or (
                    team_ids is not None and p.id not in team_ids):
                continue
            rows = uow.events.of_kinds(KINDS, [p.id])
            upgrades = [date.fromisoformat(u["on"])
                        for u in orjson.loads(state["profile"])["band_upgrades"]]
            out_frag[p.handle] = assess(p.id, rows, track_of_role=track_of_role,
                                        functions=functions, band_upgrades=upgrades,
                                        today=END)
            received = [(r.effective_on, int(r.details.get("points") or 0)) for r in rows
                        if r.kind == "recognition"]
            cadences[p.handle] = cadence(p.id, received, state["hired_on"], END)
            managers[p.handle] = p.manager_id
    return out_frag, cadences, managers


@pytest.mark.parametrize("team", [None, "manager"])
def test_the_alerts_match_each_person_s_own_history(demo, team) -> None:
    trellis, retracted = demo
    ref, team_ids = None, None
    if team:
        with trellis.uow() as uow:  # the manager with the largest team below them
            bosses = {p.manager_id for p in uow.people.all() if p.manager_id}
            sizes = {b: len(uow.people.reports(b)) for b in bosses}
            boss = max(sorted(sizes), key=lambda b: sizes[b] if sizes[b] < 60 else 0)
            ref = uow.people.get(boss).handle
            team_ids = {p.id for p in uow.people.reports(boss)}
    found = team_alerts(trellis.uow(), ref, today=END)
    frag, cadences, managers = independent(trellis, team_ids)
    assert found.fragmentation.assessed == len(frag) > 20
    at_risk = {x.person.handle: x.assessment for x in found.fragmentation.lines}
    assert at_risk == {h: a for h, a in frag.items() if a.level != "none"}
    if team is None:
        assert [(e.function, e.status.value) for e in at_risk["mover"].expansions] == [
            ("engineering", "unrecognized")]
    assert any(a.expansions and a.action != "none" for a in at_risk.values())
    assert any(e.acknowledged_by and "band upgrade" in e.acknowledged_by
               for a in frag.values() for e in a.expansions)
    medians: dict[int | None, list[float]] = {}
    for h, c in cadences.items():
        if c.cadence_days is not None:
            medians.setdefault(managers[h], []).append(c.cadence_days)
    lines = {x.person.handle: x for x in found.recognition.lines}
    assert set(lines) == set(cadences)
    for h, c in cadences.items():
        median = (statistics.median(medians[managers[h]]) if managers[h] in medians
                  else None)
        want = alerts(c, median, RecognitionRules())
        assert (lines[h].cadence, lines[h].team_median, lines[h].alerts,
                lines[h].severity) == (c, median, want, severity(c, want)), h
    if team is None:  # every live recognition of an active person, the retracted one not
        active = {x.person.id for x in found.recognition.lines}
        with trellis.engine.connect() as c:
            recorded = [pid for (pid,) in c.exec_driver_sql(
                "SELECT person_id FROM events WHERE kind = 'recognition'") if pid in active]
        assert retracted.person_id in active
        assert sum(x.cadence.count for x in found.recognition.lines) == len(recorded) - 1


def test_the_alerts_are_the_reports_read_on_their_own(demo) -> None:
    trellis, _ = demo
    found = team_alerts(trellis.uow(), today=END)
    alone = fragmentation_report(trellis.uow(), today=END)
    assert report_document(found.fragmentation) == report_document(alone)
    assert recognition_document(found.recognition, everyone=True) == recognition_document(
        recognition_report(trellis.uow(), today=END), everyone=True)
