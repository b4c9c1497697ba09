"""Reviews, pure: the framework's review section, the ``review`` event's fields and their
plain and CSV forms, the fold that keeps each reviewer's review per cycle, and the rules of
cycles (forms, ``--rate``/``--goal`` text, repeated submissions, progress), by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_criteria import FRAMEWORK, Ledger, load

from trellis.adapters.framework_files import parse_framework
from trellis.domain.events import (
    EventKind,
    GoalOutcome,
    GoalResult,
    ItemRating,
    Retraction,
    Review,
    details_from_mapping,
    details_from_trusted,
    details_to_mapping,
)
from trellis.domain.framework import RatingScale, ReviewForm
from trellis.domain.profile_document import profile_from_document, profile_to_document
from trellis.domain.reviews import (
    CycleStatus,
    ReviewCycle,
    earlier_submission,
    forms_from_text,
    parse_goal,
    parse_rate,
    progress,
    ratings_of,
)
from trellis.errors import FrameworkInvalid, InvalidEvent, LedgerRuleBroken

D = date.fromisoformat
SELF, MANAGER, PEER, UPWARD = ReviewForm
JUNE = D("2024-06-01")


def framework(reviews: str = ""):  # type: ignore[no-untyped-def]
    return parse_framework(FRAMEWORK + reviews, "crit.yaml")[0]


def problems(reviews: str) -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(FRAMEWORK + reviews, "crit.yaml")
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


# --- the framework's review section


def test_without_a_review_section_the_scale_is_1_to_5_with_labels_and_every_form():
    fw = load()
    assert fw.reviews.rating == RatingScale(1, 5, ("well below", "below", "meets", "exceeds",
                                                   "far exceeds"))
    assert fw.reviews.forms == (SELF, MANAGER, PEER, UPWARD)
    assert fw.reviews.rating.label(3) == "meets" and fw.reviews.rating.label(6) == ""


def test_a_framework_declares_its_own_scale_and_forms():
    fw = framework("reviews:\n  rating: {min: 0, max: 3, labels: [none, low, mid, top]}\n"
                   "  forms: [self, manager]\n")
    assert fw.reviews.rating == RatingScale(0, 3, ("none", "low", "mid", "top"))
    assert fw.reviews.forms == (SELF, MANAGER)
    assert framework("reviews: {rating: {max: 4}}\n").reviews.rating.labels == (
        "1", "2", "3", "4")


def test_a_review_section_that_does_not_add_up_is_refused_with_its_path():
    assert problems("reviews: {rating: {min: 3, max: 3}}\n") == [
        "reviews.rating: max (3) must be above min (3)"]
    assert problems("reviews: {rating: {max: 3, labels: [a, b]}}\n") == [
        "reviews.rating: give 3 labels, one for each rating from 1 to 3 (got 2)"]
    assert problems("reviews: {forms: [self, self]}\n") == ["reviews: a form is listed twice"]
    assert problems("reviews: {forms: []}\n")[0].startswith("reviews.forms: ")
    assert problems("reviews: {forms: [boss]}\n")[0].startswith("reviews.forms[0]: ")


# --- the event's fields

ITEMS = {"coding": 3, "comms.1": {"rating": 2, "comment": "clear updates"}}
GOALS = [{"goal": "ship the API", "result": "met", "value": 98.5},
         {"goal": "cut on-call pages", "result": "Partly"}]


def review(**fields: object) -> Review:
    base = {"cycle": "2024", "reviewer_role": "manager", "rating": 4}
    details = details_from_mapping(EventKind.REVIEW, base | fields)
    assert isinstance(details, Review)
    return details


def test_a_review_reads_ratings_goals_and_their_shorthand():
    d = review(ratings=ITEMS, goals=GOALS, comment="a good year", reviewer="bob")
    assert d.ratings == (ItemRating("coding", 3), ItemRating("comms.1", 2, "clear updates"))
    assert d.goals == (GoalResult("ship the API", GoalOutcome.MET, 98.5),
                       GoalResult("cut on-call pages", GoalOutcome.PARTLY))
    assert details_to_mapping(d) == {
        "cycle": "2024", "reviewer_role": "manager", "rating": 4,
        "ratings": {"coding": {"rating": 3},
                    "comms.1": {"rating": 2, "comment": "clear updates"}},
        "goals": [{"goal": "ship the API", "result": "met", "value": 98.5},
                  {"goal": "cut on-call pages", "result": "partly"}],
        "comment": "a good year", "reviewer": "bob"}
    assert "ratings" not in details_to_mapping(review())  # none: no empty column


def test_a_csv_cell_holds_the_json_text_and_reads_back_the_same():
    d = review(ratings=ITEMS, goals=GOALS)
    plain = details_to_mapping(d)
    cells = {k: json.dumps(v) if isinstance(v, dict | list) else str(v)
             for k, v in plain.items()}
    assert details_from_mapping(EventKind.REVIEW, cells) == d


def test_stored_details_read_back_in_either_stored_shape():
    import orjson

    d = review(ratings=ITEMS, goals=GOALS)
    for stored in (orjson.dumps(details_to_mapping(d)), orjson.dumps(d)):
        assert details_from_trusted(EventKind.REVIEW, orjson.loads(stored)) == d


@pytest.mark.parametrize(("fields", "message"), [
    ({"rating": "high"}, "review: rating must be an integer, got 'high'"),
    ({"rating": -1}, "review: rating cannot be negative"),
    ({"reviewer_role": "boss"},
     "review: reviewer_role must be one of self, manager, peer, upward, got 'boss'"),
    ({"cycle": ""}, "review: cycle is required"),
    ({"ratings": "[1, 2]"}, "review: ratings must be an object of id -> rating, got a list"),
    ({"ratings": "{not json"}, "review: ratings must be JSON (not valid JSON), got "
     "'{not json'"),
    ({"ratings": '{"a": 1, "a": 2}'}, "review: ratings must be JSON (an id is repeated), got "
     "'{\"a\": 1, \"a\": 2}'"),
    ({"ratings": {"coding": True}}, "review: ratings: 'coding' must be an integer, got 'True'"),
    ({"ratings": {"coding": 2.5}}, "review: ratings: 'coding' must be an integer, got '2.5'"),
    ({"ratings": {"coding": {"rating": 2, "score": 3}}},
     "review: ratings: 'coding': unknown key 'score' (give rating and, if you like, comment)"),
    ({"ratings": {"coding": {"comment": "x"}}}, "review: ratings: 'coding': rating is "
     "required"),
    ({"ratings": {" coding": 2}}, "review: ratings: an id must be text without spaces around "
     "it, got ' coding'"),
    ({"goals": {"goal": "x"}}, "review: goals must be a list of goals, got an object"),
    ({"goals": ["x"]}, "review: goals: goal 1 must be an object with goal and result, got 'x'"),
    ({"goals": [{"goal": "x", "result": "maybe"}]},
     "review: goals: goal 1: result must be one of met, partly, not, got 'maybe'"),
    ({"goals": [{"result": "met"}]}, "review: goals: goal 1: goal (its text) is required"),
    ({"goals": [{"goal": "x", "result": "met", "value": "lots"}]},
     "review: goals: goal 1: value must be a number, got 'lots'"),
    ({"goals": [{"goal": "x", "result": "met", "value": float("nan")}]},
     "review: goals: goal 1: value must be a number within ±1,000,000,000,000, got 'nan'"),
    ({"goals": [{"goal": "x", "result": "met", "due": "soon"}]},
     "review: goals: goal 1: unknown key 'due'"),
    ({"ratings": {f"c{i}": 1 for i in range(1001)}},
     "review: ratings: at most 1,000 items, got 1,001"),
])
def test_a_malformed_review_is_refused_naming_the_field(fields, message):
    with pytest.raises(InvalidEvent) as caught:
        review(**fields)
    assert str(caught.value) == message


ids = st.from_regex(r"[a-z][a-z0-9.\-]{0,10}", fullmatch=True)
texts = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                max_size=20).map(str.strip).filter(bool)
reviews = st.builds(
    Review, texts, st.sampled_from(ReviewForm), st.integers(0, 10),
    st.dictionaries(ids, st.tuples(st.integers(0, 10), st.none() | texts), max_size=4).map(
        lambda d: tuple(ItemRating(k, r, c) for k, (r, c) in d.items())),
    st.lists(st.builds(GoalResult, texts, st.sampled_from(GoalOutcome),
                       st.none() | st.floats(-1e6, 1e6, allow_nan=False)), max_size=3).map(
        tuple),
    st.none() | texts, st.none() | ids)


@given(reviews)
def test_any_review_survives_plain_data_and_csv_text(d):
    plain = details_to_mapping(d)
    assert details_from_mapping(EventKind.REVIEW, plain) == d
    cells = {k: json.dumps(v) if isinstance(v, dict | list) else str(v)
             for k, v in plain.items()}
    assert details_from_mapping(EventKind.REVIEW, cells) == d


# --- the fold


class Reviews(Ledger):
    def review(self, role: ReviewForm, rating: int, on: date = JUNE,
               cycle: str = "2024", **items: int) -> Reviews:
        self.events.append(self._event(on, Review(
            cycle, role, rating, tuple(ItemRating(k.replace("_", "."), v)
                                       for k, v in items.items()))))
        return self

    def retract(self, event_id: int) -> Reviews:
        self.events.append(self._event(D("2024-06-30"), Retraction(event_id, "typo")))
        return self


def test_self_and_manager_sit_side_by_side_the_latest_of_each_and_every_peer():
    p = (Reviews(load()).review(SELF, 4, coding=3).review(MANAGER, 2, coding=2)
         .review(MANAGER, 3, D("2024-06-15"), comms_1=2)
         .review(PEER, 5).review(PEER, 4).review(SELF, 1, cycle="2023")).profile()
    cycle = p.reviews["2024"]
    assert [r.rating for r in cycle["self"]] == [4]
    assert [(r.rating, r.event_id, r.ratings) for r in cycle["manager"]] == [
        (3, 4, (ItemRating("comms.1", 2),))]  # the later one; nothing averaged
    assert [r.rating for r in cycle["peer"]] == [5, 4]
    assert p.reviews["2023"]["self"][0].rating == 1
    assert p.micro_progressions == {}  # a review is not a micro-progression


def test_a_retracted_review_leaves_the_profile_and_the_one_before_shows_again():
    ledger = Reviews(load()).review(MANAGER, 2).review(MANAGER, 3, D("2024-06-15"))
    assert ledger.retract(3).profile().reviews["2024"]["manager"][0].rating == 2


def test_the_profile_document_keeps_reviews_and_reads_old_documents_without_them():
    ledger = Reviews(load()).review(SELF, 4, coding=3)
    ledger.events[-1] = ledger._event(D("2024-06-01"), review(
        reviewer_role="self", ratings=ITEMS, goals=GOALS, comment="ok"))
    p = ledger.profile()
    doc = profile_to_document(p)
    assert doc["reviews"] == {"2024": {"self": [{
        "on": "2024-06-01", "event_id": 3, "rating": 4,
        "ratings": {"coding": {"rating": 3}, "comms.1": {"rating": 2,
                                                          "comment": "clear updates"}},
        "goals": [{"goal": "ship the API", "result": "met", "value": 98.5},
                  {"goal": "cut on-call pages", "result": "partly"}],
        "comment": "ok"}]}}
    assert profile_from_document(doc) == p
    # Read without them (readiness never reads reviews): everything else as it was.
    assert profile_from_document(doc, reviews=False) == replace(p, reviews={})
    del doc["reviews"]
    assert profile_from_document(doc).reviews == {}


@pytest.mark.parametrize(("reviews", "role", "rating", "items", "words", "command"), [
    ("", MANAGER, 6, {}, "rating 6 is outside the scale 1-5", None),
    ("", MANAGER, 0, {}, "rating 0 is outside the scale 1-5", None),
    ("reviews: {forms: [self, manager]}\n", PEER, 3, {},
     "the Criteria co framework has no peer reviews (its forms: self, manager)",
     "framework 'crit' has no peer reviews (its forms: self, manager)"),
    ("", MANAGER, 3, {"nope": 1}, "'nope' is not a competency or criterion of the Criteria "
     "co framework", "'nope' is not a competency or criterion of framework 'crit'"),
    ("", MANAGER, 3, {"coding": 6}, "Coding rated 6, above its scale's maximum 5",
     "coding rated 6, above its scale's maximum 5"),
    ("", MANAGER, 3, {"comms_1": 4}, '"Gives status updates" rated 4, above its scale\'s '
     "maximum 3", "comms.1 rated 4, above its scale's maximum 3"),
])
def test_the_ledger_refuses_a_review_the_framework_cannot_hold(reviews, role, rating, items,
                                                               words, command):
    """A page names the framework, a competency and a criterion in words; the command line
    by their ids."""
    ledger = Reviews(framework(reviews)).review(role, rating, **items)
    with pytest.raises(LedgerRuleBroken) as caught:
        ledger.profile()
    assert str(caught.value) == f"a review on 1 Jun 2024: {words}"
    assert caught.value.on_command_line() == f"review on 2024-06-01: {command or words}"


def test_a_custom_scale_holds_its_own_ends():
    fw = framework("reviews: {rating: {min: 0, max: 3}}\n")
    assert Reviews(fw).review(MANAGER, 0).profile().reviews["2024"]["manager"][0].rating == 0
    with pytest.raises(LedgerRuleBroken):
        Reviews(fw).review(MANAGER, 4).profile()


# --- cycle rules


def test_forms_rates_and_goals_from_the_command_line():
    assert forms_from_text("Self, manager,peer") == (SELF, MANAGER, PEER)
    assert parse_rate("comms.1 = 2") == ("comms.1", 2)
    assert parse_rate("a=b=3") == ("a=b", 3)  # the last '=' splits
    assert parse_goal("ship the API=met:98.5") == {"goal": "ship the API", "result": "met",
                                                   "value": 98.5}
    assert parse_goal("NPS at 40=Not") == {"goal": "NPS at 40", "result": "not"}
    assert ratings_of([("a", 1), ("b", 2)]) == {"a": 1, "b": 2}


@pytest.mark.parametrize(("call", "message"), [
    (lambda: forms_from_text("self,boss"),
     "unknown review form 'boss' (forms: self, manager, peer, upward)"),
    (lambda: forms_from_text("self,self"), "review form 'self' is given twice"),
    (lambda: forms_from_text(""), "unknown review form '' (forms: self, manager, peer, "
     "upward)"),
    (lambda: parse_rate("coding"), "--rate 'coding': write ID=RATING, e.g. coding=3"),
    (lambda: parse_rate("=3"), "--rate '=3': write ID=RATING, e.g. coding=3"),
    (lambda: parse_rate("coding=high"), "--rate 'coding=high': the rating must be a whole "
     "number"),
    (lambda: parse_goal("ship"), "--goal 'ship': write TEXT=RESULT[:NUMBER], e.g. \"ship the "
     "API=met:98.5\""),
    (lambda: parse_goal("ship=done"), "--goal 'ship=done': the result must be one of met, "
     "partly, not"),
    (lambda: parse_goal("ship=met:lots"), "--goal 'ship=met:lots': 'lots' is not a number"),
    (lambda: ratings_of([("a", 1), ("a", 2)]), "--rate: 'a' is rated twice"),
])
def test_bad_command_line_text_is_refused_in_one_line(call, message):
    with pytest.raises(InvalidEvent) as caught:
        call()
    assert str(caught.value) == message


def test_one_review_per_role_and_per_peer_and_a_retraction_frees_the_slot():
    ledger = Reviews(load()).review(SELF, 4)
    ledger.events.append(ledger._event(D("2024-06-02"), review(reviewer_role="peer",
                                                               reviewer="cy")))
    live = ledger.events
    assert earlier_submission(live, "2024", SELF, "ada").id == 2
    assert earlier_submission(live, "2024", MANAGER, "bob") is None
    assert earlier_submission(live, "2024", PEER, "cy").id == 3
    assert earlier_submission(live, "2024", PEER, "dee") is None  # another peer may write
    assert earlier_submission(live, "2023", SELF, "ada") is None  # another cycle


def cycle(forms: tuple[ReviewForm, ...], **due: str) -> ReviewCycle:
    return ReviewCycle(1, "2024", D("2024-01-01"), D("2024-12-31"), forms,
                       {ReviewForm(k): D(v) for k, v in due.items()}, None, CycleStatus.OPEN,
                       "hr", datetime(2024, 1, 1), datetime(2024, 1, 1))


def test_progress_counts_forms_done_peers_and_what_is_overdue():
    c = cycle((SELF, MANAGER, PEER), self="2024-11-01", peer="2024-11-15")
    submitted = {1: [Review("2024", SELF, 3), Review("2024", PEER, 4, reviewer="cy"),
                     Review("2024", PEER, 4, reviewer="cy")],  # the same peer counts once
                 2: [Review("2024", MANAGER, 3)]}
    rows = progress(c, [1, 2, 3], submitted, {1: 2, 3: 1}, D("2024-11-10"))
    by_person = {r.person_id: r for r in rows}
    assert by_person[1].submitted == (SELF,) and (by_person[1].peers_done,
                                                  by_person[1].peers_nominated) == (1, 2)
    assert by_person[1].overdue == ()  # the peer form is due on the 15th
    assert by_person[2].submitted == (MANAGER,) and by_person[2].overdue == (SELF,)
    assert by_person[3].overdue == (SELF,)  # no manager due date: never overdue
    later = {r.person_id: r for r in progress(c, [1, 2, 3], submitted, {1: 2, 3: 1},
                                              D("2024-11-20"))}
    assert later[1].overdue == (PEER,)
    assert later[2].overdue == (SELF,)  # nobody nominated: no peer form to be late
    assert later[3].overdue == (SELF, PEER)


def test_every_nominated_peer_done_completes_the_peer_form():
    rows = progress(cycle((PEER,)), [1], {1: [Review("2024", PEER, 4, reviewer="cy"),
                                              Review("2024", PEER, 2, reviewer="dee")]},
                    {1: 2}, D("2024-06-01"))
    assert rows[0].submitted == (PEER,) and rows[0].peers_done == 2


def test_the_timeline_says_who_reviewed_in_which_cycle_and_the_rating_in_words():
    from trellis.domain.timeline import build_timeline

    ledger = Reviews(load()).review(MANAGER, 3)
    entries = build_timeline(ledger.events, {1: ledger.framework})
    assert entries[-1].summary == "Manager review in cycle 2024: rating 3 (meets)"
    assert entries[-1].advance.value == "none"
