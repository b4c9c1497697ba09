"""A team's alerts: the fragmentation report (people at some risk) and the recognition
report, from each person's alert facts (the alerts page shows both).

Both reports are made of per-person answers (a fragmentation assessment; a cadence and
what the person received in the period) that depend on that person's own events only,
the framework in force and the day. What the events say is the same on every day, so it
is stored per person (services.alert_facts) and read from the ledger again only for the
people whose events moved; the day is put to it at each read. An ``AlertsMemo``
(services.person_memo) keeps the answers of the day and forgets only the people whose
history moved. So the first request of a day reads no event, and paging through the
alerts, or coming back after recognizing someone, reads the events of the people who
changed and nobody else's; the team (who reports to whom, names) is read afresh every
time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from trellis.domain.alert_facts import StoredFacts
from trellis.domain.fragmentation import Fragmentation, FragmentationRules, judge
from trellis.domain.people import Person
from trellis.domain.recognition import RecognitionRules
from trellis.errors import InvalidEvent

from . import clock
from . import fragmentation as fragmentation_service
from . import recognition as recognition_service
from .alert_facts import read_facts, store
from .collection import collector_paused
from .fragmentation import FragmentationLine, FragmentationReport
from .person_memo import PersonMemo
from .recognition import Received, RecognitionLine, RecognitionReport
from .team_list import PAGE_SIZE, named, page_of
from .teams import active_people
from .unit_of_work import UnitOfWork

T = TypeVar("T")
RISKS = {"high": "high risk", "medium": "medium risk", "low": "low risk"}
SEVERITIES = {"chronic": "chronic (rarely recognized)", "lapse": "a lapse (usually recognized)"}


@dataclass(frozen=True, slots=True)
class TeamAlerts:
    fragmentation: FragmentationReport
    recognition: RecognitionReport


@dataclass(frozen=True, slots=True)
class PersonAlerts:
    """One person's part of both reports."""

    fragmentation: Fragmentation
    received: Received


class AlertsMemo(PersonMemo[PersonAlerts]):
    """Each person's alerts for one state of the ledger (services.person_memo)."""


def team_alerts(uow: UnitOfWork, team: str | None = None, *,
                today: date | None = None, memo: AlertsMemo | None = None) -> TeamAlerts:
    """Both reports for the active people of ``team`` (everyone when None), with their
    default rules, exactly as ``fragmentation_report`` and ``recognition_report`` give
    them, for the people ``memo`` has no answer for from their stored facts
    (services.alert_facts); the events read once, and only for the people whose facts
    are stale, whose rows are then written again."""
    today = today or clock.today()
    frag_rules, recognition_rules = FragmentationRules(), RecognitionRules()
    since = recognition_service.period_start(today, 12)
    rows: dict[int, StoredFacts] = {}
    with collector_paused():
        with uow.reading():
            selection = active_people(uow, team)
            known = memo.for_state(uow, (today, frag_rules, recognition_rules)) if memo else {}
            found = {p.id: known[p.id] for p in selection.people if p.id in known}
            wanted = [p.id for p in selection.people if p.id not in found]
            if wanted:
                facts, rows = read_facts(uow, wanted)
                functions = len(fragmentation_service.framework_functions(uow, today))
                for i in wanted:
                    f = facts[i]
                    found[i] = known[i] = PersonAlerts(
                        judge(i, f.duties, functions=functions, today=today,
                              rules=frag_rules),
                        recognition_service.received_on(
                            i, f.recognitions, selection.states[i]["hired_on"],
                            today=today, since=since))
            tracks = fragmentation_service.framework_functions(uow, today)
        store(uow, rows)
    return TeamAlerts(
        fragmentation_service.assemble(
            selection, {i: a.fragmentation for i, a in found.items()}, tracks,
            today=today, rules=frag_rules),
        recognition_service.assemble(
            selection, {i: a.received for i, a in found.items()}, recognition_rules,
            today=today, since=since))


# --- one page of each list, filtered


@dataclass(frozen=True, slots=True)
class AlertsQuery:
    search: str = ""  # every word in the person's name (or handle)
    risk: str = ""  # fragmentation alerts of one risk level (RISKS)
    severity: str = ""  # recognition alerts of one severity (SEVERITIES)
    fragmentation_page: int = 1
    recognition_page: int = 1

    def check(self) -> AlertsQuery:
        """The query, or InvalidEvent naming the value that is not one of the choices."""
        if self.risk and self.risk not in RISKS:
            raise InvalidEvent(f"risk is one of: {', '.join(RISKS)}")
        if self.severity and self.severity not in SEVERITIES:
            raise InvalidEvent(f"severity is one of: {', '.join(SEVERITIES)}")
        if self.fragmentation_page < 1 or self.recognition_page < 1:
            raise InvalidEvent("a page number is 1 or more")
        return self


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    matching: int  # rows matching the filters, every page
    page: int  # the page shown (the last one when asked past it)
    pages: int

    @property
    def first(self) -> int:  # 1-based position of the page's first row
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0


@dataclass(frozen=True, slots=True)
class AlertsView:
    """What the alerts page shows: how many people each list holds, and one page of
    each, filtered, in the reports' order (fragmentation: highest risk first;
    recognition: chronic, then lapses, the longest gap first)."""

    query: AlertsQuery
    fragmented: int  # people at risk with an action suggested
    unrecognized: int  # people with a recognition alert
    fragmentation: Page[FragmentationLine]
    recognition: Page[RecognitionLine]


def alerts_view(alerts: TeamAlerts, query: AlertsQuery) -> AlertsView:
    """Filter and page both lists of ``alerts``; nothing past the page is put in words."""
    query = query.check()

    def found(person: Person) -> bool:
        return named(query.search, person.name, person.handle)

    fragmented = [x for x in alerts.fragmentation.lines if x.assessment.action.value != "none"]
    unrecognized = [x for x in alerts.recognition.lines if x.alerts]
    return AlertsView(
        query, len(fragmented), len(unrecognized),
        _page([x for x in fragmented if found(x.person)
               and (not query.risk or x.assessment.level == query.risk)],
              query.fragmentation_page),
        _page([x for x in unrecognized if found(x.person)
               and (not query.severity or x.severity == query.severity)],
              query.recognition_page))


def _page(rows: Sequence[T], page: int) -> Page[T]:
    shown, page, pages = page_of(rows, page, PAGE_SIZE)
    return Page(tuple(shown), len(rows), page, pages)
