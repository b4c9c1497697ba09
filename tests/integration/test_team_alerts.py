"""The team alerts (fragmentation and recognition from one read of the team's history)
against an independent computation: each active person's own events, read one person at a
time, put through the domain rules; on a generated organization with a retraction and a
band upgrade in the way."""

from __future__ import annotations

import sqlite3
import statistics
from datetime import date, timedelta

import orjson
import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.events import EventKind
from trellis.domain.fragmentation import FragmentationRules, assess
from trellis.domain.recognition import RecognitionRules, alerts, cadence, severity
from trellis.services import team_alerts as team_alerts_service
from trellis.services.demo import run_demo
from trellis.services.fragmentation import KINDS, fragmentation_report, report_document
from trellis.services.frameworks import version_in_force
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person, erase_person
from trellis.services.recognition import recognition_report, recognize
from trellis.services.recognition import report_document as recognition_document
from trellis.services.team_alerts import AlertsMemo, AlertsQuery, alerts_view, team_alerts
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


def test_a_page_of_alerts_is_what_the_filters_select(demo, monkeypatch) -> None:
    """Each list's page against the people chosen and ordered here from each person's own
    history: recognition alerts chronic, then lapses, the longest gap first; fragmentation
    with an action, the highest risk first; filters before paging (pages of 5 here, so
    that this small organization has several; the page holds 50)."""
    assert team_alerts_service.PAGE_SIZE == 50
    size = 5
    monkeypatch.setattr(team_alerts_service, "PAGE_SIZE", size)
    trellis, _ = demo
    found = team_alerts(trellis.uow(), today=END)
    frag, cadences, managers = independent(trellis, None)
    with trellis.uow() as uow:
        names = {p.handle: p.name for p in uow.people.all()}
    medians: dict[int | None, list[float]] = {}
    for h, c in cadences.items():
        if c.cadence_days is not None:
            medians.setdefault(managers[h], []).append(c.cadence_days)
    rank = {"chronic": 0, "lapse": 1}
    alerted = {}
    for h, c in cadences.items():
        median = (statistics.median(medians[managers[h]]) if managers[h] in medians
                  else None)
        said = alerts(c, median, RecognitionRules())
        if said:
            alerted[h] = (rank[severity(c, said)], -c.gap_days, h)
    unrecognized = sorted(alerted, key=alerted.__getitem__)
    fragmented = sorted((h for h, a in frag.items() if a.action.value != "none"),
                        key=lambda h: (-frag[h].risk, h))
    assert len(unrecognized) > 3 * size and len(fragmented) > 2 * size

    def named(h: str, words: str) -> bool:
        return all(w in f"{names[h]} {h}".casefold() for w in words.casefold().split())

    queries = [AlertsQuery(), AlertsQuery(recognition_page=2, fragmentation_page=3),
               AlertsQuery(recognition_page=99, fragmentation_page=99),
               AlertsQuery(search="a", severity="chronic"),
               AlertsQuery(search="e", severity="lapse", risk="medium"),
               AlertsQuery(risk="high")]
    for query in queries:
        view = alerts_view(found, query)
        assert (view.fragmented, view.unrecognized) == (len(fragmented), len(unrecognized))
        for page, everyone, keep in (
                (view.recognition, unrecognized,
                 lambda h, q=query: not q.severity or ("chronic", "lapse")[alerted[h][0]]
                 == q.severity),
                (view.fragmentation, fragmented,
                 lambda h, q=query: not q.risk or frag[h].level == q.risk)):
            want = [h for h in everyone if named(h, query.search) and keep(h)]
            pages = max(1, -(-len(want) // size))
            asked = (query.recognition_page if page is view.recognition
                     else query.fragmentation_page)
            shown = min(asked, pages)
            assert (page.matching, page.pages, page.page) == (len(want), pages, shown), query
            assert [x.person.handle for x in page.rows] == want[
                (shown - 1) * size:shown * size], query
            assert page.first == ((shown - 1) * size + 1 if want else 0)


def _copy(trellis, tmp_path):
    """A copy of the demo database to write into (the module's stays as it is)."""
    source = sqlite3.connect(trellis.engine.url.database)
    target = sqlite3.connect(tmp_path / "copy.db")
    source.backup(target)
    source.close()
    target.close()
    return open_trellis(Settings(database_url=f"sqlite:///{tmp_path / 'copy.db'}",
                                 author="tester"))


def _documents(alerts):
    return (report_document(alerts.fragmentation),
            recognition_document(alerts.recognition, everyone=True))


def test_the_memo_forgets_only_the_people_whose_history_moved(demo, tmp_path) -> None:
    trellis = _copy(demo[0], tmp_path)
    stamp = (END, FragmentationRules(), RecognitionRules())
    memo = AlertsMemo()

    def kept() -> dict[int, object]:
        with trellis.uow().reading() as uow:
            return dict(memo.for_state(uow, stamp))

    before = team_alerts(trellis.uow(), today=END, memo=memo)
    assert _documents(before) == _documents(team_alerts(trellis.uow(), today=END))
    answers = kept()
    assert len(answers) == before.fragmentation.assessed
    # A recognition for the longest unrecognized, a duty outside the role for someone
    # with none, a retraction of someone else's latest recognition.
    lonely = next(x for x in before.recognition.lines if x.alerts).person
    retracted_of = next(x for x in before.recognition.lines
                        if x.person.id != lonely.id and x.cadence.count > 2).person
    with trellis.uow() as uow:
        quiet = next(p for p in uow.people.all() if p.id in answers
                     and p.id not in (lonely.id, retracted_of.id)
                     and answers[p.id].fragmentation.level == "none")
        track = answers[quiet.id].fragmentation.track
        other = next(f for f in uow.frameworks.catalog[
            version_in_force(uow, END).id].tracks if f != track)
        [last] = [r for r in uow.events.of_kinds([EventKind.RECOGNITION],
                                                  [retracted_of.id])][-1:]
    recognize(trellis.uow(), lonely.handle, "at last", author="tester", on=END)
    record_event(trellis.uow(), quiet.handle, EventKind.RESPONSIBILITY, date(2024, 6, 3),
                 {"function": other, "share": 0.4}, author="tester")
    retract_event(trellis.uow(), last.id, "not this one", author="tester")
    moved = {lonely.id, quiet.id, retracted_of.id}
    after = team_alerts(trellis.uow(), today=END, memo=memo)
    assert _documents(after) == _documents(team_alerts(trellis.uow(), today=END))
    now = kept()
    assert all(now[i] is answers[i] for i in answers if i not in moved)
    assert all(now[i] is not answers[i] for i in moved)
    assert now[lonely.id].received.cadence.last_on == END
    assert now[quiet.id].fragmentation.level != "none"
    assert (now[retracted_of.id].received.cadence.count
            == answers[retracted_of.id].received.cadence.count - 1)
    # An erasure (events vanish) and a new day forget everyone, and still agree.
    erase_person(trellis.uow(), quiet.handle, author="tester")
    erased = team_alerts(trellis.uow(), today=END, memo=memo)
    assert _documents(erased) == _documents(team_alerts(trellis.uow(), today=END))
    assert erased.fragmentation.assessed == before.fragmentation.assessed - 1
    assert not any(a is now[i] for i, a in kept().items() if i in now)
    later = END + timedelta(days=1)
    assert _documents(team_alerts(trellis.uow(), today=later, memo=memo)) == _documents(
        team_alerts(trellis.uow(), today=later))
    trellis.close()


def test_band_upgrade_dates_are_those_of_the_stored_profiles(database_url) -> None:
    """Read by the database's JSON functions, on each engine, against the documents."""
    trellis = open_trellis(Settings(database_url=database_url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=12, years=2,
             seed=3, author="tester", today=END)
    with trellis.uow() as uow:
        rows = uow.state.rows(None, ("person_id", "profile"))
        found = uow.state.band_upgrade_dates([r["person_id"] for r in rows] + [10**6])
    want = {r["person_id"]: [date.fromisoformat(u["on"])
                             for u in orjson.loads(r["profile"])["band_upgrades"]]
            for r in rows}
    assert found == want and sum(map(len, want.values())) > 0
    trellis.close()
