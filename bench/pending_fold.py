"""The fold with pending verification: 2,000 careers of 60 events each, folded in memory.

    .venv/bin/python bench/pending_fold.py [--people 2000] [--repeat 5]

Times ``domain.profile.fold`` over every career under the software-company framework, in
two ledgers of the same events: (1) the floor, nothing self-reported (every event counts
at once, the only path before pending verification), and (2) the same careers with every
skill step and certification self-reported, half of them verified by a manager later
(each verified one held, then released with its band check on the verification's date).
Prints the median of ``--repeat`` runs and the ratio. Run it with an older Trellis on
PYTHONPATH (no ``Event.self_reported``) and it times the floor alone, for a before/after.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import time
from datetime import date, datetime, timedelta

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.domain.events import (
    Certification,
    CheckIn,
    Event,
    Hire,
    Recognition,
    SkillStep,
    Verification,
)
from trellis.domain.profile import fold

HIRED = date(2015, 1, 5)
AT = datetime(2024, 1, 1)
PENDING = "self_reported" in {f.name for f in dataclasses.fields(Event)}


def careers(framework, people: int, events: int, own: bool) -> list[list[Event]]:
    rng = random.Random(7)
    entry = next(r for r in framework.roles.values() if framework.rank_of(r.id) == 1)
    comps = list(framework.competencies)
    out, next_id = [], 1
    for person in range(1, people + 1):
        mastery = dict.fromkeys(comps, 0)
        ledger = [Event(next_id, person, HIRED, Hire(entry.id, 60_000), AT, "hr")]
        next_id += 1
        on = HIRED
        later: list[Event] = []
        while len(ledger) + len(later) < events:
            on += timedelta(days=rng.randint(1, 20))
            roll = rng.random()
            comp = rng.choice(comps)
            mine = False
            if roll < 0.4 and mastery[comp] < framework.competencies[comp].scale.max:
                details = SkillStep(comp, mastery[comp], mastery[comp] + 1)
                mastery[comp] += 1
                mine = own
            elif roll < 0.5:
                details = Certification(f"cert {next_id}", competency=comp)
                mine = own
            elif roll < 0.75:
                details = Recognition("helped the team", points=10)
            else:
                details = CheckIn(engagement=rng.randint(1, 5))
            extra = {"self_reported": True} if mine else {}
            event = Event(next_id, person, on, details, AT, "me" if mine else "lead", **extra)
            next_id += 1
            ledger.append(event)
            if mine and rng.random() < 0.5:  # a manager verifies it a few weeks on
                later.append(Event(next_id, person, on + timedelta(days=rng.randint(0, 60)),
                                   Verification(event.id), AT, "lead"))
                next_id += 1
        out.append(sorted([*ledger, *later], key=lambda e: (e.effective_on, e.id)))
    return out


def timed(ledgers: list[list[Event]], frameworks, repeat: int) -> float:
    at = date(2030, 1, 1)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for events in ledgers:
            fold(events[0].person_id, events, frameworks, at)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, _ = read_framework_file(path)
    frameworks = {0: framework}
    total = args.people * args.events
    floor = timed(careers(framework, args.people, args.events, False), frameworks,
                  args.repeat)
    print(f"fold {args.people:,} careers ({total:,} events), nothing self-reported: "
          f"{floor:.3f} s (median of {args.repeat}; {floor / total * 1e6:.2f} µs an event)")
    if not PENDING:
        print("(this Trellis has no pending verification: the floor alone)")
        return
    own = careers(framework, args.people, args.events, True)
    held = sum(1 for events in own for e in events if e.self_reported)
    seconds = timed(own, frameworks, args.repeat)
    print(f"the same with {held:,} self-reported steps and certifications, half verified: "
          f"{seconds:.3f} s (x{seconds / floor:.2f} the floor)")


if __name__ == "__main__":
    main()
