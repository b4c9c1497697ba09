"""Use cases of calibration sessions: open one for a review cycle's group, show it (the
distribution against the target, the 9-box, the sorted list), change a rating (a
``calibration`` event, checked in the same transaction), close it, list them.

The view reads today's profiles from the current-state table in one query (as
``readiness.team_readiness`` does) and the recent micro-progressions as light rows, so a
2,000-person session never refolds a ledger.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import orjson

from trellis.bulk import paused_gc
from trellis.domain.calibration_sessions import (
    BANDS,
    READINESS_HIGH,
    READINESS_MID,
    Band,
    CalibrationSession,
    GroupKind,
    NineBox,
    RatingShare,
    SessionStatus,
    default_name,
    distribution,
    group_words,
    nine_box,
)
from trellis.domain.events import MICRO_PROGRESSIONS, EventKind, given, shown, text_value
from trellis.domain.framework import Framework, ReviewForm, Role
from trellis.domain.ledger_rows import EventRow
from trellis.domain.limits import LONG_TEXT_MAX, NAME_MAX
from trellis.domain.people import Person
from trellis.domain.profile_document import profile_from_document
from trellis.domain.readiness import assess
from trellis.domain.reviews import ReviewCycle
from trellis.errors import (
    UNKNOWN,
    Conflict,
    InvalidEvent,
    LedgerRuleBroken,
    NotFound,
    Term,
    listed,
)

from . import audit_trail, clock, reviews
from .frameworks import version_in_force
from .ledger import append_event, find_named, find_person
from .unit_of_work import UnitOfWork

RECENT_DAYS = 365  # "recent" micro-progressions: the last twelve months
LATEST_SHOWN = 3  # how many of them the list names beside each person


def open_session(uow: UnitOfWork, cycle_name: str, *, team: str | None = None,
                 level: str | None = None, track: str | None = None,
                 name: str | None = None, author: str) -> tuple[CalibrationSession, int]:
    """Open a session for the people of a cycle in one group (exactly one of a manager's
    org, a level or a track, as they stand today); returns it and how many are in it. The
    members are fixed now, as a cycle's participants are when it opens."""
    groups = [(k, v) for k, v in ((GroupKind.TEAM, team), (GroupKind.LEVEL, level),
                                 (GroupKind.TRACK, track)) if v is not None]
    if len(groups) != 1:
        raise InvalidEvent("give exactly one group: {team}, {level} or {track}",
                           team=Term("a manager's team", "--team MANAGER"),
                           level=Term("a level", "--level LEVEL"),
                           track=Term("a track", "--track TRACK"))
    kind, value = groups[0][0], groups[0][1].strip()
    with uow:
        cycle = _cycle(uow, cycle_name)
        participants = uow.reviews.participants(cycle.id)
        framework = uow.frameworks.catalog[version_in_force(uow, clock.today()).id]
        manager: Person | None = None
        if kind is GroupKind.TEAM:
            manager = find_person(uow, value)
            value = manager.handle
            where = Term(f"{manager.name}'s team", f"team {value}")
            group = {p.id for p in uow.people.reports(manager.id)}
        else:
            known = framework.levels if kind is GroupKind.LEVEL else framework.tracks
            if value not in known:
                raise NotFound(f"unknown {kind} {{given}} in {{framework}} (its {kind}s: "
                               "{known})", given=given(value), framework=framework.term,
                               known=listed(k.term for k in known.values()))
            where = Term(f"the {known[value].name} {kind}", f"{kind} {value}")
            rows = uow.state.rows(participants if len(participants) < 900 else None,
                                  ["person_id", kind.value, "departed_on"])
            group = {r["person_id"] for r in rows
                     if r[kind.value] == value and r["departed_on"] is None}
        members = sorted(set(participants) & group)
        if not members:
            raise InvalidEvent(f"nobody in review cycle '{cycle.name}' is in {{group}}",
                               group=where)
        title = _session_name(name if name is not None else default_name(cycle.name, kind,
                                                                         value))
        session = uow.calibrations.add_session(title, cycle.id, kind, value,
                                               manager.id if manager else None, author,
                                               clock.now())
        uow.calibrations.add_members(session.id, members)
        audit_trail.note(uow, author, "calibration.open", f"calibration/{session.id}",
                         {"members": len(members)})
        uow.commit()
        return session, len(members)


