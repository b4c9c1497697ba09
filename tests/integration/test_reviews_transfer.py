"""Review events through export and import (CSV with JSON cells, JSON lines), and a real
dataset's performance ratings imported as reviews."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_ledger_store import everyone, export_and_import, fresh_trellis  # noqa: F401

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import parse_framework
from trellis.adapters.ledger_files import read_ledger_file
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind
from trellis.services import transfer
from trellis.services.frameworks import load_framework
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person

D = date.fromisoformat


def reviewed(trellis: Trellis) -> None:
    add_person(trellis.uow(), "bob", "Bob", role="eng3", hired_on=D("2020-01-06"),
               author="hr")
    add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=D("2021-01-04"),
               manager="bob", author="hr")
    fields = {"cycle": "2022", "reviewer_role": "manager", "rating": 4, "reviewer": "bob",
              "ratings": {"coding": {"rating": 2, "comment": 'says "done", means it'},
                          "communication": 1},
              "goals": [{"goal": "=SUM(A1) shipped", "result": "partly", "value": 87.5},
                        {"goal": "on call, calm", "result": "met"}],
              "comment": "=a strong year,\nwith a second line"}
    record_event(trellis.uow(), "ada", EventKind.REVIEW, D("2022-12-01"), fields,
                 author="bob")
    record_event(trellis.uow(), "ada", EventKind.REVIEW, D("2022-11-20"),
                 {"cycle": "2022", "reviewer_role": "self", "rating": 5}, author="ada")
    wrong = record_event(trellis.uow(), "ada", EventKind.REVIEW, D("2022-12-02"),
                         {"cycle": "2022", "reviewer_role": "peer", "rating": 1,
                          "reviewer": "bob"}, author="bob")
    retract_event(trellis.uow(), wrong.id, "wrong person", author="bob")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_reviews_export_and_import_to_the_same_profiles(trellis, fresh_trellis, tmp_path,  # noqa: F811
                                                        suffix):
    reviewed(trellis)
    _, summary = export_and_import(trellis, fresh_trellis, tmp_path / f"l{suffix}")
    assert (summary.people, summary.events) == (2, 6)
    assert everyone(fresh_trellis) == everyone(trellis)
    ada = everyone(trellis)["ada"]["profile"]["reviews"]["2022"]
    assert sorted(ada) == ["manager", "self"]  # the retracted peer review counts nowhere
    assert ada["manager"][0]["goals"][0] == {"goal": "=SUM(A1) shipped", "result": "partly",
                                             "value": 87.5}
    if suffix == ".csv":
        text = (tmp_path / "l.csv").read_text(encoding="utf-8")
        assert '"{""coding"":{""rating"":2' in text  # ratings: a JSON cell
        assert "'=a strong year" in text  # a formula-like comment is escaped


def test_a_bad_ratings_cell_refuses_the_import_with_its_line(trellis, tmp_path):
    add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=D("2021-01-04"),
               author="hr")
    path = tmp_path / "bad.csv"
    path.write_text(
        "person,kind,effective_on,cycle,reviewer_role,rating,ratings,goals\n"
        'ada,review,2022-12-01,2022,manager,4,"{""coding"": 9}",\n'
        'ada,review,2022-12-01,2022,manager,4,"{""coding"": 1, ""coding"": 2}",\n'
        'ada,review,2022-12-01,2022,manager,4,,"[{""goal"": ""x"", ""result"": ""maybe""}]"\n'
        "ada,review,2022-12-01,2022,boss,4,,\n", encoding="utf-8")
    people, events, problems = read_ledger_file(path)
    assert [(p.line, p.message) for p in problems] == [
        (3, "review: ratings must be JSON (an id is repeated), got '{\"coding\": 1, "
            "\"coding\": 2}'"),
        (4, "review: goals: goal 1: result must be one of met, partly, not, got 'maybe'"),
        (5, "review: reviewer_role must be one of self, manager, peer, upward, got 'boss'")]
    with pytest.raises(Exception) as caught:  # the row that parses breaks the ledger's rule
        transfer.import_ledger(trellis.uow(), people, events, author="t", source=str(path))
    assert "coding rated 9, above its scale's maximum 5" in str(caught.value)


def test_real_performance_ratings_import_as_manager_reviews(sqlite_trellis):
    """peopleanalyticsdata's salespeople: 350 rated people (one row has no rating)."""
    frame = pa.read_dataset("salespeople")
    expected = frame["performance"].dropna().astype(int).value_counts().to_dict()
    promoted = frame.dropna().groupby("performance")["promoted"].mean().to_dict()
    text = Path(pa.__file__).parents[1].joinpath("frameworks", "software-company.yaml"
                                                 ).read_text(encoding="utf-8")
    framework, doc = parse_framework(text + "reviews: {rating: {min: 1, max: 4}, forms: "
                                     "[manager]}\n", "sc+reviews")
    load_framework(sqlite_trellis.uow(), framework, doc, author="t", activate=True)
    source, skipped = pa.salespeople_ledger(frame, role="eng-l2", promoted_to="eng-l3",
                                            cycle="2021")
    summary = transfer.import_ledger(sqlite_trellis.uow(), source.people, source.events,
                                     author="t")
    assert skipped == 1 and summary.people == 350
    assert summary.events == 350 + 350 + int(frame.dropna()["promoted"].sum())
    with sqlite_trellis.uow() as uow:
        ratings, promotions = {}, {}
        for person in uow.people.all():
            stored = uow.state.current(person.id)
            ratings[person.id] = stored.reviews["2021"]["manager"][0].rating
            promotions[person.id] = stored.promotions
    assert {r: list(ratings.values()).count(r) for r in set(ratings.values())} == expected
    assert expected == {1: 60, 2: 110, 3: 125, 4: 55}
    for rating, share in promoted.items():
        done = [promotions[p] for p, r in ratings.items() if r == rating]
        assert sum(done) / len(done) == pytest.approx(share)
