"""The fairness audit's propensity scores are the evidence's decision-point model applied to
each person's profile today (services.fairness_scores; docs/fairness.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.analytics import propensity_snapshots as ps
from trellis.analytics.propensity_design import logistic_model
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.events import EventKind
from trellis.services import clock, org_models
from trellis.services.demo import run_demo
from trellis.services.evidence import evidence_model
from trellis.services.fairness import fairness
from trellis.services.fairness_scores import SCORE_MODEL
from trellis.services.people import add_person
from trellis.settings import Settings

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY
VETERAN_HIRED = date(1988, 3, 1)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory, demo_day: object) -> Iterator[Trellis]:
    """A 300-person demo, and one more person hired in 1988, decades before the first
    promotion or review of the ledger."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fairscores') / 'org.db'}"
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=300, years=4,
             seed=11, author="tester", today=clock.today())
    add_person(trellis.uow(), "veteran", "Val Veteran", role="eng-l3",
               hired_on=VETERAN_HIRED, author="tester")
    yield trellis
    trellis.close()


def test_the_audit_scores_are_the_evidence_models_probability_of_todays_snapshot(
        org: Trellis) -> None:
    report = fairness(org.uow())
    audited = [s for s in report.scores if s.score == "propensity"]
    assert audited and all(s.people > 100 for s in audited)
    scores = org_models.load(org.uow(), SCORE_MODEL).value
    evidence = evidence_model(org.uow()).value
    model = evidence.propensity
    assert model.sufficient and model.scorer is not None
    assert scores.as_of == clock.today() and scores.insufficient is None
    assert any(n.startswith("propensity: the evidence's logistic model") for n in report.notes)

    # The evidence model refitted here with scikit-learn on its own snapshots, through its
    # design, and asked for its probability of snapshots of today built here.
    design = model.scorer.design
    train = evidence.snapshots
    fitted = logistic_model().fit(design.matrix(train), train["promoted"].to_numpy(dtype=int))
    with org.uow().reading() as uow:
        employed = [r["person_id"] for r in uow.state.rows(columns=["person_id",
                                                                     "departed_on"])
                    if r["departed_on"] is None]
        veteran = uow.people.find("veteran")
        assert veteran is not None
        goals = [c.removeprefix("kpi:") for c in model.scorer.columns if c.startswith("kpi:")]
        today, _ = ps.snapshots(uow.events.of_people(employed, clock.today()),
                                ps.DecisionPoints("today", (clock.today(),)),
                                uow.frameworks.catalog, clock.today(), kpis=goals)
    assert set(today["on"]) == {clock.today()}
    expected = pd.Series(fitted.predict_proba(design.matrix(today))[:, 1],
                         index=today["person_id"].to_numpy())
    found = scores.scores.set_index("person_id")["score"]
    assert set(found.index) == set(expected.index) and veteran.id in found.index
    np.testing.assert_allclose(found.sort_index().to_numpy(),
                               expected.sort_index().to_numpy(), rtol=1e-9, atol=1e-12)

    # the audit's raw group means are those scores' means, group by group
    with org.uow().reading() as uow:
        gender = {a.person_id: a.value for a in uow.attributes.all(["gender"])}
    by_gender = next(s for s in audited if s.attribute == "gender")
    in_audit = found[found.index.isin(gender)]
    means = in_audit.groupby(in_audit.index.map(gender)).mean()
    for g in by_gender.groups:
        assert g.mean == pytest.approx(float(means[g.group]), rel=1e-12)


def test_the_score_model_has_no_snapshot_before_the_first_decision_point(
        org: Trellis) -> None:
    scores = org_models.load(org.uow(), SCORE_MODEL).value
    evidence = evidence_model(org.uow()).value
    with org.uow().reading() as uow:
        rows = uow.events.of_kinds(tuple(k.value for k in ps.DECISION_KINDS))
        veteran = uow.people.find("veteran")
    assert veteran is not None
    points = ps.decision_points(rows, "auto", clock.today())
    first_decided = min(r.effective_on for r in rows
                        if r.kind in (EventKind.PROMOTION.value, EventKind.REVIEW.value))
    on = evidence.snapshots["on"]
    # every snapshot is at a decision point, the first of them no earlier than the day
    # before the first promotion or review: none in the quarters since the 1988 hire
    assert set(on) <= set(points.days) and len(set(on)) == scores.decision_points
    assert min(on) == points.days[0] == scores.first
    assert points.days[0] >= first_decided - timedelta(days=1)  # a round: the day before
    assert scores.first is not None and scores.first.year - VETERAN_HIRED.year > 25
    veterans = evidence.snapshots[evidence.snapshots["person_id"] == veteran.id]
    assert 0 < len(veterans) <= len(points.days)
