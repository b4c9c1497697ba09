"""Role fragmentation: duties spread across functions, and expansions nobody acknowledged.

A person's duties are their ``responsibility`` events: a share of working time in a
function (a framework track). Their own track (the track of their role) takes what the
other functions leave: ``1 - sum(other shares)``, at least 0; when the other shares add up
to more than 1 they are scaled down to sum to 1 and the own track gets nothing.

**Fragmentation index**: the Shannon entropy of those shares, normalized by the most a
person could spread, ``log N`` with ``N`` the number of tracks in the framework:

    index = -sum(p * ln p) / ln N        (0 when N is 1)

0 means all time in one function; 1 means time split evenly across every function of the
framework. Dividing by the framework's ``N`` (rather than by the number of functions the
person touches) keeps indexes comparable between people: two functions at 50/50 score
0.5 in a four-track framework, not 1.

**Unrecognized expansion**: a duty outside the person's own track taken on (or
increased), followed by nothing that acknowledges it (a promotion, a lateral move, a band
upgrade, a recognition, a bonus or a raise that is not routine) within a window (default
six months; acknowledgement the same day counts). An expansion whose window has not
ended yet is *pending*. Only duties the person still holds are assessed.

**Risk**: ``0.5 * index + 0.3 * min(1, unrecognized / 2) + 0.2 * min(1, oldest / 365 days)``
(between 0 and 1); ``high`` from 0.6, ``medium`` from 0.35, ``low`` above 0.

**Suggested action**, the first that applies: a large share (``large_share``, default 30%)
held in one other function for at least the window -> ``lateral_move`` (formalize it);
two or more outside duties with an index of at least 0.5 -> ``re_scope``; an unrecognized
or pending expansion -> ``recognize``; otherwise ``none``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .ledger_rows import EventRow

DAYS_PER_MONTH = 30.4375


class Action(StrEnum):
    RECOGNIZE = "recognize"
    LATERAL_MOVE = "lateral_move"  # formalize the duties as a move into that function
    RE_SCOPE = "re_scope"
    NONE = "none"


class Status(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    UNRECOGNIZED = "unrecognized"
    PENDING = "pending"  # the window is still open


@dataclass(frozen=True, slots=True)
class FragmentationRules:
    window_months: float = 6.0
    routine_raise_percent: float = 5.0  # merit raises below this are the yearly routine
    large_share: float = 0.3
    high_risk: float = 0.6
    medium_risk: float = 0.35

    @property
    def window(self) -> timedelta:
        return timedelta(days=round(self.window_months * DAYS_PER_MONTH))


@dataclass(frozen=True, slots=True)
class Duty:
    """A duty held today outside the person's own track."""

    function: str
    share: float
    since: date


@dataclass(frozen=True, slots=True)
class Expansion:
    function: str
    on: date
    share: float  # the share in that function after the expansion
    status: Status
    acknowledged_by: str | None = None  # e.g. "recognition on 2024-03-01"


@dataclass(frozen=True, slots=True)
class Fragmentation:
    person_id: int
    track: str | None
    shares: Mapping[str, float]  # function -> share of time, summing to 1
    index: float
    duties: tuple[Duty, ...]
    expansions: tuple[Expansion, ...]
    risk: float
    level: str  # high, medium, low, none
    action: Action
    reasons: tuple[str, ...]

    @property
    def unrecognized(self) -> tuple[Expansion, ...]:
        return tuple(e for e in self.expansions if e.status is Status.UNRECOGNIZED)


def duty_shares(responsibilities: Mapping[str, float], own_track: str | None
                ) -> dict[str, float]:
    """Shares of time by function, summing to 1: the own track takes what others leave."""
    others = {f: s for f, s in responsibilities.items() if f != own_track and s > 0}
    total = sum(others.values())
    if total > 1:
        return {f: s / total for f, s in others.items()}
    shares = dict(others)
    if own_track is not None and 1 - total > 1e-9:
        shares[own_track] = 1 - total
    return shares


