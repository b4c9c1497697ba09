"""``trellis recognize``, ``recognition`` and ``fragmentation`` from the command line."""

from __future__ import annotations

import json

import pytest

from trellis.bootstrap import Trellis


@pytest.fixture
def db(sqlite_trellis: Trellis, cli) -> tuple[str, str]:
    url = str(sqlite_trellis.engine.url)
    for args in (("boss", "--role", "eng3"), ("ann", "--role", "eng1", "--manager", "boss"),
                 ("bob", "--role", "eng1", "--manager", "boss")):
        handle, *rest = args
        assert cli("--db", url, "person", "add", handle, "--name", handle.title(),
                   "--hired", "2024-01-01", *rest).code == 0
    assert cli("--db", url, "log", "responsibility", "ann", "--on", "2024-02-01",
               "--function", "design", "--share", "0.3").code == 0
    return "--db", url


@pytest.mark.parametrize(("args", "message"), [
    (("recognize", "nobody", "--for", "x"), "error: unknown person 'nobody'"),
    (("recognize", "ann", "--for", "x", "--from", "ghost"), "error: unknown giver 'ghost'"),
    (("recognize", "ann", "--for", "x", "--from", "ann"),
     "error: ann cannot recognize themselves"),
    (("recognize", "ann", "--for", "x", "--kind", "medal"), "error: Invalid value for '--kind'"),
    (("recognition", "--team", "nobody"), "error: unknown person 'nobody'"),
    (("fragmentation", "--team", "nobody"), "error: unknown person 'nobody'"),
])
def test_one_line_errors(cli, db, args, message) -> None:
    result = cli(*db, *args)
    assert result.code != 0
    assert result.err.strip().startswith(message), result.err
    assert len(result.err.strip().splitlines()) == 1


def test_recognize_closes_the_gap(cli, db) -> None:
    before = json.loads(cli(*db, "recognition", "--json").out)
    ann = next(p for p in before["people"] if p["handle"] == "ann")
    assert ann["gap_days"] > 90 and ann["severity"] == "chronic" and ann["last_on"] is None
    done = cli(*db, "recognize", "ann", "--for", "took over design reviews", "--kind", "award",
               "--points", "100", "--from", "boss")
    assert done.code == 0, done.err
    assert "recognized ann" in done.out and "their first recognition" in done.out
    after = json.loads(cli(*db, "recognition", "--all", "--json").out)
    ann = next(p for p in after["people"] if p["handle"] == "ann")
    assert ann["gap_days"] == 0 and ann["alerts"] == [] and ann["count"] == 1
    assert after["spread"]["top_givers"] == [{"handle": "boss", "given": 1}]
    assert after["spread"]["gini_counts"] == pytest.approx(2 / 3, abs=1e-4)
    text = cli(*db, "recognition", "--team", "boss", "--all")
    assert text.code == 0 and "ann" in text.out and "Gini" in text.out


def test_fragmentation_lists_duties_outside_the_role(cli, db) -> None:
    result = cli(*db, "fragmentation", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["functions"] == ["eng", "design"] and doc["window_months"] == 6.0
    (ann,) = doc["people"]
    assert ann["handle"] == "ann" and ann["duties"][0] == {
        "function": "design", "share": 0.3, "since": "2024-02-01"}
    assert ann["expansions"][0]["status"] == "unrecognized"
    assert ann["action"] == "lateral_move" and ann["reasons"]
    text = cli(*db, "fragmentation", "--team", "boss", "--window", "3")
    assert text.code == 0 and "ann" in text.out and "design 30%" in text.out
