"""``trellis paths``, ``explore`` and ``lattice`` through the command line."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, TINY
from trellis.domain.effort import DEFAULT_CRITERION_MONTHS
from trellis.domain.throughput import DEFAULT_RATE, MIDDLE_MONTHS


@pytest.fixture
def db(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    assert cli(*db, "person", "add", "ada", "--name", "Ada Lovelace", "--role", "eng1",
               "--hired", "2022-01-10").code == 0
    return db


def test_paths_shows_moves_and_their_steps(cli, db):
    result = cli(*db, "paths", "ada", "--to", "des2", "-k", "2")
    assert result.code == 0, result.err
    assert "2 path(s) from Engineer I (eng1) to Designer II (des2)" in result.out
    assert "steps: " in result.out and "design_systems →1" in result.out
    doc = json.loads(cli(*db, "paths", "ada", "--to", "des2", "--json").out)
    assert doc["from"] == "eng1" and doc["to"] == "des2" and len(doc["paths"]) == 3
    first = doc["paths"][0]
    assert first["roles"][0] == "eng1" and first["roles"][-1] == "des2"
    assert first["months"] == pytest.approx(sum(m["months"] for m in first["moves"]))


def test_explore_a_person_and_a_role(cli, db):
    result = cli(*db, "explore", "ada", "--budget", "60")
    assert result.code == 0, result.err
    assert "Lateral moves" in result.out and "Vertical moves" in result.out
    doc = json.loads(cli(*db, "explore", "--role", "eng2", "--budget", "60", "--json").out)
    assert doc["person"] is None and doc["from"] == "eng2"
    assert set(doc) >= {"lateral", "diagonal", "vertical"}
    assert [d["role"] for d in doc["vertical"]] == ["eng3"]


def test_explore_names_each_kind_ranks_by_fit_and_says_the_top_of_a_track(cli, db):
    result = cli(*db, "explore", "--role", "eng3", "--budget", "60", "--down")
    assert result.code == 0, result.err
    assert "Senior Engineer is at the top of its track: no vertical moves" in result.out
    assert "Steps down" in result.out and "best fit first" in result.out
    doc = json.loads(cli(*db, "explore", "--role", "eng3", "--budget", "60", "--down",
                         "--json").out)
    assert doc["top_of_track"] is True and doc["vertical"] == []
    down = doc["down"]
    assert {d["role"] for d in down} == {"eng1", "eng2", "des1", "des2"}  # every level below
    assert [d["fit"] for d in down] == sorted((d["fit"] for d in down), reverse=True)
    assert all(d["kind"] == "down" and d["why"] and 0 <= d["fit"] <= 1 for d in down)
    cheap = json.loads(cli(*db, "explore", "--role", "eng3", "--budget", "60", "--down",
                           "--sort", "cost", "--json").out)["down"]
    assert [d["months"] for d in cheap] == sorted(d["months"] for d in cheap)
    assert "down" not in json.loads(cli(*db, "explore", "--role", "eng3", "--json").out)


def test_explore_has_no_budget_unless_given_one_and_a_budget_only_filters(cli, db):
    def moves(*budget: str) -> list[tuple[str, float]]:
        done = cli(*db, "explore", "--role", "eng1", "--json", *budget)
        assert done.code == 0, done.err
        doc = json.loads(done.out)
        return [(d["role"], d["months"]) for kind in ("lateral", "diagonal", "vertical")
                for d in doc[kind]]

    every = moves()
    assert every == moves("--budget", "240")  # no limit by default
    cut = sorted(m for _, m in every)[len(every) // 2]  # half of them cost more
    within = moves("--budget", str(cut))
    assert within == [(r, m) for r, m in every if m <= cut] and len(within) < len(every)
    assert json.loads(cli(*db, "explore", "--role", "eng1", "--json").out)["budget"] is None
    shown = cli(*db, "explore", "--role", "eng1").out
    assert "From Engineer I (eng1), best fit first:" in shown, shown


def test_explore_says_when_moves_people_made_count(cli, db):
    assert cli(*db, "person", "add", "bo", "--name", "Bo", "--role", "eng1",
               "--hired", "2022-01-10").code == 0
    assert cli(*db, "log", "lateral_move", "bo", "--role", "des1", "--on",
               "2023-01-10").code == 0
    result = cli(*db, "explore", "ada", "--budget", "60")
    assert result.code == 0, result.err
    assert "fit counts the 1 lateral and diagonal move(s) people made" in result.out
    assert "1 person made this move" in result.out


def test_lattice_plot_writes_a_png_and_an_svg(cli, db, tmp_path):
    png = tmp_path / "lattice.png"
    result = cli(*db, "lattice", "--plot", png, "--person", "ada", "--radius", "2")
    assert result.code == 0, result.err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "lattice.svg"
    assert cli(*db, "lattice", "--plot", svg, "--role", "des1").code == 0
    assert "<svg" in svg.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (("paths", "ada", "--to", "nope"), "unknown role 'nope'"),
    (("paths", "ada", "--to", "eng1"), "already in role eng1"),
    (("explore",), "give a person, or --role ROLE"),
    (("explore", "--role", "nope"), "unknown role 'nope' in framework 'tiny'"),
    (("explore", "ada", "--budget", "-3"), "the budget must be more than 0 months"),
    (("explore", "ada", "--sort", "name"), "unknown sort 'name': use fit or cost"),
    (("lattice", "--plot", "x.gif", "--role", "eng1"), "cannot draw a chart as '.gif'"),
    (("lattice", "--plot", "x.png"), "give --role ROLE or --person PERSON"),
])
def test_errors_are_one_line(cli, db, args, message):
    result = cli(*db, *args)
    assert result.code == 1
    assert message in result.err and len(result.err.strip().splitlines()) == 1


def test_no_path_is_one_line(cli, sqlite_url, tmp_path):
    gap = tmp_path / "gap.yaml"
    gap.write_text("""
