"""The person page's words for what the command line names by id: each timeline line in
words from the entry's details (domain.timeline.line), and ids in the ledger's refusals."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.entrypoints.web.person_words import Vocabulary, summary, vocabulary
from trellis.entrypoints.web.schemas import EventPublic

TERMS = {"coding": "Coding", "system_design": "System design", "design": "Product and design",
         "eng": "Engineering", "eng-l4": "Senior Software Engineer"}
WORDS = Vocabulary(people={"sofia.choi": "Sofia Choi", "piotr.chen": "Piotr Chen",
                           "mgr@x.org": "Meg Manager"},
                   terms=TERMS, roles={"eng-l4": "Senior Software Engineer"}, currency="EUR",
                   pattern=re.compile(r"(?<![\w.-])(?:" + "|".join(sorted(
                       {*TERMS, *TERMS.values()}, key=len, reverse=True)) + r")(?![\w-]|\.\w)"))


FRAMEWORK = parse_framework(
    (Path(__file__).parents[1] / "fixtures" / "plan-criteria.yaml").read_text(), "plan.yaml")[0]
LINES = vocabulary(FRAMEWORK, {"sofia.choi": "Sofia Choi"}, "EUR")


def event(id_: int | None, kind: str, on: date = date(2024, 3, 2), evidence: str | None = None,
          **details: Any) -> EventPublic:
    """An entry as the API gives it: its summary is the command line's, with ids."""
    return EventPublic(id=id_, person="piotr.chen", kind=kind, advance="micro_progression",
                       effective_on=on, recorded_at=None, author=None, evidence=evidence,
                       verifier=None, summary="the command line's summary", details=details)


STEP = event(12, "skill_step", competency="coding", from_mastery=2, to_mastery=3)
BY_ID = {12: STEP}


@pytest.mark.parametrize(("entry", "shown"), [
    (STEP, "Coding: mastery 2 → 3"),
    (event(13, "retraction", retracts=12, reason="entered twice"),
     "Retracted “Coding: mastery 2 → 3” of 2 Mar 2024: entered twice"),
    (event(14, "verification", verifies=12, notes="saw the PR"),
     "Verified the evidence of “Coding: mastery 2 → 3” of 2 Mar 2024: saw the PR"),
    (event(15, "retraction", retracts=99, reason="gone"), "Retracted an earlier event: gone"),
    (event(None, "band_upgrade", band="craft", from_level=0, to_level=1, trigger_event_id=12,
           pay_before=50_000, pay_after=51_500),
     "Band upgrade: Craft level 0 → 1 (Coder), pay €51,500, after “Coding: mastery 2 → 3” "
     "of 2 Mar 2024"),
    (event(16, "promotion", role="eng-3", pay=140_000, case=7),  # the page links the case
     "Promoted to Engineer 3 (Three), pay €140,000"),
    (event(17, "recognition", citation="great help", recognition_kind="kudos", points=50,
           giver="sofia.choi"), "Kudos from Sofia Choi: great help, 50 points"),
    (event(18, "compensation", compensation_kind="merit", amount=3842), "Merit +€3,842"),
    (event(24, "hire", role="eng-1", pay=45000), "Hired as Engineer 1 (One), pay €45,000"),
    (event(25, "hire", role="eng-1"), "Hired as Engineer 1 (One)"),  # pay hidden
    (event(19, "compensation", compensation_kind="merit", percent=1.8), "Merit +1.8%"),
    (event(20, "demonstrated", criterion="code.1", evidence="PR"),
     'Demonstrated "Writes tests for their changes": PR'),
    (event(21, "responsibility", function="mgr", share=0.3, description="on-call rota"),
     "Took on 30% in Management: on-call rota"),
    (event(22, "calibration", cycle="2025", session="2025 team piotr.chen", from_rating=4,
           to_rating=3, reason="bar"),
     "Rating in cycle 2025 calibrated from 4 to 3 (meets): bar"),  # no session's handle
    # what people typed stays as typed: "coding" in a citation is a word
    (event(23, "recognition", citation="great coding", recognition_kind="kudos", points=5),
     "Kudos: great coding, 5 points"),
])
def test_timeline_lines_name_things_in_words(entry, shown):
    assert summary(entry, BY_ID, LINES) == shown


def test_an_entry_whose_details_are_hidden_keeps_its_summary():
    hidden = EventPublic(id=30, person="piotr.chen", kind="compensation",
                         advance="micro_progression", effective_on=date(2024, 3, 2),
                         recorded_at=None, author=None, evidence=None, verifier=None,
                         summary="Pay change (hidden)", details=None)
    assert summary(hidden, BY_ID, LINES) == "Pay change (hidden)"


def test_messages_name_people_and_ids_in_words():
    """(An error's own hints for the command line never reach a page: trellis.errors.)"""
    assert WORDS.plain("piotr.chen is at the top of the eng track") == \
        "Piotr Chen is at the top of the Engineering track"
    # a name holding an id stays whole; a bare id becomes its name; dates read as dates
    assert WORDS.words("system_design at mastery 2; System design counts; holds from "
                       "2027-10-26") == \
        "System design at mastery 2; System design counts; holds from 26 Oct 2027"
    assert WORDS.person("mgr@x.org") == "Meg Manager" and WORDS.person("script") == "script"


def test_refusals_read_in_words_but_emails_stay_whole():
    assert WORDS.plain("skill_step: coding 0 -> 5 jumps 5 mastery levels") == \
        "Skill step: Coding 0 → 5 jumps 5 mastery levels"
    assert WORDS.plain("mgr@x.org may not retract piotr.chen's events") == \
        "mgr@x.org may not retract Piotr Chen's events"
