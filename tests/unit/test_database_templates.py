"""The prepared test databases: a build that fails once fails every later test asking for
it with the first failure's cause, and leaves no half-built database to copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from database_templates import SqliteTemplates


def test_a_failed_build_is_reported_with_its_cause_and_leaves_nothing(tmp_path: Path) -> None:
    def half_built(url: str) -> None:
        sqlite3.connect(url.removeprefix("sqlite:///")).execute("CREATE TABLE t (x)")
        raise RuntimeError("migration 0007 failed\nwith more lines")

    templates = SqliteTemplates(tmp_path)
    with pytest.raises(RuntimeError, match="migration 0007 failed"):
        templates.copy_to("broken", half_built, tmp_path / "first.db")
    assert not (tmp_path / "broken.db").exists()
    with pytest.raises(pytest.fail.Exception) as later:
        templates.copy_to("broken", half_built, tmp_path / "second.db")
    assert str(later.value) == ("the prepared database 'broken' could not be built: "
                                "RuntimeError: migration 0007 failed")
    assert not (tmp_path / "second.db").exists()


def test_a_good_build_is_made_once_and_copied(tmp_path: Path) -> None:
    made: list[str] = []

    def build(url: str) -> None:
        made.append(url)
        with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
            c.execute("CREATE TABLE t (x)")
            c.execute("INSERT INTO t VALUES (1)")

    templates = SqliteTemplates(tmp_path)
    for name in ("a.db", "b.db"):
        url = templates.copy_to("good", build, tmp_path / name)
        with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
            assert c.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert len(made) == 1
