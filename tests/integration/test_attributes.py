"""Person attributes through the use cases, on SQLite and PostgreSQL: attributed writes,
all-or-nothing imports, erasure, and the fairness audit's counts checked by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from conftest import make_trellis
from trellis.adapters import tables as t
from trellis.adapters.attribute_files import parse_attribute_csv
from trellis.bootstrap import Trellis
from trellis.domain.attributes import VALUES_MAX
from trellis.domain.events import EventKind
from trellis.errors import ImportRejected, InvalidEvent, NotFound
from trellis.services import attributes as use
from trellis.services import clock
from trellis.services.fairness import fairness
from trellis.services.ledger import record_event
from trellis.services.people import add_person, erase_person

NOW = datetime(2025, 6, 30, 12, 0)


@pytest.fixture
def org(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    trellis = make_trellis(database_url)
    for handle in ("ada", "alan", "grace"):
        add_person(trellis.uow(), handle, handle.title(), role="eng1",
                   hired_on=date(2023, 1, 1), author="hr@x.org")
    yield trellis
    trellis.close()


def stored(trellis: Trellis) -> int:
    with trellis.uow() as uow:
        return int(uow.connection.scalar(select(func.count()).select_from(
            t.person_attributes)))


def test_set_replace_list_and_unset_are_attributed(org):
    use.set_attribute(org.uow(), "ada", "gender", "F", author="hr@x.org")
    use.set_attribute(org.uow(), "ada", "Location", " London ", author="hr@x.org")
    use.set_attribute(org.uow(), "ada", "location", "Lisbon", author="people@x.org")
    found = use.list_attributes(org.uow())
    assert [(e.handle, e.name, e.value, e.set_by) for e in found] == [
        ("ada", "gender", "F", "hr@x.org"), ("ada", "location", "Lisbon", "people@x.org")]
    assert all(e.set_at == NOW for e in found)
    assert use.unset_attribute(org.uow(), "ada", "location", author="hr") == "ada"
    assert [e.name for e in use.list_attributes(org.uow(), "ada")] == ["gender"]
    with pytest.raises(NotFound) as unset:
        use.unset_attribute(org.uow(), "ada", "location", author="hr")
    assert unset.value.on_command_line() == "ada has no attribute 'location'"
    with pytest.raises(NotFound, match="unknown person 'nobody'"):
        use.set_attribute(org.uow(), "nobody", "gender", "F", author="hr@x.org")
    assert stored(org) == 1


def test_an_attribute_holds_a_bounded_number_of_values(org):
    with org.uow() as uow:
        ids = [uow.people.add(f"p{i}", f"P {i}", None, None, "t", NOW).id
               for i in range(VALUES_MAX)]
        uow.attributes.set_many([(pid, "code", f"v{i}") for i, pid in enumerate(ids)],
                                "t", NOW)
        uow.commit()
    with pytest.raises(InvalidEvent, match=f"attribute code would have {VALUES_MAX + 1} "
                       "distinct values"):
        use.set_attribute(org.uow(), "ada", "code", "one more", author="hr@x.org")
    use.set_attribute(org.uow(), "ada", "code", "v7", author="hr@x.org")  # a known value
    use.set_attribute(org.uow(), "p0", "code", "new", author="hr@x.org")  # v0 goes: 50
    assert stored(org) == VALUES_MAX + 1


def test_an_import_is_all_or_nothing(org):
    good = "handle,gender,location\nada,F,London\nalan,M,\n"
    rows, problems = parse_attribute_csv(good.splitlines(keepends=True), "a.csv")
    assert use.import_attributes(org.uow(), rows, source="a.csv", author="hr@x.org",
                                 problems=problems) == 3
    assert stored(org) == 3
    bad = "handle,gender\ngrace,F\nnobody,M\ngrace,X\n"
    rows, problems = parse_attribute_csv(bad.splitlines(keepends=True), "b.csv")
    with pytest.raises(ImportRejected) as caught:
        use.import_attributes(org.uow(), rows, source="b.csv", author="hr@x.org",
                              problems=problems)
    assert [str(p) for p in caught.value.problems] == [
        "b.csv:3:1: unknown person 'nobody'", "b.csv:4:1: grace is also on line 2"]
    assert str(caught.value).startswith("invalid import, nothing written: b.csv:3:1: ")
    assert stored(org) == 3  # grace's F was not written either
    assert {e.handle for e in use.list_attributes(org.uow())} == {"ada", "alan"}


def test_an_erasure_removes_the_persons_attributes(org):
    use.set_attribute(org.uow(), "ada", "gender", "F", author="hr@x.org")
    use.set_attribute(org.uow(), "alan", "gender", "M", author="ada")
    erase_person(org.uow(), "ada", author="hr@x.org")
    found = use.list_attributes(org.uow())
    assert [(e.handle, e.value) for e in found] == [("alan", "M")]
    assert found[0].set_by.startswith("erased person #")  # her handle, as author, is gone


def test_the_audit_counts_match_a_hand_count(org, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2025, 6, 30))
    with pytest.raises(NotFound, match="no person attributes are recorded"):
        fairness(org.uow(), scores=False)
    use.set_attribute(org.uow(), "ada", "gender", "F", author="hr@x.org")
    use.set_attribute(org.uow(), "alan", "gender", "M", author="hr@x.org")
    use.set_attribute(org.uow(), "grace", "gender", "F", author="hr@x.org")
    record_event(org.uow(), "ada", EventKind.PROMOTION, date(2025, 3, 1), {"role": "eng2"},
                 author="hr@x.org")
    record_event(org.uow(), "alan", EventKind.PROMOTION, date(2025, 4, 1), {"role": "eng2"},
                 author="hr@x.org")
    record_event(org.uow(), "grace", EventKind.PROMOTION, date(2023, 6, 1), {"role": "eng2"},
                 author="hr@x.org")  # before the window
    for handle, rating in (("ada", 5), ("alan", 3), ("grace", 4)):
        record_event(org.uow(), handle, EventKind.REVIEW, date(2025, 1, 10),
                     {"cycle": "2024", "reviewer_role": "manager", "rating": rating,
                      "reviewer": "boss"}, author="hr@x.org")
    report = fairness(org.uow(), min_group=1, scores=False)
    assert (report.since, report.until) == (date(2024, 7, 1), date(2025, 6, 30))
    assert report.cycle == "2024" and report.high_rating == 4  # tiny's scale is 1-5
    found = {(a.outcome, g.group): (g.people, g.positives, g.impact_ratio)
             for a in report.outcomes for g in a.groups}
    # promoted in the window: F 1 of 2 (50%), M 1 of 1 (100%): F's ratio 0.5
    assert found[("promoted", "F")] == (2, 1, 0.5)
    assert found[("promoted", "M")] == (1, 1, 1.0)
    # rated 4 or above: F 2 of 2, M 0 of 1
    assert found[("rated 4 or above", "F")] == (2, 2, 1.0)
    assert found[("rated 4 or above", "M")] == (1, 0, 0.0)
    assert len(report.warnings) == 2
    with pytest.raises(NotFound, match="unknown attribute 'age' \\(recorded: gender\\)"):
        fairness(org.uow(), attributes=["age"], scores=False)
    with pytest.raises(NotFound, match="no reviews in cycle '2030'"):
        fairness(org.uow(), cycle="2030", scores=False)
    with pytest.raises(InvalidEvent, match="outside the rating scale 1-5"):
        fairness(org.uow(), high_rating=9, scores=False)
