"""The browser tests' shared pieces: the demo databases their sites start from (made once
per test run) and one Chromium for the package's modules in a test process."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .sites import CHROMIUM, FLAGS, DemoDatabases


@pytest.fixture(scope="session")
def demo_databases(tmp_path_factory: pytest.TempPathFactory) -> DemoDatabases:
    # Under xdist each worker's temporary folder sits in the run's own: the workers share
    # that one, so a demo is built once a run.
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if "PYTEST_XDIST_WORKER" in os.environ else base
    folder = shared / "e2e-demo"
    folder.mkdir(exist_ok=True)
    return DemoDatabases(folder)


@pytest.fixture(scope="package")
def chromium() -> Iterator:
    """Chromium, launched once for the e2e modules a process runs (a launch costs about a
    second and a half of CPU), closed when they are done."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def browser(chromium) -> Iterator:
    """The browser for one module: every page it opened is closed at the module's end, so
    the next module starts with none left over (each new_page has a context of its own)."""
    yield chromium
    for context in chromium.contexts:
        context.close()
