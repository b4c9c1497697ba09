"""The demo databases the browser tests' sites start from, made once per test process."""

from __future__ import annotations

import pytest

from .sites import DemoDatabases


@pytest.fixture(scope="session")
def demo_databases(tmp_path_factory: pytest.TempPathFactory) -> DemoDatabases:
    return DemoDatabases(tmp_path_factory.mktemp("demo"))
