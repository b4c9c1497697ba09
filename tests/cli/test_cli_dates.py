"""Dates given to the CLI stay inside the ledger's range (domain.limits), with one line."""

from __future__ import annotations

import pytest

from conftest import TINY


@pytest.fixture
def db(cli, sqlite_url):
    assert cli("--db", sqlite_url, "init", "--framework", TINY).code == 0
    assert cli("--db", sqlite_url, "person", "add", "ada", "--name", "Ada", "--role", "eng1",
               "--hired", "2020-01-06").code == 0
    return lambda *args: cli("--db", sqlite_url, *args)


@pytest.mark.parametrize("args", [
    ("evidence", "--at", "3685-06-27"),
    ("evidence", "--since", "0001-01-01"),
    ("profile", "ada", "--at", "2200-01-01"),
    ("log", "check_in", "ada", "--on", "1899-12-31"),
    ("compare", "--since", "9999-12-31"),
])
def test_dates_outside_the_ledger_range_are_one_line_errors(db, args):
    result = db(*args)
    lines = result.err.strip().splitlines()
    assert result.code == 1 and len(lines) == 1, result.err
    assert "1900-01-01..2199-12-31" in lines[0] and args[-2] in lines[0], lines[0]
    assert "Traceback" not in result.err
