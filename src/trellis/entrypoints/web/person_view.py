"""What the person page shows, built from the use cases' documents: the summary at the
top, the plan as steps to tick off, and the timeline's filtered page of rows.

The timeline is filtered and paged on the server (``TimelineQuery`` from the query
string), newest first, ``PAGE_SIZE`` rows a page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from trellis.domain.events import MICRO_PROGRESSIONS, EventKind
from trellis.errors import InvalidEvent

from .formatting import kind as kind_words
from .person_words import Vocabulary, summary
from .schemas import EventPublic

PAGE_SIZE = 25
# The timeline's kind filter: everything, one of the two ways of advancing, or one kind.
MICRO_KINDS = [*sorted(k.value for k in MICRO_PROGRESSIONS), "band_upgrade"]
KIND_FILTERS = ("", "promotions", "micro", *MICRO_KINDS)
NOT_RETRACTABLE = (EventKind.RETRACTION.value, EventKind.VERIFICATION.value, "band_upgrade")


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    """The timeline's filters and page: ``kind`` one of KIND_FILTERS, ``pending`` only
    what waits for verification, ``baseline`` also the steps dated on the hire day (the
    starting profile, hidden by default), ``event`` the page that holds this event."""

    kind: str = ""
    pending: bool = False
    baseline: bool = False
    page: int = 1
    event: int | None = None

    def link(self, **changes: Any) -> str:
        """The query string of this view with ``changes`` (the page back to 1 unless given)."""
        q = replace(self, **{"page": 1, "event": None, **changes})
        params = {"kind": q.kind, "pending": "1" if q.pending else "",
                  "baseline": "1" if q.baseline else "",
                  "page": str(q.page) if q.page > 1 else ""}
        return "?" + urlencode({k: v for k, v in params.items() if v})


def timeline_query(params: Mapping[str, str]) -> TimelineQuery:
    """The filters from a query string; InvalidEvent names a bad one."""
    kind = params.get("kind", "")
    if kind not in KIND_FILTERS:
        raise InvalidEvent(f"unknown timeline filter '{kind}': choose promotions, "
                           "micro-progressions or one kind of micro-progression")
    number = params.get("page", "1") or "1"
    if not number.isdigit() or not 1 <= int(number) <= 100_000:
        raise InvalidEvent(f"page '{number}' is not a page number")
    event = params.get("event", "")
    return TimelineQuery(kind, params.get("pending") == "1", params.get("baseline") == "1",
                         int(number), int(event) if event.isdigit() and len(event) < 12
                         else None)


@dataclass(frozen=True, slots=True)
class Row:
    """One timeline row as the page shows it."""

    id: int | None
    anchor: str  # the row's element id
    on: date
    kind: str
    label: str  # "Promotion", "Skill step", ...
    advance: str
    text: str
    evidence: str | None
    verified_by: str | None
    pending: bool
    retracted: bool
    retractable: bool
    verifiable: bool
    case: int | None = None  # the promotion case that decided it


@dataclass(frozen=True, slots=True)
class TimelinePage:
    rows: list[Row]
    query: TimelineQuery
    page: int
    pages: int
    total: int  # rows matching the filters
    baseline_hidden: int  # rows on the hire day left out
    kinds: list[tuple[str, str]]  # the kind filter's (value, label), kinds present only

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * PAGE_SIZE)


def is_baseline(e: EventPublic, hired_on: date | None) -> bool:
    """A step dated on the hire day: the profile the person was hired with."""
    return hired_on is not None and e.effective_on == hired_on and e.kind != "hire"


def _matches(e: EventPublic, q: TimelineQuery) -> bool:
    if q.pending and not (e.pending and e.retracted_by is None):
        return False
    if q.kind == "promotions":
        return e.advance == "promotion"
    if q.kind == "micro":
        return e.advance == "micro_progression"
    return not q.kind or e.kind == q.kind


def timeline_page(entries: Sequence[EventPublic], q: TimelineQuery, words: Vocabulary, *,
                  hired_on: date | None, viewer: str, may_retract: bool,
                  may_verify: bool) -> TimelinePage:
    """The rows of one page of the timeline, newest first."""
    by_id = {e.id: e for e in entries if e.id is not None}
    newest = list(reversed(entries))
    kept = [e for e in newest if _matches(e, q)]
    hidden = 0
    if not q.baseline:
        before = len(kept)
        kept = [e for e in kept if not is_baseline(e, hired_on)]
        hidden = before - len(kept)
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    page = min(q.page, pages)
    if q.event is not None:
        at = next((i for i, e in enumerate(kept) if e.id == q.event), None)
        page = at // PAGE_SIZE + 1 if at is not None else page
    shown = kept[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    present = {e.kind for e in entries}
    kinds = [("", "Everything"), ("promotions", "Promotions"),
             ("micro", "Micro-progressions, every kind")] + [
        (k, kind_words(k)) for k in MICRO_KINDS if k in present]
    return TimelinePage([_row(e, by_id, words, viewer, may_retract, may_verify)
                         for e in shown], q, page, pages, len(kept), hidden, kinds)


def _row(e: EventPublic, by_id: Mapping[int, EventPublic], words: Vocabulary, viewer: str,
         may_retract: bool, may_verify: bool) -> Row:
    label = ("Promotion" if e.advance == "promotion" else kind_words(e.kind))
    retracted = e.retracted_by is not None
    live = e.id is not None and not retracted
    verifiable = (may_verify and live and not e.verified_by and e.author != viewer
                  and e.advance == "micro_progression" and e.kind != "recognition")
    verified = None if e.verified_by in (None, "hidden") else words.person(e.verified_by)
    case = (e.details or {}).get("case") if e.kind == "promotion" else None
    return Row(e.id, f"event-{e.id}" if e.id is not None else "",
               e.effective_on, e.kind, label, e.advance, summary(e, by_id, words),
               e.evidence, verified if e.verified_by else None, e.pending and not retracted,
               retracted, may_retract and live and e.kind not in NOT_RETRACTABLE,
               verifiable, case if isinstance(case, int) else None)


# --- the plan, as steps to tick off


def plan_steps(plan: dict[str, Any], entries: Sequence[EventPublic],
               words: Vocabulary) -> list[dict[str, Any]]:
    """Each step of the plan in words, with the event that completed it (a done step) or
    the log form's values that would (any other)."""
    steps = []
    for i, step in enumerate(plan["steps"]):
        status = plan["progress"][i]
        if step.get("criterion"):
            text = f"Show “{step.get('text') or step['label']}”"
            log = {"log": "demonstrated", "criterion": step["criterion"]}
        else:
            comp = step.get("competency") or ""
            text = f"{words.term(comp)}: mastery {step['from']} → {step['to']}"
            log = {"log": "skill_step", "competency": comp, "from_mastery": str(step["from"]),
                   "to_mastery": str(step["to"])}
        done_by = _completing(step, entries) if status == "done" else None
        steps.append({**step, "status": status, "words": text, "done_by": done_by,
                      "log_link": "?" + urlencode(log) + "#log"})
    return steps


def _completing(step: dict[str, Any], entries: Sequence[EventPublic]) -> EventPublic | None:
    """The latest live event that reached what the step aims at."""
    for e in reversed(entries):
        if e.id is None or e.retracted_by is not None or e.details is None:
            continue
        d = e.details
        if step.get("criterion"):
            if e.kind in ("demonstrated", "assessed") and d.get("criterion") == step["criterion"]:
                return e
        elif e.kind == "skill_step" and d.get("competency") == step.get("competency") \
                and int(d.get("to_mastery") or 0) >= int(step["to"]):
            return e
    return None
