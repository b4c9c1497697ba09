"""The person page's words for what the command line names by id: each timeline line
rewritten from the domain's summary, and ids in the ledger's refusals."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from trellis.entrypoints.web.person_words import Vocabulary, summary
from trellis.entrypoints.web.schemas import EventPublic

TERMS = {"coding": "Coding", "system_design": "System design", "design": "Product and design",
         "eng": "Engineering", "eng-l4": "Senior Software Engineer"}
WORDS = Vocabulary(people={"sofia.choi": "Sofia Choi", "piotr.chen": "Piotr Chen",
                           "mgr@x.org": "Meg Manager"},
                   terms=TERMS, roles={"eng-l4": "Senior Software Engineer"}, currency="EUR",
                   pattern=re.compile(r"(?<![\w.-])(?:" + "|".join(sorted(
                       {*TERMS, *TERMS.values()}, key=len, reverse=True)) + r")(?![\w-]|\.\w)"))


def event(id_: int | None, kind: str, text: str, on: date = date(2024, 3, 2),
          **details: Any) -> EventPublic:
    return EventPublic(id=id_, person="piotr.chen", kind=kind, advance="micro_progression",
                       effective_on=on, recorded_at=None, author=None, evidence=None,
                       verifier=None, summary=text, details=details or {})


STEP = event(12, "skill_step", "Coding: mastery 2 -> 3")
BY_ID = {12: STEP}


@pytest.mark.parametrize(("entry", "shown"), [
    (event(13, "retraction", "Retracted event 12: entered twice", retracts=12),
     "Retracted “Coding: mastery 2 → 3” of 2 Mar 2024: entered twice"),
    (event(14, "verification", "Verified the evidence of event 12: saw the PR", verifies=12),
     "Verified the evidence of “Coding: mastery 2 → 3” of 2 Mar 2024: saw the PR"),
    (event(15, "retraction", "Retracted event 99: gone", retracts=99),
     "Retracted an earlier event: gone"),
    (event(None, "band_upgrade", "Band upgrade: Craft level 1 -> 2 (Practitioner), pay 51,500, "
           "from event 12"),
     "Band upgrade: Craft level 1 → 2 (Practitioner), pay €51,500, after “Coding: mastery 2 "
     "→ 3” of 2 Mar 2024"),
    (event(16, "promotion", "Promoted to Senior Software Engineer (L4), pay 140,000 (case 7)",
           case=7), "Promoted to Senior Software Engineer (L4), pay €140,000"),
    (event(17, "recognition", "Kudos from sofia.choi: great help, 50 points", giver="sofia.choi"),
     "Kudos from Sofia Choi: great help, 50 points"),
    (event(18, "compensation", "Merit +3,842"), "Merit +€3,842"),
    (event(24, "hire", "Hired as Engineer I (L1), pay 45000"),
     "Hired as Engineer I (L1), pay €45,000"),
    (event(19, "compensation", "Merit +1.8%"), "Merit +1.8%"),
    (event(20, "demonstrated", 'Demonstrated "Writes well-tested services" (backend.L2.1): PR'),
     'Demonstrated "Writes well-tested services": PR'),
    (event(21, "responsibility", "Took on 30% in design: on-call rota"),
     "Took on 30% in Product and design: on-call rota"),
    (event(22, "calibration", "Rating in cycle 2025 calibrated from 4 to 3 in session 5: bar"),
     "Rating in cycle 2025 calibrated from 4 to 3: bar"),
    # what people typed stays as typed: "coding" in a citation is a word
    (event(23, "recognition", "Kudos: great coding, 5 points"), "Kudos: great coding, 5 points"),
])
def test_timeline_lines_name_things_in_words(entry, shown):
    assert summary(entry, BY_ID, WORDS) == shown


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