def close_session(uow: UnitOfWork, name: str, *, author: str) -> CalibrationSession:
    """Close a session: its ratings stand and no more changes are taken."""
    with uow:
        session = _session(uow, name)
        if not session.is_open:
            raise Conflict("{session} is already closed", session=_term(uow, session))
        uow.calibrations.set_status(session.id, SessionStatus.CLOSED, clock.now())
        audit_trail.note(uow, author, "calibration.close", f"calibration/{session.id}")
        uow.commit()
        found = uow.calibrations.session(session.name)
    assert found is not None
    return found


def session_named(uow: UnitOfWork, session_id: int) -> CalibrationSession:
    """A session by its id (the web's addresses: a name may hold any character)."""
    with uow.reading():
        found = uow.calibrations.get(session_id) if 0 < session_id < 2**62 else None
    if found is None:
        raise NotFound(f"{{unknown}} calibration session {session_id}", unknown=UNKNOWN)
    return found


def sessions(uow: UnitOfWork) -> list[tuple[CalibrationSession, int]]:
    """Every session with how many people are in it, oldest first."""
    with uow.reading():
        counts = uow.calibrations.counts()
        return [(s, counts.get(s.id, 0)) for s in uow.calibrations.sessions()]


@dataclass(frozen=True, slots=True)
class Change:
    event_id: int
    person: Person
    from_rating: int
    to_rating: int


def change_rating(uow: UnitOfWork, name: str, person_ref: str, rating: int, reason: str, *,
                  author: str) -> Change:
    """Calibrate a member's overall rating: a ``calibration`` event dated today, from the
    rating that stands (the manager review's, or an earlier calibration's) to ``rating``.
    Refused: a closed session, no reason, someone not in the session, a rating outside the
    framework's scale or equal to the one that stands, no manager review to calibrate."""
    why = text_value(reason, "the reason", LONG_TEXT_MAX, multiline=True)
    if not why:
        raise InvalidEvent("give the reason for the change{reason}",
                           reason=Term("", " (--reason)"))
    with uow:
        session = _session(uow, name)
        if not session.is_open:
            raise LedgerRuleBroken("{session} is closed", session=_term(uow, session))
        person = find_person(uow, person_ref)
        if not uow.calibrations.is_member(session.id, person.id):
            raise LedgerRuleBroken(f"{{person}} is not in {{session}} ({{group}}review cycle "
                                   f"'{session.cycle}')", person=person.term,
                                   session=_term(uow, session),
                                   group=Term("", f"{session.group_label} in "))
        scale = uow.frameworks.catalog[version_in_force(uow, clock.today()).id].reviews.rating
        if not scale.holds(rating):
            raise InvalidEvent(f"rating {rating} is outside the scale {scale.min}-{scale.max}")
        uow.people.lock(person.id)
        current = uow.state.current(person.id)
        records = (current.reviews.get(session.cycle, {}).get(ReviewForm.MANAGER.value)
                   if current else None)
        if not records:
            raise LedgerRuleBroken(f"{{person}} has no manager review in cycle "
                                   f"'{session.cycle}' to calibrate", person=person.term)
        before = records[-1].overall
        if before == rating:
            raise InvalidEvent(f"{{person}}'s rating in cycle '{session.cycle}' is "
                               f"already {rating}", person=person.term)
        event = append_event(uow, person, EventKind.CALIBRATION, clock.today(), {
            "cycle": session.cycle, "session": session.name, "from_rating": before,
            "to_rating": rating, "reason": why}, author=author)
        audit_trail.note(uow, author, "calibration.change",
                         f"person/{person.handle}/events/{event.id}",
                         {"session": session.name, "from": before, "to": rating})
        uow.commit()
        return Change(event.id, person, before, rating)


