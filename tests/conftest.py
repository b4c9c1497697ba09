"""Shared fixtures: fresh databases (SQLite always, PostgreSQL when configured) and the CLI.

PostgreSQL tests run when TRELLIS_TEST_POSTGRES_URL is set (.ci/run sets it). Each test gets
its own schema or database there, dropped afterwards, named after its xdist worker and
process, so workers and runs never collide.

A test that asks for ``trellis`` (the schema migrated, the tiny framework loaded) gets a copy
of a database prepared once per worker (see database_templates), not a migration of its own.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

# pytest-xdist's workers start with COLUMNS=80 in their environment: the CLI's Rich consoles,
# made when it is first imported, would keep that width for good, and the cli fixture's
# COLUMNS (set per test) would no longer reach them.
os.environ.pop("COLUMNS", None)

from database_templates import WORKER, PostgresTemplates, SqliteTemplates
from demo_day import DEMO_DAY
from trellis.adapters.database import temporary_schema
from trellis.adapters.framework_files import read_framework_file
from trellis.bootstrap import Trellis, open_trellis
from trellis.services import clock
from trellis.services.frameworks import load_framework
from trellis.settings import Settings

# Hypothesis's deadline (200 ms an example) is a wall-clock assertion: on these shared,
# noisy machines it fails a property that holds.
settings.register_profile("trellis", deadline=None)
settings.load_profile("trellis")

FIXTURES = Path(__file__).parent / "fixtures"
# Files that take a minute or more, longest first: they start first, so that under
# pytest-xdist (make test runs one worker per core, a file whole on one worker) no worker is
# left running one of them alone at the end. Add a file here when its run passes a minute.
LONG_FILES = ("tests/web/test_schemathesis.py", "tests/e2e/test_crawl_browser.py",
              "tests/integration/test_upgrade.py", "tests/e2e/")
TINY = FIXTURES / "tiny.yaml"
POSTGRES_URL = os.environ.get("TRELLIS_TEST_POSTGRES_URL")
SCHEMA_PREFIX = f"trellis_test_{WORKER}"  # temporary_schema adds the process id and more


@pytest.fixture(scope="module")
def demo_day() -> Iterator[datetime]:
    """``clock.now`` fixed at ``DEMO_DAY`` for the whole module (its module fixtures too:
    ``pytestmark = pytest.mark.usefixtures("demo_day")``)."""
    with clock.standing_at(DEMO_DAY) as moment:
        yield moment


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        found = (i for i, long in enumerate(LONG_FILES) if item.nodeid.startswith(long))
        return next(found, len(LONG_FILES))

    items.sort(key=rank)  # a stable sort: the rest stays in collection order


def build_tiny(url: str) -> None:
    make_trellis(url).close()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates]:
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    templates = PostgresTemplates(POSTGRES_URL)
    yield templates
    templates.close()


ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
"""The params of a fixture that gives a database on each configured engine."""


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, and PostgreSQL when configured.

    When the test also asks for ``trellis``, the database holds the prepared tiny
    organization instead (the one ``trellis`` opens)."""
    if "trellis" in request.fixturenames:
        with prepared_database(request, "tiny", build_tiny, tmp_path) as url:
            yield url
        return
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trellis.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    with temporary_schema(POSTGRES_URL, SCHEMA_PREFIX) as url:
        yield url


@contextmanager
def prepared_database(request: pytest.FixtureRequest, key: str,
                      build: Callable[[str], None], tmp_path: Path) -> Iterator[str]:
    """A copy of the database ``build(url)`` makes, built once per worker under ``key``, on
    the engine ``request.param`` names (a fixture with ``params=ENGINES``): for a
    starting point that many tests share and none may change for the others."""
    if request.param == "sqlite":
        templates = request.getfixturevalue("sqlite_templates")
        yield templates.copy_to(key, build, tmp_path / "trellis.db")
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    with request.getfixturevalue("postgres_templates").copy(key, build) as url:
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
    """A migrated database with the tiny framework loaded, on each configured engine
    (``database_url`` copied it from the prepared one)."""
    t = open_trellis(Settings(database_url=database_url, author="tester"))
    yield t
    t.close()


@pytest.fixture
def sqlite_trellis(tmp_path: Path, sqlite_templates: SqliteTemplates) -> Iterator[Trellis]:
    """The same on SQLite only, for tests about behaviour rather than engines."""
    url = sqlite_templates.copy_to("tiny", build_tiny, tmp_path / "trellis.db")
    t = open_trellis(Settings(database_url=url, author="tester"))
    yield t
    t.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):
    """Run ``trellis ARGS...`` in-process (``run_cli``): returns exit code, stdout and
    stderr. The test's environment holds the CLI's width and author throughout."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TRELLIS_AUTHOR", "tester")
    return run_cli


def run_cli(*args: object, input: str | None = None) -> CliResult:
    """``trellis ARGS...`` in-process, its output captured: for the ``cli`` fixture and
    for code outside a test (a prepared database's build)."""
    from trellis.entrypoints.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        for name, value in (("COLUMNS", "200"), ("TRELLIS_AUTHOR", "tester")):
            if name not in os.environ:  # a test's own author (monkeypatch.setenv) stands
                patch.setenv(name, value)
        if input is not None:
            patch.setattr("sys.stdin", io.StringIO(input))
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())

