"""The use case behind ``trellis compare``: the seven-feature table from the ledger.

One read of the event kinds the table needs (retractions honoured), one of the profiles'
band upgrades, and the roles of every version of the active framework; the rest is
``analytics.compare``. The scope is the organization (everyone ever hired, departed people
included: their history is evidence), a manager's reports (transitively) or one person.
The organization's table over its whole history is an organization model
(services.org_models): computed once per state of the ledger, then read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from trellis.analytics.compare import (
    KINDS,
    MIN_N,
    BandStep,
    Roles,
    Table,
    build_table,
    build_table_of,
)
from trellis.errors import TrellisError

from . import clock, org_models
from .frameworks import ACTIVE
from .ledger import find_person
from .ledger_snapshot import LedgerSnapshot
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Comparison:
    as_of: date
    since: date | None
    scope: str  # organization | team | person
    subject: str | None  # the manager's or the person's handle
    table: Table
    notes: tuple[str, ...] = field(default=())  # a stale model's "as of", for one

    def to_document(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "since": self.since, "scope": self.scope,
                "subject": self.subject, **self.table.to_document(),
                "notes": list(self.notes)}


def roles_of(uow: UnitOfWork) -> Roles:
    """Rank, track and role type of every role in every version of the active framework."""
    key = uow.frameworks.get_meta(ACTIVE)
    rank: dict[str, int] = {}
    track: dict[str, str] = {}
    role_type: dict[str, str] = {}
    for version in uow.frameworks.versions(key) if key else []:
        fw = uow.frameworks.catalog[version.id]
        for role in fw.roles.values():
            rank[role.id] = fw.rank_of(role.id)
            track[role.id] = role.track
        role_type.update({t.id: t.role_type.value for t in fw.tracks.values()})
    return Roles(rank, track, role_type)


def band_steps(profile_text: str | bytes) -> list[BandStep]:
    doc = orjson.loads(profile_text)
    return [BandStep(date.fromisoformat(u["on"]), u.get("pay_before"), u.get("pay_after"))
            for u in doc.get("band_upgrades", ())]


def organization_table(uow: UnitOfWork, params: Mapping[str, Any],
                       ledger: LedgerSnapshot) -> Table:
    """The table over everyone's whole history, through today."""
    with uow.reading():  # the band upgrades of each profile, never every profile at once
        roles = roles_of(uow)
        steps = {person_id: band_steps(text) for person_id, text in uow.state.profiles()}
    return build_table_of(ledger.people(KINDS), roles, end=clock.today(), band_steps=steps,
                          min_n=int(params.get("min_n", MIN_N)))


COMPARISON = org_models.ModelKind(
    "comparison", 1, organization_table, ("trellis.analytics.compare",),
    description="promotions against micro-progressions on seven features (compare, report)",
    kinds=KINDS, reads_as="the comparison's figures")


def compare(uow: UnitOfWork, *, team: str | None = None, person: str | None = None,
            since: date | None = None, min_n: int = MIN_N) -> Comparison:
    if team is not None and person is not None:
        raise TrellisError("give {team} or {person}, not both", team="a manager's team",
                           person="one person")
    today = clock.today()
    if since is not None and since > today:
        raise TrellisError(f"{{since}} {since} is in the future", since="the start date")
    if team is None and person is None and since is None:
        fitted = org_models.load(uow, COMPARISON, {} if min_n == MIN_N else {"min_n": min_n})
        note = fitted.note()
        return Comparison(fitted.as_of, None, "organization", None, fitted.value,
                          (note,) if note else ())
    with uow.reading():
        if person is not None:
            found = find_person(uow, person)
            ids: list[int] | None = [found.id]
            scope, subject = "person", found.handle
        elif team is not None:
            manager = find_person(uow, team)
            ids = [p.id for p in uow.people.reports(manager.id)]
            if not ids:
                raise TrellisError("{manager} has no reports", manager=manager.term)
            scope, subject = "team", manager.handle
        else:
            ids, scope, subject = None, "organization", None
        roles = roles_of(uow)
        rows = uow.events.of_kinds(KINDS, ids)
        small = ids is not None and len(ids) < 900
        states = uow.state.rows(ids if small else None, ["person_id", "profile"])
    wanted = set(ids) if ids is not None else None
    steps = {r["person_id"]: band_steps(r["profile"]) for r in states
             if wanted is None or r["person_id"] in wanted}
    table = build_table(rows, roles, end=today, band_steps=steps, people=ids, since=since,
                        min_n=min_n)
    return Comparison(today, since, scope, subject, table)
