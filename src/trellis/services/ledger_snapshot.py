"""One read of the ledger, kept compactly, for the organization models of a rebuild.

Every organization model (services.org_models) reads the whole ledger: building seven of
them from seven reads, each a list of a million light rows, cost minutes and gigabytes. A
``LedgerSnapshot`` reads the live events of the kinds the models need once, into columns
(ids, people, kind codes, dates as day numbers, and an index into the distinct details
texts: a ledger repeats the same skill step or check-in thousands of times), and hands
each model the rows it asks for, in the store's order, person by person where the model
folds careers, so no model holds the organization's rows as objects at once.

What it serves is what ``Events.of_kinds`` serves (live rows, retractions honoured, ledger
order: date, then id); ``people`` groups them by person in the order a fold over the
ledger meets each person, as ``analytics.ledger_groups.by_person`` would.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date
from sys import intern
from typing import Any

import numpy as np
import orjson

from trellis.domain.events import EventKind
from trellis.domain.ledger_rows import EventRow

from .unit_of_work import UnitOfWork

PersonRows = tuple[int, list[EventRow]]


class LedgerSnapshot:
    """The live events of ``kinds`` at one moment (read inside an open unit of work)."""

    def __init__(self, uow: UnitOfWork, kinds: Iterable[EventKind | str]) -> None:
        self.kinds = tuple(sorted({str(k) for k in kinds} - {EventKind.RETRACTION.value}))
        code = {k: i for i, k in enumerate(self.kinds)}
        ids, people, codes, days, texts = (array("q"), array("i"), array("b"), array("i"),
                                           array("i"))
        day_of: dict[Any, int] = {}
        text_of: dict[str, int] = {}
        # the distinct texts kept as one UTF-8 buffer and where each ends: a str object each
        # held some 50 bytes more than its text (600,000 of them at 55,000 people)
        blob, ends = bytearray(), array("q", [0])
        for batch in uow.events.scan_light(self.kinds):
            for event_id, person_id, kind, on, details in batch:
                ids.append(event_id)
                people.append(person_id)
                codes.append(code[kind])
                day = day_of.get(on)
                if day is None:
                    day = day_of[on] = (date.fromisoformat(on) if isinstance(on, str)
                                        else on).toordinal()
                days.append(day)
                t = text_of.get(details)
                if t is None:
                    t = text_of[details] = len(text_of)
                    blob += details.encode()
                    ends.append(len(blob))
                texts.append(t)
        order = np.lexsort((np.frombuffer(ids, np.int64), np.frombuffer(days, np.int32)))
        self._id = np.frombuffer(ids, np.int64)[order]
        self._person = np.frombuffer(people, np.int32)[order]
        self._kind = np.frombuffer(codes, np.int8)[order]
        self._day = np.frombuffer(days, np.int32)[order]
        self._text = np.frombuffer(texts, np.int32)[order]
        self._blob = blob
        self._ends = np.frombuffer(ends, np.int64)
        self._dates = {d: date.fromordinal(d) for d in set(day_of.values())}

    def __len__(self) -> int:
        return len(self._id)

    def _select(self, kinds: Collection[EventKind | str],
                person_ids: Collection[int] | None = None) -> np.ndarray:
        wanted = {str(k) for k in kinds}
        missing = wanted - set(self.kinds) - {EventKind.RETRACTION.value}
        if missing:
            raise ValueError(f"the snapshot did not read {', '.join(sorted(missing))}")
        codes = [i for i, k in enumerate(self.kinds) if k in wanted]
        mask = np.isin(self._kind, np.asarray(codes, np.int8))
        if person_ids is not None:
            mask &= np.isin(self._person, np.fromiter(person_ids, np.int64))
        return np.flatnonzero(mask)

    def _rows(self, at: np.ndarray) -> list[EventRow]:
        names, dates, blob, loads = self.kinds, self._dates, memoryview(self._blob), orjson.loads
        texts = self._text[at]
        return [EventRow(i, p, names[k], dates[d], loads(blob[a:b])) for i, p, k, d, a, b in zip(
            self._id[at].tolist(), self._person[at].tolist(), self._kind[at].tolist(),
            self._day[at].tolist(), self._ends[texts].tolist(), self._ends[texts + 1].tolist(),
            strict=True)]

    def rows(self, kinds: Collection[EventKind | str],
             person_ids: Collection[int] | None = None) -> list[EventRow]:
        """As ``Events.of_kinds``: every live row of these kinds, in ledger order."""
        return self._rows(self._select(kinds, person_ids))

    def stream(self, kinds: Collection[EventKind | str], batch: int = 10_000
               ) -> Iterator[EventRow]:
        """``rows``, made a batch at a time: for a reader that looks at each row once (a
        review's details, parsed, are some kilobytes: all of them at once, hundreds of MB)."""
        at = self._select(kinds)
        for start in range(0, len(at), batch):
            yield from self._rows(at[start:start + batch])

    def people(self, kinds: Collection[EventKind | str],
               person_ids: Collection[int] | None = None) -> Iterator[PersonRows]:
        """Each person's rows of these kinds in ledger order, one person at a time, people
        in the order of their first such row in the ledger."""
        at = self._select(kinds, person_ids)
        if not len(at):
            return
        who = self._person[at]
        grouped = np.argsort(who, kind="stable")  # by person, ledger order kept inside
        sorted_who = who[grouped]
        starts = np.flatnonzero(np.r_[True, sorted_who[1:] != sorted_who[:-1]])
        ends = np.r_[starts[1:], len(grouped)]
        for g in np.argsort(grouped[starts], kind="stable").tolist():
            yield int(sorted_who[starts[g]]), self._rows(at[grouped[starts[g]:ends[g]]])

    def person_ids(self, kinds: Collection[EventKind | str]) -> list[int]:
        """The people with a row of these kinds, in ascending order."""
        return [int(p) for p in np.unique(self._person[self._select(kinds)])]

    def first_day(self, kinds: Collection[EventKind | str]) -> date | None:
        at = self._select(kinds)
        return self._dates[int(self._day[at[0]])] if len(at) else None

    def skill_steps(self) -> dict[int, list[tuple[date, str, int]]]:
        """As ``Events.skill_steps``: every live skill step, by person (in ledger order;
        the store gives them in the database's)."""
        return dict(self.skill_steps_by_person())

    def skill_steps_by_person(self) -> Iterator[tuple[int, list[tuple[date, str, int]]]]:
        """``skill_steps``, one person at a time (the organization's are never all held)."""
        for person_id, rows in self.people([EventKind.SKILL_STEP]):
            yield person_id, [(r.effective_on, intern(r.details["competency"]),
                               r.details["to_mastery"]) for r in rows]


def read_snapshot(uow: UnitOfWork, kinds: Iterable[EventKind | str]) -> LedgerSnapshot:
    """A snapshot of these kinds, in a reading transaction of its own."""
    with uow.reading():
        return LedgerSnapshot(uow, kinds)


def union(kind_sets: Iterable[Sequence[EventKind | str]]) -> set[str]:
    return {str(k) for kinds in kind_sets for k in kinds}
