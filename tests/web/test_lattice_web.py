"""The lattice on the web: fit-ranked moves with their reasons, within the privacy circle."""

from __future__ import annotations

import re


def test_the_person_page_shows_fit_and_why_only_to_the_circle(clients):
    mine = clients["employee"].get("/people/emp")
    assert mine.status_code == 200
    assert "Lattice options" in mine.text and "Best fit first" in mine.text
    assert re.search(r"<strong>[^<]+</strong>: \d{1,3}% fit, about ", mine.text)
    assert "shares " in mine.text  # the fit's parts in words
    seen_by_peer = clients["peer"].get("/people/emp")
    assert seen_by_peer.status_code == 200
    assert "Lattice options" not in seen_by_peer.text


def test_the_api_explores_by_fit_within_the_circle(clients):
    doc = clients["manager"].get("/api/explore", params={"person": "emp", "budget": 60,
                                                          "down": "true"}).json()["document"]
    assert set(doc) >= {"lateral", "diagonal", "vertical", "down", "top_of_track"}
    for kind in ("lateral", "diagonal", "vertical", "down"):
        fits = [d["fit"] for d in doc[kind]]
        assert fits == sorted(fits, reverse=True)
        assert all(d["kind"] == kind and d["why"] for d in doc[kind])
    by_cost = clients["manager"].get("/api/explore", params={
        "person": "emp", "budget": 60, "sort": "cost"}).json()["document"]
    months = [d["months"] for d in by_cost["lateral"]]
    assert months == sorted(months)
    assert clients["peer"].get("/api/explore", params={"person": "emp"}).status_code == 403
    assert clients["peer"].get("/api/explore", params={"role": "eng1"}).status_code == 200
    bad = clients["manager"].get("/api/explore", params={"role": "eng1", "sort": "name"})
    assert bad.status_code == 422
