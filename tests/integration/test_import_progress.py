"""An import reports its progress phase by phase, and stays all or nothing while it does."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from trellis.adapters import tables as t
from trellis.adapters.ledger_files import REPORT_EVERY, parse_rows, rows_from_text
from trellis.bootstrap import Trellis
from trellis.errors import ImportRejected
from trellis.services import transfer
from trellis.services.transfer import ImportProgress

PEOPLE = 300  # more than 100 careers, so that reports are throttled


def ledger_text(people: int = PEOPLE, bad_line: int | None = None) -> str:
    """Each person, their hire and one skill step: three lines a person."""
    rows = []
    for i in range(people):
        handle = f"p{i}"
        rows += [{"record": "person", "handle": handle, "name": f"Person {i}"},
                 {"record": "event", "person": handle, "kind": "hire",
                  "effective_on": "2021-01-04", "role": "eng1", "pay": 45000},
                 {"record": "event", "person": handle, "kind": "skill_step",
                  "effective_on": "2021-06-01", "competency": "coding", "from_mastery": 0,
                  "to_mastery": 1}]
    if bad_line is not None:  # a step from the wrong mastery: only a replay can tell
        rows[bad_line - 1] = {**rows[bad_line - 1], "from_mastery": 1, "to_mastery": 2}
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def counts(trellis: Trellis) -> tuple[int, ...]:
    with trellis.uow() as uow:
        return tuple(uow.connection.scalar(select(func.count()).select_from(table))
                     for table in (t.people, t.events, t.person_state))


def run(trellis: Trellis, text: str, heard: list[ImportProgress]) -> transfer.ImportSummary:
    people, events, problems = parse_rows(rows_from_text(text, "jsonl"), "upload.jsonl")
    return transfer.import_ledger(trellis.uow(), people, events, author="tester",
                                  source="upload.jsonl", problems=problems,
                                  on_progress=heard.append)


def by_phase(heard: list[ImportProgress]) -> dict[str, list[ImportProgress]]:
    phases: dict[str, list[ImportProgress]] = {}
    for report in heard:
        phases.setdefault(report.phase, []).append(report)
    return phases


def test_phases_come_in_order_throttled_and_end_at_the_files_counts(trellis):
    before = counts(trellis)
    heard: list[ImportProgress] = []
    summary = run(trellis, ledger_text(), heard)

    assert (summary.people, summary.events, summary.profiles) == (PEOPLE, 2 * PEOPLE, PEOPLE)
    phases = by_phase(heard)
    assert list(phases) == ["checking", "replaying", "writing", "rebuilding"]
    # Each phase is one unbroken run of reports: no phase comes back after the next began.
    assert [r.phase for r in heard] == [p for p, rs in phases.items() for _ in rs]
    for reports in phases.values():
        assert all(0 <= r.done <= r.total for r in reports)
        assert [r.done for r in reports] == sorted(r.done for r in reports)
        assert reports[0].done == 0 and reports[-1].done == reports[-1].total
        assert len({r.total for r in reports}) == 1
        assert len(reports) <= 102  # about every 1%, not once a career
    assert phases["checking"][-1].total == 3 * PEOPLE  # rows: people and events
    assert phases["replaying"][-1].total == PEOPLE  # careers
    assert phases["writing"][-1].total == 2 * PEOPLE  # events
    assert phases["rebuilding"][-1].total == PEOPLE  # profiles
    assert len(phases["checking"]) > 50 and len(phases["replaying"]) > 50  # bars move
    assert counts(trellis) == (before[0] + PEOPLE, before[1] + 2 * PEOPLE,
                               before[2] + PEOPLE)


def test_a_refused_file_reports_its_checks_then_raises_with_nothing_written(trellis):
    before = counts(trellis)
    heard: list[ImportProgress] = []
    with pytest.raises(ImportRejected) as info:
        run(trellis, ledger_text(bad_line=9), heard)
    assert [p.line for p in info.value.problems] == [9]
    assert list(by_phase(heard)) == ["checking", "replaying"]
    assert heard[-1] == ImportProgress("replaying", PEOPLE, PEOPLE)
    assert counts(trellis) == before


def test_a_failing_listener_rolls_the_whole_import_back(trellis):
    """Reports are heard inside the transaction: if the listener fails, nothing is kept."""
    before = counts(trellis)

    def listener(report: ImportProgress) -> None:
        if report.phase == "rebuilding" and report.done == report.total:
            raise RuntimeError("the listener went away")

    people, events, problems = parse_rows(rows_from_text(ledger_text(5), "jsonl"), "x")
    with pytest.raises(RuntimeError):
        transfer.import_ledger(trellis.uow(), people, events, author="tester",
                               problems=problems, on_progress=listener)
    assert counts(trellis) == before


def test_reading_reports_the_line_reached_every_so_many_rows():
    text = ledger_text(1_000)  # 3,000 lines
    lines: list[int] = []
    people, events, problems = parse_rows(rows_from_text(text, "jsonl"), "x", lines.append)
    assert (len(people), len(events), problems) == (1_000, 2_000, [])
    assert lines == list(range(REPORT_EVERY, 3_001, REPORT_EVERY))
