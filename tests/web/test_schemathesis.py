"""Property-based requests from the OpenAPI document, judged by every schemathesis check
(``--checks all``): no server error, statuses, content types, headers and bodies as
documented (errors as application/problem+json), schema-violating input refused, an
undocumented method answered 405 with Allow, and auth actually required.

Each role signs in with an API token of its own: an employee, a manager and an HR admin.
Every operation gets a bounded number of generated cases, positive and negative, for each
role (TRELLIS_SCHEMATHESIS_EXAMPLES, default 5), and schemathesis' coverage cases
(boundaries, missing and unexpected values, other methods) as the HR admin on PostgreSQL,
whom permission checks do not stop short of the code behind them; the slow run takes 100 of
each, with the coverage cases, for every role on both engines. Sign-out and revocation are
left out: they would end the token the run uses.

A schema cannot say which roles, competencies or people exist, nor every rule of the
ledger, so schema-valid input may still be refused with 422 ("input the rules refuse").
"""

from __future__ import annotations

import os
from collections import Counter
from contextlib import suppress

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup

from conftest import POSTGRES_URL

from .conftest import PASSWORD, USERS, client_for

EXAMPLES = int(os.environ.get("TRELLIS_SCHEMATHESIS_EXAMPLES", "5"))
ROLES = ("hr", "manager", "employee")
load_all_checks()
ALL_CHECKS = CHECKS.get_all()
CONFIG = {"checks": {"positive_data_acceptance": {"expected-statuses": [
    "2xx", "3xx", "401", "403", "404", "409", "422", "429"]}}}


@pytest.fixture(scope="module")
def tokens(app) -> dict[str, str]:
    made = {}
    for who in ROLES:
        c = client_for(app)
        csrf = c.post("/api/session", json={"email": USERS[who][0], "password": PASSWORD}
                      ).json()["csrf_token"]
        made[who] = c.post("/api/tokens", json={"name": "schemathesis"},
                           headers={"X-CSRF-Token": csrf}).json()["token"]
    return made


def run_all_checks(app, token: str, examples: int, coverage: bool
                   ) -> tuple[list[str], Counter[int]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app,
                                            config=schemathesis.Config.from_dict(CONFIG))
    auth = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()

    def call(case) -> None:
        try:
            response = case.call_and_validate(headers=auth, checks=ALL_CHECKS)
            statuses[response.status_code] += 1
        except FailureGroup as exc:
            failures.extend(f"{case.method} {case.formatted_path} {case.query} "
                            f"{case.body!r:.200}: {f.title}: {str(f.message)[:300]}"
                            for f in exc.exceptions)
        except Exception as exc:  # raised through the app: a server error
            failures.append(f"{case.method} {case.formatted_path} {case.query} "
                            f"{case.body!r:.200}: server error: {exc!r:.300}")

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        if operation.method.upper() == "DELETE":
            continue
        for case in schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode),
                                               generation_config=schema.config.generation
                                               ) if coverage else ():
            if case.method.upper() != "DELETE":
                call(case)
        for mode in GenerationMode:
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def generated(case) -> None:
                call(case)

            with suppress(Unsatisfiable):  # no way to break an operation taking no input
                generated()
    return failures, statuses


@pytest.mark.parametrize("who", ROLES)
def test_every_check_holds_for_every_role(app, tokens, who, web_url):
    # The coverage cases (about 2,000: boundaries, missing and unexpected values) once, as
    # the role that reaches the most code, on PostgreSQL, whose limits (integer ranges) a
    # boundary reaches; the other roles meet the same permission checks on either engine,
    # so the default run takes them on SQLite and the slow run on both.
    on_postgres = web_url.startswith("postgresql")
    if on_postgres and who != "hr":
        pytest.skip("every role on PostgreSQL is in the slow run")
    # (without a PostgreSQL server, the coverage cases run on SQLite)
    coverage = who == "hr" and (on_postgres or not POSTGRES_URL)
    failures, statuses = run_all_checks(app, tokens[who], EXAMPLES, coverage=coverage)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:15])
    assert sum(n for status, n in statuses.items() if status < 300) > 20, statuses
    assert not [s for s in statuses if s >= 500], statuses


@pytest.mark.slow
def test_every_check_holds_with_many_examples(app, tokens):
    for who in ROLES:
        failures, _ = run_all_checks(app, tokens[who], 100, coverage=True)
        assert not failures, f"{who}: {len(failures)} failures:\n" + "\n".join(failures[:15])
