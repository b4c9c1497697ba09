"""Synthetic, valid ledgers for the benchmarks: many events per person, in ledger order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

COMPETENCIES = ("coding", "testing", "system_design", "operations", "security", "planning",
                "execution", "quality", "communication", "collaboration",
                "stakeholder_management", "mentoring", "people_management", "hiring",
                "strategy", "user_research", "product_discovery", "interaction_design",
                "visual_design", "data_analysis")


def person_events(person: int, count: int, start: date = date(1990, 1, 2), step_days: int = 2
                  ) -> Iterator[dict[str, Any]]:
    """``count`` events for one person on the software-company framework: a hire, then a
    rotation of skill steps, check-ins, recognitions and merit raises, ``step_days`` apart."""
    handle = f"p{person:06d}"
    on = start
    yield {"record": "event", "person": handle, "kind": "hire", "effective_on": on.isoformat(),
           "role": "eng-l1", "pay": 100_000}
    mastery = dict.fromkeys(COMPETENCIES, 0)
    step = 0
    for i in range(1, count):
        on += timedelta(days=step_days)
        day = on.isoformat()
        slot = i % 4
        if slot in (0, 1) and step < len(COMPETENCIES) * 5:
            comp = COMPETENCIES[step % len(COMPETENCIES)]
            step += 1
            yield {"record": "event", "person": handle, "kind": "skill_step",
                   "effective_on": day, "competency": comp, "from_mastery": mastery[comp],
                   "to_mastery": mastery[comp] + 1, "evidence": "review notes"}
            mastery[comp] += 1
        elif slot == 2:
            yield {"record": "event", "person": handle, "kind": "recognition",
                   "effective_on": day, "citation": "shipped it", "recognition_kind": "kudos",
                   "points": 10}
        elif slot == 3 and i % 16 == 3:
            yield {"record": "event", "person": handle, "kind": "compensation",
                   "effective_on": day, "compensation_kind": "merit", "percent": 3.0}
        else:
            yield {"record": "event", "person": handle, "kind": "check_in",
                   "effective_on": day, "engagement": 1 + i % 5, "notes": "steady"}


def ledger(people: int, events_per_person: int, step_days: int = 2
           ) -> Iterator[dict[str, Any]]:
    for p in range(people):
        yield {"record": "person", "handle": f"p{p:06d}", "name": f"Person {p}"}
    for p in range(people):
        yield from person_events(p, events_per_person, step_days=step_days)
