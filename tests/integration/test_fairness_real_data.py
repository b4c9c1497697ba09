"""The fairness audit on real data: two public datasets imported as Trellis ledgers, their
impact ratios checked against the same figures computed directly with pandas on the CSV."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from conftest import make_trellis
from trellis.adapters import peopleanalytics as pa
from trellis.adapters.attribute_files import parse_attribute_csv
from trellis.bootstrap import Trellis
from trellis.services.attributes import import_attributes
from trellis.services.fairness import fairness
from trellis.services.transfer import import_ledger

pytestmark = pytest.mark.skipif(importlib.util.find_spec("peopleanalyticsdata") is None,
                                reason="the peopleanalyticsdata package is not installed")
REVIEW_ON = date(2022, 1, 1)


@pytest.fixture
def ledger(sqlite_url: str) -> Iterator[Trellis]:
    t = make_trellis(sqlite_url)
    yield t
    t.close()


def load(trellis: Trellis, source: pa.SourceLedger, values: list[tuple[str, str, str]]) -> None:
    import_ledger(trellis.uow(), source.people, source.events, author="tester")
    names = list(dict.fromkeys(n for _, n, _ in values))
    rows: dict[str, dict[str, str]] = {}
    for handle, name, value in values:
        rows.setdefault(handle, {})[name] = value
    lines = [",".join(["handle", *names]) + "\n"]
    lines += [",".join([h, *(r[n] for n in names)]) + "\n" for h, r in rows.items()]
    parsed, problems = parse_attribute_csv(lines, "attributes.csv")
    assert not problems
    import_attributes(trellis.uow(), parsed, source="attributes.csv", author="tester")


def ratios(report, outcome: str, attribute: str) -> dict[str, tuple[int, int, float | None]]:
    audit = next(a for a in report.outcomes if a.outcome == outcome and a.attribute == attribute)
    return {g.group: (g.people, g.positives, g.impact_ratio) for g in audit.groups}


def direct(frame: pd.DataFrame, by: str, outcome: pd.Series
           ) -> dict[str, tuple[int, int, float]]:
    grouped = outcome.groupby(frame[by])
    rates = grouped.mean()
    best = rates.max()
    return {str(g): (int(grouped.size()[g]), int(grouped.sum()[g]), float(rates[g] / best))
            for g in rates.index}


def close(found: dict, expected: dict) -> None:
    assert found.keys() == expected.keys()
    for g, (n, k, r) in expected.items():
        assert found[g][:2] == (n, k) and found[g][2] == pytest.approx(r, abs=1e-12), g


def test_ratings_by_gender_and_region_of_employee_performance(ledger: Trellis) -> None:
    frame = pa.read_dataset("employee_performance")
    source, values = pa.employee_performance_ledger(frame, role="eng1", cycle="perf",
                                                    review_on=REVIEW_ON)
    load(ledger, source, values)
    # tiny's scale is 1-5: the dataset's top rating, 3, is named as the high one
    report = fairness(ledger.uow(), cycle="perf", high_rating=3, since=REVIEW_ON,
                      until=source.as_of, scores=False)
    high = frame["rating"] >= 3
    close(ratios(report, "rated 3 or above", "gender"), direct(frame, "gender", high))
    close(ratios(report, "rated 3 or above", "region"), direct(frame, "region", high))
    by_gender = ratios(report, "rated 3 or above", "gender")
    assert by_gender["M"] == (194, 45, pytest.approx(0.7823, abs=1e-4))  # (45/194) / (51/172)
    assert any("gender = M" in w for w in report.warnings)


def test_promotions_by_diverse_of_promotion(ledger: Trellis) -> None:
    frame = pa.read_dataset("promotion")
    source = pa.promotion_ledger(frame, role="eng1", promoted_to="eng2", review_on=REVIEW_ON)
    load(ledger, source, pa.promotion_attributes(frame))
    report = fairness(ledger.uow(), since=REVIEW_ON, until=source.as_of, scores=False)
    flags = frame.assign(diverse=frame["diverse"].map({1: "yes", 0: "no"}),
                         flexible=frame["flexible"].map({1: "yes", 0: "no"}))
    promoted = frame["promoted"] == 1
    close(ratios(report, "promoted", "diverse"), direct(flags, "diverse", promoted))
    close(ratios(report, "promoted", "flexible"), direct(flags, "flexible", promoted))
    assert ratios(report, "promoted", "diverse")["yes"][:2] == (433, 31)
