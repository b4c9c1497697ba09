"""The web service serves a stale organization model with its date and rebuilds it in the
background, never in the request."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trellis.domain.events import EventKind
from trellis.services import ledger, org_models
from trellis.settings import Settings

from .conftest import PASSWORD, USERS, seed


def test_a_stale_model_is_served_then_rebuilt_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trellis.entrypoints.web.app import create_app

    url = f"sqlite:///{tmp_path / 'trellis.db'}"
    seed(url)
    app = create_app(Settings(database_url=url, author="t"))
    trellis = app.state.trellis
    with TestClient(app) as client:
        r = client.post("/api/session", json={"email": USERS["hr"][0], "password": PASSWORD})
        assert r.status_code == 200, r.text
        first = client.get("/api/compare").json()["document"]
        assert first["notes"] == []  # none stored: built in the request, once
        monkeypatch.setattr(org_models, "SYNC_EVENTS", 0)  # as on a large organization
        models = app.state.models
        assert trellis.on_stale == models.schedule
        ledger.record_event(trellis.uow(), "peer", EventKind.RECOGNITION, date(2022, 5, 2),
                            {"citation": "helped"}, author="t")
        stale = client.get("/api/compare").json()["document"]
        assert any(n.startswith("The comparison's figures are as of ")
                   and "1 event behind the ledger" in n
                   for n in stale["notes"])
        # `trellis refresh` ran in a process of its own, scheduled by the stale read
        assert models.idle(300) and models.passes == 1
        fresh = client.get("/api/compare").json()["document"]
        assert fresh["notes"] == []
        micro = {f["id"]: f for f in fresh["features"]}["definition"]
        before = {f["id"]: f for f in first["features"]}["definition"]
        assert micro["detail"]["kinds"]["micro_progression"]["recognition"] == \
            before["detail"]["kinds"]["micro_progression"]["recognition"] + 1
    assert trellis.on_stale is None  # the lifespan took the hook away on shutdown