# --- the view


@dataclass(frozen=True, slots=True)
class RecentStep:
    on: date
    kind: str  # a micro-progression kind
    what: str  # its subject in a few words (never a pay figure)


@dataclass(frozen=True, slots=True)
class Member:
    person: Person
    role: str | None
    title: str | None
    original: int | None  # the manager review's rating (None: no manager review)
    calibrated: int | None  # the calibration that stands, if any
    readiness: float | None  # for the next role of the track (None: at the top, or none)
    next_role: str | None
    recent_count: int  # micro-progressions in the last RECENT_DAYS
    recent: tuple[RecentStep, ...]  # the latest LATEST_SHOWN, newest first

    @property
    def rating(self) -> int | None:
        return self.calibrated if self.calibrated is not None else self.original


@dataclass(frozen=True, slots=True)
class CalibrationView:
    session: CalibrationSession
    framework: Framework
    as_of: date
    members: tuple[Member, ...]  # by rating (highest first), readiness, then handle
    distribution: tuple[RatingShare, ...]
    boxes: NineBox  # (performance, readiness) -> person ids
    unrated: int  # members without a manager review in the cycle
    unplaced: int  # rated members with no next role: off the 9-box's readiness axis

    @property
    def rated(self) -> int:
        return sum(1 for m in self.members if m.rating is not None)

    def box_people(self, performance: Band, readiness: Band) -> list[Person]:
        """The people in one box, in the order placed."""
        by_id = {m.person.id: m.person for m in self.members}
        return [by_id[p] for p in self.boxes[(performance, readiness)]]

    def box_names(self, performance: Band, readiness: Band) -> list[str]:
        """Their handles (the JSON's stable names)."""
        return [p.handle for p in self.box_people(performance, readiness)]


def view(uow: UnitOfWork, name: str) -> CalibrationView:
    today = clock.today()
    since = today - timedelta(days=RECENT_DAYS)
    with uow.reading():
        session = _session(uow, name)
        ids = uow.calibrations.members(session.id)
        wanted = set(ids)
        people = {p.id: p for p in uow.people.all() if p.id in wanted}
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        rows = uow.state.rows(ids if len(ids) < 900 else None,
                              ["person_id", "role", "profile"])
        steps = uow.events.of_kinds(MICRO_PROGRESSIONS, ids)
    recent: dict[int, list[EventRow]] = {}
    for step in steps:  # in ledger order: the newest last
        if since <= step.effective_on <= today:
            recent.setdefault(step.person_id, []).append(step)
    next_roles: dict[str, Role | None] = {}
    members: list[Member] = []
    with paused_gc():
        for row in rows:
            person = people.get(row["person_id"])
            if person is None:
                continue
            profile = profile_from_document(orjson.loads(row["profile"]), history=False)
            manager = profile.reviews.get(session.cycle, {}).get(ReviewForm.MANAGER.value)
            record = manager[-1] if manager else None
            role_id = row["role"]
            if role_id is not None and role_id not in next_roles:
                next_roles[role_id] = (framework.next_role(role_id)
                                       if role_id in framework.roles else None)
            target = next_roles.get(role_id) if role_id is not None else None
            score = (assess(replace(profile, as_of=today), target, framework).score
                     if target is not None and profile.active else None)
            mine = recent.get(person.id, [])
            latest = tuple(RecentStep(r.effective_on, r.kind, _subject(r.kind, r.details))
                           for r in reversed(mine[-LATEST_SHOWN:]))
            members.append(Member(
                person, role_id, profile.title, record.rating if record else None,
                record.calibrated if record else None, score,
                target.id if target else None, len(mine), latest))
    members.sort(key=lambda m: (m.rating is None, -(m.rating or 0), -(m.readiness or -1.0),
                                m.person.handle))
    scale = framework.reviews.rating
    rated = [m for m in members if m.rating is not None]
    placed = [(m.person.id, m.rating, m.readiness) for m in rated
              if m.rating is not None and m.readiness is not None]
    return CalibrationView(
        session, framework, today, tuple(members),
        tuple(distribution([m.rating for m in rated if m.rating is not None], scale,
                           framework.reviews.target_distribution)),
        nine_box(placed, scale), len(members) - len(rated), len(rated) - len(placed))


