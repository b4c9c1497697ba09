"""Criteria layers, pure: the criteria met per topic and quarter, dated from the ledger, and
the profile's criteria with each assessor apart. Every count worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import FIXTURES
from trellis.adapters.framework_files import read_framework_file
from trellis.domain.criteria_layers import criteria_changes, topic_layers
from trellis.domain.events import Assessed, Assessor, Demonstrated, Event, Hire, Retraction
from trellis.domain.layers import Grain, layers_to_document, layers_view, regrid
from trellis.domain.profile import fold
from trellis.domain.timeline import build_timeline

FRAMEWORK, _ = read_framework_file(FIXTURES / "criteria-tracks.yaml")
D = date.fromisoformat
AT = D("2024-06-30")


def event(i: int, on: str, details: object, evidence: str | None = None,
          author: str = "mo") -> Event:
    return Event(i, 1, D(on), details, datetime(2024, 1, 1), author,  # type: ignore[arg-type]
                 evidence=evidence, framework_version=1)


EVENTS = [
    event(1, "2023-01-10", Hire("backend-1")),
    event(2, "2023-03-01", Demonstrated("comms.1"), evidence="weekly notes", author="bea"),
    event(3, "2023-05-01", Demonstrated("web.1"), evidence="a page"),
    event(4, "2023-07-01", Assessed("be.1", 3, Assessor.SELF), author="bea"),
    event(5, "2023-08-01", Assessed("be.1", 2, Assessor.MANAGER)),
    event(6, "2024-01-01", Assessed("comms.2", 1, Assessor.MANAGER)),
    event(7, "2024-02-01", Assessed("be.1", 1, Assessor.MANAGER)),
    event(8, "2024-05-01", Assessed("be.1", 2, Assessor.PEER), author="al"),
    event(9, "2024-06-01", Retraction(3, "wrong person")),
]
FRAMEWORKS = {1: FRAMEWORK}
PROFILE = fold(1, EVENTS, FRAMEWORKS, AT)


def test_a_criterion_is_met_lost_and_met_again_as_the_assessments_say():
    changes = criteria_changes(EVENTS, FRAMEWORKS, 1, AT)
    assert changes == {
        "comms.1": ((D("2023-03-01"), True),),
        # the self-assessment alone does not meet it; the manager's 2 does, their 1 undoes
        # it, the peer's 2 meets it again
        "be.1": ((D("2023-08-01"), True), (D("2024-02-01"), False), (D("2024-05-01"), True)),
    }  # comms.2 at 1 never met it; web.1's demonstration is retracted
    assert criteria_changes(EVENTS, FRAMEWORKS, 1, D("2024-03-01"))["be.1"][-1] == (
        D("2024-02-01"), False)


def test_the_layers_count_the_criteria_met_per_topic_at_each_quarter_end():
    view = layers_view(PROFILE, FRAMEWORK,
                       criteria_changes=criteria_changes(EVENTS, FRAMEWORKS, 1, AT))
    assert [p.label for p in view.periods] == [
        "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"]
    assert view.bands == ()  # no skill bands: criteria only
    comms, backend = view.topics
    assert (comms.topic, comms.held, comms.met, comms.expected) == (
        "communication", (1, 1, 1, 1, 1, 1), 1, 1)
    assert [c.criterion for c in comms.criteria] == ["comms.1", "comms.2"]
    assert (backend.topic, backend.held, backend.met_expected) == (
        "backend.mastery", (0, 0, 1, 1, 0, 1), 1)
    be1 = backend.criteria[0]
    assert be1.met_on == D("2024-05-01") and be1.expected
    assert {who: a.proficiency for who, a in be1.assessments.items()} == {
        "manager": 1, "peer": 2, "self": 3}  # kept apart, never averaged
    assert regrid(view, Grain.YEAR).topics[1].held == (1, 1)  # met at both year ends


def test_all_adds_the_roles_criteria_not_started_and_the_tracks_topics():
    bare = fold(1, EVENTS[:1], FRAMEWORKS, AT)
    assert layers_view(bare, FRAMEWORK).topics == ()
    topics = layers_view(bare, FRAMEWORK, every_competency=True).topics
    assert [(t.topic, [c.criterion for c in t.criteria], t.held[-1]) for t in topics] == [
        ("communication", ["comms.1"], 0), ("backend.mastery", ["be.1"], 0)]


def test_without_the_ledger_a_met_criterion_counts_from_its_latest_evidence():
    topics = topic_layers(PROFILE.criteria, FRAMEWORK, FRAMEWORK.roles["web-1"].criteria,
                          "web", period_ends=[D("2023-12-31"), D("2024-06-30")])
    assert [(t.topic, t.expected, t.met_expected, t.held) for t in topics] == [
        ("communication", 1, 1, (1, 1)), ("backend.mastery", 0, 0, (0, 1))]


def test_the_layers_document_lists_the_topics_and_their_statements():
    doc = layers_to_document(layers_view(
        PROFILE, FRAMEWORK, criteria_changes=criteria_changes(EVENTS, FRAMEWORKS, 1, AT)))
    comms = doc["topics"][0]
    assert (comms["id"], comms["held"], comms["expected"], comms["met"]) == (
        "communication", [1] * 6, 1, 1)
    first = comms["criteria"][0]
    assert first == {
        "id": "comms.1", "text": "Gives regular status updates", "level": "L1", "met": True,
        "met_on": "2023-03-01", "expected": True, "demonstrated_on": "2023-03-01",
        "demonstrations": 1, "assessed": {}, "changes": [{"on": "2023-03-01", "met": True}]}
    be1 = doc["topics"][1]["criteria"][0]
    assert be1["assessed"]["self"] == {"on": "2023-07-01", "proficiency": 3, "event_id": 4}


@pytest.mark.parametrize(("event_id", "summary"), [
    (2, 'Demonstrated "Gives regular status updates" (comms.1): weekly notes'),
    (4, 'Assessed "Writes well-tested services" (be.1) at 3 (role model) by self'),
    (5, 'Assessed "Writes well-tested services" (be.1) at 2 (consistently) by the manager'),
])
def test_the_timeline_says_what_was_demonstrated_and_assessed_in_words(event_id, summary):
    entries = {e.id: e for e in build_timeline(EVENTS, FRAMEWORKS)}
    assert entries[event_id].summary == summary
