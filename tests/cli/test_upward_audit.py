"""The audit log never says which report wrote an upward review (docs/reviews.md, "The
audit log"): the entry names the cycle and the manager reviewed, says "a report" for who,
keeps no account, no event id and no time of day, and is listed after the rest of its day,
whether the review came from the command line or the web; every other review names who
wrote it.

TINY org: bob manages ada and cy. Cycle '2025' has self, manager and upward reviews.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from conftest import TINY
from trellis.entrypoints.web.audit_words import audit_rows
from trellis.services import clock


@pytest.fixture
def db(cli, sqlite_url, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 3, 4, 15, 30, 7))
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    for handle, role, manager in (("bob", "eng3", None), ("ada", "eng1", "bob"),
                                  ("cy", "eng1", "bob")):
        extra = ("--manager", manager) if manager else ()
        assert cli(*db, "person", "add", handle, "--name", handle.title(), "--role", role,
                   "--hired", "2022-01-10", *extra).code == 0
    opened = cli(*db, "review", "cycle", "open", "2025", "--start", "2025-01-01", "--end",
                 "2025-12-31", "--forms", "self,manager,upward")
    assert opened.code == 0, opened.err
    return db


def entries(cli, db) -> list[dict]:
    done = cli(*db, "audit", "--limit", "0", "--json")
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_an_upward_review_is_audited_without_its_writer(cli, db):
    up = cli(*db, "review", "submit", "2025", "bob", "--as", "upward", "--by", "ada",
             "--rating", "4", "--comment", "clear goals")
    assert up.code == 0, up.err
    event_id = int(up.out.split("(event ")[1].split(")")[0])
    mine = cli(*db, "review", "submit", "2025", "ada", "--as", "manager", "--by", "bob",
               "--rating", "3")
    assert mine.code == 0, mine.err
    log = entries(cli, db)
    [upward] = [e for e in log if e["detail"].get("form") == "upward"]
    assert (upward["action"], upward["user_email"], upward["resource"], upward["detail"]) == (
        "review.submit", None, "person/bob/reviews",
        {"cycle": "2025", "form": "upward", "by": "a report"})
    assert upward["at"] == "2025-03-04T00:00:00"  # the day, not the moment
    [opened] = [e for e in log if e["action"] == "review_cycle.open"]
    assert upward["id"] > opened["id"] and log.index(upward) > log.index(opened)  # written
    # after the cycle opened, it is listed after it, as after every entry of its day
    text = json.dumps(upward)
    for word in ("ada", "Ada", "tester", "15:30", f"/{event_id}", f": {event_id}"):
        assert word not in text, word
    [manager] = [e for e in log if e["detail"].get("form") == "manager"]
    assert (manager["user_email"], manager["resource"]) == (
        "tester", f"person/ada/reviews/{event_id + 1}")  # any other review names its writer
    shown = cli(*db, "audit", "--limit", "0")
    row = next(line for line in shown.out.splitlines() if "person/bob/reviews" in line)
    assert "a report of bob" in row and "ada" not in row.lower()


def test_the_organization_page_names_the_manager_and_only_the_day():
    entry = {"at": datetime(2025, 3, 4), "user_email": None, "action": "review.submit",
             "resource": "person/bob/reviews",
             "detail": {"cycle": "2025", "form": "upward", "by": "a report"}}
    other = {**entry, "user_email": "ada@x.org", "detail": {"cycle": "2025", "form": "self"},
             "resource": "person/ada/reviews/9", "at": datetime(2025, 3, 4, 15, 30)}
    rows = audit_rows([entry, other], {"bob": "Bob Boss", "ada@x.org": "Ada Lovelace"})
    assert rows[0] == {"when": "4 Mar 2025", "who": "a report of Bob Boss",
                       "did": "submitted a review", "on": "Bob Boss's reviews"}
    assert rows[1]["who"] == "Ada Lovelace" and rows[1]["when"] == "4 Mar 2025, 15:30 UTC"


def test_an_account_entry_names_whose_account_it_is():
    made = {"at": datetime(2025, 3, 4, 9), "user_email": "root", "action": "user.create",
            "resource": "user/7", "detail": {"email": "ada@x.org", "role": "employee"}}
    nobody = {**made, "resource": "user/8", "detail": {"email": "bot@x.org"}}
    rows = audit_rows([made, nobody], {"ada@x.org": "Ada Lovelace"})
    assert [(r["did"], r["on"]) for r in rows] == [
        ("created an account", "Ada Lovelace's account"),
        ("created an account", "bot@x.org's account")]  # an account of no one: its email