_SUBJECT = ("competency", "criterion", "certification", "project", "function", "citation",
            "role")


def _subject(kind: str, details: Mapping[str, Any]) -> str:
    if kind == EventKind.COMPENSATION.value:  # a pay change: which kind, never how much
        return str(details.get("compensation_kind") or "merit")
    for key in _SUBJECT:
        if details.get(key):
            return str(details[key])
    return kind


def _session_name(name: str) -> str:
    text = text_value(name, "the session's name", NAME_MAX)
    if not text:
        raise InvalidEvent("give the session a name")
    return text


def group_of(uow: UnitOfWork, session: CalibrationSession) -> str:
    """The session's group in words ("Meg Manager's team", "Level Junior"), from its
    manager's name and the framework in force; its id when neither knows it any more (a
    manager since erased, a level the framework dropped)."""
    if session.group_kind is GroupKind.TEAM:
        manager = uow.people.get(session.team_id) if session.team_id is not None else None
        return group_words(session.group_kind, manager.name) if manager \
            else session.group_label
    framework = uow.frameworks.catalog[version_in_force(uow, clock.today()).id]
    known = framework.levels if session.group_kind is GroupKind.LEVEL else framework.tracks
    found = known.get(session.group)
    return group_words(session.group_kind, found.name) if found else session.group_label


def _term(uow: UnitOfWork, session: CalibrationSession) -> Term:
    return session.term(group_of(uow, session), {})


def _session(uow: UnitOfWork, name: str) -> CalibrationSession:
    return find_named(uow.calibrations.session, name, "calibration session")


def _cycle(uow: UnitOfWork, name: str) -> ReviewCycle:
    text = name.strip()
    found = uow.reviews.cycle(text) if len(text) <= NAME_MAX and text.isprintable() else None
    if found is None:
        raise NotFound(f"unknown review cycle {shown(name)}")
    return found


def member_document(m: Member) -> dict[str, Any]:
    return {"handle": m.person.handle, "name": m.person.name, "role": m.role,
            "rating": m.rating, "manager_rating": m.original, "calibrated": m.calibrated,
            "readiness": m.readiness, "next_role": m.next_role,
            "recent_micro_progressions": m.recent_count,
            "latest": [{"on": s.on.isoformat(), "kind": s.kind, "what": s.what}
                       for s in m.recent]}


def view_document(v: CalibrationView) -> dict[str, Any]:
    """The view as stable JSON (``calibrate show --json`` and the API)."""
    s = v.session
    return {
        "session": session_document(s), "as_of": v.as_of.isoformat(),
        "scale": {"min": v.framework.reviews.rating.min, "max": v.framework.reviews.rating.max},
        "rated": v.rated, "unrated": v.unrated, "unplaced": v.unplaced,
        "distribution": [{"rating": d.rating, "label": d.label, "count": d.count,
                          "percent": d.percent, "target_percent": d.target_percent,
                          "target_count": d.target_count, "difference": d.difference}
                         for d in v.distribution],
        "nine_box": {"readiness_thresholds": {"mid": READINESS_MID, "high": READINESS_HIGH},
                     "boxes": [{"performance": p.value, "readiness": r.value,
                                "count": len(v.boxes[(p, r)]),
                                "people": v.box_names(p, r)}
                               for p in BANDS for r in BANDS]},
        "members": [member_document(m) for m in v.members],
    }


