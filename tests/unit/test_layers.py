"""The layers view: hand-built profiles over the TINY framework, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from conftest import TINY
from trellis.adapters.framework_files import read_framework_file
from trellis.domain.framework import BandLevel
from trellis.domain.layers import (
    OTHER_BAND,
    Grain,
    layers_to_document,
    layers_view,
    mastery_on,
    regrid,
    time_grid,
)
from trellis.domain.profile import (
    BandUpgrade,
    CompetencyLayer,
    LayerStep,
    Profile,
    RecognitionSummary,
)

TINY_FRAMEWORK, _ = read_framework_file(TINY)
PEOPLE = replace(TINY_FRAMEWORK.bands["people"], levels=(
    BandLevel(1, "Helper", k=1, mastery=1), BandLevel(2, "Coach", k=2, mastery=2)))
FRAMEWORK = replace(TINY_FRAMEWORK, bands={**TINY_FRAMEWORK.bands, "people": PEOPLE})
D = date.fromisoformat


def layer(competency: str, *steps: tuple[str, int]) -> CompetencyLayer:
    built, before = [], 0
    for i, (on, to) in enumerate(steps, start=1):
        built.append(LayerStep(D(on), before, to, i))
        before = to
    return CompetencyLayer(competency, before, built[-1].on, tuple(built))


def profile(*layers: CompetencyLayer, hired: str = "2021-02-15", as_of: str = "2022-05-10",
            departed: str | None = None, upgrades: tuple[BandUpgrade, ...] = (),
            bands: dict[str, int] | None = None) -> Profile:
    return Profile(
        person_id=1, as_of=D(as_of), hired_on=D(hired),
        departed_on=D(departed) if departed else None, role="eng1", title="Engineer I",
        track="eng", level="L1", level_rank=1, pay=None, currency="EUR",
        role_since=D(hired), last_promotion_on=None, promotions=0,
        mastery={la.competency: la for la in layers}, responsibilities={},
        recognitions=RecognitionSummary(), certifications=(), projects=(),
        micro_progressions={}, bonuses=0, engagement=None, last_event_on=None,
        framework_version=1, bands=bands or {}, band_upgrades=upgrades,
    )


CAREER = profile(
    layer("mentoring", ("2021-02-15", 1), ("2021-11-03", 2)),
    layer("coding", ("2021-02-15", 1), ("2021-05-01", 2), ("2022-01-01", 3)),
    layer("communication", ("2021-09-30", 2)),
    upgrades=(BandUpgrade(D("2021-09-30"), "people", 0, 1, 3, None, None),
              BandUpgrade(D("2021-11-03"), "people", 1, 2, 2, None, None)),
    bands={"people": 2},
)


def test_the_quarter_grid_runs_from_the_hire_quarter_to_the_profile_date():
    view = layers_view(CAREER, FRAMEWORK)
    assert [p.label for p in view.periods] == [
        "2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    assert view.periods[0].start == D("2021-01-01")
    assert view.periods[0].end == D("2021-03-31")
    assert view.periods[-1].end == D("2022-06-30")


def test_held_is_the_mastery_at_the_end_of_each_quarter():
    view = layers_view(CAREER, FRAMEWORK)
    held = {c.competency: c.held for c in view.competencies}
    assert held["coding"] == (1, 2, 2, 2, 3, 3)
    assert held["communication"] == (0, 0, 2, 2, 2, 2)  # the step is on the quarter's last day
    assert held["mentoring"] == (1, 1, 1, 2, 2, 2)


def test_competencies_are_grouped_by_band_in_framework_order():
    view = layers_view(CAREER, FRAMEWORK)
    assert [b.band for b in view.bands] == ["craft", "people"]
    assert [c.competency for c in view.bands[1].competencies] == ["mentoring", "communication"]
    assert [c.name for c in view.bands[0].competencies] == ["Coding"]  # not started: left out
    coding = view.bands[0].competencies[0]
    assert (coding.mastery, coding.reached_on, len(coding.steps)) == (3, D("2022-01-01"), 3)


def test_every_competency_adds_the_unstarted_ones_with_nothing_held():
    view = layers_view(CAREER, FRAMEWORK, every_competency=True)
    craft = view.bands[0].competencies
    assert [c.competency for c in craft] == ["coding", "design_systems"]
    assert craft[1].held == (0,) * 6 and craft[1].reached_on is None and craft[1].steps == ()


def test_band_upgrades_are_dated_markers_on_the_grid_with_their_level_names():
    view = layers_view(CAREER, FRAMEWORK)
    markers = [(m.band, m.to_level, m.level_name, view.periods[m.period].label)
               for m in view.band_upgrades]
    assert markers == [("people", 1, "Helper", "2021Q3"), ("people", 2, "Coach", "2021Q4")]
    people = view.bands[1]
    assert (people.level, people.level_name) == (2, "Coach")


def test_a_year_grid_holds_the_mastery_at_each_year_end():
    view = regrid(layers_view(CAREER, FRAMEWORK), Grain.YEAR)
    assert [p.label for p in view.periods] == ["2021", "2022"]
    assert {c.competency: c.held for c in view.competencies}["coding"] == (2, 3)
    assert [m.period for m in view.band_upgrades] == [0, 0]
    assert layers_view(CAREER, FRAMEWORK, grain=Grain.YEAR) == view


def test_the_grid_stops_at_the_departure():
    left = replace(CAREER, departed_on=D("2021-08-01"))
    view = layers_view(left, FRAMEWORK)
    assert [p.label for p in view.periods] == ["2021Q1", "2021Q2", "2021Q3"]
    assert view.ends_on == D("2021-08-01")
    assert {c.competency: c.held for c in view.competencies}["coding"] == (1, 2, 2)


def test_a_competency_the_framework_lost_goes_under_other():
    view = layers_view(profile(layer("juggling", ("2021-03-01", 2))), FRAMEWORK)
    assert [(b.band, [c.competency for c in b.competencies]) for b in view.bands] == [
        (OTHER_BAND, ["juggling"])]


def test_no_hire_means_an_empty_grid():
    view = layers_view(replace(profile(), hired_on=None), None)
    assert view.periods == () and view.bands == () and view.band_upgrades == ()


@pytest.mark.parametrize(("start", "end", "labels"), [
    ("2020-12-31", "2021-01-01", ["2020Q4", "2021Q1"]),
    ("2021-04-01", "2021-04-01", ["2021Q2"]),
    ("2021-06-30", "2021-07-01", ["2021Q2", "2021Q3"]),
])
def test_time_grid_edges(start, end, labels):
    assert [p.label for p in time_grid(D(start), D(end))] == labels


def test_mastery_on_a_date():
    steps = layer("coding", ("2021-02-15", 1), ("2021-05-01", 2)).steps
    assert [mastery_on(steps, D(d)) for d in ("2021-02-14", "2021-02-15", "2021-05-01")] == [
        0, 1, 2]


def test_the_document_is_plain_json_with_the_grid_and_markers():
    doc = layers_to_document(layers_view(CAREER, FRAMEWORK))
    assert doc["schema"] == 1 and doc["grain"] == "quarter"
    assert doc["scale"] == {"max": 5, "levels": [
        "none", "awareness", "working", "practitioner", "advanced", "expert"]}
    assert doc["periods"][0] == {"label": "2021Q1", "start": "2021-01-01", "end": "2021-03-31"}
    coding = doc["bands"][0]["competencies"][0]
    assert coding["held"] == [1, 2, 2, 2, 3, 3]
    assert coding["steps"][0] == {"on": "2021-02-15", "from": 0, "to": 1, "event_id": 1}
    assert doc["band_upgrades"][1] == {"on": "2021-11-03", "band": "people", "from_level": 1,
                                       "to_level": 2, "level_name": "Coach",
                                       "period": "2021Q4"}
