"""A refused action reads in people's words on the page: the person by name, the signed-in
user as "you", never a handle or an email (the command line keeps those: tests/cli)."""

from __future__ import annotations

import re
from html import unescape


def alerts(html: str) -> str:
    """The text of every alert on the page, tags taken out."""
    found = re.findall(r'role="alert"[^>]*>(.*?)</', html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", a)) for a in found)


def no_handles_or_emails(text: str) -> None:
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", text), text
    assert not re.search(r"\b(emp|peer|mgr|boss)\b", text), text


def test_a_refused_log_names_the_person_and_says_you(clients):
    peer = clients["peer"]
    r = peer.post("/people/emp/events", data={
        "csrf_token": str(peer.headers["X-CSRF-Token"]), "kind": "certification",
        "certification": "Borrowed Cert", "evidence": "https://example.org/c/9"})
    assert r.status_code == 403
    said = alerts(r.text)
    assert "you may not record a certification for Em Ployee" in said
    no_handles_or_emails(said)


def test_a_refused_team_names_the_manager_by_name_and_your_team(clients):
    r = clients["manager"].get("/org/compare?team=boss")
    assert r.status_code == 403
    said = alerts(r.text)
    assert "Bo Boss is not in your team" in said
    no_handles_or_emails(said)


def test_the_api_says_the_same_words(clients):
    r = clients["peer"].post("/api/people/emp/events", json={
        "kind": "certification", "details": {"certification": "Borrowed Cert"}})
    assert r.status_code == 403
    assert r.json()["detail"] == "you may not record a certification for Em Ployee"


def test_a_role_refusal_names_the_role_in_words(clients):
    r = clients["employee"].get("/team")
    assert r.status_code == 403
    said = alerts(r.text)
    assert "This needs the manager role" in said
    assert "hr_admin" not in said
