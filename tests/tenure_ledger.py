"""A hand-built ledger where frequent micro-progressors are promoted five times as often as
rare ones, and tenure explains all of it (tests of advice and strategy effects).

On the tiny framework (eng1 -> eng2, a structured track), through 2021-12-31:

- 40 veterans hired 2016-01-10: 30 of them log two recognitions a quarter from 2019 on,
  10 log nothing; 6 of the 30 and 2 of the 10 (one in five of each) are promoted on
  2021-11-15, after 23 quarters in level;
- 40 newcomers hired 2021-01-10: 20 log two recognitions a quarter, 20 nothing; nobody is
  promoted (at under a year in level nobody ever is).

Crude: 6 promotions in 97.5 frequent person-years against 2 in 162.5 rare ones. At the same
time in level both groups are promoted at the same rate: the difference is exactly zero.
"""

from __future__ import annotations

from datetime import date

from trellis.domain.events import Hire, Promotion, Recognition
from trellis.domain.records import EventRecord, PersonRecord

END = date(2021, 12, 31)
FREQUENT_YEARS = (30 * 11 + 20 * 3) / 4  # person-quarters with micro-progressions before
RARE_YEARS = (30 * 12 + 10 * 23 + 20 * 3) / 4


def _quarters(first: date, last: date) -> list[date]:
    out, on = [], first
    while on <= last:
        out += [on, on.replace(day=on.day + 20)]
        month = on.month + 3
        on = on.replace(year=on.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
    return out


def tenure_ledger() -> tuple[list[PersonRecord], list[EventRecord]]:
    people: list[PersonRecord] = []
    events: list[EventRecord] = []
    line = 1

    def add(handle: str, hired: date, micro_from: date | None, promoted: bool) -> None:
        nonlocal line
        people.append(PersonRecord(line, handle, handle.title()))
        line += 1
        events.append(EventRecord(line, handle, hired, Hire(role="eng1")))
        line += 1
        for on in _quarters(micro_from, date(2021, 12, 1)) if micro_from else []:
            events.append(EventRecord(line, handle, on, Recognition(citation="shipped")))
            line += 1
        if promoted:
            events.append(EventRecord(line, handle, date(2021, 11, 15),
                                      Promotion(role="eng2")))
            line += 1

    for i in range(40):
        frequent = i < 30
        add(f"vet{i:02d}", date(2016, 1, 10), date(2019, 1, 5) if frequent else None,
            promoted=(i < 6) if frequent else (i < 32))
    for i in range(40):
        add(f"new{i:02d}", date(2021, 1, 10), date(2021, 2, 5) if i < 20 else None, False)
    return people, events
