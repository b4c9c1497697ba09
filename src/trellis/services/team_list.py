"""The team list: everyone a manager (or HR, the organization) looks after, sorted,
filtered, searched and paged on the server.

It reads the current-state table, never the ledger. Readiness needs each person's stored
profile and an assessment, about half a millisecond a person: so it is assessed for the
page shown only, unless the list is sorted or filtered by readiness, when everyone
matching is assessed (one query of the profiles, as ``readiness.team_readiness``). A
``ReadinessMemo`` keeps those assessments while the framework in force stays as it was,
forgetting only the people a new event is about, so paging through a sorted list assesses
once, and a new event costs one assessment, not everyone's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

import orjson

from trellis.bulk import paused_gc
from trellis.domain.framework import Framework, Role
from trellis.domain.people import Person
from trellis.domain.profile_document import profile_from_document
from trellis.domain.readiness import Readiness, Requirement, assess
from trellis.domain.recognition import RecognitionRules
from trellis.errors import InvalidEvent, listed

from . import clock
from .frameworks import version_in_force
from .ledger import find_person
from .person_memo import PersonMemo
from .unit_of_work import UnitOfWork

PAGE_SIZE = 50
T = TypeVar("T")
SORTS = {"name": "name", "role": "role", "level": "level", "readiness": "readiness",
         "time_in_level": "time in level", "last_recognition": "last recognition"}
BANDS = {"ready": "ready", "close": "close (75% or more)", "developing": "developing",
         "top": "top of their track"}
CLOSE_SHARE = 0.75  # a score of at least this share of the ready mark is "close"
UNRECOGNIZED_DAYS = RecognitionRules().threshold_days
IN_QUERY = 900  # ids per IN (...) list; past this one scan of the table is faster
_STATE = ("person_id", "role", "track", "level", "level_rank", "hired_on", "departed_on",
          "role_since", "last_recognition_on")


def named(search: str, name: str, handle: str) -> bool:
    """Every word of ``search`` is in the person's name or handle (case aside): how the
    web's lists of people are searched."""
    words = search.casefold().split()
    if not words:  # the unsearched list: no text to build for each row
        return True
    text = f"{name} {handle}".casefold()
    return all(w in text for w in words)


def page_of(rows: Sequence[T], page: int, size: int = PAGE_SIZE
            ) -> tuple[Sequence[T], int, int]:
    """Page ``page`` of ``rows``, ``size`` a page: its rows, the page shown (the last one
    when asked past it) and how many pages there are (1 with no rows)."""
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    return rows[start:start + size], page, pages


@dataclass(frozen=True, slots=True)
class TeamQuery:
    sort: str = "name"
    descending: bool = False
    search: str = ""
    track: str = ""
    level: str = ""
    band: str = ""
    failing: bool = False  # only people with a readiness gate that fails
    unrecognized: bool = False  # only people unrecognized for UNRECOGNIZED_DAYS or never
    page: int = 1

    def check(self, framework: Framework) -> TeamQuery:
        """The query, or InvalidEvent naming the value that is not one of the choices."""
        if self.sort not in SORTS:
            raise InvalidEvent(f"sort by one of: {', '.join(SORTS.values())}")
        if self.band and self.band not in BANDS:
            raise InvalidEvent(f"readiness is one of: {', '.join(BANDS.values())}")
        # Choices of the page's lists: named as the lists show them, never by id.
        if self.track and self.track not in framework.tracks:
            raise InvalidEvent("the track is one of: {known}",
                               known=listed(t.term for t in framework.tracks.values()))
        if self.level and self.level not in framework.levels:
            raise InvalidEvent("the level is one of: {known}", known=listed(
                level.term for level in sorted(framework.levels.values(),
                                               key=lambda level: level.rank)))
        if self.page < 1:
            raise InvalidEvent("a page number is 1 or more")
        return self

    @property
    def needs_readiness(self) -> bool:
        return self.sort == "readiness" or bool(self.band) or self.failing


