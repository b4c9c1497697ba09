"""Shared fixtures: fresh databases (SQLite always, PostgreSQL when configured) and the CLI.

PostgreSQL tests run when TRELLIS_TEST_POSTGRES_URL is set (.ci/run sets it). Each test gets
its own schema there, dropped afterwards, so runs never collide.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from trellis.adapters.database import temporary_schema
from trellis.adapters.framework_files import read_framework_file
from trellis.bootstrap import Trellis, open_trellis
from trellis.services.frameworks import load_framework
from trellis.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny.yaml"
POSTGRES_URL = os.environ.get("TRELLIS_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, and PostgreSQL when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trellis.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    with temporary_schema(POSTGRES_URL, "trellis_test") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'trellis.db'}"


def make_trellis(url: str, framework: Path | None = TINY) -> Trellis:
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    if framework is not None:
        fw, document = read_framework_file(framework)
        load_framework(trellis.uow(), fw, document, author="tester")
    return trellis


@pytest.fixture
def trellis(database_url: str) -> Iterator[Trellis]:
    """A migrated database with the tiny framework loaded, on each configured engine."""
    t = make_trellis(database_url)
    yield t
    t.close()


@pytest.fixture
def sqlite_trellis(sqlite_url: str) -> Iterator[Trellis]:
    """The same on SQLite only, for tests about behaviour rather than engines."""
    t = make_trellis(sqlite_url)
    yield t
    t.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``trellis ARGS...`` in-process: returns exit code, stdout and stderr."""
    from trellis.entrypoints.cli.app import main

    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TRELLIS_AUTHOR", "tester")

    def run(*args: str, input: str | None = None) -> CliResult:
        capsys.readouterr()
        if input is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(input))
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
