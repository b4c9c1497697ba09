"""The demo generator: reproducible, valid under the ledger's rules, and near its true rates."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, datetime
from importlib.resources import files
from statistics import mean

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.demo import DemoParameters, Organization, generate_organization
from trellis.domain.events import (
    MICRO_PROGRESSIONS,
    Compensation,
    CompensationKind,
    Event,
    EventKind,
    Recognition,
    Responsibility,
)
from trellis.domain.framework import Framework
from trellis.domain.profile import check_history

END = date(2025, 6, 30)


@pytest.fixture(scope="module")
def framework() -> Framework:
    resource = files("trellis") / "frameworks" / "software-company.yaml"
    fw, _ = parse_framework(resource.read_text(encoding="utf-8"), "software-company.yaml")
    return fw


@pytest.fixture(scope="module")
def org(framework: Framework) -> Organization:
    return generate_organization(framework, people=2000, years=5, seed=11, end=END)


@pytest.fixture(scope="module")
def by_person(org: Organization) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for record in org.events:
        grouped[record.person].append(record)
    return grouped


def exposure_years(org: Organization, by_person: dict[str, list]) -> float:
    end = org.end.toordinal()
    total = 0.0
    for records in by_person.values():
        hired = records[0].effective_on.toordinal()
        last = records[-1]
        left = last.effective_on.toordinal() if last.details.kind is EventKind.DEPARTURE else end
        total += (left - hired) / 365.25
    return total


def test_the_same_seed_gives_the_same_organization(framework: Framework) -> None:
    a = generate_organization(framework, people=120, years=2, seed=3, end=END)
    b = generate_organization(framework, people=120, years=2, seed=3, end=END)
    assert a.people == b.people
    assert a.events == b.events


def test_different_seeds_give_different_organizations(framework: Framework) -> None:
    a = generate_organization(framework, people=120, years=2, seed=3, end=END)
    b = generate_organization(framework, people=120, years=2, seed=4, end=END)
    assert [p.handle for p in a.people] != [p.handle for p in b.people]
    assert len(a.events) != len(b.events) or a.events != b.events


def test_people_are_unique_named_and_managed_in_a_tree(org: Organization) -> None:
    handles = [p.handle for p in org.people]
    assert len(handles) == len(set(handles)) == 2000
    assert all(p.email == f"{p.handle}@example.com" for p in org.people)
    assert all(" " in p.name for p in org.people)
    manager_of = {p.handle: p.manager for p in org.people}
    assert all(m is None or m in manager_of for m in manager_of.values())
    depths = []
    for handle in handles:
        depth, current, seen = 0, manager_of[handle], {handle}
        while current is not None:
            assert current not in seen, "a cycle of managers"
            seen.add(current)
            depth, current = depth + 1, manager_of[current]
        depths.append(depth)
    assert max(depths) >= 3  # VP -> director -> manager -> individual contributor
    reports = Counter(m for m in manager_of.values() if m)
    assert set(reports) <= org.managers


def test_every_history_replays_under_the_ledger_rules(org: Organization,
                                                      by_person: dict[str, list],
                                                      framework: Framework) -> None:
    ids = {p.handle: i for i, p in enumerate(org.people, start=1)}
    known = set(ids)
    assert set(by_person) == known  # everyone has a history, starting with the hire
    next_id = 1
    for handle, records in by_person.items():
        assert records[0].details.kind is EventKind.HIRE
        events = []
        for r in records:
            assert r.effective_on <= END
            assert r.author == "hr" or r.author in known
            if isinstance(r.details, Recognition) and r.details.giver:
                assert r.details.giver in known and r.details.giver != handle
            events.append(Event(next_id, ids[handle], r.effective_on, r.details,
                                r.recorded_at or datetime(2025, 1, 1), r.author or "demo",
                                r.evidence, r.verifier, 1))
            next_id += 1
        check_history(ids[handle], events, {1: framework})  # raises on a broken rule
    assert [r.effective_on for r in org.events] == sorted(r.effective_on for r in org.events)


def test_promotions_run_near_ten_to_fifteen_percent_a_year(org: Organization,
                                                          by_person: dict[str, list]) -> None:
    promotions = sum(1 for r in org.events if r.details.kind is EventKind.PROMOTION)
    rate = promotions / exposure_years(org, by_person)
    assert 0.09 <= rate <= 0.16, rate


def test_promotions_raise_pay_near_the_true_mean(by_person: dict[str, list],
                                                 org: Organization) -> None:
    raises = []
    for records in by_person.values():
        pay = None
        for r in records:
            d = r.details
            if r.details.kind in (EventKind.HIRE, EventKind.PROMOTION):
                if r.details.kind is EventKind.PROMOTION and pay:
                    raises.append(100 * (d.pay / pay - 1))
                pay = d.pay
            elif isinstance(d, Compensation) and d.compensation_kind is CompensationKind.MERIT:
                pay += round(pay * d.percent / 100)
    assert abs(mean(raises) - org.params.promotion_raise_mean) < 0.5


def test_merit_raises_average_near_three_percent(org: Organization) -> None:
    merits = [r.details.percent for r in org.events if isinstance(r.details, Compensation)
              and r.details.compensation_kind is CompensationKind.MERIT]
    assert len(merits) > 2000
    assert abs(mean(merits) - DemoParameters().merit_raise_mean) < 0.15
    assert {r.effective_on.month for r in org.events if isinstance(r.details, Compensation)
            and r.details.compensation_kind is CompensationKind.MERIT} == {4}


def test_several_micro_progressions_per_person_quarter(org: Organization,
                                                       by_person: dict[str, list]) -> None:
    micro = sum(1 for records in by_person.values() for r in records
                if r.details.kind in MICRO_PROGRESSIONS
                and r.effective_on != records[0].effective_on)  # not the hire-day baseline
    per_quarter = micro / (4 * exposure_years(org, by_person))
    assert 2.0 <= per_quarter <= 4.0, per_quarter
    kinds = Counter(r.details.kind for r in org.events)
    for kind in MICRO_PROGRESSIONS - {EventKind.DEMONSTRATED}:  # the demo has no criteria
        assert kinds[kind] > 0, kind


def test_fragmented_people_spread_across_functions_without_recognition(
        org: Organization, by_person: dict[str, list]) -> None:
    assert org.fragmented and org.unrecognized
    spread = []
    recognized = []
    for handle in org.fragmented:
        functions = {r.details.function for r in by_person[handle]
                     if isinstance(r.details, Responsibility) and r.details.share > 0}
        spread.append(len(functions))
        recognized.append(sum(1 for r in by_person[handle] if isinstance(r.details,
                                                                          Recognition)))
    assert mean(spread) >= 2.5
    everyone = mean(sum(1 for r in records if isinstance(r.details, Recognition))
                    for records in by_person.values())
    assert mean(recognized) < everyone / 3


def test_unrecognized_people_have_long_recognition_gaps(org: Organization,
                                                        by_person: dict[str, list]) -> None:
    def longest_gap(records: list) -> int:
        days = [records[0].effective_on] + [r.effective_on for r in records
                                            if isinstance(r.details, Recognition)]
        days.append(records[-1].effective_on)
        return max((b - a).days for a, b in itertools.pairwise(days))

    long_tenure = [h for h in org.unrecognized
                   if (by_person[h][-1].effective_on - by_person[h][0].effective_on).days > 730]
    assert long_tenure
    unrecognized = mean(longest_gap(by_person[h]) for h in long_tenure)
    assert unrecognized > 365
    others = [h for h, records in by_person.items() if h not in org.unrecognized
              and h not in org.fragmented
              and (records[-1].effective_on - records[0].effective_on).days > 730]
    assert unrecognized > 2 * mean(longest_gap(by_person[h]) for h in others)


def test_departures_peak_in_a_new_role_and_rise_again_with_stagnation(
        org: Organization, by_person: dict[str, list]) -> None:
    """Departures per person-quarter, by quarters since the last hire, promotion or move:
    highest in the first year after a promotion or a move, lowest after about two years,
    rising again with long stagnation (``DemoParameters.departure_hazard``)."""
    at_risk: Counter[str] = Counter()
    left: Counter[str] = Counter()
    end = org.end.toordinal()
    progress = (EventKind.HIRE, EventKind.PROMOTION, EventKind.LATERAL_MOVE)
    for handle, records in by_person.items():
        if handle in org.managers:
            continue
        marks = [r.effective_on.toordinal() for r in records if r.details.kind in progress]
        last = records[-1]
        departed = last.effective_on.toordinal() if last.details.kind is EventKind.DEPARTURE \
            else None
        day = marks[0]
        while day < (departed or end):
            since = max(m for m in marks if m <= day)
            quarters = (day - since) // 91
            band = (("new" if since != marks[0] else "hired") if quarters < 4
                    else "settled" if 8 <= quarters < 12
                    else "stagnant" if quarters >= 16 else "between")
            at_risk[band] += 1
            if departed is not None and day <= departed < day + 91:
                left[band] += 1
            day += 91
    rate = {band: left[band] / at_risk[band] for band in at_risk}
    assert rate["new"] > 1.3 * rate["settled"], rate
    assert rate["stagnant"] > 1.15 * rate["settled"], rate


def test_small_organizations_work(framework: Framework) -> None:
    for people in (1, 5, 40):
        org = generate_organization(framework, people=people, years=1, seed=1, end=END)
        assert len(org.people) == people
        assert sum(1 for r in org.events if r.details.kind is EventKind.HIRE) == people


def test_the_generator_needs_the_software_company_framework() -> None:
    resource = files("trellis") / "frameworks" / "nursing.yaml"
    nursing, _ = parse_framework(resource.read_text(encoding="utf-8"), "nursing.yaml")
    with pytest.raises(ValueError, match="software-company"):
        generate_organization(nursing, people=10, years=1, seed=1, end=END)