id: gap
name: Gap
tracks: [{id: a, name: A}, {id: b, name: B}]
levels: [{id: L1, name: One}, {id: L2, name: Two}, {id: L3, name: Three}]
skill_bands: [{id: s, name: S, competencies: [{id: x, name: X}]}]
roles:
  - {id: a1, track: a, level: L1, title: A1, expects: {x: 1}}
  - {id: b3, track: b, level: L3, title: B3, expects: {x: 3}}
""")
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", gap).code == 0
    assert cli(*db, "person", "add", "bo", "--name", "Bo", "--role", "a1",
               "--hired", "2022-01-10").code == 0
    result = cli(*db, "paths", "bo", "--to", "b3")
    assert result.code == 1 and result.err.strip() == "error: no path from a1 to b3 in the lattice"


CRITERIA = FIXTURES / "criteria-tracks.yaml"


@pytest.fixture
def criteria_db(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", CRITERIA).code == 0
    assert cli(*db, "person", "add", "bea", "--name", "Bea", "--role", "backend-1",
               "--hired", "2022-01-10").code == 0
    return db


def test_paths_on_a_criteria_framework_price_the_criteria_to_show(cli, criteria_db):
    db = criteria_db
    # Bea has shown nothing: web-1 asks for comms.1 and web.1, each a criterion without
    # history (2 months against 5 for the middle step: 0.4 median steps), at her pace (no
    # record of her own: the default prior's), plus the lateral move's 3 months.
    work = DEFAULT_CRITERION_MONTHS / MIDDLE_MONTHS
    doc = json.loads(cli(*db, "paths", "bea", "--to", "web-1", "-k", "1", "--json").out)
    move, = doc["paths"][0]["moves"]
    assert [c["criterion"] for c in move["criteria"]] == ["comms.1", "web.1"]
    assert (move["work"], move["pace"]) == (pytest.approx(2 * work), DEFAULT_RATE)
    assert move["months"] == pytest.approx(round(2 * work * 3 / DEFAULT_RATE + 3, 2))
    assert cli(*db, "log", "demonstrated", "bea", "--criterion", "comms.1",
               "--evidence", "weekly notes", "--on", "2022-03-01").code == 0
    doc = json.loads(cli(*db, "paths", "bea", "--to", "web-1", "-k", "1", "--json").out)
    move, = doc["paths"][0]["moves"]
    # comms.1 is shown: web.1 alone; her record since then holds no more work, so her
    # pace is below the prior's (as her plan's would be)
    assert move["work"] == pytest.approx(work) and move["pace"] < DEFAULT_RATE
    months = round(work * 3 / move["pace"], 2)
    assert move["months"] == pytest.approx(round(months + 3, 2), abs=0.01)
    result = cli(*db, "paths", "bea", "--to", "web-1", "-k", "1")
    assert result.code == 0, result.err
    assert f"{move['months']:g} months" in result.out
    assert f'criteria to show: 1 ({months:g} months of effort): "Builds accessible pages"' \
        in result.out
    doc = json.loads(cli(*db, "explore", "--role", "backend-1", "--budget", "60",
                         "--json").out)
    lateral = {d["role"]: d for d in doc["lateral"]}
    # from the role, at the organization's pace (no history: the default prior's): web-1
    # adds web.1 (comms.1 is shared), ops-1 adds ops.1 and ops.2
    assert lateral["web-1"]["months"] == pytest.approx(round(work * 3 / DEFAULT_RATE + 3, 2))
    assert lateral["ops-1"]["months"] == pytest.approx(
        round(2 * work * 3 / DEFAULT_RATE + 3, 2))
    assert lateral["web-1"]["fit_parts"]["criteria"] == pytest.approx(1 / 3, abs=1e-3)
    assert lateral["ops-1"]["fit_parts"]["criteria"] == 0.0
    assert lateral["web-1"]["fit"] > lateral["ops-1"]["fit"]