@dataclass(slots=True)
class Member:
    person: Person
    manager: str | None  # the manager's name
    role: Role
    role_since: date | None
    last_recognition_on: date | None
    target: Role | None = None  # the next role of the track; None at the top
    readiness: Readiness | None = None  # assessed for the page (or everyone, see above)

    @property
    def band(self) -> str | None:
        r = self.readiness
        if self.target is None:
            return "top"
        if r is None:
            return None
        if r.ready:
            return "ready"
        return "close" if r.score >= CLOSE_SHARE * r.ready_at else "developing"

    @property
    def failing(self) -> list[str]:
        """The rules that fail for the next role (empty: none, or not assessed)."""
        r = self.readiness
        return [] if r is None else [q.detail for q in r.blocking]

    def reasons(self, framework: Framework) -> list[str]:
        """Why the next role is not open yet, in words: one sentence a rule that fails."""
        r = self.readiness
        return [] if r is None else [reason(q, r.target, framework) for q in r.blocking]

    def months_in_level(self, today: date) -> float | None:
        return None if self.role_since is None else (today - self.role_since).days / 30.4375


_MUST_HAVE = re.compile(r"(\S+) at mastery (\d+), needs (\d+)")
_TIME_IN_LEVEL = re.compile(r"([\d.]+) of ([\d.]+) months in level")


def reason(q: Requirement, target: Role, framework: Framework) -> str:
    """A failing rule of ``target`` in words: competency and level names, not their ids."""
    detail = q.detail.replace(" -> ", " to ")
    if q.kind == "must_have" and (m := _MUST_HAVE.fullmatch(q.detail)):
        comp = framework.competencies.get(m.group(1))
        name = comp.name if comp else m.group(1)
        return f"{name} must reach mastery {m.group(3)} first (now {m.group(2)})"
    if q.kind == "time_in_level" and (m := _TIME_IN_LEVEL.fullmatch(q.detail)):
        so_far, least = float(m.group(1)), float(m.group(2))  # whole months, rounded down:
        return f"{int(so_far)} of the {least:g} months in the level it asks for"  # 11.6 < 12
    if q.kind == "points":
        level = framework.levels.get(target.level)
        return f"points for the {level.name if level else target.level} level: {detail}"
    if q.kind == "title":
        return f"points for {target.title}: {detail}"
    if q.kind == "band_level":
        return detail
    return f"{q.name}: {detail}"


@dataclass(frozen=True, slots=True)
class TeamList:
    as_of: date
    manager: Person | None  # None: the organization
    framework: Framework
    query: TeamQuery
    members: tuple[Member, ...]  # the page
    matching: int  # how many match the filters (every page)
    everyone: int  # the team, before filters
    pages: int

    @property
    def first(self) -> int:  # 1-based position of the page's first row
        return (self.query.page - 1) * PAGE_SIZE + 1 if self.members else 0


class ReadinessMemo(PersonMemo[Readiness]):
    """Readiness assessments (person id -> readiness, without the profile it was read
    from) for one state of the ledger and the framework version in force; one per
    process. A person's readiness reads only their own profile, so a new event forgets
    only its person (services.person_memo)."""

    def for_day(self, uow: UnitOfWork, today: date, version: int) -> dict[int, Readiness]:
        """The assessments of this state (inside an open unit of work); empty when new."""
        return self.for_state(uow, (today, version))


def team_list(uow: UnitOfWork, manager_ref: str | None, query: TeamQuery,
              today: date | None = None, memo: ReadinessMemo | None = None) -> TeamList:
    """One page of a manager's team (transitively), or of everyone active."""
    today = today or clock.today()
    with uow.reading():
        manager = find_person(uow, manager_ref) if manager_ref else None
        version = version_in_force(uow, today).id
        framework = uow.frameworks.catalog[version]
        query = query.check(framework)
        known = memo.for_day(uow, today, version) if memo else {}
        members = _members(uow, manager, framework)
        matching = [m for m in members if _matches(m, query, today)]
        if query.needs_readiness:
            _assess(uow, matching, framework, today, known)
            if query.band:
                matching = [m for m in matching if m.band == query.band]
            if query.failing:
                matching = [m for m in matching if m.failing]
        matching.sort(key=_by_name)
        matching.sort(key=_sort_key(query.sort, framework, today), reverse=query.descending)
        shown, shown_page, pages = page_of(matching, query.page)
        query = replace(query, page=shown_page)
        if not query.needs_readiness:
            _assess(uow, shown, framework, today, known)
    return TeamList(today, manager, framework, query, tuple(shown), len(matching),
                    len(members), pages)


