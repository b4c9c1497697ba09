"""The outcomes the fairness audit compares groups on, each as a population frame
(``person_id``, bool ``outcome``) built from light ledger rows and the current-state table.

- **promoted**: of the people employed at some time in the window, who had a promotion in it.
- **rated high**: of the people with a manager review in the cycle, whose overall rating
  (their latest manager review of the cycle) is at or above the high rating.
- **raised in calibration**: of the people rated in the cycle, whose rating a calibration
  session raised (``calibration`` events: the last change of the cycle against its first
  ``from_rating``).
- **recognized**: of the people employed in the window, who received a recognition in it.
- **raised**: of the people employed in the window, who had a merit raise or an adjustment
  (not a one-off bonus) in it.

Adding an outcome is one function of this shape and one entry in ``services.fairness``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from trellis.domain.ledger_rows import EventRow

RAISE_KINDS = frozenset({"merit", "adjustment"})


def employed(state: pd.DataFrame, since: date, until: date) -> pd.Series:
    """The ids of the people employed on some day of [since, until] (``state``: person_id,
    hired_on, departed_on, as in the current-state table)."""
    hired = pd.to_datetime(state["hired_on"])
    left = pd.to_datetime(state["departed_on"])
    mask = hired.notna() & (hired <= pd.Timestamp(until)) & (
        left.isna() | (left >= pd.Timestamp(since)))
    return state.loc[mask, "person_id"].astype(int)


def _population(ids: pd.Series, winners: Iterable[int]) -> pd.DataFrame:
    won = np.fromiter(set(winners), dtype=np.int64)
    values = ids.to_numpy(dtype=np.int64)
    return pd.DataFrame({"person_id": values, "outcome": np.isin(values, won)})


def had_event(rows: Iterable[EventRow], ids: pd.Series, since: date, until: date,
              keep: Callable[[Mapping[str, Any]], bool] | None = None) -> pd.DataFrame:
    """Of the people ``ids``, who has a row dated in [since, until] (that ``keep`` keeps)."""
    return _population(ids, (r.person_id for r in rows if since <= r.effective_on <= until
                             and (keep is None or keep(r.details))))


def is_raise(details: Mapping[str, Any]) -> bool:
    return str(details.get("compensation_kind", "merit")) in RAISE_KINDS and (
        (details.get("amount") or 0) > 0 or (details.get("percent") or 0) > 0)


def cycle_ratings(rows: Iterable[EventRow], cycle: str) -> pd.Series:
    """Each person's overall rating in ``cycle``: their latest manager review's, by id."""
    latest: dict[int, int] = {}
    for r in rows:  # ledger order: a later review of the same person replaces the earlier
        d = r.details
        if d.get("cycle") == cycle and d.get("reviewer_role") == "manager":
            latest[r.person_id] = int(d["rating"])
    return pd.Series(latest, dtype="int64").rename_axis("person_id")


def rated_high(ratings: pd.Series, high: int) -> pd.DataFrame:
    return pd.DataFrame({"person_id": ratings.index.to_numpy(dtype=np.int64),
                         "outcome": ratings.to_numpy() >= high})


def raised_in_calibration(rows: Iterable[EventRow], ratings: pd.Series,
                          cycle: str) -> pd.DataFrame:
    """Of the people rated in the cycle, whose rating calibration left above where it
    started (``rows``: ``calibration`` events, details cycle, from_rating, to_rating)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for r in rows:
        d = r.details
        if d.get("cycle") != cycle:
            continue
        first.setdefault(r.person_id, int(d["from_rating"]))
        last[r.person_id] = int(d["to_rating"])
    return _population(pd.Series(ratings.index),
                       (p for p, to in last.items() if to > first[p]))


def cycles_of(rows: Iterable[EventRow]) -> list[tuple[str, date]]:
    """The review cycles named by review rows, with each one's last review date, oldest
    first."""
    last: dict[str, date] = {}
    for r in rows:
        name = r.details.get("cycle")
        if isinstance(name, str) and (name not in last or r.effective_on > last[name]):
            last[name] = r.effective_on
    return sorted(last.items(), key=lambda item: (item[1], item[0]))


def default_high(low: int, high: int) -> int:
    """The "high" rating when none is given: the second best on a scale of five points or
    more, the best on a shorter one (1-3: 3; 1-4: 4; 1-5: 4)."""
    return high - 1 if high - low + 1 >= 5 else high
