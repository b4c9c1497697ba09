"""The page feedback mechanism (web/feedback.py) and the number formats (web/formatting.py)
on their own: a notice reaches the page it was sent to once, signed; the formats agree with
an independent reading of the figure."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from trellis.entrypoints.web import feedback
from trellis.entrypoints.web.formatting import (
    day,
    kind,
    moment,
    money,
    months,
    percent,
    pvalue,
    sentence,
    years_months,
)


def tiny_app(secret: str = "s" * 40) -> FastAPI:
    app = FastAPI()
    app.state.secret = secret
    app.state.secure_cookies = False

    @app.post("/people/emp/act")
    def act(request: Request) -> Response:
        return feedback.done(request, "/people/emp?page=2", "Recorded: certified", "event-7")

    @app.get("/people/emp")
    @app.get("/people/other")
    def page(request: Request) -> Response:
        notice = feedback.take(request)
        text = f"{notice.target}: {notice.text}" if notice else "no notice"
        return feedback.settle(request, PlainTextResponse(text))

    return app


def test_a_success_notice_is_shown_once_on_its_page_at_its_target():
    with TestClient(tiny_app()) as client:
        r = client.post("/people/emp/act", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/people/emp?page=2#event-7"
        assert client.get("/people/other").text == "no notice"  # another page: not its
        assert client.get("/people/emp?page=2").text == "event-7: Recorded: certified"
        assert client.get("/people/emp").text == "no notice"  # one-shot: cleared


def test_a_forged_or_foreign_notice_is_ignored():
    with TestClient(tiny_app()) as client:
        client.post("/people/emp/act", follow_redirects=False)
        signed = client.cookies.get(feedback.COOKIE)
        assert signed
        body, signature = signed.rsplit(".", 1)
        client.cookies.clear()
        client.cookies.set(feedback.COOKIE, body + "." + "0" * len(signature),
                           path="/people/emp")
        assert client.get("/people/emp").text == "no notice"
    with TestClient(tiny_app("t" * 40)) as other:  # signed with another site's secret
        other.cookies.set(feedback.COOKIE, signed, path="/people/emp")
        assert other.get("/people/emp").text == "no notice"


def test_a_refusal_keeps_the_text_values_but_not_the_token():
    notice = feedback.refused("Not recorded: give a name", "log",
                              {"csrf_token": "secret", "evidence": "https://x", "n": 3})
    assert not notice.ok and notice.is_for("log") and not notice.is_for("timeline")
    assert notice.value("evidence") == "https://x"
    assert notice.value("csrf_token") == "" and notice.value("n", "none") == "none"
    assert feedback.confirmed({"confirmed": "yes"}) and not feedback.confirmed({})


def test_dates_have_one_format():
    assert day(date(2024, 3, 2)) == "2 Mar 2024"
    assert day(datetime(2024, 12, 31, 23, 59)) == "31 Dec 2024"
    assert day("2021-01-05") == day(date(2021, 1, 5)) == "5 Jan 2021"
    assert day(None) == "\u2013" and day(None, "never") == "never"
    assert moment(datetime(2024, 3, 2, 14, 5, 59)) == "2 Mar 2024, 14:05 UTC"
    assert moment(None, "never") == "never"


@given(st.floats(min_value=0, max_value=1200))
def test_a_stay_reads_back_as_its_whole_months(value):
    shown = years_months(value)
    found = {unit.rstrip("s"): int(n) for n, unit in zip(*[iter(shown.split())] * 2,
                                                          strict=True)}
    assert found.get("year", 0) * 12 + found.get("month", 0) == int(value)
    assert 0 <= found.get("month", 0) < 12
    assert not re.search(r"\b1 (years|months)\b", shown)  # one is singular


def test_a_stay_in_years_and_months():
    assert years_months(15.2) == "1 year 3 months" and years_months(24) == "2 years"
    assert years_months(0.4) == "0 months" and years_months(None) == "\u2013"


@pytest.mark.parametrize(("amount", "currency", "shown"), [
    (45000, "USD", "$45,000"), (1234567, "eur", "€1,234,567"), (98000, "CHF", "CHF 98,000"),
    (-500, "GBP", "-£500"), (45000, None, "45,000")])
def test_pay_shows_its_currency_and_thousands(amount, currency, shown):
    assert money(amount, currency) == shown


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_money_reads_back_as_the_same_amount(amount):
    shown = money(amount, "USD")
    assert int(shown.replace("$", "").replace(",", "")) == amount
    groups = shown.lstrip("-$").split(",")
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(st.floats(min_value=0, max_value=1))
def test_a_share_is_a_whole_percentage(share):
    shown = percent(share)
    assert shown.endswith("%") and abs(int(shown[:-1]) - share * 100) <= 0.5


def test_p_values_months_and_kinds_in_words():
    assert pvalue(0.048365) == "p = 0.048" and pvalue(0.0004) == "p < 0.001"
    assert pvalue(0.52) == "p = 0.52"
    assert months(11.014) == "about 11 months" and months(0.4) == "about 1 month"
    assert months(25.2) == "about 2.1 years"
    assert kind("skill_step") == "Skill step" and kind("band_upgrade") == "Band upgrade"

@pytest.mark.parametrize(("message", "shown"), [
    ("give a reason: why the raise is declined", "Give a reason: why the raise is declined"),
    ("dir: asc or desc", "Dir: asc or desc"),
    ("you may not see Ann Lee's reviews", "You may not see Ann Lee's reviews"),
    ("Ann Lee has no reports", "Ann Lee has no reports"),
    ("new.hire@x.org can now sign in", "new.hire@x.org can now sign in"),  # an email as given
    ("people.txt: use a .csv or .jsonl file", "people.txt: use a .csv or .jsonl file"),
    ("eng-l6 is not a role", "eng-l6 is not a role"),
    ("", ""), (None, ""),
])
def test_a_message_is_shown_as_a_sentence_keeping_names_as_written(message, shown):
    assert sentence(message) == shown
