"""An event that lands after all the others is applied to the stored current profile
instead of replaying the history: on real careers the result must be the replay's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.domain.events import EventKind
from trellis.domain.profile import replay
from trellis.errors import LedgerRuleBroken
from trellis.services import clock, ledger
from trellis.services.demo import run_demo

# Each a micro-progression or other advance that could land today on anyone's career.
ADVANCES = [
    (EventKind.CHECK_IN, {"engagement": 4, "notes": "steady"}),
    (EventKind.RECOGNITION, {"citation": "unblocked the release", "recognition_kind": "award",
                             "points": 20}),
    (EventKind.CERTIFICATION, {"certification": "CKA", "issuer": "CNCF"}),
    (EventKind.PROJECT_LEADERSHIP, {"project": "search revamp", "team_size": 4}),
    (EventKind.RESPONSIBILITY, {"function": "on-call lead", "share": 0.2}),
    (EventKind.COMPENSATION, {"compensation_kind": "merit", "percent": 3.0}),
]


@pytest.fixture
def demo(trellis):
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=40, years=3,
             seed=11, author="t", today=clock.today())
    return trellis


def test_appending_to_the_current_profile_equals_replaying_the_history(demo):
    with demo.uow() as uow:
        people = uow.people.all()
        left = {r.person_id for r in uow.events.of_kinds(["departure"])}
    active = [p for p in people if p.id not in left]
    appended = 0
    for person in people:
        for step, (kind, fields) in enumerate(ADVANCES):
            on = clock.today() - timedelta(days=len(ADVANCES) - step)
            with demo.uow() as uow:
                latest, _ = uow.events.extent(person.id)
                try:
                    ledger.append_event(uow, person, kind, on, fields, author="t")
                except LedgerRuleBroken:
                    continue  # a departed person, say: refused on either path
                uow.commit()
            appended += latest is not None and on >= latest  # it took the fast path
            with demo.uow() as uow:
                stored = uow.state.current(person.id)
                builder, _ = replay(person.id, uow.events.for_person(person.id),
                                    uow.frameworks.catalog)
            assert stored == builder.snapshot(clock.today()), (person.handle, kind)
    # the fast path was really taken, on many careers: at least half the advances of the
    # people still employed (an advance dated before the person's latest event replays)
    assert len(active) >= 15 and appended >= len(active) * len(ADVANCES) // 2, \
        (appended, len(active))
