"""The demo looks like a real organization: the published figures docs/strategy.md cites,
measured on the exported ledger with pandas (``demo_figures``), independently of the
generator and of Trellis's analytics.

One demo of 1,500 people over 6 years (about 4,200 person-years on the 1 Januaries, 620
promotions, 1,000 people with three years of history). Each tolerance is about two and a
half standard errors of its figure at this size, so that another seed passes too:

- promoted a year: sampling error 0.005 on 0.12; the published range is 9-14%.
- promotion raise: sd 2 points over about 620 raises (0.1); merit: sd 1 over 5,000 (0.02).
- three-year retention: binomial errors 0.03 (promoted, n about 265), 0.045 (lateral, n
  about 105), 0.02 (neither, n about 645): bounds 0.07, 0.1 and 0.05 around 70/62/45%.
- engagement after a promotion: check-ins are integers with noise sd 0.4 plus the person's
  spread; the mean change over about 550 promotions is good to 0.05.
- ratings: 3,000+ manager reviews, shares good to 0.01.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from demo_figures import Figures, measure

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.transfer import export_records
from trellis.settings import Settings

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Figures]:
    url = f"sqlite:///{tmp_path_factory.mktemp('realism') / 'demo.db'}"
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    today = clock.today()
    run_demo(trellis.uow, framework=framework, document=document, people=1500, years=6,
             seed=2024, author="tester", today=today)
    try:
        yield measure(export_records(trellis.uow()), framework, today)
    finally:
        trellis.close()


def test_promotions_nine_to_fourteen_percent_a_year_more_at_lower_levels(
        figures: Figures) -> None:
    # Pave 2024 (14%, higher at lower levels); WorldatWork 2015 (9%)
    assert figures.headcount_years > 3000
    assert 0.09 <= figures.promoted_a_year <= 0.14, figures.promoted_a_year
    stage = figures.promoted_by_stage
    assert stage["early"] > stage["mid"] > stage["late"], stage
    assert stage["early"] >= 0.14


def test_a_promotion_raises_pay_about_three_times_a_merit_raise(figures: Figures) -> None:
    assert figures.raises > 300
    assert 9.0 <= figures.promotion_raise <= 10.0, figures.promotion_raise
    assert abs(figures.merit_raise - 3.3) <= 0.1, figures.merit_raise


def test_three_year_retention_by_mobility_as_linkedin_found(figures: Figures) -> None:
    kept, n = figures.retention, figures.retention_n
    assert min(n.values()) >= 60, n
    assert abs(kept["promoted"] - 0.70) <= 0.07, kept
    assert abs(kept["lateral"] - 0.62) <= 0.10, kept
    assert abs(kept["neither"] - 0.45) <= 0.05, kept
    assert kept["promoted"] > kept["neither"] + 0.15 and kept["lateral"] > kept["neither"]


def test_engagement_after_a_promotion_fades_within_a_year(figures: Figures) -> None:
    lift = figures.engagement_after
    assert figures.engagement_n > 200
    assert lift[1] >= 0.5, lift  # the quarter of the promotion
    assert lift[2] < lift[1] and lift[3] < lift[2]
    assert abs(lift[5]) <= 0.15, lift  # a year on: back near where it was
    assert abs(lift[5]) < lift[1] / 4


def test_review_ratings_are_roughly_normal_on_one_to_five(figures: Figures) -> None:
    shares = figures.ratings
    assert set(shares) == {1, 2, 3, 4, 5} and all(v > 0.02 for v in shares.values())
    assert max(shares, key=lambda k: shares[k]) == 3
    assert 2.8 <= figures.rating_mean <= 3.4 and 0.7 <= figures.rating_sd <= 1.2
    assert abs(figures.rating_skew) <= 0.3
    assert figures.normal_gap <= 0.04  # each share within 4 points of a rounded normal's


def test_steps_in_different_competencies_overlap_and_people_differ_in_pace(
        figures: Figures) -> None:
    # one competency at a time would give 0: no other step inside a competency's step
    assert figures.overlap >= 0.6, figures.overlap
    assert figures.pace_spread >= 0.2, figures.pace_spread
