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

Generation is derandomized, so every role and engine would draw the very same cases: they
are drawn once per operation and mode (drawing is most of a run's cost, far more than the
requests) and each role's run sends its own copy of each.

A schema cannot say which roles, competencies or people exist, nor every rule of the
ledger, so schema-valid input may still be refused with 422 ("input the rules refuse").
"""

from __future__ import annotations

import os
from collections import Counter
from contextlib import suppress
from copy import deepcopy

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core import NOT_SET
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


@pytest.fixture(scope="module")
def drawn() -> dict[tuple, list[Case]]:
    """The cases drawn so far, by operation, mode and number of examples: the module's runs
    (each role, each engine) share them."""
    return {}


def draw(operation, mode: GenerationMode, examples: int) -> list[Case]:
    cases: list[Case] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def generated(case) -> None:
        cases.append(copy_for(operation, case))  # as drawn, before any request changes it

    with suppress(Unsatisfiable):  # no way to break an operation taking no input
        generated()
    return cases


def copy_for(operation, case: Case) -> Case:
    """A new case of ``operation`` (perhaps another app's) holding ``case``'s request."""
    # deepcopy would make a second NOT_SET, which schemathesis tells by identity
    memo = {id(NOT_SET): NOT_SET}
    return Case(operation=operation, method=case.method, path=case.path,
                path_parameters=deepcopy(case.path_parameters, memo),
                headers=deepcopy(case.headers, memo), cookies=deepcopy(case.cookies, memo),
                query=deepcopy(case.query, memo), body=deepcopy(case.body, memo),
                media_type=case.media_type, multipart_content_types=case.multipart_content_types,
                meta=case.meta)


def run_all_checks(app, drawn: dict[tuple, list[Case]], token: str, examples: int,
                   coverage: bool) -> tuple[list[str], Counter[int]]:
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
            key = (operation.method.upper(), operation.path, mode, examples)
            if key not in drawn:
                drawn[key] = draw(operation, mode, examples)
            for case in drawn[key]:
                call(copy_for(operation, case))
    return failures, statuses


@pytest.mark.parametrize("who", ROLES)
def test_every_check_holds_for_every_role(app, drawn, tokens, who, web_url):
    # The coverage cases (about 2,000: boundaries, missing and unexpected values) once, as
    # the role that reaches the most code, on PostgreSQL, whose limits (integer ranges) a
    # boundary reaches; the other roles meet the same permission checks on either engine,
    # so the default run takes them on SQLite and the slow run on both.
    on_postgres = web_url.startswith("postgresql")
    if on_postgres and who != "hr":
        pytest.skip("every role on PostgreSQL is in the slow run")
    # (without a PostgreSQL server, the coverage cases run on SQLite)
    coverage = who == "hr" and (on_postgres or not POSTGRES_URL)
    failures, statuses = run_all_checks(app, drawn, tokens[who], EXAMPLES, coverage=coverage)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:15])
    assert sum(n for status, n in statuses.items() if status < 300) > 20, statuses
    assert not [s for s in statuses if s >= 500], statuses


@pytest.mark.slow
def test_every_check_holds_with_many_examples(app, drawn, tokens):
    for who in ROLES:
        failures, _ = run_all_checks(app, drawn, tokens[who], 100, coverage=True)
        assert not failures, f"{who}: {len(failures)} failures:\n" + "\n".join(failures[:15])
