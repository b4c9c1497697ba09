"""The lattice on the real O*NET framework: the attributes the importer carries, fit-ranked
moves that name real career moves, and the evaluation file never opened by the package."""

from __future__ import annotations

import builtins
import io
import math
import os
from pathlib import Path

import pytest

from trellis.adapters.onet import read_onet_framework
from trellis.analytics.lattice_fit import build_fit
from trellis.analytics.lattice_graph import build_lattice
from trellis.domain.framework import MoveKind
from trellis.domain.lattice import pricing
from trellis.domain.throughput import ThroughputModel
from trellis.services.lattice import Lattice, Start, rank_moves

SRC = Path(__file__).resolve().parents[2] / "src" / "trellis"
EVALUATION = "Related Occupations ("  # O*NET's judgement: bench/lattice_related.py only
# its file names, and its columns (a copy of its content would carry them)
SIGNS = (EVALUATION, "Related O*NET-SOC Code", "Relatedness Tier", "Primary-Short")


def onet_dir() -> Path:
    configured = os.environ.get("TRELLIS_ONET_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "onet"


ONET = onet_dir()
needs_onet = pytest.mark.skipif(not (ONET / "Skills.tsv").is_file(),
                                reason=f"O*NET extract not found at {ONET}")


def test_no_file_of_the_package_names_the_evaluation_file():
    named = [(p, sign) for p in SRC.rglob("*") if p.is_file() and p.suffix != ".pyc"
             for sign in SIGNS
             if sign.casefold() in p.read_bytes().decode("utf-8", "ignore").casefold()]
    assert named == []


@pytest.fixture(scope="module")
def lattice_and_opened() -> tuple[Lattice, list[str]]:
    """The O*NET lattice, built while every file the process opens is recorded."""
    opened: list[str] = []
    real_open, real_io_open = builtins.open, io.open

    def recording(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    builtins.open = recording
    io.open = recording
    try:
        fw, _ = read_onet_framework(ONET)
        prices = pricing(fw, ThroughputModel())
        lat = Lattice(fw, prices, build_lattice(fw, prices), build_fit(fw))
        nurse = fw.roles["29-1141.00"]
        rank_moves(lat, Start(nurse, None, dict(nurse.expects)), math.inf, 10, down=True)
    finally:
        builtins.open, io.open = real_open, real_io_open
    return lat, opened


@needs_onet
def test_importing_and_exploring_never_open_the_evaluation_file(lattice_and_opened):
    assert (ONET / f"{EVALUATION}dev half).txt").is_file()  # it is right there
    _, opened = lattice_and_opened
    assert any("Task Statements" in p for p in opened)  # the recorder did see the reads
    assert not [p for p in opened if EVALUATION in p]


@needs_onet
def test_the_importer_carries_the_attribute_files(lattice_and_opened):
    lat, _ = lattice_and_opened
    programmer = lat.framework.roles["15-1251.00"].attributes
    # Skills.tsv: 15-1251.00 Programming IM 4.75; Knowledge.txt: Computers and Electronics
    # IM 4.87 (the LV rows, 4.88 and 6.16, are not importance)
    assert programmer.importance["programming"] == 4.75
    assert programmer.knowledge["Computers and Electronics"] == 4.87
    assert set(programmer.interests) == {"Realistic", "Investigative", "Artistic", "Social",
                                         "Enterprising", "Conventional"}
    assert len(programmer.knowledge) == 33 and programmer.tasks and programmer.tools_used
    assert programmer.education and programmer.alternate_titles


@needs_onet
def test_fit_ranks_real_career_moves_first(lattice_and_opened):
    lat, _ = lattice_and_opened
    fw = lat.framework

    def top(role: str, kind: MoveKind, n: int = 10) -> list[str]:
        start = Start(fw.roles[role], None, dict(fw.roles[role].expects))
        found = rank_moves(lat, start, math.inf, n, down=True)
        return [d.role.id for d in found.of(kind)]

    # Computer Programmers -> Software QA Analysts: same track, same level (now lateral);
    # Web Developers is a job zone lower: a step down, the best-fitting one
    assert top("15-1251.00", MoveKind.LATERAL, 1) == ["15-1253.00"]
    assert top("15-1251.00", MoveKind.DOWN, 1) == ["15-1254.00"]
    # Registered Nurses -> Nurse Practitioners: up the healthcare track, near the top
    # (it was 32nd when the list was ordered by cost)
    assert "29-1171.00" in top("29-1141.00", MoveKind.VERTICAL, 3)
    # Accountants -> Financial Managers and Budget Analysts, laterally
    assert {"11-3031.00", "13-2031.00"} <= set(top("13-2011.00", MoveKind.LATERAL, 3))


@needs_onet
def test_sort_cost_orders_by_the_exact_months_and_the_budget_only_filters(lattice_and_opened):
    lat, _ = lattice_and_opened
    role = lat.framework.roles["13-2011.00"]  # Accountants and Auditors
    start = Start(role, None, dict(role.expects))
    by_cost = rank_moves(lat, start, 24.0, 10, sort="cost", down=True)
    by_fit = rank_moves(lat, start, 24.0, None, down=True)
    everything = rank_moves(lat, start, math.inf, None, down=True)
    for kind in by_cost.kinds:
        months = [d.months for d in by_cost.of(kind)]
        assert months == sorted(months) and all(m <= 24 for m in months)
        # the budget drops what is beyond it and keeps the order of the rest
        kept = {d.role.id for d in by_fit.of(kind)}
        assert all(d.months <= 24 for d in by_fit.of(kind))
        assert [d.role.id for d in everything.of(kind) if d.role.id in kept] == \
            [d.role.id for d in by_fit.of(kind)]
