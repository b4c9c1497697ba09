"""Upward feedback: what a manager's reports wrote of them, as the manager and their chain
may read it: only aggregated, and only once enough reports have written.

The rule (docs/reviews.md, "Upward reviews are anonymous"):

- The manager reviewed, and everyone above them in the chart, read upward reviews only as
  a **summary** of a cycle: how many are in, the overall rating's mean and distribution,
  each rated item's mean, and the comments in alphabetical order (never in the order they
  were written). No reviewer's name, handle, account, date or event id, and no item rated
  by fewer reviewers than the minimum.
- The summary is shown only once at least the cycle's ``upward_minimum`` reports have
  written (3 by default); below it, not even how many have.
- An HR admin reads upward reviews one by one, with who wrote them, as they read an
  anonymous peer's (HR handles conduct and keeps the ledger): but not of themselves nor of
  anyone under them in the chart, where they are the manager or the chain and read the
  summary like anyone else.
- A report reads the upward review they wrote themselves, and nothing of the others'.

Pure: the services feed it the profile's records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .access import User, is_self
from .events import Event, Retraction, Review
from .framework import ReviewForm
from .profile import ReviewRecord


@dataclass(frozen=True, slots=True)
class ItemMean:
    item: str
    mean: float
    rated_by: int  # at least the minimum


@dataclass(frozen=True, slots=True)
class UpwardSummary:
    """A cycle's upward reviews of one manager, aggregated. ``shown`` False: fewer than
    ``minimum`` are in, and nothing else is said (not even how many)."""

    cycle: str
    minimum: int
    shown: bool
    reviews: int | None = None  # how many are in (None below the minimum)
    mean: float | None = None  # the overall rating's mean, to one decimal
    distribution: tuple[tuple[int, int], ...] = ()  # (rating, how many), lowest first
    items: tuple[ItemMean, ...] = ()
    comments: tuple[str, ...] = ()  # in alphabetical order


def summarize(cycle: str, records: Iterable[ReviewRecord], minimum: int) -> UpwardSummary:
    """The summary of a cycle's upward reviews (``records``: the live ones)."""
    found = list(records)
    if len(found) < minimum:
        return UpwardSummary(cycle, minimum, False)
    ratings = Counter(r.overall for r in found)
    by_item: dict[str, list[int]] = {}
    for r in found:
        for i in r.ratings:
            by_item.setdefault(i.item, []).append(i.rating)
    items = tuple(ItemMean(item, round(sum(v) / len(v), 1), len(v))
                  for item, v in sorted(by_item.items()) if len(v) >= minimum)
    comments = tuple(sorted((r.comment.strip() for r in found if r.comment and
                             r.comment.strip()), key=lambda c: (c.casefold(), c)))
    return UpwardSummary(cycle, minimum, True, len(found),
                         round(sum(r.overall for r in found) / len(found), 1),
                         tuple(sorted(ratings.items())), items, comments)


def sees_individually(user: User, person_id: int, chain: Sequence[int]) -> bool:
    """Whether ``user`` reads a person's upward reviews one by one: an HR admin who is
    neither the person nor above them (``chain``: the person's managers)."""
    return user.is_hr and not is_self(user, person_id) and user.person_id not in chain


def summary_document(s: UpwardSummary) -> dict[str, object]:
    """As plain data (the API, ``review show --json``): nothing that names a reviewer."""
    if not s.shown:
        return {"shown": False, "minimum": s.minimum}
    return {"shown": True, "minimum": s.minimum, "reviews": s.reviews, "mean": s.mean,
            "distribution": {str(k): v for k, v in s.distribution},
            "items": [{"item": i.item, "mean": i.mean, "rated_by": i.rated_by}
                      for i in s.items],
            "comments": list(s.comments)}


def upward_events(events: Iterable[Event]) -> dict[int, str | None]:
    """The upward reviews among a person's events, and the retractions of them: event id
    -> the reviewer's handle (None for a retraction). A timeline leaves them out for whoever
    reads upward reviews only aggregated: their dates, authors and ids would say who."""
    found: dict[int, str | None] = {}
    retractions: list[Event] = []
    for e in events:
        if isinstance(e.details, Review) and e.details.reviewer_role is ReviewForm.UPWARD:
            found[e.id] = e.details.reviewer
        elif isinstance(e.details, Retraction):
            retractions.append(e)
    for e in retractions:
        assert isinstance(e.details, Retraction)
        if e.details.retracts in found:
            found[e.id] = None
    return found


def without_upward(doc: dict[str, Any]) -> dict[str, Any]:
    """A profile document (domain.profile_document) without its upward reviews, one by one:
    for whoever reads them only aggregated (they are in ``review show``)."""
    reviews = doc.get("reviews") or {}
    if not any(ReviewForm.UPWARD.value in by_role for by_role in reviews.values()):
        return doc
    kept = {cycle: {role: records for role, records in by_role.items()
                    if role != ReviewForm.UPWARD.value} for cycle, by_role in reviews.items()}
    return {**doc, "reviews": {cycle: by_role for cycle, by_role in kept.items() if by_role}}
