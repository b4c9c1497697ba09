"""Use cases for career frameworks: load (versioned, carrying evidence forward), choose the
active one, look up, and diff two versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from trellis.domain.events import Event, EventKind
from trellis.domain.framework import Framework
from trellis.domain.framework_versions import in_force
from trellis.domain.profile import replay, resume
from trellis.errors import FrameworkInvalid, LedgerRuleBroken, NotFound, Term, TrellisError

from . import audit_trail, clock
from .unit_of_work import FrameworkVersionInfo, UnitOfWork

if TYPE_CHECKING:
    from trellis.domain.framework_diff import FrameworkDiff

ACTIVE = "active_framework"
EVIDENCE_KINDS = (EventKind.SKILL_STEP, EventKind.DEMONSTRATED, EventKind.ASSESSED)


@dataclass(frozen=True, slots=True)
class Carry:
    """What loading a version did with the evidence on the items it replaces or retires."""

    people: int = 0  # people given derived events
    events: int = 0  # derived events recorded
    retired_people: int = 0  # people with evidence on retired items (kept in history)
    unchanged: int = 0  # people with evidence on replaced items and nothing to carry (they
    # had left when it took effect, or the new item already held as much)
    refreshed: int = 0  # current profiles rewritten to read the new version (titles, ...)


@dataclass(frozen=True, slots=True)
class Loaded:
    version: FrameworkVersionInfo
    changed: bool  # False when the file matched the newest version: nothing was written
    active: bool
    carry: Carry = field(default_factory=Carry)


def document_checksum(document: Mapping[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_framework(
    uow: UnitOfWork,
    framework: Framework,
    document: Mapping[str, Any],
    *,
    author: str,
    effective_from: date | None = None,
    activate: bool = False,
) -> Loaded:
    """Store a framework as a new version, unless it is identical to the newest one.

    The first version of a framework covers all of the past; later ones take effect on
    ``effective_from`` (default: today), so older events keep the version of their date.
    The first framework loaded into a database becomes its active one.
    """
    # here, not at the top: a command that only looks a version up needs no diff
    from trellis.domain.framework_diff import diff_frameworks, replaces_problems

    digest = document_checksum(document)
    with uow:
        versions = uow.frameworks.versions(framework.key)
        active_key = uow.frameworks.get_meta(ACTIVE)
        if versions and versions[-1].checksum == digest:
            return Loaded(versions[-1], changed=False, active=active_key == framework.key)
        previous = versions[-1] if versions else None
        old = uow.frameworks.catalog[previous.id] if previous else None
        problems = replaces_problems(old, framework, _label(previous))
        if problems:
            raise FrameworkInvalid(problems)
        since = effective_from or (clock.today() if versions else None)
        diff = diff_frameworks(old, framework) if old is not None else None
        if diff is not None and diff.carries:
            _check_carry_date(previous, since)
        version = uow.frameworks.add(framework.key, document, since, author, clock.now(), digest)
        carry = Carry()
        if diff is not None and previous is not None and since is not None:
            carry = _carry(uow, diff, previous, version, since)
        if activate or active_key is None:
            uow.frameworks.set_meta(ACTIVE, framework.key)
            active_key = framework.key
        audit_trail.note(uow, author, "framework.load", f"framework/{framework.key}",
                         {"version": version.version, "changed": True})
        uow.commit()
        return Loaded(version, changed=True, active=active_key == framework.key, carry=carry)


def _label(version: FrameworkVersionInfo | None) -> str:
    return f"{version.key} v{version.version}" if version else "the previous version"


def _check_carry_date(previous: FrameworkVersionInfo | None, since: date | None) -> None:
    """Evidence is carried on the day the new version takes effect: a day that has come,
    after the day the version it replaces took effect."""
    assert previous is not None and since is not None
    if since > clock.today():
        raise TrellisError(f"a version that replaces items carries evidence on the day it "
                           f"takes effect: {since} is in the future (load it on that day)")
    if previous.effective_from is not None and since <= previous.effective_from:
        raise TrellisError(f"this version replaces items of {_label(previous)}, which takes "
                           f"effect on {previous.effective_from}: take effect after it, not "
                           f"on {since}")


def _carry(uow: UnitOfWork, diff: FrameworkDiff, previous: FrameworkVersionInfo,
           version: FrameworkVersionInfo, since: date) -> Carry:
    """Record the derived events carrying evidence along the new version's ``replaces``,
    replay each person concerned (the ledger's rules check the result), and rewrite the
    current profiles that now read the new version."""
    from trellis.domain.carry_forward import carried_author, carry_forward

    rows = uow.events.of_kinds(EVIDENCE_KINDS)
    maps = diff.competencies, diff.criteria
    concerned = sorted({r.person_id for r in rows if _names(r.details, *maps)})
    retired = {r.person_id for r in rows if _names(r.details, *maps, retired=True)}
    catalog = uow.frameworks.catalog
    today = clock.today()
    people = events = unchanged = 0
    written: set[int] = set()
    uow.people.lock_many(concerned)
    for person_id in concerned:
        history = uow.events.for_person(person_id)
        found = carry_forward(person_id, history, catalog, new_version=version.id,
                              effective=since, competencies=diff.competencies,
                              criteria=diff.criteria, previous=_label(previous))
        if not found:
            unchanged += 1
            continue
        author = carried_author(_label(previous))
        added = []
        for c in found:
            draft = Event(0, person_id, c.on, c.details, clock.now(), author, c.evidence,
                          framework_version=version.id)
            added.append(Event(uow.events.add(draft), person_id, c.on, c.details,
                               draft.recorded_at, author, c.evidence,
                               framework_version=version.id))
        try:
            builder, checkpoints = replay(person_id, [*history, *added], catalog)
        except LedgerRuleBroken as exc:
            person = uow.people.get(person_id)
            who = person.term if person else Term(f"person #{person_id}", str(person_id))
            raise LedgerRuleBroken(  # the rule's own terms kept, as services.ledger does
                f"carrying evidence into {version.key} v{version.version} would break "
                "{_person}'s ledger: " + exc.template + " (nothing was loaded)",
                **exc.terms, _person=who) from None
        uow.state.write([builder.snapshot(today)])
        uow.state.write_checkpoints(person_id, checkpoints)
        written.add(person_id)
        people += 1
        events += len(added)
    refreshed = _refresh_current(uow, version, written, today)
    return Carry(people, events, len(retired), unchanged, refreshed)


def _names(details: Mapping[str, Any], competencies: Any, criteria: Any, *,
           retired: bool = False) -> bool:
    """Whether an evidence row names an item replaced (or, ``retired``, retired)."""
    comp, crit = details.get("competency"), details.get("criterion")
    if retired:
        return comp in competencies.retired or crit in criteria.retired
    return comp in competencies.targets or crit in criteria.targets


def _refresh_current(uow: UnitOfWork, version: FrameworkVersionInfo, written: set[int],
                     today: date) -> int:
    """Rewrite the current profiles that now read ``version`` (a renamed title shows at
    once), from each stored profile: nothing needs replaying."""
    catalog = uow.frameworks.catalog
    ours = {v.id for v in uow.frameworks.versions(version.key)}
    stale = [row["person_id"] for row in uow.state.rows(columns=["person_id",
                                                                 "framework_version"])
             if row["framework_version"] in ours and row["person_id"] not in written
             and in_force(catalog, row["framework_version"], today) != row["framework_version"]]
    profiles = []
    for person_id in stale:
        current = uow.state.current(person_id)
        if current is not None:
            profiles.append(resume(current, catalog).snapshot(today))
    for start in range(0, len(profiles), 2_000):
        uow.state.write(profiles[start:start + 2_000])
    return len(profiles)


def activate_framework(uow: UnitOfWork, key: str) -> None:
    with uow:
        if not uow.frameworks.versions(key):
            raise NotFound(f"no framework '{key}' is loaded")
        uow.frameworks.set_meta(ACTIVE, key)
        uow.commit()


def list_versions(uow: UnitOfWork) -> tuple[list[FrameworkVersionInfo], str | None]:
    with uow:
        return list(uow.frameworks.versions()), uow.frameworks.get_meta(ACTIVE)


LOAD_A_FRAMEWORK = Term("an HR admin loads one on the Organization page",
                        "run `trellis framework load FILE` first")


def version_in_force(uow: UnitOfWork, on: date) -> FrameworkVersionInfo:
    """The active framework's version in force on a date (inside an open unit of work)."""
    key = uow.frameworks.get_meta(ACTIVE)
    version = uow.frameworks.in_force(key, on) if key else None
    if version is None:
        raise NotFound("no framework is loaded: {load}", load=LOAD_A_FRAMEWORK)
    return version


def framework_at(uow: UnitOfWork, on: date | None = None,
                 key: str | None = None) -> tuple[FrameworkVersionInfo, Framework]:
    """A framework version and its content (default: the active one, in force today)."""
    on = on or clock.today()
    with uow:
        if key is None:
            version = version_in_force(uow, on)
        else:
            found = uow.frameworks.in_force(key, on)
            if found is None:
                raise NotFound(f"no framework '{key}' is loaded")
            version = found
        return version, uow.frameworks.catalog[version.id]


def framework_document(uow: UnitOfWork, version_id: int) -> dict[str, Any]:
    with uow:
        return uow.frameworks.document(version_id)


@dataclass(frozen=True, slots=True)
class Affected:
    """A person whose evidence a new version concerns: on replaced items (carried) and on
    retired ones (kept in history only)."""

    person_id: int
    handle: str
    replaced: tuple[str, ...]
    retired: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Diff:
    diff: FrameworkDiff
    affected: list[Affected] | None  # None: no database to look in


def affected_people(uow: UnitOfWork, diff: FrameworkDiff) -> list[Affected]:
    """Everyone with live evidence (skill steps, demonstrations, assessments) on an item the
    new version replaces or retires, with those items."""
    maps = diff.competencies, diff.criteria
    replaced: dict[int, set[str]] = {}
    retired: dict[int, set[str]] = {}
    with uow.reading():
        for row in uow.events.of_kinds(EVIDENCE_KINDS):
            item = row.details.get("competency") or row.details.get("criterion")
            if _names(row.details, *maps):
                replaced.setdefault(row.person_id, set()).add(str(item))
            elif _names(row.details, *maps, retired=True):
                retired.setdefault(row.person_id, set()).add(str(item))
        out = []
        for person_id in sorted(replaced.keys() | retired.keys()):
            person = uow.people.get(person_id)
            out.append(Affected(person_id, person.handle if person else str(person_id),
                                tuple(sorted(replaced.get(person_id, ()))),
                                tuple(sorted(retired.get(person_id, ())))))
        return out


def stored_version(uow: UnitOfWork, ref: str) -> tuple[FrameworkVersionInfo, Framework] | None:
    """A version in the database by ``KEY@VERSION`` (or ``KEY``: its newest); None when
    the database holds no framework of that key."""
    key, _, number = ref.partition("@")
    with uow.reading():
        versions = uow.frameworks.versions(key)
        if not versions:
            return None
        if not number:
            chosen = versions[-1]
        else:
            wanted = number.removeprefix("v")
            found = next((v for v in versions if str(v.version) == wanted), None)
            if found is None:
                known = ", ".join(str(v.version) for v in versions)
                raise NotFound(f"'{key}' has no version {number} (versions: {known})")
            chosen = found
        return chosen, uow.frameworks.catalog[chosen.id]


def diff_versions(old: Framework, new: Framework, uow: UnitOfWork | None = None,
                  previous: str = "the old version") -> Diff:
    """What changed from ``old`` to ``new`` and, with a database, whose evidence it
    concerns. A ``replaces`` naming nothing in ``old`` is refused, as a load would."""
    from trellis.domain.framework_diff import diff_frameworks, replaces_problems

    problems = replaces_problems(old, new, previous)
    if problems:
        raise FrameworkInvalid(problems)
    diff = diff_frameworks(old, new)
    return Diff(diff, affected_people(uow, diff) if uow is not None else None)
