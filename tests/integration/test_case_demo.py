"""The demo organization's promotion cases: approved ones behind the latest promotions,
one waiting for its approver, one declined."""

from __future__ import annotations

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.cases import CaseStatus
from trellis.domain.events import EventKind
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.settings import Settings


def test_the_demo_has_cases_for_every_page(sqlite_url: str) -> None:
    trellis = open_trellis(Settings(database_url=sqlite_url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    summary = run_demo(trellis.uow, framework=framework, document=document, people=200,
                       years=5, seed=7, author="tester", today=clock.today())
    try:
        with trellis.uow() as uow:
            cases = uow.cases.find()
            by_status: dict[CaseStatus, list] = {}
            for case in cases:
                by_status.setdefault(case.status, []).append(case)
            assert len(by_status[CaseStatus.OPEN]) == 1
            assert len(by_status[CaseStatus.DECLINED]) == 1
            assert 1 <= len(by_status[CaseStatus.APPROVED]) <= 3
            for case in by_status[CaseStatus.APPROVED]:
                event = uow.events.get(case.event_id)
                assert event is not None and event.kind is EventKind.PROMOTION
                assert event.person_id == case.person_id
                assert event.effective_on == case.effective_on
                assert event.details.role == case.to_role
                assert all(s.decision for s in case.steps)
            manager = uow.people.find(summary.manager)
            waiting = by_status[CaseStatus.OPEN][0]
            assert waiting.nominator_id == manager.id and waiting.pending is not None
            declined = by_status[CaseStatus.DECLINED][0]
            assert declined.decision_reason and declined.event_id is None
    finally:
        trellis.close()