def session_document(s: CalibrationSession, members: int | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": s.name, "cycle": s.cycle, "group_kind": s.group_kind.value,
                           "group": s.group, "status": s.status.value,
                           "opened_by": s.opened_by, "opened_at": s.opened_at.isoformat()}
    if members is not None:
        doc["members"] = members
    return doc


def changes_of(uow: UnitOfWork, name: str) -> list[dict[str, Any]]:
    """The session's live calibration changes, oldest first: who, whom, before, after, why."""
    with uow.reading():
        session = _session(uow, name)
        ids = uow.calibrations.members(session.id)
        handles = {p.id: p.handle for p in uow.people.all()}
        rows = [r for r in uow.events.of_kinds([EventKind.CALIBRATION], ids)
                if r.details.get("session") == session.name]
        authors = {r.id: e.author for r in rows if (e := uow.events.get(r.id)) is not None}
    return [{"event_id": r.id, "on": r.effective_on.isoformat(),
             "person": handles.get(r.person_id), "from_rating": r.details["from_rating"],
             "to_rating": r.details["to_rating"], "reason": r.details["reason"],
             "by": authors.get(r.id)} for r in rows]


def sorted_boxes(v: CalibrationView) -> Sequence[tuple[Band, Band]]:
    """The 9-box's cells as a grid reads them: high performance on top, readiness rising
    to the right."""
    return [(p, r) for p in reversed(BANDS) for r in BANDS]


# --- the demo organization

DEMO_REVIEWED = 15  # manager reviews written for the demo's session, at most: it stays fast


def demo_calibration(uow_factory: Callable[[], UnitOfWork], *, manager: str | None,
                     seed: int, author: str) -> CalibrationSession | None:
    """A calibration session on the demo's latest closed review cycle (else its latest) for
    ``manager``'s team, with one change. With no cycle yet, a small one for that team, with
    manager reviews (ratings drawn with ``seed``) for up to DEMO_REVIEWED people. None when
    the demo has no manager."""
    if manager is None:
        return None
    found = [c for c, _ in reviews.cycles(uow_factory())]
    # the latest closed cycle has every manager review in; this year's may not yet
    done = [c for c in found if not c.is_open] or found
    cycle = max(done, key=lambda c: (c.period_end, c.id), default=None)
    if cycle is None:
        year = clock.today().year
        cycle, _ = reviews.open_cycle(uow_factory(), f"{year - 1} team review",
                                      date(year - 1, 1, 1), date(year - 1, 12, 31),
                                      forms=(ReviewForm.MANAGER,), team=manager,
                                      author=author)
        with uow_factory().reading() as uow:
            scale = uow.frameworks.catalog[
                version_in_force(uow, clock.today()).id].reviews.rating
            lead = find_person(uow, manager)
            people = [p for p in uow.people.reports(lead.id)
                      if uow.reviews.is_participant(cycle.id, p.id)][:DEMO_REVIEWED]
        rng = random.Random(seed)
        middle = (scale.min + scale.max) // 2
        for person in people:
            rating = max(scale.min, min(scale.max, middle + rng.choice((-1, 0, 0, 0, 1, 1, 2))))
            reviews.submit(uow_factory(), cycle.name, person.handle, ReviewForm.MANAGER,
                           rating, author=author)
    try:
        session, _ = open_session(uow_factory(), cycle.name, team=manager,
                                  name=f"{cycle.name} calibration", author=author)
    except (InvalidEvent, Conflict):  # nobody of the team in that cycle, or already done
        return None
    shown = view(uow_factory(), session.name)
    scale = shown.framework.reviews.rating
    for member in shown.members:  # the highest rated who is still here takes the change
        if member.rating is None or member.rating <= scale.min:
            continue
        try:
            change_rating(uow_factory(), session.name, member.person.handle, member.rating - 1,
                          "held to the team's bar: a strong year, rated beside its peers",
                          author=author)
        except LedgerRuleBroken:  # left since the cycle: their ledger is closed
            continue
        break
    return session
