"""The SQL unit of work and its repositories.

A ``SqlUnitOfWork`` is one transaction: it rolls back unless ``commit()`` was called,
so a use case that fails half way leaves nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, partial
from operator import itemgetter
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import orjson
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    String,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from trellis.domain.events import (
    Event,
    EventKind,
    Retraction,
    details_from_trusted,
    details_to_mapping,
)
from trellis.domain.framework import Framework
from trellis.domain.framework_versions import FrameworkVersions, VersionDate
from trellis.domain.ledger_rows import EventRow
from trellis.domain.parsed_framework import PARSED_FORMAT, from_parsed, to_parsed
from trellis.domain.people import Person
from trellis.domain.profile import Profile
from trellis.domain.profile_document import profile_from_document, profile_to_document
from trellis.errors import Busy, Conflict

from . import tables as t
from .sqlite_writers import BUSY_SECONDS, import_mark

if TYPE_CHECKING:
    from .accounts_store import AccountsRepository
    from .alert_store import AlertFactsRepository
    from .attribute_store import AttributeRepository
    from .audit_store import AuditLog
    from .calibration_store import CalibrationRepository
    from .case_store import CaseRepository
    from .comp_store import CompensationRepository
    from .erasure import ErasureRepository
    from .model_store import ModelRepository
    from .plan_store import PlanRepository
    from .review_store import ReviewRepository


@dataclass(frozen=True, slots=True)
class FrameworkVersion:
    id: int
    key: str
    version: int
    effective_from: date | None
    loaded_at: datetime
    author: str
    checksum: str


ParsedFrameworks = dict[tuple[int, str], Framework]
"""Parsed framework versions by (id, checksum), shared by the units of work of one engine: a
stored version never changes, and parsing one costs more than the rest of a profile read."""


_VERSION_DATES = select(t.framework_versions.c.id, t.framework_versions.c.framework_key,
                        t.framework_versions.c.version, t.framework_versions.c.effective_from)
_FV, _FP = t.framework_versions.c, t.framework_parsed.c
# A version's checksum, and the framework it parses to if this code's shape of it is kept
_VERSION_KEPT = select(_FV.checksum, _FP.parsed).select_from(
    t.framework_versions.outerjoin(t.framework_parsed, and_(
        _FP.version_id == _FV.id, _FP.format == bindparam("format"),
        _FP.checksum == _FV.checksum))).where(_FV.id == bindparam("id"))


class FrameworkCatalog(FrameworkVersions):
    """Framework versions by id, each loaded from the database on first use."""

    def __init__(self, connection: Connection, parsed: ParsedFrameworks | None = None) -> None:
        super().__init__()
        self._connection = connection
        self._parsed: ParsedFrameworks = {} if parsed is None else parsed

    def version_dates(self) -> list[VersionDate]:
        return [VersionDate(*row) for row in self._connection.execute(_VERSION_DATES)]

    def __missing__(self, version_id: int) -> Framework:
        row = self._connection.execute(
            _VERSION_KEPT, {"id": version_id, "format": PARSED_FORMAT}).first()
        if row is None:
            raise KeyError(version_id)
        checksum, kept = row
        framework = self._parsed.get((version_id, checksum))
        if framework is None:  # the checksum in the key guards against a reused id
            framework = _read_kept(kept) if kept is not None else None
            if framework is None:
                framework = self._parse(version_id, checksum)
            self._parsed[(version_id, checksum)] = framework
        self[version_id] = framework
        self.know_dates()  # with the frameworks: a fold may snapshot after the transaction
        return framework

    def _parse(self, version_id: int, checksum: str) -> Framework:
        """Parse a version's document (checking it as a file is checked), and keep what it
        parses to when this unit of work may write: then the next reads need no parsing."""
        from .framework_files import framework_from_document  # pydantic models and YAML

        fv = t.framework_versions.c
        document = self._connection.scalar(select(fv.document).where(fv.id == version_id))
        if document is None:
            raise KeyError(version_id)
        framework = framework_from_document(document)
        if not self._connection.get_execution_options().get("trellis_reading", False):
            self._keep(version_id, checksum, framework)
        return framework

    def _keep(self, version_id: int, checksum: str, framework: Framework) -> None:
        try:
            parsed = json.dumps(to_parsed(framework), separators=(",", ":"))
        except TypeError:  # a framework this code cannot keep is parsed on every read
            return
        # a concurrent writer may have kept it first: the same data (the syntax is shared;
        # the connection's own dialect module is loaded already)
        if self._connection.dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql as dialect
        else:
            from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
        self._connection.execute(dialect.insert(t.framework_parsed).values(
            version_id=version_id, format=PARSED_FORMAT, checksum=checksum,
            parsed=parsed).on_conflict_do_nothing())


def _read_kept(text: str) -> Framework | None:
    """The kept framework, or None when the row cannot be read (then the document is)."""
    try:
        return from_parsed(json.loads(text))
    except (KeyError, TypeError, ValueError):
        return None


class FrameworkRepository:
    def __init__(self, connection: Connection, parsed: ParsedFrameworks | None = None) -> None:
        self._c = connection
        self.catalog = FrameworkCatalog(connection, parsed)

    def versions(self, key: str | None = None) -> list[FrameworkVersion]:
        fv = t.framework_versions.c
        query = select(fv.id, fv.framework_key, fv.version, fv.effective_from, fv.loaded_at,
                       fv.author, fv.checksum).order_by(fv.framework_key, fv.version)
        if key is not None:
            query = query.where(fv.framework_key == key)
        return [FrameworkVersion(*row) for row in self._c.execute(query)]

    def document(self, version_id: int) -> dict[str, Any]:
        fv = t.framework_versions.c
        doc = self._c.scalar(select(fv.document).where(fv.id == version_id))
        return dict(doc or {})

    def add(self, key: str, document: Mapping[str, Any], effective_from: date | None,
            author: str, now: datetime, digest: str) -> FrameworkVersion:
        existing = self.versions(key)
        version = (existing[-1].version + 1) if existing else 1
        result = self._c.execute(
            insert(t.framework_versions).values(
                framework_key=key, version=version, effective_from=effective_from,
                loaded_at=now, author=author, checksum=digest, document=dict(document),
            )
        )
        (version_id,) = result.inserted_primary_key or (None,)
        assert version_id is not None
        self.catalog.forget_dates()
        return FrameworkVersion(version_id, key, version, effective_from, now, author, digest)

    def in_force(self, key: str, on: date) -> FrameworkVersion | None:
        """The newest version of ``key`` in force on a date (the first one covers the past)."""
        versions = self.versions(key)
        chosen = [v for v in versions if v.effective_from is None or v.effective_from <= on]
        return chosen[-1] if chosen else (versions[0] if versions else None)

    def get_meta(self, key: str) -> str | None:
        return self._c.scalar(select(t.meta.c.value).where(t.meta.c.key == key))

    def set_meta(self, key: str, value: str) -> None:
        if self.get_meta(key) is None:
            self._c.execute(insert(t.meta).values(key=key, value=value))
        else:
            self._c.execute(update(t.meta).where(t.meta.c.key == key).values(value=value))


_PERSON = (t.people.c.id, t.people.c.handle, t.people.c.name, t.people.c.email,
           t.people.c.manager_id)
# The statements every web request runs are built once: building and hashing a statement
# costs more than SQLite takes to run it.
_PERSON_BY_ID = select(*_PERSON).where(t.people.c.id == bindparam("id"))
_PERSON_BY_REF = select(*_PERSON).where(or_(
    t.people.c.handle == bindparam("ref"), t.people.c.email == bindparam("ref"),
    t.people.c.id == bindparam("number"))).limit(1)


def _management_chain() -> Any:
    """A person's managers, nearest first, in one recursive query (the depth bound stops a
    cycle that a hand-edited database might hold)."""
    p, above = t.people, t.people.alias("above")
    chain = select(p.c.manager_id.label("id"), literal(1).label("depth")).where(
        p.c.id == bindparam("id"), p.c.manager_id.is_not(None)).cte("chain", recursive=True)
    chain = chain.union_all(
        select(above.c.manager_id, chain.c.depth + 1)
        .join(chain, above.c.id == chain.c.id)
        .where(above.c.manager_id.is_not(None), chain.c.depth < 256))
    return select(chain.c.id).order_by(chain.c.depth)


_MANAGEMENT_CHAIN = _management_chain()


class PeopleRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    _columns = _PERSON

    def add(self, handle: str, name: str, email: str | None, manager_id: int | None,
            author: str, now: datetime) -> Person:
        result = self._c.execute(insert(t.people).values(
            handle=handle, name=name, email=email, manager_id=manager_id, created_at=now,
            created_by=author))
        (new_id,) = result.inserted_primary_key or (None,)
        assert new_id is not None
        return Person(new_id, handle, name, email, manager_id)

    def add_many(self, people: Sequence[Person], author: str, now: datetime) -> None:
        """Insert people who carry ids from ``reserve_ids`` (managers are set afterwards)."""
        text = self._c.dialect.name == "sqlite"
        stamp: Any = now.isoformat(sep=" ", timespec="microseconds") if text else now
        with _clash_refused("a person with one of these handles or emails was added while "
                            "the import ran"):
            bulk_insert(self._c, t.people, ("id", "handle", "name", "email", "manager_id",
                                            "created_at", "created_by"),
                        [(p.id, p.handle, p.name, p.email, None, stamp, author)
                         for p in people])

    def reserve_ids(self, count: int) -> int:
        """The first of ``count`` consecutive new person ids (see ``reserve_ids``)."""
        return reserve_ids(self._c, t.people, count)

    def lock(self, person_id: int) -> None:
        """Hold the person's row until the transaction ends, so that two writes to one
        career are replayed one after the other (PostgreSQL; SQLite has one writer)."""
        self._c.execute(select(t.people.c.id).where(t.people.c.id == person_id)
                        .with_for_update())

    def lock_many(self, person_ids: Collection[int]) -> None:
        """``lock`` each of these people, in id order (so that two lockers never deadlock)."""
        if self._c.dialect.name == "sqlite":  # one writer: nothing to lock
            return
        for chunk in _chunks(sorted(person_ids), 5_000):
            self._c.execute(select(t.people.c.id).where(t.people.c.id.in_(chunk))
                            .order_by(t.people.c.id).with_for_update())

    def set_manager(self, person_id: int, manager_id: int | None) -> None:
        self._c.execute(
            update(t.people).where(t.people.c.id == person_id).values(manager_id=manager_id)
        )

    def rename(self, person_id: int, name: str, email: str | None) -> None:
        """Change a person's name and email (their identity; the career stays in events)."""
        self._c.execute(update(t.people).where(t.people.c.id == person_id)
                        .values(name=name, email=email))

    def get(self, person_id: int) -> Person | None:
        row = self._c.execute(_PERSON_BY_ID, {"id": person_id}).first()
        return Person(*row) if row else None

    def find(self, ref: str) -> Person | None:
        """A person by handle, email, or numeric id."""
        number = int(ref) if ref.isascii() and ref.isdigit() and len(ref) < 19 else None
        row = self._c.execute(_PERSON_BY_REF, {"ref": ref, "number": number}).first()
        return Person(*row) if row else None

    def managers(self, person_id: int) -> list[int]:
        """The ids of a person's managers, nearest first."""
        chain: list[int] = []
        for (manager_id,) in self._c.execute(_MANAGEMENT_CHAIN, {"id": person_id}):
            if manager_id in chain:
                break
            chain.append(manager_id)
        return chain

    def all(self) -> list[Person]:
        return [Person(*r) for r in self._c.execute(select(*self._columns).order_by(t.people.c.id))]

    def reports(self, manager_id: int) -> list[Person]:
        """Everyone under a manager, transitively."""
        everyone = self.all()
        below: dict[int | None, list[Person]] = {}
        for p in everyone:
            below.setdefault(p.manager_id, []).append(p)
        out: list[Person] = []
        frontier = [manager_id]
        while frontier:
            nxt = []
            for m in frontier:
                for p in below.get(m, []):
                    out.append(p)
                    nxt.append(p.id)
            frontier = nxt
        return out

    def count(self) -> int:
        return int(self._c.scalar(select(func.count()).select_from(t.people)) or 0)

    def remove(self, person_id: int) -> None:
        self._c.execute(
            update(t.people).where(t.people.c.manager_id == person_id).values(manager_id=None)
        )
        self._c.execute(delete(t.people).where(t.people.c.id == person_id))


