"""A team's alerts: the fragmentation report (people at some risk) and the recognition
report, from one read of the team's history (the alerts page shows both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trellis.domain.events import EventKind

from . import clock
from .collection import collector_paused
from .fragmentation import KINDS, FragmentationReport, fragmentation_report
from .recognition import RecognitionReport, recognition_report
from .teams import team_history
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class TeamAlerts:
    fragmentation: FragmentationReport
    recognition: RecognitionReport


def team_alerts(uow: UnitOfWork, team: str | None = None, *,
                today: date | None = None) -> TeamAlerts:
    """Both reports for the active people of ``team`` (everyone when None), with their
    default rules, exactly as ``fragmentation_report`` and ``recognition_report`` give
    them, the events read once."""
    today = today or clock.today()
    with collector_paused():
        with uow.reading():
            history = team_history(uow, team, {*KINDS, EventKind.RECOGNITION})
        return TeamAlerts(fragmentation_report(uow, team, today=today, history=history),
                          recognition_report(uow, team, today=today, history=history))
