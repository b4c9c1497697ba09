"""Public people-analytics datasets as Trellis ledgers, to check the evidence on real data.

The PyPI package ``peopleanalyticsdata`` (the datasets of McNulty's *Handbook of
Regression Modeling in People Analytics*) ships CSV files. Two of them become ledgers
here, so that ``trellis evidence`` can be run on them and its estimates compared with a
direct fit of the same model on the CSV:

- ``job_retention`` (3,770 people: gender, field, level, sentiment, intention to leave,
  ``left`` and ``month``): everyone is hired on ``hired_on``; ``left = 1`` is a voluntary
  departure ``month`` calendar months later; ``left = 0`` is censoring: still employed on
  the last day (``month`` 12), or, before it, an involuntary departure (which the
  departure model censors). Covariates travel as monthly micro-progressions, so that a
  spell's rate per year is 12 times the covariate: ``intention`` recognitions, one
  certification if the person is a woman, one project leadership if the level is High,
  each month of the spell.
- ``promotion`` (1,134 people: diverse, flexible, store, promoted, year): everyone is in
  the same role at a review on ``review_on``, hired ``year`` years earlier (read as years
  in the role); ``diverse``, ``flexible`` and ``store`` travel as one certification, one
  recognition and one project leadership a month before the review; ``promoted = 1`` is a
  promotion six months after it. The propensity model's decision point is that promotion
  round (the day before it), with a horizon of six months (the ledger ends then); its one
  snapshot per person holds the CSV's covariates.

The events are carriers for the covariates, not a claim about what those people did.
The CSV files are read where the package installed them (its own loader imports the
deprecated ``pkg_resources``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from trellis.domain.events import (
    Certification,
    Departure,
    DepartureKind,
    Details,
    GoalOutcome,
    GoalResult,
    Hire,
    ProjectLeadership,
    Promotion,
    Recognition,
    Review,
)
from trellis.domain.framework import ReviewForm
from trellis.domain.records import EventRecord, PersonRecord
from trellis.errors import TrellisError

PACKAGE = "peopleanalyticsdata"


@dataclass(frozen=True, slots=True)
class SourceLedger:
    """A dataset as ledger records, and the dates to analyse it with."""

    people: list[PersonRecord]
    events: list[EventRecord]
    as_of: date  # the last day the dataset observes
    since: date | None = None  # the propensity model's first snapshot
    horizon: int = 12  # months from a decision point in which its promotion is known


def dataset_path(name: str) -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise TrellisError(f"the '{PACKAGE}' package is not installed: pip install {PACKAGE}")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{name}.csv"
    if not path.is_file():
        raise TrellisError(f"'{PACKAGE}' has no dataset '{name}'")
    return path


def read_dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(dataset_path(name))


def _month(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, day.day)


class _Writer:
    def __init__(self) -> None:
        self.people: list[PersonRecord] = []
        self.events: list[EventRecord] = []
        self.line = 0

    def person(self, handle: str) -> None:
        self.line += 1
        self.people.append(PersonRecord(self.line, handle, handle.replace("-", " ")))

    def event(self, handle: str, on: date, details: Details, count: int = 1) -> None:
        for _ in range(count):
            self.line += 1
            self.events.append(EventRecord(self.line, handle, on, details, author="dataset"))


def job_retention_ledger(frame: pd.DataFrame, *, role: str,
                         hired_on: date = date(2020, 1, 1)) -> SourceLedger:
    """``job_retention`` as a ledger (see the module's docstring for the mapping)."""
    out = _Writer()
    recognition = Recognition("intention carrier")
    certification = Certification("gender carrier")
    leadership = ProjectLeadership("level carrier")
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        handle = f"retention-{i}"
        out.person(handle)
        out.event(handle, hired_on, Hire(role))
        months = int(row.month)
        for k in range(months):
            on = _month(hired_on, k).replace(day=15)
            out.event(handle, on, recognition, int(row.intention))
            out.event(handle, on, certification, int(row.gender == "F"))
            out.event(handle, on, leadership, int(row.level == "High"))
        end = _month(hired_on, months)
        if int(row.left) == 1:
            out.event(handle, end, Departure(DepartureKind.VOLUNTARY))
        elif months < 12:
            out.event(handle, end, Departure(DepartureKind.INVOLUNTARY,
                                             "censored in the source data"))
    return SourceLedger(out.people, out.events, as_of=_month(hired_on, 12))


def promotion_ledger(frame: pd.DataFrame, *, role: str, promoted_to: str,
                     review_on: date = date(2022, 1, 1)) -> SourceLedger:
    """``promotion`` as a ledger (see the module's docstring for the mapping)."""
    out = _Writer()
    before, after = _month(review_on, -1), _month(review_on, 6)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        handle = f"promotion-{i}"
        out.person(handle)
        out.event(handle, _month(review_on, -12 * int(row.year)), Hire(role))
        out.event(handle, before, Certification("diverse carrier"), int(row.diverse))
        out.event(handle, before, Recognition("flexible carrier"), int(row.flexible))
        out.event(handle, before, ProjectLeadership("store carrier"), int(row.store))
        if int(row.promoted) == 1:
            out.event(handle, after, Promotion(promoted_to))
    return SourceLedger(out.people, out.events, as_of=_month(review_on, 12), since=review_on,
                        horizon=6)


def salespeople_ledger(frame: pd.DataFrame, *, role: str, promoted_to: str, cycle: str,
                       review_on: date = date(2022, 1, 1)) -> tuple[SourceLedger, int]:
    """``salespeople`` (350 salespeople: promoted, sales, customer_rate, performance 1-4)
    as a ledger: a hire two years before ``review_on``, a manager ``review`` on it with
    ``performance`` as its overall rating and two KPI results with their figures, ``sales``
    and ``customer rating`` (the goals' outcome "met" only carries the figure), and for
    ``promoted = 1`` a promotion six months later. A row without a performance rating is
    left out; returns the ledger and how many rows were."""
    out = _Writer()
    skipped = 0
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        if pd.isna(row.performance) or pd.isna(row.sales) or pd.isna(row.customer_rate):
            skipped += 1
            continue
        handle = f"sales-{i}"
        out.person(handle)
        out.event(handle, _month(review_on, -24), Hire(role))
        out.event(handle, review_on, Review(
            cycle, ReviewForm.MANAGER, int(row.performance),
            goals=(GoalResult("sales", GoalOutcome.MET, float(row.sales)),
                   GoalResult("customer rating", GoalOutcome.MET, float(row.customer_rate))),
            comment=f"sales {int(row.sales)}, customer rating {float(row.customer_rate):g}"))
        if int(row.promoted) == 1:
            out.event(handle, _month(review_on, 6), Promotion(promoted_to))
    return SourceLedger(out.people, out.events, as_of=_month(review_on, 12)), skipped


def employee_performance_ledger(frame: pd.DataFrame, *, role: str, cycle: str,
                                review_on: date = date(2022, 1, 1)
                                ) -> tuple[SourceLedger, list[tuple[str, str, str]]]:
    """``employee_performance`` (366 salespeople: sales, new_customers, region, gender,
    rating 1-3) as a ledger: a hire a year before ``review_on`` and a manager ``review`` on
    it with ``rating`` as its overall rating (the sales figures in its comment); and each
    person's ``gender`` and ``region`` as attributes (handle, name, value)."""
    out = _Writer()
    attributes: list[tuple[str, str, str]] = []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        handle = f"performance-{i}"
        out.person(handle)
        out.event(handle, _month(review_on, -12), Hire(role))
        out.event(handle, review_on, Review(
            cycle, ReviewForm.MANAGER, int(row.rating),
            comment=f"sales {float(row.sales):g}, new customers {int(row.new_customers)}"))
        attributes += [(handle, "gender", str(row.gender)), (handle, "region", str(row.region))]
    return SourceLedger(out.people, out.events, as_of=_month(review_on, 6)), attributes


def promotion_attributes(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    """``promotion``'s ``diverse`` and ``flexible`` flags as attributes of the people
    ``promotion_ledger`` makes (yes / no)."""
    out: list[tuple[str, str, str]] = []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        handle = f"promotion-{i}"
        out += [(handle, "diverse", "yes" if int(row.diverse) else "no"),
                (handle, "flexible", "yes" if int(row.flexible) else "no")]
    return out
