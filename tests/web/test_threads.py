"""Requests take turns on one thread per worker; a long analysis runs beside them and
never holds them up."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from trellis.entrypoints.web.routers import simulation as simulation_router
from trellis.entrypoints.web.schemas import DocumentPublic

from .conftest import PASSWORD, USERS


def test_a_running_simulation_does_not_hold_up_other_requests(app, monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow_simulation(*args, **kwargs) -> DocumentPublic:
        started.set()
        release.wait(30)  # until the profile below has been served
        return DocumentPublic(document={"done": True})

    monkeypatch.setattr(simulation_router, "simulate_view", slow_simulation)
    with TestClient(app) as client:  # with its lifespan: one request thread, as served
        signed = client.post("/api/session", json={"email": USERS["hr"][0],
                                                   "password": PASSWORD}).json()
        client.headers["X-CSRF-Token"] = signed["csrf_token"]
        simulated: list[int] = []
        simulation = threading.Thread(target=lambda: simulated.append(
            client.get("/api/simulation", params={"person": "emp"}).status_code))
        simulation.start()
        assert started.wait(30)
        # were the simulation on the request thread, this would wait for it to end
        assert client.get("/api/people/emp/profile").status_code == 200
        assert simulation.is_alive()
        release.set()
        simulation.join(30)
    assert simulated == [200]
