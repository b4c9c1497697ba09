"""The evidence page and API on a real dataset: salespeople's reviews as a ledger.

The page shows both propensity models side by side with their AUCs, the effects in
words with "p < 0.001"-style p-values and the takeaway; the API refuses bad options in
one line.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import make_trellis
from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import parse_framework
from trellis.domain.access import Role
from trellis.services import accounts
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.skipif(importlib.util.find_spec("peopleanalyticsdata") is None,
                                reason="the peopleanalyticsdata package is not installed")


@pytest.fixture(scope="module")
def hr(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    url = f"sqlite:///{tmp_path_factory.mktemp('evidence') / 'trellis.db'}"
    t = make_trellis(url, framework=None)
    text = Path(pa.__file__).parents[1].joinpath("frameworks", "software-company.yaml"
                                                 ).read_text(encoding="utf-8")
    framework, doc = parse_framework(text + "reviews: {rating: {min: 1, max: 4}, forms: "
                                     "[manager]}\n", "sc+reviews")
    load_framework(t.uow(), framework, doc, author="t", activate=True)
    source, _ = pa.salespeople_ledger(pa.read_dataset("salespeople"), role="eng-l2",
                                      promoted_to="eng-l3", cycle="2021")
    import_ledger(t.uow(), source.people, source.events, author="t")
    accounts.create_user(t.uow(), "hr@x.org", PASSWORD, Role.HR_ADMIN, author="t")
    t.close()
    from trellis.entrypoints.web.app import create_app

    app = create_app(Settings(database_url=url, author="t"))
    with client_for(app) as c:
        r = c.post("/api/session", json={"email": "hr@x.org", "password": PASSWORD})
        assert r.status_code == 200, r.text
        yield c, source.as_of
    app.state.trellis.close()


def test_the_api_reports_both_models_and_refuses_bad_options(hr) -> None:
    client, as_of = hr
    doc = client.get(f"/api/evidence?at={as_of}").json()["document"]["propensity"]
    assert doc["status"] == "ok" and doc["window"] == "reviews" and doc["snapshots"] == 350
    names = [m["model"] for m in doc["models"]]
    assert names == ["logistic", "gradient_boosting"]
    assert all(m["auc_mean"] > 0.9 for m in doc["models"])
    sales = doc["effects"][0]
    assert sales["feature"] == "kpi:sales" and sales["p_text"] == "p < 0.001"
    assert doc["not_identifiable"]["track"].startswith("constant")
    for query, message in (("window=weekly", "unknown window 'weekly'"),
                           (f"at={as_of}&split=2030-01-01", "is outside the decision points"),
                           ("at=1990-01-01", "is before the ledger's first event")):
        r = client.get(f"/api/evidence?{query}")
        assert r.status_code == 422 and message in r.json()["detail"], (query, r.text)


def test_the_page_shows_the_models_side_by_side(hr) -> None:
    client, _ = hr
    page = client.get("/org/evidence")
    assert page.status_code == 200
    text = page.text
    assert "Two models side by side" in text and "gradient boosting" in text
    assert "Takeaway:" in text and "the KPI &#39;sales&#39;" in text
    assert "p &lt; 0.001" in text and "Not identifiable" in text
    assert "Calibration of logistic regression" in text