def fragmentation_index(shares: Mapping[str, float], functions: int) -> float:
    """Normalized Shannon entropy of the shares (see the module docstring)."""
    if functions <= 1:
        return 0.0
    total = sum(s for s in shares.values() if s > 0)
    if total <= 0:
        return 0.0
    entropy = -sum((s / total) * math.log(s / total) for s in shares.values() if s > 0)
    return min(1.0, max(0.0, entropy / math.log(functions)))


@dataclass(frozen=True, slots=True)
class Raised:
    """An expansion as the ledger settles it, whatever the day: acknowledged (by what),
    or not, with the last day of its window (``ends``); the day decides only whether an
    expansion nobody acknowledged is still pending."""

    function: str
    on: date
    share: float
    ends: date
    acknowledged_by: str | None = None


@dataclass(frozen=True, slots=True)
class DutyFacts:
    """What a person's events say of their duties, the same on every day: their track,
    the duties they hold (function -> share, and since when, in the order taken on) and
    the expansions of those outside the track. ``judge`` puts a day to them."""

    track: str | None
    held: Mapping[str, float]
    since: Mapping[str, date]
    raised: tuple[Raised, ...]  # by date, then function


def duty_facts(
    events: Iterable[EventRow],
    *,
    track_of_role: Mapping[str, str],
    band_upgrades: Sequence[date] = (),
    rules: FragmentationRules = FragmentationRules(),
) -> DutyFacts:
    """The day-independent part of ``assess``: its events and band upgrades read."""
    track: str | None = None
    held: dict[str, float] = {}
    since: dict[str, date] = {}
    raised: dict[str, list[tuple[date, float]]] = {}  # function -> (on, share) expansions
    acks: list[tuple[date, str]] = [(on, "band upgrade") for on in band_upgrades]
    for e in events:
        d, kind = e.details, e.kind
        if kind in ("hire", "promotion", "lateral_move"):
            track = track_of_role.get(d["role"], track)
            if kind != "hire":
                acks.append((e.effective_on, kind.replace("_", " ")))
        elif kind == "responsibility":
            function, share = d["function"], float(d["share"])
            before = held.get(function, 0.0)
            if share <= 0:
                held.pop(function, None)
                since.pop(function, None)
                raised.pop(function, None)
                continue
            held[function] = share
            since.setdefault(function, e.effective_on)
            if share > before and function != track:
                raised.setdefault(function, []).append((e.effective_on, share))
        elif kind == "recognition":
            acks.append((e.effective_on, "recognition"))
        elif kind == "compensation" and _acknowledges(d, rules):
            acks.append((e.effective_on, "bonus" if d.get("compensation_kind") == "bonus"
                         else "raise"))
    acks.sort()
    return DutyFacts(track, held, since, tuple(sorted(
        (_settle(f, on, share, acks, rules)
         for f, dated in raised.items() if f in held and f != track for on, share in dated),
        key=lambda x: (x.on, x.function))))


def judge(person_id: int, facts: DutyFacts, *, functions: int, today: date,
          rules: FragmentationRules = FragmentationRules()) -> Fragmentation:
    """One person's fragmentation on ``today`` from the facts of their events."""
    track, held, since = facts.track, facts.held, facts.since
    outside = {f: s for f, s in held.items() if f != track}
    duties = tuple(Duty(f, s, since[f]) for f, s in sorted(outside.items(),
                                                              key=lambda x: (-x[1], x[0])))
    expansions = tuple(
        Expansion(x.function, x.on, x.share, Status.ACKNOWLEDGED, x.acknowledged_by)
        if x.acknowledged_by is not None else
        Expansion(x.function, x.on, x.share,
                  Status.UNRECOGNIZED if today > x.ends else Status.PENDING)
        for x in facts.raised)
    shares = duty_shares(held, track)
    index = fragmentation_index(shares, functions)
    unrecognized = [x for x in expansions if x.status is Status.UNRECOGNIZED]
    oldest = max(((today - x.on).days for x in unrecognized), default=0)
    risk = round(0.5 * index + 0.3 * min(1.0, len(unrecognized) / 2)
                 + 0.2 * min(1.0, oldest / 365), 3)
    level = ("high" if risk >= rules.high_risk else "medium" if risk >= rules.medium_risk
             else "low" if risk > 0 else "none")
    action, why = suggest(duties, expansions, index, today, rules)
    reasons = _reasons(duties, expansions, index, functions, rules)
    return Fragmentation(person_id, track, shares, round(index, 4), duties, expansions, risk,
                         level, action, (*reasons, why) if why else reasons)


