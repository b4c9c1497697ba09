"""A small organization with one account per role, and signed-in API clients for each.

    boss (hr_admin: hr@x.org)
    ├── mgr (manager: mgr@x.org)
    │   └── emp (employee: emp@x.org)
    └── peer (employee: peer@x.org)

Compensation cycles '2023' and '2024' are open (3% budgets, effective on 1 January).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from argon2 import PasswordHasher

from conftest import POSTGRES_URL, make_trellis
from database_templates import PostgresTemplates, SqliteTemplates
from trellis.domain.access import Role
from trellis.domain.events import EventKind
from trellis.services import accounts, attributes, compensation, ledger, people
from trellis.settings import Settings

PASSWORD = "correct horse battery"
# The library's default argon2 costs ~0.4 s a hash here; tests hash and verify hundreds.
accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
USERS = {"hr": ("hr@x.org", Role.HR_ADMIN, "boss"), "manager": ("mgr@x.org", Role.MANAGER,
                                                                  "mgr"),
         "employee": ("emp@x.org", Role.EMPLOYEE, "emp"),
         "peer": ("peer@x.org", Role.EMPLOYEE, "peer")}


def seed(url: str) -> None:
    t = make_trellis(url)
    add = people.add_person
    add(t.uow(), "boss", "Bo Boss", role="eng3", hired_on=date(2019, 1, 1), author="t",
        pay=90000, email="hr@x.org")
    add(t.uow(), "mgr", "Meg Manager", role="eng2", hired_on=date(2020, 1, 1), author="t",
        manager="boss", pay=60000, email="mgr@x.org")
    add(t.uow(), "emp", "Em Ployee", role="eng1", hired_on=date(2021, 1, 1), author="t",
        manager="mgr", pay=45000, email="emp@x.org")
    add(t.uow(), "peer", "Pe Er", role="eng1", hired_on=date(2021, 6, 1), author="t",
        manager="boss", pay=46000, email="peer@x.org")
    ledger.record_event(t.uow(), "emp", EventKind.COMPENSATION, date(2022, 1, 1),
                        {"percent": 3.0}, author="t")
    ledger.record_event(t.uow(), "emp", EventKind.SKILL_STEP, date(2022, 3, 1),
                        {"competency": "coding", "from_mastery": 0, "to_mastery": 1},
                        author="t")
    attributes.set_attribute(t.uow(), "emp", "gender", "F", author="t")  # HR-only
    for email, role, handle in USERS.values():
        accounts.create_user(t.uow(), email, PASSWORD, role, person=handle, author="t")
    for name in ("2023", "2024"):  # compensation cycles: 2023 to apply, 2024 to propose in
        compensation.open_cycle(t.uow(), name, date(int(name), 1, 1), 3.0, author="t")
    t.close()


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            sqlite_templates: SqliteTemplates) -> Iterator[str]:
    """The seeded organization, once per test module and engine: a copy of the one seeded
    once per worker (tests/database_templates.py)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("web") / "trellis.db"
        yield sqlite_templates.copy_to("web", seed, path)
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    templates: PostgresTemplates = request.getfixturevalue("postgres_templates")
    with templates.copy("web", seed) as url:
        yield url


@pytest.fixture(scope="module")
def app(web_url: str):
    from trellis.entrypoints.web.app import create_app

    app = create_app(Settings(database_url=web_url, author="t"))
    yield app
    app.state.trellis.close()


def client_for(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


@pytest.fixture(scope="module")
def anonymous(app) -> Iterator:
    with client_for(app) as c:
        yield c


def signed_in(app, who: str):
    c = client_for(app)
    r = c.post("/api/session", json={"email": USERS[who][0], "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


@pytest.fixture(scope="module")
def clients(app) -> dict:
    return {who: signed_in(app, who) for who in USERS}
