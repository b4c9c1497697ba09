"""The evidence tables on a tiny hand-built ledger: spells, durations, censoring, rates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from trellis.analytics import evidence as ev
from trellis.analytics.compare import km_median_interval
from trellis.domain.ledger_rows import EventRow

AS_OF = date(2024, 1, 1)


def rows() -> list[EventRow]:
    out = []

    def add(person: int, kind: str, on: date, **details: object) -> None:
        out.append(EventRow(len(out) + 1, person, kind, on, details))

    # Ada: hired, two skill steps on the hire day (a baseline, not counted), promoted after
    # exactly 18 months with 3 skill steps and a kudos; then a certification, still there.
    add(1, "hire", date(2021, 1, 15), role="eng1")
    add(1, "skill_step", date(2021, 1, 15), competency="coding", to_mastery=1)
    add(1, "skill_step", date(2021, 1, 15), competency="testing", to_mastery=1)
    add(1, "skill_step", date(2021, 3, 1), competency="coding", to_mastery=2)
    add(1, "recognition", date(2021, 6, 1), citation="thanks")
    add(1, "skill_step", date(2021, 9, 1), competency="coding", to_mastery=3)
    add(1, "skill_step", date(2022, 2, 1), competency="testing", to_mastery=2)
    add(1, "promotion", date(2022, 7, 15), role="eng2")
    add(1, "certification", date(2023, 1, 10), certification="CKA")
    # Bob: hired, leads a project, leaves voluntarily after 6 months.
    add(2, "hire", date(2023, 1, 1), role="eng1")
    add(2, "project_leadership", date(2023, 2, 1), project="Search v2")
    add(2, "departure", date(2023, 7, 1), departure_kind="voluntary")
    # Cy: hired, retires after 3 years and a half month; an event after as_of is ignored.
    add(3, "hire", date(2020, 1, 1), role="eng2")
    add(3, "recognition", date(2021, 1, 1), citation="award")
    add(3, "departure", date(2023, 1, 16), departure_kind="retirement")
    add(3, "recognition", date(2024, 6, 1), citation="after as_of")
    # Dee: hired and promoted on the same day (a zero-length spell, left out).
    add(4, "hire", date(2023, 5, 1), role="eng1")
    add(4, "promotion", date(2023, 5, 1), role="eng2")
    return sorted(out, key=lambda r: (r.effective_on, r.id))


def test_calendar_months() -> None:
    assert ev.months_between(date(2021, 1, 15), date(2021, 4, 15)) == 3
    assert ev.months_between(date(2021, 1, 15), date(2022, 7, 15)) == 18
    assert ev.months_between(date(2023, 1, 1), date(2023, 1, 16)) == pytest.approx(15 / 31)
    assert ev.months_between(date(2024, 1, 31), date(2024, 2, 29)) == 1  # clamped to Feb 29


def test_spell_table_by_hand() -> None:
    spells = ev.spell_table(rows(), AS_OF).set_index(["person_id", "spell"])
    assert len(spells) == 5  # Dee's zero-length first spell is left out

    ada = spells.loc[(1, 0)]
    assert (ada["start"], ada["end"], ada["role"]) == (date(2021, 1, 15), date(2022, 7, 15),
                                                       "eng1")
    assert ada["months"] == 18 and ada["years"] == 1.5
    assert bool(ada["promoted"]) and not bool(ada["departed"])
    assert (ada["skill_steps"], ada["recognitions"], ada["certifications"]) == (3, 1, 0)
    assert ada["skill_steps_per_year"] == pytest.approx(2.0)
    assert ada["micro_per_year"] == pytest.approx(4 / 1.5)

    ada2 = spells.loc[(1, 1)]  # censored at as_of
    assert ada2["start"] == date(2022, 7, 15) and ada2["end"] == AS_OF
    assert ada2["months"] == pytest.approx(17 + 17 / 31)
    assert not bool(ada2["promoted"]) and pd.isna(ada2["departure_kind"])
    assert ada2["certifications"] == 1

    bob = spells.loc[(2, 0)]
    assert bob["months"] == 6 and bool(bob["departed"]) and bob["departure_kind"] == "voluntary"
    assert bob["project_leadership_per_year"] == pytest.approx(2.0)

    cy = spells.loc[(3, 0)]  # retirement: a departure, but not a voluntary one
    assert cy["months"] == pytest.approx(36 + 15 / 31)
    assert not bool(cy["departed"]) and cy["departure_kind"] == "retirement"
    assert cy["recognitions"] == 1  # the one after as_of is not seen

    dee = spells.loc[(4, 0)]  # the spell after the same-day promotion, still open
    assert dee["start"] == date(2023, 5, 1) and dee["months"] == 8


def test_spell_sample_keeps_spells_of_at_least_min_months() -> None:
    spells = ev.spell_table(rows(), AS_OF)
    assert len(ev.spell_sample(spells, 7)) == 4  # Bob's 6 months are left out
    assert len(ev.spell_sample(spells, 0)) == 5


def test_too_little_data_is_reported_not_estimated() -> None:
    spells = ev.spell_table(rows(), AS_OF)
    sample, days = ev.spell_sample(spells), ev.EventDays([(0, rows())], AS_OF)
    cox = ev.cox_model(ev.spell_pieces(sample, days), "promotion")
    assert not cox.sufficient and cox.spells == 5 and cox.events == 1
    curves = ev.time_in_level(sample, ev.landmark_rates(sample, days))
    assert [c.group for c in curves] == ["all"] and not curves[0].sufficient
    assert curves[0].spells == 3  # Ada's two spells and Cy's reached 12 months


def test_a_curve_s_median_and_shares_carry_their_95_intervals() -> None:
    # 50 spells in level 12 months and more; the interval is read off the band the curve
    # draws, so it must be the same computation as the trellis compare table's, done anew
    rng = np.random.default_rng(3)
    months = np.round(12 + rng.exponential(20.0, 50), 1)
    promoted = rng.random(50) < 0.75
    spells = pd.DataFrame({"months": months, "promoted": promoted})
    [curve] = ev.time_in_level(spells, pd.Series(np.ones(50)))
    median, low, high = km_median_interval(months - 12, promoted)
    assert curve.median_months == pytest.approx(median + 12, abs=0.01)
    assert curve.median_ci == (pytest.approx(low + 12, abs=0.01),
                               None if high is None else pytest.approx(high + 12, abs=0.01))
    for h in ev.HORIZONS:  # each share inside its interval, from the same band
        share, ci = curve.promoted_by[h], curve.promoted_by_ci[h]
        assert share is None or (ci is not None and ci[0] <= share <= ci[1])
    assert curve.promoted_by[24] is not None
