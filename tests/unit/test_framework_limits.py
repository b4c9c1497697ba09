"""Hostile and nonsense framework files: each is refused with one located, one-line problem.

Every case here once crashed the reader (a RecursionError, a ValueError, a UnicodeError,
gigabytes of memory) or was accepted although its numbers mean nothing (NaN months, a
mastery scale to 5.0). docs/frameworks.md ("Limits") lists the bounds these tests hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.errors import FrameworkInvalid, Problem

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny.yaml"
BASE = TINY.read_text(encoding="utf-8")
SOURCE = "edge.yaml"


def one_line(exc: FrameworkInvalid) -> list[Problem]:
    """The error and each of its problems print as exactly one line."""
    for shown in (str(exc), *(str(p) for p in exc.problems)):
        assert "\n" not in shown and len(shown.splitlines()) == 1, repr(shown)
    assert exc.problems
    return exc.problems


def refused(text: str) -> list[Problem]:
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, SOURCE)
    return one_line(caught.value)


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), start=1) if needle in row)


# --- whole-framework checks never recurse

def chain(n: int, *, cycle: bool) -> str:
    items = [f"      - {{id: c{i}, name: C{i}, prerequisites: [c{i + 1}]}}" for i in range(n - 1)]
    last = f"      - {{id: c{n - 1}, name: C{n - 1}" + (", prerequisites: [c0]}" if cycle else "}")
    return edit("      - {id: communication, name: Communication}\n",
                "      - {id: communication, name: Communication}\n" + "\n".join(
                    [*items, last]) + "\n")


def test_a_prerequisite_cycle_of_3000_competencies_is_one_short_problem():
    text = chain(3_000, cycle=True)
    [problem] = refused(text)
    assert problem.path == "skill_bands[1].competencies[3001].prerequisites"
    assert problem.line == line_of(text, "{id: c2999,")
    assert problem.message == ("prerequisite cycle of 3,000 competencies: c0 -> c1 -> c2 -> "
                               "... -> c2998 -> c2999 -> c0")


def test_a_prerequisite_chain_of_3000_competencies_is_fine():
    framework, _ = parse_framework(chain(3_000, cycle=False))
    assert framework.competencies["c0"].prerequisites == ("c1",)