def band_counts(uow: UnitOfWork, today: date | None = None,
                memo: ReadinessMemo | None = None) -> dict[str, int]:
    """How many active people are in each readiness band (BANDS), organization-wide."""
    today = today or clock.today()
    with uow.reading():
        version = version_in_force(uow, today).id
        framework = uow.frameworks.catalog[version]
        members = _members(uow, None, framework)
        _assess(uow, members, framework, today,
                memo.for_day(uow, today, version) if memo else {})
    counted: dict[str, int] = dict.fromkeys(BANDS, 0)
    for m in members:
        if m.band is not None:
            counted[m.band] += 1
    return counted


def _members(uow: UnitOfWork, manager: Person | None, framework: Framework) -> list[Member]:
    """The active people of a team (or everyone) in a role of ``framework``, inside an open
    unit of work."""
    everyone = uow.people.all()
    people = uow.people.reports(manager.id) if manager else everyone
    ids = [p.id for p in people]
    states = {r["person_id"]: r for r in uow.state.rows(
        ids if manager and len(ids) < IN_QUERY else None, _STATE)}
    names = {p.id: p.name for p in everyone}
    nexts: dict[str, Role | None] = {}  # next_role scans the framework's roles: once a role
    members = []
    for p in people:
        s = states.get(p.id)
        if s is None or not s["hired_on"] or s["departed_on"] or s["role"] is None:
            continue
        role = framework.roles.get(s["role"])
        if role is None:
            continue  # a role the framework in force no longer has: off the list
        members.append(Member(p, names.get(p.manager_id) if p.manager_id else None, role,
                              s["role_since"], s["last_recognition_on"],
                              nexts[role.id] if role.id in nexts
                              else nexts.setdefault(role.id, framework.next_role(role.id))))
    return members


def _matches(m: Member, q: TeamQuery, today: date) -> bool:
    if not named(q.search, m.person.name, m.person.handle):
        return False
    if q.track and m.role.track != q.track:
        return False
    if q.level and m.role.level != q.level:
        return False
    if q.unrecognized:
        last = m.last_recognition_on
        return last is None or (today - last).days > UNRECOGNIZED_DAYS
    return True


def _sort_key(sort: str, framework: Framework, today: date) -> Callable[[Member], Any]:
    """The value a sort orders by; equal values keep the name order they had (the list is
    sorted by name first, and Python's sort is stable, reversed or not)."""
    if sort == "role":
        return lambda m: m.role.title.casefold()
    if sort == "level":
        return lambda m: framework.levels[m.role.level].rank
    if sort == "readiness":  # at the top of the track counts below every score
        return lambda m: -1.0 if m.readiness is None else m.readiness.score
    if sort == "time_in_level":
        return lambda m: (m.role_since is None, -(m.role_since or today).toordinal())
    if sort == "last_recognition":  # never recognized first
        return lambda m: (m.last_recognition_on or date.min).toordinal()
    return _by_name


def _by_name(m: Member) -> tuple[str, str]:
    return m.person.name.casefold(), m.person.handle


def _assess(uow: UnitOfWork, members: Sequence[Member], framework: Framework,
            today: date, known: dict[int, Readiness]) -> None:
    """Assess readiness for the next role of ``members`` from their stored profiles, or
    take it from ``known`` (and add what was assessed to it)."""
    wanted = {}
    for m in members:
        if m.target is None:
            continue
        found = known.get(m.person.id)
        if found is not None and found.target.id == m.target.id:
            m.readiness = found
        else:
            wanted[m.person.id] = m
    if not wanted:
        return
    ids = list(wanted)
    rows = uow.state.rows(ids if len(ids) < IN_QUERY else None, ("person_id", "profile"))
    as_of = today.isoformat()
    with paused_gc():  # many short-lived dicts: collection passes would cost more than them
        for row in rows:
            member = wanted.get(row["person_id"])
            target = member.target if member else None
            if member is None or target is None:
                continue
            doc = orjson.loads(row["profile"])
            doc["as_of"] = as_of  # assessed today, not on the day it was stored
            profile = profile_from_document(doc, history=False, reviews=False)
            member.readiness = assess(profile, target, framework)
            known[member.person.id] = replace(member.readiness, context=None)