_KINDS = {k.value: k for k in EventKind}


def event_row(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "person_id": e.person_id,
        "kind": e.kind.value,
        "effective_on": e.effective_on,
        "recorded_at": e.recorded_at,
        "author": e.author,
        "evidence": e.evidence,
        "verifier": e.verifier,
        "framework_version": e.framework_version,
        "details": orjson.dumps(details_to_mapping(e.details)).decode(),
        "self_reported": e.self_reported,
    }


EVENT_COLUMNS = ("id", "person_id", "kind", "effective_on", "recorded_at", "author",
                 "evidence", "verifier", "framework_version", "details", "self_reported")


def event_rows(events: Sequence[Event], text_dates: bool) -> list[tuple[Any, ...]]:
    """Events as row tuples in EVENT_COLUMNS order (dates as ISO text for SQLite)."""
    days: dict[date, str] = {}  # a million events fall on a few thousand distinct days
    stamps: dict[datetime, str] = {}
    rows = []
    for e in events:
        on: Any = e.effective_on
        at: Any = e.recorded_at
        if text_dates:
            on = days.get(on) or days.setdefault(on, on.isoformat())
            at = stamps.get(at) or stamps.setdefault(
                at, at.isoformat(sep=" ", timespec="microseconds"))
        rows.append((e.id, e.person_id, str(e.details.kind), on, at, e.author, e.evidence,
                     e.verifier, e.framework_version, orjson.dumps(
                         details_to_mapping(e.details) if e.kind is EventKind.REVIEW
                         else e.details).decode(),  # a review's nested values as JSON
                     e.self_reported))
    return rows


