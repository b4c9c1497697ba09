"""Attributes never feed any score: readiness, plans and the evidence give the same results
with attributes, without them and with different ones; and no module but the fairness
audit, the attribute use cases and the store reaches the attribute repository."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from trellis.adapters import tables as t
from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.plan import plan_to_document
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.evidence import evidence, evidence_to_document
from trellis.services.plans import create_plan
from trellis.services.readiness import readiness_for, team_readiness
from trellis.settings import Settings

SRC = Path(__file__).resolve().parents[2] / "src" / "trellis"
TODAY = date(2025, 6, 30)


def scores(trellis: Trellis, handle: str) -> tuple[object, ...]:
    pipeline = team_readiness(trellis.uow())
    entries = [(e.person.handle, e.readiness.score, e.readiness.ready) for e in pipeline.entries]
    one = readiness_for(trellis.uow(), handle).readiness
    plan = create_plan(trellis.uow(), handle, author="t").stored.plan
    doc = plan_to_document(plan)
    found = evidence_to_document(evidence(trellis.uow()))
    return entries, (one.score, one.gates_hold), doc["steps"], found


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    trellis = open_trellis(Settings(database_url=f"sqlite:///{tmp_path / 'd.db'}"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=60, years=3,
             seed=11, author="t", today=TODAY)
    yield trellis
    trellis.close()


def test_scores_are_the_same_with_without_and_with_other_attributes(demo):
    with demo.uow() as uow:
        assert len(uow.attributes.all()) == 120  # the demo sets gender and location
    # the readiest person who still has a gap, so that a plan has steps
    handle = next(e.person.handle for e in team_readiness(demo.uow()).entries
                  if e.readiness.score < 100)
    with_them = scores(demo, handle)
    with demo.uow() as uow:
        ids = [p.id for p in uow.people.all()]
        uow.connection.execute(t.person_attributes.delete())
        uow.commit()
    without = scores(demo, handle)
    with demo.uow() as uow:
        uow.attributes.set_many([(pid, "gender", "Z" if pid % 2 else "Y") for pid in ids]
                                + [(pid, "band", str(pid % 7)) for pid in ids], "t",
                                clock.now())
        uow.commit()
    other = scores(demo, handle)
    assert with_them[0] and with_them[3]["propensity"]["snapshots"] > 0
    assert with_them == without == other


# The only modules that may reach person attributes, and how.
STORE_IMPORTERS = {"adapters/store.py"}  # the unit of work builds the repository
TABLE_USERS = {"adapters/attribute_store.py", "adapters/tables.py",  # declared, loaded
               "adapters/workflow_tables.py"}  # defined
REPOSITORY_USERS = {"services/attributes.py", "services/fairness.py", "services/people.py"}
REPOSITORY_MAKERS = {"services/unit_of_work.py", "adapters/store.py"}
USE_CASE_IMPORTERS = {"services/demo.py", "entrypoints/cli/attributes.py",
                      "entrypoints/web/routers/fairness.py"}


def sources() -> dict[str, str]:
    return {str(p.relative_to(SRC)): p.read_text(encoding="utf-8") for p in SRC.rglob("*.py")}


def test_only_the_fairness_audit_and_the_attribute_store_reach_attributes():
    found = sources()
    uses = {name for name, text in found.items() if "attribute_store" in text}
    assert uses == STORE_IMPORTERS
    tables = {name for name, text in found.items()
              if re.search(r"\bperson_attributes\b", text) and "migrations" not in name}
    assert tables == TABLE_USERS
    repository = {name for name, text in found.items() if re.search(r"uow\.attributes\b", text)}
    assert repository == REPOSITORY_USERS
    makers = {name for name, text in found.items() if "def attributes(" in text}
    assert makers == REPOSITORY_MAKERS
    # erasure only removes: services.people never reads an attribute
    assert re.findall(r"uow\.attributes\.\w+", found["services/people.py"]) == [
        "uow.attributes.remove_person"]
    use_cases = {name for name, text in found.items()
                 if re.search(r"services(\.| import )attributes\b|from \.attributes import",
                              text)}
    assert use_cases == USE_CASE_IMPORTERS
    fairness_users = {name for name, text in found.items()
                      if re.search(r"services(\.| import )fairness\b|analytics(\.| import )"
                                   r"fairness", text)}
    assert fairness_users <= {"services/fairness.py", "entrypoints/cli/fairness.py",
                              "entrypoints/web/routers/fairness.py",
                              "analytics/fairness_outcomes.py"}
