"""The strategy simulator's page: a person found by name among those the reader may
simulate, a group chosen from lists, strategies ticked (with a mix of one's own), and the
sentence under the table that says what it shows."""

from __future__ import annotations

import re
from html import unescape

import pytest

from trellis.entrypoints.web.formatting import strategy as strategy_label
from trellis.entrypoints.web.simulate_page import SimulateForm, leaving_words, takeaway

QUICK = "&runs=200&years=2&seed=0"


def outcome(name: str, median: float | None, survival: float) -> dict:
    return {"strategy": name, "survival": survival,
            "horizon": {"pay": {"p10": None, "p50": median, "p90": None}}}


def heading(page: str) -> str:
    return unescape(re.search(r'<h2 id="res-h">([^<]+)</h2>', page).group(1))


def rows(page: str) -> list[str]:
    return [unescape(r) for r in re.findall(r'<th scope="row" data-label="Strategy">([^<]+)',
                                            page)]


def test_strategies_are_named_in_words():
    assert [strategy_label(s) for s in ("promotion", "micro", "balanced", "mix 0.3")] == [
        "Promotion-focused", "Micro-progression", "Balanced", "Own mix (30%)"]


def test_the_form_composes_what_the_simulation_reads():
    form = SimulateForm(stage="early", level="L3", strategies=["micro"], mix="30")
    assert form.cohort_filter() == "stage=early,level=L3"
    assert form.strategy() == "micro,0.3"
    assert SimulateForm(cohort="stage=late").cohort_filter() == "stage=late"  # an old link
    assert SimulateForm().cohort_filter() is None


@pytest.mark.parametrize(("form", "problem"), [
    (SimulateForm(years="ten"), "whole numbers"),
    (SimulateForm(years="31"), "years: from 1 to 30"),
    (SimulateForm(runs="99"), "trajectories per strategy: from 100 to 200,000"),
    (SimulateForm(mix="120"), "from 0 to 100%"),
    (SimulateForm(mix="a lot"), "from 0 to 100%"),
    (SimulateForm(strategies=[]), "tick at least one strategy"),
])
def test_a_bad_form_is_named(form, problem):
    assert problem in form.problem()


def test_the_takeaway_names_the_leader_or_says_they_are_even():
    apart = takeaway([outcome("promotion", 120_000, 0.50), outcome("micro", 100_000, 0.60)],
                     5, "USD")
    assert apart.startswith("After 5 years, Promotion-focused has the highest median pay "
                            "($120,000, against $100,000 for Micro-progression); "
                            "Micro-progression keeps the most still employed (60%, against 50%)")
    even = takeaway([outcome("promotion", 100_500, 0.505), outcome("micro", 100_000, 0.50)],
                    5, "EUR")
    assert "within 2% of each other (€100,000 to €100,500)" in even
    assert "about as many are still employed under each (50% to 50%)" in even
    assert takeaway([outcome("micro", None, 0.5)], 5, "USD").startswith("No pay is recorded")


def test_the_page_says_what_the_simulation_assumed_of_leaving():
    measured = {"leaving_effects": [{"stage": "mid", "role_type": "dynamic", "ratio": 1.812,
                                     "threshold": 2.5, "frequent_share": 0.4}]}
    assert leaving_words(measured) == (
        "Leaving: as this organization's history measured it, frequent micro-progressors "
        "leave voluntarily 1.81 times as often as rare ones among mid-career people on "
        "dynamic tracks (above 2.5 micro-progressions a quarter).")
    assert "every strategy leaves at the same rate" in leaving_words({"leaving_effects": []})


def test_a_manager_finds_their_report_by_name(clients):
    page = clients["manager"].get("/simulate?run=1&person=ployee" + QUICK)
    assert page.status_code == 200
    assert heading(page.text) == "Em Ployee: 1 person, 200 careers per strategy over 2 years"
    assert rows(page.text) == ["Promotion-focused", "Micro-progression", "Balanced"]
    assert re.search(r'data-label="Pay, median">€[\d,]+<', page.text)  # with its currency
    assert 'data-testid="sim-takeaway">After 2 years, ' in page.text
    doc = clients["manager"].get("/api/simulation?person=emp&runs=200&years=2&seed=0")
    assert doc.status_code == 200, doc.text  # the page's leaving sentence: the document's
    said = leaving_words(doc.json()["document"])
    assert unescape(page.text).count(f'data-testid="sim-leaving">{said}<') == 1


def test_a_link_with_a_handle_fills_the_form_with_the_name(clients):
    form = clients["manager"].get("/simulate?person=emp")
    assert form.status_code == 200 and 'id="res-h"' not in form.text  # not run yet
    assert 'name="person" value="Em Ployee"' in form.text and 'value="emp"' not in form.text


def test_a_name_outside_the_readers_circle_is_not_found(clients):
    page = clients["manager"].get("/simulate?run=1&person=Pe+Er" + QUICK)
    assert page.status_code == 404
    assert "No one you may simulate is called &#39;Pe Er&#39;" in page.text
    assert 'id="res-h"' not in page.text


def test_a_name_that_fits_several_people_lists_them_to_choose(clients):
    page = clients["hr"].get("/simulate?run=1&person=e&strategy=micro" + QUICK)
    assert page.status_code == 422 and "More than one person is called" in page.text
    links = re.findall(r'<li><a href="(/simulate\?[^"]+)">([^<]+)</a>', page.text)
    assert [name for _, name in links] == ["Em Ployee", "Meg Manager", "Pe Er"]
    chosen = clients["hr"].get(unescape(links[0][0]))
    assert chosen.status_code == 200 and heading(chosen.text).startswith("Em Ployee: ")
    assert rows(chosen.text) == ["Micro-progression"]  # the ticked strategies carried over


def test_hr_simulates_a_group_chosen_from_lists_with_a_mix_of_their_own(clients):
    page = clients["hr"].get("/simulate?run=1&stage=&track=eng&strategy=balanced"
                             "&mix=30" + QUICK)
    assert page.status_code == 200, page.text
    assert heading(page.text).startswith("Individual contributors in Engineering: ")
    assert rows(page.text) == ["Balanced", "Own mix (30%)"]
    old = clients["hr"].get("/simulate?run=1&cohort=stage%3Dearly&strategy=all" + QUICK)
    assert old.status_code == 200  # a hand-written filter (an older link) is still read
    assert heading(old.text).startswith("People matching stage=early: 2 people")


def test_nothing_ticked_is_refused_in_place(clients):
    page = clients["hr"].get("/simulate?run=1&person=ployee&mix=" + QUICK)
    assert page.status_code == 200  # no strategy given at all: the three presets
    none = clients["hr"].get("/simulate?run=1&person=ployee&strategy=&mix=" + QUICK)
    assert none.status_code == 422 and "Tick at least one strategy" in none.text
    assert 'value="ployee"' in none.text  # the form as typed