def bulk_insert(connection: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert many row tuples through the driver's executemany, without per-row compiling.

    SQLAlchemy's per-row parameter processing costs several times the insert itself at a
    million rows. On SQLite, callers pass dates as the ISO text SQLAlchemy itself writes.
    """
    if not rows:
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    connection.exec_driver_sql(sql, list(rows))


LOCK_TIMED_OUT = "55P03"  # PostgreSQL's lock_not_available


def reserve_ids(connection: Connection, table: Table, count: int, above: int = 0) -> int:
    """Reserve ``count`` consecutive new ids of ``table``, above ``above`` and above every id
    in use, for rows a bulk insert gives their ids; returns the first.

    No other writer is ever given a reserved id, nor one at or below ``above`` (an import's
    own explicit ids). On SQLite the caller holds the write lock: ids above the largest in
    use stay free until it commits. On PostgreSQL the id sequence moves past them in a short
    transaction of its own, which is what makes it safe while others write: ``ALTER
    SEQUENCE`` waits for the transactions that took ids from the sequence to end (so every
    id below is either visible now or never to be used) and holds back new ones for its
    few milliseconds. Like ``nextval``, it is not undone if the caller rolls back.
    """
    if connection.dialect.name != "postgresql":
        return max(int(connection.scalar(select(func.max(table.c.id))) or 0), above) + 1
    with connection.engine.connect() as own, own.begin():
        sequence = own.exec_driver_sql(
            "SELECT pg_get_serial_sequence(%s, 'id')", (table.name,)).scalar_one()
        own.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(BUSY_SECONDS * 1000)}ms'")
        try:
            own.exec_driver_sql(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")  # the lock
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_TIMED_OUT:
                raise
            raise Busy(f"the database is busy: a writer has held new {table.name} ids for "
                       f"over {BUSY_SECONDS:g} s; try again shortly") from None
        last, called = own.exec_driver_sql(
            f"SELECT last_value, is_called FROM {sequence}").one()
        used = own.scalar(select(func.max(table.c.id))) or 0
        top = max(last if called else last - 1, used, above)
        if top + count > 0:
            own.exec_driver_sql("SELECT setval(%s, %s)", (sequence, top + count))
    return int(top) + 1


@contextmanager
def _clash_refused(what: str) -> Iterator[None]:
    """A bulk insert that meets a row another writer added meanwhile (PostgreSQL) refuses the
    whole import in one line, rather than as an internal error."""
    try:
        yield
    except IntegrityError:
        raise Conflict(f"{what}; nothing was imported: import the file again") from None


def _text_dates(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(
        v.isoformat(sep=" ", timespec="microseconds") if isinstance(v, datetime)
        else v.isoformat() if isinstance(v, date) else v
        for v in row.values()
    )


_ROW_ORDER = itemgetter(3, 0)  # an EventRow's (effective_on, id): ledger order
# EventRow((id, person_id, kind, effective_on, details)) without the Python-level __new__
# the named tuple's constructor runs: a report builds hundreds of thousands.
_EVENT_ROW = partial(tuple.__new__, EventRow)


_EXTENT = select(func.max(t.events.c.effective_on), func.count()).where(
    t.events.c.person_id == bindparam("id"))


class EventRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        c = t.events.c
        # SQLite stores dates as ISO text: read the text and parse it in C (with a cache),
        # rather than through SQLAlchemy's per-value regular expressions.
        as_text = connection.dialect.name == "sqlite"
        on = type_coerce(c.effective_on, String) if as_text else c.effective_on
        at = type_coerce(c.recorded_at, String) if as_text else c.recorded_at
        self._columns = (c.id, c.person_id, c.kind, on, at, c.author, c.evidence, c.verifier,
                         c.framework_version, c.details, c.self_reported)
        self._days: dict[str, date] = {}

    def add(self, event: Event) -> int:
        row = event_row(event)
        del row["id"]
        result = self._c.execute(insert(t.events).values(**row))
        (new_id,) = result.inserted_primary_key or (None,)
        assert new_id is not None
        return int(new_id)

    def add_many(self, events: Sequence[Event]) -> None:
        """Insert events that carry their ids (``reserve_ids``, or the file's own), as fast as
        the driver allows.

        On SQLite, a load larger than the table drops its secondary indexes and builds them
        again afterwards (in the same transaction): one sort beats a million index updates.
        Not on PostgreSQL, where dropping an index would lock every reader and writer out of
        the table until the import commits.
        """
        sqlite = self._c.dialect.name == "sqlite"
        rebuild = sqlite and len(events) >= 50_000 and len(events) > self.count()
        if rebuild:
            for index in t.events.indexes:
                index.drop(self._c)
        with _clash_refused("another import wrote one of these event ids meanwhile"):
            bulk_insert(self._c, t.events, EVENT_COLUMNS, event_rows(events, sqlite))
        if rebuild:
            for index in t.events.indexes:
                index.create(self._c)

    def for_person(self, person_id: int, until: date | None = None,
                   after: date | None = None) -> list[Event]:
        """A person's events in ledger order, optionally only those in (after, until]."""
        c = t.events.c
        query = select(*self._columns).where(c.person_id == person_id)
        if until is not None:
            query = query.where(c.effective_on <= until)
        if after is not None:
            query = query.where(c.effective_on > after)
        query = query.order_by(c.effective_on, c.id)
        return [self._event(row) for row in self._c.execute(query)]

    def of_people(self, person_ids: Collection[int], until: date, batch: int = 20_000
                  ) -> Iterator[tuple[int, list[Event]]]:
        """Each of these people's events up to ``until`` and every retraction of theirs
        (what ``for_person(p, until) + retractions(p)`` holds, each retraction once, in no
        promised order), people in ascending order: one streamed scan rather than two
        queries a person."""
        c = t.events.c
        wanted = set(person_ids)
        query = (select(*self._columns)
                 .where((c.effective_on <= until) | (c.kind == EventKind.RETRACTION.value))
                 .order_by(c.person_id, c.effective_on, c.id)
                 .execution_options(yield_per=batch))  # this query's, not the connection's
        current: int | None = None
        events: list[Event] = []
        for row in self._c.execute(query):
            if row[1] != current:
                if events:
                    yield current, events  # type: ignore[misc]
                current, events = row[1], []
            if row[1] in wanted:
                events.append(self._event(row))
        if events:
            yield current, events  # type: ignore[misc]

    def extent(self, person_id: int) -> tuple[date | None, int]:
        """The date of a person's latest event, and how many events they have."""
        latest, count = self._c.execute(_EXTENT, {"id": person_id}).one()
        if isinstance(latest, str):  # SQLite's ISO text
            latest = date.fromisoformat(latest)
        return latest, int(count)

    def retractions(self, person_id: int) -> list[Event]:
        c = t.events.c
        query = select(*self._columns).where(c.person_id == person_id,
                                             c.kind == EventKind.RETRACTION.value)
        return [self._event(row) for row in self._c.execute(query.order_by(c.id))]

    def get(self, event_id: int) -> Event | None:
        row = self._c.execute(select(*self._columns).where(t.events.c.id == event_id)).first()
        return self._event(row) if row else None

    def retracted_ids(self, person_id: int) -> set[int]:
        rows = self.for_person(person_id)
        return {e.details.retracts for e in rows if isinstance(e.details, Retraction)}

    def skill_steps(self) -> dict[int, list[tuple[date, str, int]]]:
        """Every live skill step, by person: (date, competency, to_mastery)."""
        c = t.events.c
        retracted = {
            orjson.loads(text)["retracts"]
            for text in self._c.scalars(select(c.details).where(
                c.kind == EventKind.RETRACTION.value))
        }
        out: dict[int, list[tuple[date, str, int]]] = {}
        query = select(c.id, c.person_id, self._columns[3], c.details).where(
            c.kind == EventKind.SKILL_STEP.value)
        for event_id, person_id, on, details in self._c.execute(query):
            if event_id in retracted:
                continue
            if type(on) is str:
                on = self._days.get(on) or self._days.setdefault(on, date.fromisoformat(on))
            d = orjson.loads(details)
            out.setdefault(person_id, []).append((on, d["competency"], d["to_mastery"]))
        return out

    def of_kinds(self, kinds: Collection[EventKind | str],
                 person_ids: Collection[int] | None = None, *,
                 between: tuple[date, date] | None = None) -> list[EventRow]:
        """Every live event of these kinds as light rows, in ledger order (date, then id);
        with ``between`` (first, last day), only those dated in it.

        Retracted events are left out (retractions themselves are never returned). For
        more than a few hundred people, all rows are read and filtered here: one indexed
        scan beats thousands of bound parameters.
        """
        wanted = sorted({str(k) for k in kinds} - {EventKind.RETRACTION.value})
        mark = "?" if self._c.dialect.paramstyle == "qmark" else "%s"
        retracted = {
            orjson.loads(text)["retracts"] for (text,) in self._c.exec_driver_sql(
                f"SELECT details FROM {t.events.name} WHERE kind = {mark}",
                (EventKind.RETRACTION.value,)).all()
        }
        # The driver's own rows: SQLAlchemy's per-row processing would cost as much as the
        # query at several hundred thousand rows.
        sql = (f"SELECT id, person_id, kind, effective_on, details FROM {t.events.name} "
               f"WHERE kind IN ({', '.join([mark] * len(wanted))})")
        params: list[Any] = list(wanted)
        if between is not None:  # the (kind, effective_on) index serves it
            sql += f" AND effective_on >= {mark} AND effective_on <= {mark}"
            params += [d.isoformat() if mark == "?" else d for d in between]
        only: set[int] | None = None
        if person_ids is not None:
            only = set(person_ids)
            if len(only) <= 500:
                sql += f" AND person_id IN ({', '.join([mark] * len(only))})"
                params += sorted(only)
        days, loads, row = self._days, orjson.loads, _EVENT_ROW
        out = []
        # The DBAPI cursor's plain tuples: a Row object each would cost as much again. Its
        # own cursor, not a result's: SQLAlchemy may already have taken a result's first
        # row from the cursor (it does on PostgreSQL), and that row would be lost.
        cursor = self._c.connection.cursor()
        try:
            cursor.execute(sql, tuple(params))
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        for event_id, person_id, kind, on, details in fetched:
            if event_id in retracted or (only is not None and person_id not in only):
                continue
            if type(on) is str:
                on = days.get(on) or days.setdefault(on, date.fromisoformat(on))
            out.append(row((event_id, person_id, kind, on, loads(details))))
        out.sort(key=_ROW_ORDER)
        return out

    def scan_light(self, kinds: Collection[EventKind | str], batch: int = 50_000
                   ) -> Iterator[list[tuple[int, int, str, Any, str]]]:
        """Every live event of these kinds as the driver's rows (id, person, kind, date as
        stored, details text), in batches and in no particular order: for a reader that
        keeps them compactly (services.ledger_snapshot) rather than as one list of rows."""
        wanted = sorted({str(k) for k in kinds} - {EventKind.RETRACTION.value})
        if not wanted:
            return
        mark = "?" if self._c.dialect.paramstyle == "qmark" else "%s"
        retracted = {
            orjson.loads(text)["retracts"] for (text,) in self._c.exec_driver_sql(
                f"SELECT details FROM {t.events.name} WHERE kind = {mark}",
                (EventKind.RETRACTION.value,)).all()
        }
        cursor = self._c.connection.cursor()  # the driver's cursor, in this transaction
        try:
            cursor.execute(f"SELECT id, person_id, kind, effective_on, details FROM "
                           f"{t.events.name} WHERE kind IN ({', '.join([mark] * len(wanted))})",
                           tuple(wanted))
            while rows := cursor.fetchmany(batch):
                yield [r for r in rows if r[0] not in retracted] if retracted else list(rows)
        finally:
            cursor.close()

    def max_id(self) -> int:
        return int(self._c.scalar(select(func.max(t.events.c.id))) or 0)

    def people_since(self, event_id: int) -> dict[int, int]:
        """Person id -> how many events (of any kind, retractions included) were recorded
        for them with an id above ``event_id``: whose history moved since then."""
        e = t.events.c
        return {person_id: int(n) for person_id, n in self._c.execute(
            select(e.person_id, func.count()).where(e.id > event_id).group_by(e.person_id))}

    def counts(self, person_ids: Sequence[int] | None = None) -> dict[int, int]:
        """Person id -> how many events they have (of any kind, retractions included):
        their ledger position, as a person's events only accumulate (an erasure removes
        the person). Counted on the (person, date, id) index, without reading a row."""
        e = t.events.c
        query = select(e.person_id, func.count()).group_by(e.person_id)
        if person_ids is not None and len(person_ids) < 900:
            query = query.where(e.person_id.in_(person_ids))
        return {int(i): int(n) for i, n in self._c.execute(query)}

    def reserve_ids(self, count: int, above: int = 0) -> int:
        """The first of ``count`` consecutive new event ids, all above ``above``."""
        return reserve_ids(self._c, t.events, count, above)

    def count(self) -> int:
        return int(self._c.scalar(select(func.count()).select_from(t.events)) or 0)

    def count_by_year(self, kinds: Collection[EventKind | str], *,
                      after_hire_day: bool = False) -> dict[tuple[int, str], int]:
        """Live events of these kinds per (year of their date, kind); retracted ones left
        out, and with ``after_hire_day`` those dated on the person's hire day (the baseline
        a hire records) too. Counted per day in the database, which the (kind,
        effective_on) index answers without reading the events, then summed by year."""
        wanted = sorted({str(k) for k in kinds} - {EventKind.RETRACTION.value})
        e, s = t.events.c, t.person_state.c
        out: dict[tuple[int, str], int] = {}

        def year(on: Any) -> int:
            return on.year if isinstance(on, date) else int(str(on)[:4])

        for on, kind, n in self._c.execute(
                select(e.effective_on, e.kind, func.count()).where(e.kind.in_(wanted))
                .group_by(e.effective_on, e.kind)):
            key = (year(on), kind)
            out[key] = out.get(key, 0) + int(n)
        retracted = sorted({orjson.loads(text)["retracts"] for (text,) in self._c.execute(
            select(e.details).where(e.kind == EventKind.RETRACTION.value))})
        for chunk in _chunks(retracted, 500):
            query = select(e.effective_on, e.kind).where(e.id.in_(chunk), e.kind.in_(wanted))
            if after_hire_day:  # a retracted baseline is taken off once, below
                query = query.outerjoin(t.person_state, (e.person_id == s.person_id)
                                        & (e.effective_on == s.hired_on)).where(
                    s.person_id.is_(None))
            for on, kind in self._c.execute(query):
                out[(year(on), kind)] -= 1
        if after_hire_day:  # the baseline of each hire, counted per day in the database
            # SQLite would read every event of the kinds and look each one's person up;
            # CROSS JOIN keeps person_state outside, each hire day found in the (person,
            # date) index (5x faster). PostgreSQL plans its own join.
            join = "CROSS JOIN" if self._c.dialect.name == "sqlite" else "JOIN"
            mark = "?" if self._c.dialect.paramstyle == "qmark" else "%s"
            sql = (f"SELECT e.effective_on, e.kind, count(*) FROM {t.person_state.name} s "
                   f"{join} {t.events.name} e ON e.person_id = s.person_id "
                   f"AND e.effective_on = s.hired_on "
                   f"WHERE e.kind IN ({', '.join([mark] * len(wanted))}) "
                   f"GROUP BY e.effective_on, e.kind")
            for on, kind, n in self._c.exec_driver_sql(sql, tuple(wanted)).all():
                out[(year(on), kind)] -= int(n)
        return {key: n for key, n in out.items() if n}

    def stream(self, batch: int = 20_000) -> Iterator[Event]:
        # the option on the statement: Connection.execution_options would set it on the
        # connection for every later query of the unit of work (server-side cursors all)
        query = select(*self._columns).order_by(t.events.c.id).execution_options(
            yield_per=batch)
        for row in self._c.execute(query):
            yield self._event(row)

    def forget_giver(self, handle: str) -> set[int]:
        """Blank ``handle`` as the giver of recognitions (erasure); returns the recipients."""
        c = t.events.c
        rows = self._c.execute(select(c.id, c.person_id, c.details).where(
            c.kind == EventKind.RECOGNITION.value, c.details.contains(handle))).all()
        recipients = set()
        for event_id, person_id, text in rows:
            details = orjson.loads(text)
            if details.get("giver") == handle:
                details["giver"] = None
                self._c.execute(update(t.events).where(c.id == event_id)
                                .values(details=orjson.dumps(details).decode()))
                recipients.add(person_id)
        return recipients

    def remove_person(self, person_id: int) -> int:
        result = self._c.execute(delete(t.events).where(t.events.c.person_id == person_id))
        return int(result.rowcount or 0)

    def _event(self, row: Sequence[Any]) -> Event:
        on, at = row[3], row[4]
        if type(on) is str:
            on = self._days.get(on) or self._days.setdefault(on, date.fromisoformat(on))
            at = datetime.fromisoformat(at)
        return Event(row[0], row[1], on,
                     details_from_trusted(_KINDS[row[2]], orjson.loads(row[9])),
                     at, row[5], row[6], row[7], row[8], bool(row[10]))


_CURRENT_PROFILE = select(t.person_state.c.profile).where(
    t.person_state.c.person_id == bindparam("id"))


class StateRepository:
    """The current-state projections: one row per person, one per person and competency."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def write(self, profiles: Sequence[Profile], *, new: bool = False) -> None:
        """Replace the projections of these people (``new``: they have none yet)."""
        if not profiles:
            return
        if not new:
            ids = [p.person_id for p in profiles]
            for chunk in _chunks(ids, 900):
                self._c.execute(delete(t.competency_state).where(
                    t.competency_state.c.person_id.in_(chunk)))
                self._c.execute(delete(t.person_state).where(
                    t.person_state.c.person_id.in_(chunk)))
        text = self._c.dialect.name == "sqlite"
        states = [_state_row(p) for p in profiles]
        bulk_insert(self._c, t.person_state, list(states[0]),
                    [_text_dates(r) if text else tuple(r.values()) for r in states])
        bulk_insert(self._c, t.competency_state, ("person_id", "competency", "mastery",
                                                  "reached_on"), [
            (p.person_id, layer.competency, layer.mastery,
             layer.reached_on.isoformat() if text else layer.reached_on)
            for p in profiles for layer in p.mastery.values()
        ])

    def current(self, person_id: int) -> Profile | None:
        """The stored current profile; None when there is none or it cannot be read back
        (the caller then folds the ledger, which is the truth)."""
        return _stored_profile(self._c.scalar(_CURRENT_PROFILE, {"id": person_id}))

    def rows(self, person_ids: Sequence[int] | None = None,
             columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Current-state rows (all columns, or only ``columns``: the profile is large)."""
        c = t.person_state.c
        query = select(*(c[name] for name in columns)) if columns else select(t.person_state)
        if person_ids is not None:
            query = query.where(c.person_id.in_(person_ids))
        return [dict(r._mapping) for r in self._c.execute(query).all()]

    def band_upgrade_dates(self, person_ids: Sequence[int]) -> dict[int, list[date]]:
        """The dates of these people's band upgrades (a person without any: an empty
        list), from their stored profiles: the database's JSON functions take the one list
        out, so the whole document (several kilobytes) is never parsed here."""
        c = t.person_state.c
        if self._c.dialect.name == "postgresql":
            upgrades: Any = cast(c.profile, JSON)["band_upgrades"]
        else:
            upgrades = func.json_extract(c.profile, "$.band_upgrades")
        out: dict[int, list[date]] = {}
        for chunk in _chunks(list(person_ids), 900):
            for person_id, found in self._c.execute(
                    select(c.person_id, upgrades).where(c.person_id.in_(chunk))):
                listed = orjson.loads(found) if isinstance(found, str | bytes) else found
                out[person_id] = [date.fromisoformat(u["on"]) for u in listed or ()]
        return out

    def profiles(self, batch: int = 2_000) -> Iterator[tuple[int, str]]:
        """Every stored current profile as (person id, document text), a batch at a time:
        for a reader that keeps a little of each (``rows`` would hold every profile, the
        largest column, at once)."""
        c = t.person_state.c
        result = self._c.execute(select(c.person_id, c.profile),
                                 execution_options={"yield_per": batch})
        try:
            for row in result:
                yield row[0], row[1]
        finally:
            result.close()

    def write_checkpoints(self, person_id: int, checkpoints: Sequence[Profile],
                          *, new: bool = False) -> None:
        """Replace a person's checkpoints (a long career's profile every ~1,000 events)."""
        if not new:
            self._c.execute(delete(t.profile_checkpoints).where(
                t.profile_checkpoints.c.person_id == person_id))
        if checkpoints:
            self._c.execute(insert(t.profile_checkpoints), [
                {"person_id": person_id, "through_on": p.as_of,
                 "profile": orjson.dumps(profile_to_document(p)).decode()}
                for p in checkpoints
            ])

    def checkpoint(self, person_id: int, at: date) -> Profile | None:
        """The latest checkpoint on or before a date."""
        c = t.profile_checkpoints.c
        text = self._c.scalar(select(c.profile).where(c.person_id == person_id,
                                                      c.through_on <= at)
                              .order_by(c.through_on.desc()).limit(1))
        return _stored_profile(text)

    def remove(self, person_id: int) -> None:
        self._c.execute(delete(t.profile_checkpoints).where(
            t.profile_checkpoints.c.person_id == person_id))
        self._c.execute(delete(t.competency_state).where(
            t.competency_state.c.person_id == person_id))
        self._c.execute(delete(t.person_state).where(t.person_state.c.person_id == person_id))


def _stored_profile(text: str | None) -> Profile | None:
    if not text:
        return None
    try:
        return profile_from_document(orjson.loads(text))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a shape an earlier Trellis wrote (see services.projections)


def _state_row(p: Profile) -> dict[str, Any]:
    return {
        "person_id": p.person_id,
        "role": p.role,
        "track": p.track,
        "level": p.level,
        "level_rank": p.level_rank,
        "pay": p.pay,
        "currency": p.currency,
        "hired_on": p.hired_on,
        "departed_on": p.departed_on,
        "role_since": p.role_since,
        "last_promotion_on": p.last_promotion_on,
        "last_recognition_on": p.last_recognition_on,
        "last_event_on": p.last_event_on,
        "promotions": p.promotions,
        "micro_progressions": sum(p.micro_progressions.values()),
        "engagement": p.engagement,
        "framework_version": p.framework_version,
        "profile": orjson.dumps(profile_to_document(p)).decode(),
    }


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SqlUnitOfWork:
    """One transaction over the Trellis tables, with a repository per aggregate."""

    def __init__(self, engine: Engine, parsed: ParsedFrameworks | None = None,
                 on_stale: Callable[[], None] | None = None) -> None:
        self._engine = engine
        self._parsed = parsed
        self.on_stale = on_stale
        self._reading = False
        self._importing = False

    def reading(self) -> Self:
        """Only read in the next transaction: on SQLite it then takes no write lock, so that
        it reads beside a writer (WAL) instead of queueing behind it."""
        self._reading = True
        return self

    def importing(self) -> Self:
        """The next transaction is a bulk import: on SQLite it marks the database as being
        imported into (``sqlite_writers.import_mark``), so that a writer waiting behind it is told
        so rather than left to wait."""
        self._importing = True
        return self

    def __enter__(self) -> Self:
        try:
            with ExitStack() as opening:  # a refused begin (Busy) leaves nothing open
                if self._importing:
                    opening.enter_context(import_mark(self._engine))
                self.connection = opening.enter_context(self._engine.connect())
                if self._reading:
                    self.connection.execution_options(trellis_reading=True)
                elif self._importing:
                    self.connection.execution_options(trellis_importing=True)
                self._transaction = self.connection.begin()
                self._open = opening.pop_all()
        except BaseException:
            self._reading = self._importing = False
            raise
        self._committed = False
        return self

    # Repositories are made on first use (a request's transaction needs one or two) and
    # forgotten with their connection when the transaction ends; the modules of the less
    # used ones are imported then too, so that a command loads only what it uses.
    @cached_property
    def frameworks(self) -> FrameworkRepository:
        return FrameworkRepository(self.connection, self._parsed)

    @cached_property
    def people(self) -> PeopleRepository:
        return PeopleRepository(self.connection)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.connection)

    @cached_property
    def state(self) -> StateRepository:
        return StateRepository(self.connection)

    @cached_property
    def plans(self) -> PlanRepository:
        from .plan_store import PlanRepository as Plans  # the plan engine, for plans only

        return Plans(self.connection)

    @cached_property
    def accounts(self) -> AccountsRepository:
        from .accounts_store import AccountsRepository as Accounts

        return Accounts(self.connection)

    @cached_property
    def audit(self) -> AuditLog:
        from .audit_store import AuditLog as Audit

        return Audit(self.connection)

    @cached_property
    def erasure(self) -> ErasureRepository:
        from .erasure import ErasureRepository as Erasure

        return Erasure(self.connection)

    @cached_property
    def reviews(self) -> ReviewRepository:
        from .review_store import ReviewRepository as Reviews  # it imports this module

        return Reviews(self.connection)

    @cached_property
    def cases(self) -> CaseRepository:
        from .case_store import CaseRepository as Cases

        return Cases(self.connection)

    @cached_property
    def compensation(self) -> CompensationRepository:
        from .comp_store import CompensationRepository as Compensation  # it imports this module

        return Compensation(self.connection)

    @cached_property
    def calibrations(self) -> CalibrationRepository:
        from .calibration_store import CalibrationRepository as Calibrations  # imports this

        return Calibrations(self.connection)

    @cached_property
    def attributes(self) -> AttributeRepository:
        from .attribute_store import AttributeRepository as Attributes  # it imports this module

        return Attributes(self.connection)

    @cached_property
    def alert_facts(self) -> AlertFactsRepository:
        from .alert_store import AlertFactsRepository as AlertFacts

        return AlertFacts(self.connection)

    @cached_property
    def models(self) -> ModelRepository:
        from .model_store import ModelRepository as Models

        return Models(self.connection)

    def commit(self) -> None:
        if self._reading:
            raise RuntimeError("a reading unit of work cannot commit")
        self._transaction.commit()
        self._committed = True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._committed:
            self._transaction.rollback()
        self._open.close()  # the connection, then the import mark
        self._reading = self._importing = False  # the next transaction is an ordinary one
        for name in _REPOSITORIES:  # each bound to the connection just closed
            self.__dict__.pop(name, None)

    def record_erasure(self, person_id: int, events_removed: int, author: str,
                       now: datetime) -> None:
        self.connection.execute(insert(t.erasures).values(
            erased_at=now, author=author, person_id=person_id, events_removed=events_removed,
            reason="erased on request"))

    def reclaim(self) -> None:
        """Make deleted rows unrecoverable from SQLite's files: rebuild the database file
        (VACUUM copies only live rows) and empty the write-ahead log. PostgreSQL's own
        VACUUM reclaims dead rows there (docs/ledger.md)."""
        if self.dialect != "sqlite":
            return
        raw = self._engine.raw_connection()
        try:
            raw.execute("VACUUM")  # autocommit: Trellis's connections begin explicitly
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    def lock_upgrades(self) -> None:
        from .database import lock_upgrades

        lock_upgrades(self.connection)

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name


# Every cached repository, so that none outlives its transaction's connection.
_REPOSITORIES = tuple(name for name, member in vars(SqlUnitOfWork).items()
                      if isinstance(member, cached_property))
