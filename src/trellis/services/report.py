"""The use case behind ``trellis report``: one self-contained HTML page for the organization.

It gathers what the other reports compute (the comparison table, the evidence, the
simulations per career stage, fragmentation, recognition and the readiness pipeline) and
hands them to ``analytics.report_html``, which draws the charts and renders the page. The
simulations are modest (2,000 trajectories per strategy over 5 years per stage, one
calibration) so the whole report stays near a minute on a 10,000-person organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from trellis.errors import TrellisError

from . import clock
from .compare import Comparison, compare
from .evidence import Evidence, evidence, evidence_to_document
from .fragmentation import FragmentationReport, fragmentation_report
from .readiness import Pipeline, team_readiness
from .recognition import RecognitionReport, recognition_report
from .simulation import Simulation, simulate_stages
from .unit_of_work import UnitOfWork

TOP = 10
PIPELINE_TOP = 20
SIM_RUNS = 2_000
SIM_YEARS = 5


@dataclass(frozen=True, slots=True)
class ReportData:
    as_of: date
    comparison: Comparison
    evidence: Evidence | None
    evidence_document: dict[str, Any] | None
    simulations: dict[str, Simulation | None]
    fragmentation: FragmentationReport | None
    recognition: RecognitionReport | None
    pipeline: Pipeline | None
    notes: tuple[str, ...]


def check_out(path: Path) -> None:
    """A one-line error before any work when the page cannot be written there."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise TrellisError(f"cannot write the report as '{path.suffix or path.name}': "
                           "use an .html file")
    if not path.parent.is_dir():
        raise TrellisError(f"cannot write the report to {path}: no such directory "
                           f"{path.parent}")
    if path.is_dir():
        raise TrellisError(f"cannot write the report to {path}: it is a directory")


def gather(uow: UnitOfWork, *, runs: int = SIM_RUNS, years: int = SIM_YEARS) -> ReportData:
    notes: list[str] = []
    comparison = compare(uow)

    def soft(what: str, call: Any) -> Any:
        try:
            return call()
        except TrellisError as exc:
            notes.append(f"{what}: {exc}")
            return None

    found = soft("evidence", lambda: evidence(uow))
    sims = soft("simulation", lambda: simulate_stages(uow, years=years, runs=runs)) or {}
    return ReportData(
        as_of=clock.today(), comparison=comparison, evidence=found,
        evidence_document=evidence_to_document(found) if found is not None else None,
        simulations=sims,
        fragmentation=soft("fragmentation", lambda: fragmentation_report(uow)),
        recognition=soft("recognition", lambda: recognition_report(uow)),
        pipeline=soft("readiness pipeline", lambda: team_readiness(uow)),
        notes=tuple(notes))


def write_report(uow: UnitOfWork, out: Path, *, title: str = "Trellis organization report"
                 ) -> ReportData:
    check_out(out)
    data = gather(uow)
    from trellis.analytics.report_html import render  # matplotlib loads only here

    html = render(data, title=title)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise TrellisError(f"cannot write the report to {out}: {exc.strerror}") from None
    return data
