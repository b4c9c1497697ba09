"""``trellis simulate`` end to end on a small demo organization."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from trellis.entrypoints.cli.app import main

    url = f"sqlite:///{tmp_path_factory.mktemp('simulate') / 'demo.db'}"
    main(["--db", url, "demo", "--people", "300", "--years", "4", "--seed", "3"])  # exit 0
    return url


def test_the_table_per_strategy(cli, demo_db: str) -> None:
    result = cli("--db", demo_db, "simulate", "--runs", "2000", "--years", "3")
    assert result.code == 0, result.err
    for name in ("promotion", "balanced", "micro"):
        assert re.search(rf"{name} \(\d+% of effort aimed at promotion\): after 3 years",
                         result.out)
    assert "still employed" in result.out and "P90" in result.out


def test_json_holds_results_and_calibrated_parameters(cli, demo_db: str) -> None:
    result = cli("--db", demo_db, "simulate", "--strategy", "0.3,promotion", "--runs", "1000",
                 "--years", "2", "--seed", "5", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert [s["strategy"] for s in doc["strategies"]] == ["mix 0.3", "promotion"]
    first = doc["strategies"][0]
    assert set(first["horizon"]) == {"pay", "level", "steps", "engagement"}
    assert len(first["over_time"]["survival"]) == 9
    cal = doc["calibration"]
    assert cal["pay"]["merit_raise_mean"]["source"] == "ledger"
    assert {"early", "mid", "late"} == set(cal["stages"])
    assert "intercept" in cal["promotion"] and "slope" in cal["departure"]
    again = cli("--db", demo_db, "simulate", "--strategy", "0.3,promotion", "--runs", "1000",
                "--years", "2", "--seed", "5", "--json")
    assert json.loads(again.out) == doc


def test_a_person_a_cohort_and_a_chart(cli, demo_db: str, tmp_path) -> None:
    people = json.loads(cli("--db", demo_db, "person", "list", "--json").out)
    assert people
    chart = tmp_path / "bands.png"
    result = cli("--db", demo_db, "simulate", "--cohort", "stage=early,track=engineering",
                 "--strategy", "balanced", "--runs", "500", "--plot", str(chart))
    assert result.code == 0, result.err
    assert "cohort stage=early,track=engineering" in result.out
    assert chart.read_bytes()[:4] == b"\x89PNG"
    shown = 0
    for person in people:
        result = cli("--db", demo_db, "simulate", "--person", person["handle"],
                     "--strategy", "micro", "--runs", "200", "--years", "1")
        if result.code == 0:
            assert person["handle"] in result.out
            shown += 1
            break
    assert shown


@pytest.mark.parametrize(("args", "message"), [
    (("--person", "nobody"), "unknown person 'nobody'"),
    (("--strategy", "fast"), "unknown strategy 'fast'"),
    (("--strategy", "1.5"), "unknown strategy '1.5'"),
    (("--years", "0"), "--years must be from 1 to 30"),
    (("--runs", "5"), "--runs must be from 100 to 1,000,000"),
    (("--cohort", "grade=3"), "bad cohort filter 'grade=3'"),
    (("--cohort", "stage=old"), "stage is early, mid or late"),
    (("--cohort", "track=nothing"), "no active person matches the cohort"),
    (("--plot", "chart.gif"), "use a .png or .svg file"),
])
def test_one_line_errors(cli, demo_db: str, args, message) -> None:
    result = cli("--db", demo_db, "simulate", "--runs", "100", *args)
    assert result.code == 1
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_ledger_without_pay_prints_no_pay_data(cli, sqlite_url: str, monkeypatch) -> None:
    """The tiny framework's eng1 has a pay band, the ledger records no pay: the table and
    the calibration line say "no pay data", not the band's midpoint grown by survey raises."""
    from datetime import datetime

    from conftest import make_trellis
    from tenure_ledger import tenure_ledger
    from trellis.services import clock
    from trellis.services.transfer import import_ledger

    monkeypatch.setattr(clock, "now", lambda: datetime(2021, 12, 31, 12, 0))
    trellis = make_trellis(sqlite_url)
    import_ledger(trellis.uow(), *tenure_ledger(), author="tester")
    trellis.close()
    result = cli("--db", sqlite_url, "simulate", "--strategy", "balanced", "--runs", "500",
                 "--years", "2")
    assert result.code == 0, result.err
    assert "no pay data (see --json" in result.out
    pay_row = next(line for line in result.out.splitlines() if "│ pay" in line)
    assert pay_row.count("no pay data") == 3 and "45," not in pay_row
