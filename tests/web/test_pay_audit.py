"""Every response that carries someone's pay leaves a ``pay.read`` audit entry: every API
operation, called as an HR admin and as a manager (tests/web/api_calls.py).

Pay is what domain.access hides: base pay, bonuses, pay in hires, promotions, band upgrades
and compensation events, simulated pay, and the comparison table's salary figures. A write
is audited by its own entry, which covers the pay figures the request itself sent.
"""

from __future__ import annotations

from typing import Any

import pytest

from .api_calls import CALLS, send
from .conftest import client_for, signed_in

# Keys whose numbers are pay; the comparison table's salary feature (id "salary") is pay
# throughout (its medians, growth and totals).
PAY_KEYS = frozenset({"pay", "base", "bonuses", "pay_before", "pay_after", "pay_p50",
                      "amount", "percent", "median_amount"})


def pay_figures(doc: Any, inside: bool = False) -> list[float]:
    """The numbers under a pay key (or in the comparison's salary feature) of a document."""
    if isinstance(doc, bool) or doc is None:
        return []
    if isinstance(doc, int | float):
        return [doc] if inside else []
    if isinstance(doc, list):
        return [x for item in doc for x in pay_figures(item, inside)]
    if isinstance(doc, dict):
        salary = inside or doc.get("id") == "salary"
        return [x for key, value in doc.items() if key not in ("n", "hidden")
                for x in pay_figures(value, salary or key in PAY_KEYS)]
    return []


def test_the_calls_cover_every_operation(app):
    documented = {f"{method.upper()} {path}" for path, ops in app.openapi()["paths"].items()
                  for method in ops}
    assert {c.operation for c in CALLS} == documented


def audit_entries(app) -> list[dict[str, Any]]:
    with app.state.trellis.uow() as uow:
        return uow.audit.entries()


@pytest.mark.parametrize("who", ["hr", "manager"])
def test_every_response_with_pay_is_audited_as_a_read_of_pay(app, who):
    client = signed_in(app, who)
    email = {"hr": "hr@x.org", "manager": "mgr@x.org"}[who]
    carried = []
    for call in CALLS:
        if call.path == "/api/session":  # signing in and out: a client of its own
            caller = client_for(app) if call.method == "POST" else signed_in(app, who)
        else:
            caller = client
        before = max((e["id"] for e in audit_entries(app)), default=0)
        response = send(app, caller, call)
        if response.status_code >= 300 or not response.content:
            continue
        figures = pay_figures(response.json())
        if not figures:
            continue
        carried.append(call.operation)
        new = [e for e in audit_entries(app) if e["id"] > before and e["user_email"] == email]
        if any(e["action"] == "pay.read" for e in new):
            continue
        sent = set(pay_figures(call.body, inside=True)) if call.body else set()
        assert call.method != "GET" and new and set(figures) <= sent, \
            f"{who}: {call.operation} {call.params} carried pay {figures[:5]} unaudited"
    assert {"GET /api/people/{ref}/profile", "GET /api/people/{ref}/timeline",
            "GET /api/compare", "GET /api/simulation"} <= set(carried), carried
