"""``trellis evidence``'s options: bad ones refused in one line, nothing half-printed."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def ledger(cli, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'evidence.db'}"
    assert cli("--db", url, "init", "--framework", "software-company").code == 0
    assert cli("--db", url, "person", "add", "ada", "--name", "Ada", "--role", "eng-l2",
               "--hired", "2021-01-04").code == 0
    assert cli("--db", url, "log", "promotion", "ada", "--role", "eng-l3",
               "--on", "2022-07-01").code == 0
    return url


@pytest.mark.parametrize(("args", "message"), [
    (["--window", "weekly"], "error: unknown --window 'weekly': use auto, reviews, "
                             "promotions or a number of months from 1m to 60m"),
    (["--window", "0m"], "error: unknown --window '0m'"),
    (["--at", "2020-12-31"], "error: --at 2020-12-31 is before the ledger's first event "
                             "(2021-01-04)"),
    (["--at", "2023-06-01", "--since", "2024-01-01"],
     "error: --since 2024-01-01 is after the date analysed (2023-06-01)"),
    (["--at", "2024-06-01", "--split", "2030-01-01"],
     "error: --split 2030-01-01 is outside the decision points (2022-06-30 to 2022-06-30)"),
    (["--split", "2022-13-01"], "error: malformed --split '2022-13-01': use YYYY-MM-DD"),
    (["--horizon", "0"], "error: Invalid value for '--horizon': Input should be greater "
                         "than or equal to 1"),
])
def test_bad_options_are_refused_in_one_line(cli, ledger: str, args: list[str],
                                             message: str) -> None:
    result = cli("--db", ledger, "evidence", *args)
    assert result.code != 0 and message in " ".join(result.err.split())
    assert result.out == "" and len(result.err.strip().splitlines()) == 1, result.err


def test_one_promotion_round_is_one_decision_point(cli, ledger: str) -> None:
    result = cli("--db", ledger, "evidence", "--at", "2024-06-01", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)["propensity"]
    assert doc["window"] == "promotions" and doc["decision_points"] == 1
    assert (doc["snapshots"], doc["positives"]) == (1, 1)
    assert doc["status"] == "insufficient data"
    assert doc["takeaway"].startswith("Not enough data to model promotion: 1 snapshots")
