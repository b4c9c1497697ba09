"""Hostile framework files over the web: a 422 problem document with a one-line detail,
never a 500, and nothing loaded. A recursive alias and a 5,000-digit integer once
returned 500 from ``POST /api/frameworks``; a billion laughs held a worker for seconds."""

from __future__ import annotations

import json

import pytest

from conftest import TINY

BASE = TINY.read_text(encoding="utf-8")
NAME = "name: Tiny Co\n"


def with_line(line: str) -> str:
    return BASE.replace(NAME, f"{NAME}{line}\n", 1)


def chain(n: int) -> str:
    """n competencies, each the prerequisite of the one before, the last of the first."""
    items = "".join(f"      - {{id: c{i}, name: C{i}, prerequisites: [c{(i + 1) % n}]}}\n"
                    for i in range(n))
    anchor = "      - {id: communication, name: Communication}\n"
    return BASE.replace(anchor, anchor + items, 1)


LAUGHS = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
                 for p, c in zip(["", *"abcdefgh"], "abcdefghi", strict=True))
HOSTILE = {
    "recursive-alias": (with_line("description: &d [*d]"), "recursive alias"),
    "recursive-mapping-alias": (with_line("description: &d {again: *d}"), "recursive alias"),
    "5000-digit-integer": (BASE.replace("mid: 45000", f"mid: {'9' * 5_000}", 1),
                           "a number written with 5,000 characters"),
    "5000-digit-name": (BASE.replace(NAME, f"name: {'7' * 5_000}\n", 1),
                        "a number written with 5,000 characters"),
    "billion-laughs": (LAUGHS, "aliases repeat more than 100,000"),
    "3000-prerequisite-cycle": (chain(3_000), "prerequisite cycle of 3,000 competencies"),
    "deep-nesting": (with_line("description: " + "[" * 40 + "]" * 40), "nest more than 32"),
    "nan-months": (BASE.replace("{id: L2, name: Mid}", "{id: L2, name: Mid, min_months: .nan}"),
                   "levels[1].min_months: Input should be a finite number"),
    "infinite-lanes": (with_line("lattice: {lanes: .inf}"), "lattice.lanes"),
    "1e308-weight": (with_line("lattice: {weights: {lateral: 1.0e+308}}"),
                     "less than or equal to 600"),
    "scale-5.0": (with_line("mastery_scale: {max: 5.0}"), "mastery_scale.max"),
    "string-number": (BASE.replace("mid: 45000", "mid: '45000'", 1), "roles[0].pay_band.mid"),
    "bad-date": (with_line("description: 2020-13-45"), "cannot read '2020-13-45' as a date"),
    "unreadable-int": (with_line("description: !!int abc"), "cannot read 'abc' as an integer"),
    "nul-in-text": (with_line('description: "a\\0b"'), "control character U+0000"),
    "newline-in-key": (with_line('"colour\\nscheme": 1'), "colour\\u000ascheme: unknown field"),
    "long-value": (with_line("description: " + "x" * 100_001), "a value of 100,001 characters"),
}


def versions(client) -> list:
    r = client.get("/api/frameworks")
    assert r.status_code == 200, r.text
    return r.json()


def one_line_problem(r, contains: str) -> dict:
    assert r.status_code == 422, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert "\n" not in body["detail"] and len(body["detail"].splitlines()) == 1
    assert contains in body["detail"], body["detail"]
    return body


@pytest.mark.parametrize(("text", "contains"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_framework_is_a_422_with_one_line(clients, text, contains):
    hr = clients["hr"]
    before = versions(hr)
    body = one_line_problem(hr.post("/api/frameworks", json={"text": text}), contains)
    assert body["type"] == "/problems/framework-invalid"
    assert body["detail"].startswith("invalid framework: upload:")
    assert all("\n" not in p["message"] and "\n" not in p["path"] for p in body["problems"])
    assert versions(hr) == before


def test_a_lone_surrogate_in_the_request_is_a_422(clients):
    """The request's JSON parser refuses it first; parse_framework would too (unit tests)."""
    hr = clients["hr"]
    before = versions(hr)
    body = json.dumps({"text": with_line("description: @")}).replace("@", "\\ud800")
    r = hr.post("/api/frameworks", content=body.encode(),
                headers={"content-type": "application/json"})
    one_line_problem(r, "")
    assert versions(hr) == before


@pytest.mark.parametrize("data", [
    BASE.encode("utf-16"), LAUGHS.encode(), with_line("description: &d [*d]").encode(),
    BASE.replace("mid: 45000", f"mid: {'9' * 5_000}", 1).encode(),
    with_line("description: Caf\u00e9").encode("latin-1"),
], ids=["utf-16", "billion-laughs", "recursive-alias", "5000-digit-integer", "latin-1"])
def test_a_hostile_upload_on_the_organization_page_is_a_422_page(clients, data):
    hr = clients["hr"]
    before = versions(hr)
    r = hr.post("/org/frameworks", files={"file": ("framework.yaml", data, "text/yaml")})
    assert r.status_code == 422, r.text[:500]
    assert "The framework was not loaded" in r.text
    assert versions(hr) == before


REPLACES_NOTHING = BASE.replace("{id: coding, name: Coding}",
                                "{id: coding, name: Coding, replaces: [cobol]}", 1)


def test_a_replaces_that_points_nowhere_is_a_422_with_its_line(clients):
    # checked against the stored version, after the file itself passed: it once had no line
    hr = clients["hr"]
    before = versions(hr)
    body = one_line_problem(hr.post("/api/frameworks", json={"text": REPLACES_NOTHING}),
                            "'cobol' is not one of the competencies")
    assert "upload:16:" in json.dumps(body)
    r = hr.post("/org/frameworks",
                files={"file": ("v2.yaml", REPLACES_NOTHING.encode(), "text/yaml")})
    assert r.status_code == 422, r.text[:500]  # was the bare JSON of the global handler
    assert "The framework was not loaded" in r.text and "v2.yaml:16:" in r.text
    assert versions(hr) == before
