"""``trellis compare``, ``advise`` and ``report`` end to end on a small demo organization."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from trellis.entrypoints.cli.app import main

    url = f"sqlite:///{tmp_path_factory.mktemp('compare_cli') / 'demo.db'}"
    main(["--db", url, "demo", "--people", "250", "--years", "3", "--seed", "3"])
    return url


def handles(cli, demo_db: str) -> list[str]:
    result = cli("--db", demo_db, "person", "list", "--json")
    assert result.code == 0, result.err
    return [p["handle"] for p in json.loads(result.out)]


def test_compare_prints_the_table_and_json(cli, demo_db: str, tmp_path: Path) -> None:
    chart = tmp_path / "compare.png"
    result = cli("--db", demo_db, "compare", "--plot", str(chart))
    assert result.code == 0, result.err
    for label in ("Definition", "Frequency", "Impact on salary", "Impact on role",
                  "Motivation", "Career growth", "Suitability"):
        assert label in result.out
    assert re.search(r"\(n=\d", result.out)
    assert chart.stat().st_size > 10_000
    doc = json.loads(cli("--db", demo_db, "compare", "--since", "2000-01-01", "--json").out)
    assert [f["id"] for f in doc["features"]] == ["definition", "frequency", "salary", "role",
                                                  "motivation", "growth"]
    assert set(doc["suitability"]) == {"structured", "dynamic"}
    cell = doc["features"][2]["measures"][0]["cells"]["promotion"]
    assert set(cell) == {"value", "n", "status", "ci95"}
    low, high = cell["ci95"]  # the median pay change inside its interval, printed beside it
    assert low <= cell["value"] <= high
    assert re.search(r"\(95% CI [-\d.,%]+ to [-\d.,%]+, n=\d", result.out)


def test_compare_errors_are_one_line(cli, demo_db: str) -> None:
    for args, message in ((("--team", "nobody"), "unknown person 'nobody'"),
                          (("--person", "nobody"), "unknown person 'nobody'"),
                          (("--since", "2024-13-01"), "malformed --since"),
                          (("--plot", "x.txt"), "use a .png or .svg file")):
        result = cli("--db", demo_db, "compare", *args)
        assert result.code == 1 and message in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_advise_gives_a_mix_reasons_and_three_actions(cli, demo_db: str) -> None:
    who = handles(cli, demo_db)
    result = None
    for handle in who:
        result = cli("--db", demo_db, "advise", handle, "--json")
        if result.code == 0:
            break
    assert result is not None and result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["stage"] in {"early", "mid", "late"}
    assert doc["role_type"] in {"structured", "dynamic"}
    rec = doc["recommendation"]
    assert 0.1 <= rec["promotion_effort"] <= 0.9 and len(rec["reasons"]) >= 3
    assert any(ch.isdigit() for ch in " ".join(rec["reasons"]))
    assert len(doc["actions"]) == 3  # every person in a role gets three (fallbacks)
    text = cli("--db", demo_db, "advise", doc["person"])
    assert text.code == 0 and "Next three actions" in text.out and "Recommended:" in text.out
    bad = cli("--db", demo_db, "advise", "nobody")
    assert bad.code == 1 and "unknown person 'nobody'" in bad.err


def test_report_writes_a_self_contained_page(cli, demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = cli("--db", demo_db, "report", "--out", str(out))
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    for section in ('id="compare"', 'id="evidence"', 'id="simulation"', 'id="fragmentation"',
                    'id="recognition"', 'id="pipeline"', "early career", "n="):
        assert section in html
    assert "http://" not in html and "https://" not in html
    assert "data:image/png;base64," in html
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", html)


def test_report_errors_are_one_line(cli, demo_db: str, tmp_path: Path) -> None:
    for target, message in ((tmp_path / "missing" / "r.html", "no such directory"),
                            (tmp_path / "r.pdf", "use an .html file")):
        result = cli("--db", demo_db, "report", "--out", str(target))
        assert result.code == 1 and message in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_refresh_rebuilds_what_is_stale_and_says_how_long(cli, demo_db: str) -> None:
    forced = cli("--db", demo_db, "refresh", "--force", "--json")
    assert forced.code == 0, forced.err
    doc = json.loads(forced.out)
    names = {m["model"] for m in doc["models"]}
    assert names == {"effort", "lattice_moves", "strategy_effects", "calibration",
                     "comparison", "evidence", "fairness_scores"}
    assert all(m["rebuilt"] and m["seconds"] >= 0 and m["bytes"] > 0 for m in doc["models"])
    facts = doc["alert_facts"]  # every active person's, read again
    assert facts["people"] == facts["read_again"] > 0 and facts["stored"]
    again = cli("--db", demo_db, "refresh")
    assert again.code == 0, again.err
    assert "0 of 7 model(s) rebuilt" in again.out and "current" in again.out
    assert f"alert facts: 0 of {facts['people']:,} active people read again" in again.out
    events = {m["last_event_id"] for m in doc["models"]}
    assert len(events) == 1 and f"event #{events.pop():,}" in again.out