def assess(
    person_id: int,
    events: Iterable[EventRow],
    *,
    track_of_role: Mapping[str, str],
    functions: int,
    band_upgrades: Sequence[date] = (),
    today: date,
    rules: FragmentationRules = FragmentationRules(),
) -> Fragmentation:
    """One person's fragmentation from their events in ledger order.

    ``events`` are the person's hire, promotion, lateral_move, responsibility,
    recognition and compensation rows; ``band_upgrades`` the dates of their band upgrades.
    """
    return judge(person_id, duty_facts(events, track_of_role=track_of_role,
                                       band_upgrades=band_upgrades, rules=rules),
                 functions=functions, today=today, rules=rules)


def suggest(duties: Sequence[Duty], expansions: Sequence[Expansion], index: float,
            today: date, rules: FragmentationRules = FragmentationRules()
            ) -> tuple[Action, str | None]:
    """The suggested action and why (see the module docstring for the rules)."""
    sustained = [d for d in duties
                 if d.share >= rules.large_share and today - d.since >= rules.window]
    if sustained:
        d = sustained[0]
        return Action.LATERAL_MOVE, (f"{d.share:.0%} of the time in {d.function} since "
                                     f"{d.since}: formalize it as a lateral move")
    if len(duties) >= 2 and index >= 0.5:
        return Action.RE_SCOPE, (f"{len(duties)} duties outside the role: re-scope the role "
                                 "or hand some over")
    open_ = [x for x in expansions if x.status is not Status.ACKNOWLEDGED]
    if open_:
        functions = ", ".join(sorted({x.function for x in open_}))
        return Action.RECOGNIZE, f"recognize the work in {functions}"
    return Action.NONE, None


def _acknowledges(d: Mapping[str, object], rules: FragmentationRules) -> bool:
    """A bonus, an adjustment, or a merit raise above the yearly routine."""
    kind = d.get("compensation_kind") or "merit"
    if kind != "merit":
        return True
    percent = d.get("percent")
    if isinstance(percent, int | float):
        return percent >= rules.routine_raise_percent
    return True  # an amount: its size relative to pay is unknown here, so give it credit


def _settle(function: str, on: date, share: float, acks: Sequence[tuple[date, str]],
            rules: FragmentationRules) -> Raised:
    end = on + rules.window
    for ack_on, what in acks:  # sorted by date; few per person
        if on <= ack_on <= end:
            return Raised(function, on, share, end, f"{what} on {ack_on}")
        if ack_on > end:
            break
    return Raised(function, on, share, end)


def _reasons(duties: Sequence[Duty], expansions: Sequence[Expansion], index: float,
             functions: int, rules: FragmentationRules) -> tuple[str, ...]:
    out = []
    if duties:
        out.append("duties outside the role: " + ", ".join(
            f"{d.function} {d.share:.0%} since {d.since}" for d in duties)
            + f" (index {index:.2f} across {functions} functions)")
    unrecognized = [x for x in expansions if x.status is Status.UNRECOGNIZED]
    if unrecognized:
        months = f"{rules.window_months:g} months"
        out.append(f"{len(unrecognized)} expansion{'s' if len(unrecognized) > 1 else ''} "
                   "with no promotion, band upgrade, recognition or raise within "
                   f"{months}: " + ", ".join(f"{x.function} on {x.on}" for x in unrecognized))
    pending = [x for x in expansions if x.status is Status.PENDING]
    if pending:
        out.append("not yet acknowledged (window still open): "
                   + ", ".join(f"{x.function} on {x.on}" for x in pending))
    return tuple(out)
