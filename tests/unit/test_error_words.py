"""An error names what a user gives or does in each entry point's words: in words on a
page and in the API (``str``), as options, handles and commands on the command line."""

from __future__ import annotations

from trellis.domain.events import EventKind
from trellis.domain.people import Person
from trellis.errors import (
    InvalidEvent,
    NotFound,
    PermissionDenied,
    Term,
    TrellisError,
    you,
    your,
)


def test_an_input_is_words_on_a_page_and_its_option_on_the_command_line():
    error = InvalidEvent("give {reason}: why the raise is declined", reason="a reason")
    assert str(error) == "give a reason: why the raise is declined"
    assert error.on_command_line() == "give --reason: why the raise is declined"
    two = TrellisError("{high_rating} 9 is outside 1-5", high_rating="the high rating")
    assert two.on_command_line() == "--high-rating 9 is outside 1-5"


def test_a_person_is_their_name_on_a_page_and_their_handle_on_the_command_line():
    ada = Person(1, "ada.l", "Ada Lovelace")
    error = NotFound("{person} has no plan: {make}", person=ada.term,
                     make=Term("", "make one with `trellis plan new ada.l`"))
    assert str(error) == "Ada Lovelace has no plan"  # a hint for the command line only
    assert error.on_command_line() == "ada.l has no plan: make one with `trellis plan new ada.l`"


def test_what_people_typed_is_left_as_typed():
    """Only the message's own terms are filled in: braces a user typed stay."""
    error = InvalidEvent("'{x}' is not a {kind}", kind="kind")
    assert str(error) == "'{x}' is not a kind"
    assert error.on_command_line() == "'{x}' is not a --kind"
    assert str(InvalidEvent("plain")) == InvalidEvent("plain").on_command_line() == "plain"


def test_who_acts_is_you_in_words_and_their_email_on_the_command_line():
    dana = Person(2, "dana.l", "Dana Lee")
    error = PermissionDenied("{you} may not record {kind} for {person}", you=you("hr@x.org"),
                             kind=EventKind.RECOGNITION.term, person=dana.term)
    assert str(error) == "you may not record a recognition for Dana Lee"
    assert error.on_command_line() == "hr@x.org may not record a recognition for dana.l"
    team = PermissionDenied("{person} is not in {your} team", person=dana.term,
                            your=your("mgr@x.org"))
    assert str(team) == "Dana Lee is not in your team"
    assert team.on_command_line() == "dana.l is not in mgr@x.org's team"


def test_an_event_kind_reads_in_words_with_its_article():
    assert str(PermissionDenied("{kind}", kind=EventKind.ASSESSED.term)) == "an assessment"
    assert PermissionDenied("{kind}", kind=EventKind.SKILL_STEP.term).on_command_line() == \
        "a skill_step"
    assert str(PermissionDenied("{kind}", kind=EventKind.COMPENSATION.term)) == "a pay change"


def test_a_person_not_found_by_name_and_by_handle():
    dana = Person(2, "dana.l", "Dana Lee")
    error = NotFound("{person} has no attribute 'location'", person=dana.term)
    assert str(error) == "Dana Lee has no attribute 'location'"
    assert error.on_command_line() == "dana.l has no attribute 'location'"
