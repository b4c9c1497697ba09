"""A seeded organization on the software-company framework, as ledger records.

``generate_organization`` simulates every person quarter by quarter from their hire to
``end`` (or their departure) with the rates in ``DemoParameters``, and returns people and
events exactly as an import file would hold them, so the demo goes through the same
validation as user input. The parameters are the generator's *true* rates: analytics that
calibrate from the ledger can be checked against them.

The model, per person and calendar quarter (rates scaled by the share of the quarter the
person was employed), calibrated to published figures (docs/strategy.md cites each):

- skill steps from up to ``concurrent_competencies`` learning threads at once, each staying
  with a competency until the next role's need is met and taking a gamma-distributed time
  set by the step's difficulty and the person's pace, so steps in different competencies
  overlap; kudos (Poisson); awards, spot bonuses, certifications, project leadership,
  responsibilities, bonuses and lateral moves (each a Bernoulli chance);
- a merit raise once a year (the merit month), an occasional bonus;
- a promotion with ``DemoParameters.promotion_hazard`` (rising with readiness, the share
  of the next role's expectations met, and with time in level), with a raise near 9.5%;
- a departure with ``DemoParameters.departure_hazard``: a new role's risk after the hire,
  a promotion or a lateral move, fading over two years, and a risk rising with quarters
  since the last progression; managers stay;
- a check-in near the quarter's end, its engagement the person's baseline plus a lift from
  promotions, moves and recognition that halves each quarter.

Some people are *fragmented* (duties spread into other functions, with no recognition or
promotion following) and some *unrecognized* (long recognition gaps). Standard library
only; no I/O.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any

from trellis.domain.events import (
    Certification,
    CheckIn,
    Compensation,
    CompensationKind,
    Departure,
    DepartureKind,
    Hire,
    LateralMove,
    ProjectLeadership,
    Promotion,
    Recognition,
    RecognitionKind,
    Responsibility,
    SkillStep,
)
from trellis.domain.framework import Framework
from trellis.domain.records import EventRecord, PersonRecord

EARLY, MID, LATE = "early", "mid", "late"


@dataclass(frozen=True, slots=True)
class DemoParameters:
    """Every true rate and effect of the generator. Probabilities are per quarter."""

    # --- population and hires
    career_stage_split: tuple[float, float, float] = (0.45, 0.40, 0.15)  # early, mid, late
    track_mix: tuple[tuple[str, float], ...] = (
        ("engineering", 0.70), ("product", 0.13), ("design", 0.17))
    initial_share: float = 0.55  # of people, hired before the period (with history)
    pre_start_years: float = 2.0  # how far before the period that initial population starts
    team_span: int = 7  # reports per first-line manager
    manager_span: int = 6  # managers per director
    hire_band_position: float = 0.5  # pay at hire: uniform over the band's lowest share
    baseline_offsets: tuple[tuple[int, float], ...] = ((-1, 0.30), (0, 0.55), (1, 0.15))
    # --- micro-progressions
    concurrent_competencies: int = 3  # learning threads a person works on at once
    skill_step_quarters: float = 2.4  # mean time of a step of difficulty 1, at pace 1
    step_difficulty: tuple[float, ...] = (0.5, 0.7, 1.0, 1.4, 1.9)  # steps to mastery 1..5
    step_time_shape: float = 3.0  # gamma shape of a step's time (coefficient of variation
    #                               1/sqrt(3))
    pace_sd: float = 0.3  # log-sd of a person's pace: some learn twice as fast as others
    skill_step_toward_next_role: float = 0.8  # else a stretch step in the track's skills
    kudos_per_quarter: float = 1.0  # Poisson mean
    award_probability: float = 0.03
    spot_bonus_probability: float = 0.03
    certification_probability: float = 0.05
    project_leadership_probability: float = 0.12
    responsibility_probability: float = 0.05  # a side duty in an adjacent function
    side_duty_end_probability: float = 0.4  # a responsibility event ends a side duty
    side_duty_recognized_probability: float = 0.6  # kudos the day a duty is taken on
    bonus_probability: float = 0.04
    lateral_move_probability: float = 0.015
    # --- pay
    merit_month: int = 4  # merit raises take effect on the 1st of this month, yearly
    merit_raise_mean: float = 3.3  # percent
    merit_raise_sd: float = 1.0
    merit_skip_probability: float = 0.05
    promotion_raise_mean: float = 9.5  # percent
    promotion_raise_sd: float = 2.0
    # --- promotions: see promotion_hazard
    promotion_base_hazard: float = 0.025
    promotion_readiness_floor: float = 0.2
    promotion_readiness_weight: float = 1.8
    promotion_time_effect: float = 0.06  # per quarter in level
    promotion_time_cap_quarters: int = 16
    promotion_min_quarters: int = 3
    promotion_level_factor: tuple[float, ...] = (1.7, 1.5, 1.15, 0.8, 0.6, 0.45, 0.3)
    # --- people whose growth goes unseen
    fragmented_share: float = 0.08
    fragmented_responsibility_probability: float = 0.35  # duties in other tracks' functions
    fragmented_recognition_factor: float = 0.1
    fragmented_promotion_factor: float = 0.4
    unrecognized_share: float = 0.07
    unrecognized_recognition_factor: float = 0.05
    # --- departures: see departure_hazard
    departure_base_hazard: float = 0.03
    departure_stagnation_slope: float = 0.0015  # per quarter since the last progression
    departure_max_hazard: float = 0.2
    departure_newcomer_excess: float = 0.02  # after the hire, fading over the quarters below
    departure_promoted_excess: float = 0.08  # the same after a promotion
    departure_lateral_excess: float = 0.055  # and after a lateral move
    departure_newcomer_quarters: float = 8.0
    involuntary_share: float = 0.15
    late_career_retirement_share: float = 0.25
    # --- engagement (the latent level behind check-ins, 1-5)
    engagement_start_mean: float = 3.8
    engagement_start_sd: float = 0.5
    engagement_kept_per_quarter: float = 0.5  # of the lift: a promotion's fades in a year
    engagement_promotion_jump: float = 0.9
    engagement_lateral_jump: float = 0.4
    engagement_recognition_lift: float = 0.03
    engagement_noise_sd: float = 0.4

    def promotion_hazard(self, readiness: float, quarters_in_level: int, rank: int,
                         fragmented: bool = False) -> float:
        """The chance of a promotion in a quarter (before the next role is known to exist)."""
        if quarters_in_level < self.promotion_min_quarters:
            return 0.0
        factors = self.promotion_level_factor
        level = factors[min(rank, len(factors)) - 1]
        ready = self.promotion_readiness_floor + self.promotion_readiness_weight * readiness ** 2
        timed = 1 + self.promotion_time_effect * min(quarters_in_level,
                                                     self.promotion_time_cap_quarters)
        hazard = self.promotion_base_hazard * level * ready * timed
        return hazard * (self.fragmented_promotion_factor if fragmented else 1.0)

    def departure_hazard(self, quarters_since_progression: int,
                         excess: float | None = None) -> float:
        """The chance an individual contributor leaves in a quarter: the ``excess`` risk of
        a new role (a newcomer's after the hire, the default; ``departure_promoted_excess``
        or ``departure_lateral_excess`` after a promotion or a move), fading over
        ``departure_newcomer_quarters``; then rising with stagnation."""
        q = quarters_since_progression
        excess = self.departure_newcomer_excess if excess is None else excess
        fresh = excess * max(0.0, 1 - q / self.departure_newcomer_quarters)
        return min(self.departure_max_hazard, self.departure_base_hazard + fresh
                   + self.departure_stagnation_slope * q)


@dataclass(frozen=True, slots=True)
class Organization:
    people: list[PersonRecord]
    events: list[EventRecord]
    params: DemoParameters
    start: date  # the period's first day (the initial population was hired before it)
    end: date
    stages: dict[str, str] = field(default_factory=dict)  # handle -> career stage at hire
    managers: frozenset[str] = frozenset()
    fragmented: frozenset[str] = frozenset()
    unrecognized: frozenset[str] = frozenset()


# --- the organization's shape on the software-company framework

_REQUIRED = ("em-l4", "em-l5", "em-l6", "em-l7", "pm-l5", "pm-l6", "pm-l7")
_IC_TRACKS = ("engineering", "product", "design")
_MANAGER_ROLES = frozenset({"em-l4", "em-l5", "em-l6", "em-l7", "pm-l6", "pm-l7"})
_IC_CAP = {"product": 5}  # IC product managers stop at L5 (L6+ lead people)
_ADJACENT = {"engineering": ("product", "design"), "product": ("engineering", "design"),
             "design": ("product", "engineering"), "engineering-management": ("engineering",)}
_STAGE_LEVELS = {EARLY: ((1, 0.5), (2, 0.5)), MID: ((3, 0.55), (4, 0.45)),
                 LATE: ((5, 0.7), (6, 0.25), (7, 0.05))}

_FIRST = (
    "ada", "alan", "grace", "linus", "barbara", "edsger", "margaret", "dennis", "frances",
    "ken", "radia", "tim", "hedy", "donald", "katherine", "john", "annie", "guido", "sophie",
    "yukihiro", "fei", "andrew", "priya", "arjun", "mei", "wei", "chen", "hiroshi", "yuki",
    "aisha", "omar", "fatima", "karim", "leila", "noor", "samir", "amara", "kwame", "chidi",
    "ngozi", "tunde", "zara", "lucia", "mateo", "sofia", "diego", "camila", "javier", "elena",
    "marco", "giulia", "luca", "anna", "jonas", "lena", "felix", "emma", "noah", "olivia",
    "liam", "ava", "ethan", "mia", "lucas", "isla", "oscar", "freya", "hugo", "alice", "leo",
    "chloe", "jack", "ines", "tomas", "maja", "erik", "astrid", "nils", "ingrid", "piotr",
    "agnieszka", "pavel", "olga", "dmitri", "irina", "ravi", "deepa", "vikram", "anjali",
    "sanjay", "kavya", "rahul", "nadia", "yusuf", "selin", "emre", "hana", "minjun", "jiwoo",
    "thanh", "linh", "kofi", "abena", "mateus", "beatriz", "rafael", "clara", "daniel",
    "sarah", "michael", "laura", "david", "julia", "paul", "maria", "peter", "nina",
)
_LAST = (
    "lovelace", "turing", "hopper", "torvalds", "liskov", "dijkstra", "hamilton", "ritchie",
    "allen", "thompson", "perlman", "berners-lee", "lamarr", "knuth", "johnson", "mccarthy",
    "easley", "lindqvist", "wilson", "matsumoto", "li", "ng", "patel", "sharma", "wang",
    "zhang", "chen", "tanaka", "sato", "suzuki", "khan", "hassan", "ali", "haddad", "mansour",
    "okafor", "mensah", "adeyemi", "eze", "diallo", "garcia", "martinez", "rodriguez", "lopez",
    "gonzalez", "fernandez", "rossi", "bianchi", "ferrari", "romano", "muller", "schmidt",
    "schneider", "fischer", "weber", "meyer", "wagner", "becker", "smith", "jones", "brown",
    "taylor", "williams", "davies", "evans", "thomas", "roberts", "walker", "wright", "martin",
    "bernard", "dubois", "laurent", "moreau", "lefebvre", "nielsen", "jensen", "hansen",
    "larsen", "andersson", "johansson", "karlsson", "nowak", "kowalski", "wisniewski",
    "novak", "horvat", "ivanov", "petrov", "smirnov", "kumar", "singh", "gupta", "reddy",
    "iyer", "nair", "yilmaz", "demir", "kaya", "kim", "lee", "park", "choi", "nguyen",
    "tran", "pham", "silva", "santos", "oliveira", "costa", "pereira", "murphy", "kelly",
    "obrien", "walsh", "byrne", "cohen", "levi", "friedman", "novotny", "horvath",
)

_CERTIFICATIONS = (
    # name, issuer, competency, tracks
    ("AWS Certified Solutions Architect - Associate", "Amazon Web Services", "system_design",
     ("engineering", "engineering-management")),
    ("Certified Kubernetes Administrator", "CNCF", "operations", ("engineering",)),
    ("Certified Kubernetes Application Developer", "CNCF", "coding", ("engineering",)),
    ("HashiCorp Certified: Terraform Associate", "HashiCorp", "operations", ("engineering",)),
    ("CompTIA Security+", "CompTIA", "security", ("engineering",)),
    ("Google Professional Cloud Architect", "Google Cloud", "system_design", ("engineering",)),
    ("ISTQB Certified Tester Foundation Level", "ISTQB", "testing", ("engineering", "design")),
    ("Professional Scrum Master I", "Scrum.org", "planning",
     ("engineering", "engineering-management", "product")),
    ("Certified Scrum Product Owner", "Scrum Alliance", "product_discovery", ("product",)),
    ("Pragmatic Institute Foundations", "Pragmatic Institute", "product_discovery",
     ("product",)),
    ("Google Data Analytics Certificate", "Google", "data_analysis", ("product", "design")),
    ("UX Certification", "Nielsen Norman Group", "user_research", ("design", "product")),
    ("CPACC accessibility certification", "IAAP", "visual_design", ("design",)),
    ("Interaction Design specialization", "Interaction Design Foundation",
     "interaction_design", ("design",)),
    ("Certified Manager", "Institute of Certified Professional Managers", "people_management",
     ("engineering-management",)),
)
_PROJECTS = tuple(
    f"{area} {what}"
    for area in ("Checkout", "Search", "Billing", "Onboarding", "Notifications", "Mobile app",
                 "Data pipeline", "Design system", "API gateway", "Identity", "Reporting",
                 "Payments", "Observability", "Pricing page")
    for what in ("v2", "migration", "redesign", "performance push", "reliability program",
                 "launch", "rewrite")
)
_EVIDENCE = ("peer-reviewed work sample", "shipped work reviewed with the manager",
             "design doc approved by the team", "feedback from a review panel",
             "demo to the team", "pairing sessions and review notes")
_KUDOS = ("great help on a tricky bug", "smooth launch", "thoughtful code reviews",
          "unblocked the team", "excellent write-up", "calm incident handling",
          "mentored a new hire", "went the extra mile for a customer",
          "clear stakeholder update", "helpful design critique")
_AWARDS = ("Quarterly impact award", "Customer hero award", "Engineering excellence award",
           "Team player of the quarter", "Innovation award")
_DUTIES = {"engineering": "on-call and code reviews for another team",
           "engineering-management": "running one-to-ones and hiring loops",
           "product": "backlog and roadmap grooming", "design": "UI mock-ups and UX reviews"}
_LEAVING = {DepartureKind.VOLUNTARY: ("left for another company", "relocated",
                                      "career change", "left for a startup"),
            DepartureKind.INVOLUNTARY: ("role eliminated", "performance"),
            DepartureKind.RETIREMENT: ("retired",)}

# Event codes inside a quarter, in the order same-day events are applied.
_MERIT, _PROMO, _LATERAL, _SKILL, _CERT, _PROJECT, _RESP, _KUDOS_C, _AWARD, _SPOT, _BONUS, \
    _CHECKIN = range(12)


class _Shape:
    """What the simulation needs from the framework, precomputed for speed."""

    def __init__(self, framework: Framework) -> None:
        missing = [r for r in _REQUIRED if r not in framework.roles]
        if missing or any(t not in framework.tracks for t in _IC_TRACKS):
            raise ValueError("the demo generator needs the software-company framework "
                             f"(missing roles: {', '.join(missing) or 'none'})")
        fw = framework
        self.framework = fw
        self.scale_max = {c.id: c.scale.max for c in fw.competencies.values()}
        self.comp_names = {c.id: c.name for c in fw.competencies.values()}
        self.expects = {r.id: tuple((c, m) for c, m in r.expects.items() if m > 0)
                        for r in fw.roles.values()}
        self.rank = {r.id: fw.rank_of(r.id) for r in fw.roles.values()}
        self.track = {r.id: r.track for r in fw.roles.values()}
        self.band = {r.id: (r.pay_band.min, r.pay_band.max) if r.pay_band else (60000, 90000)
                     for r in fw.roles.values()}
        self.next: dict[str, str | None] = {}
        for role in fw.roles.values():
            nxt = fw.next_role(role.id)
            if role.id in _MANAGER_ROLES and role.id != "em-l4":
                nxt = None  # directors and executives are not promoted in the demo
            elif nxt is not None and ((nxt.id in _MANAGER_ROLES and role.id != "em-l4")
                                      or self.rank[nxt.id] > _IC_CAP.get(role.track, 99)):
                nxt = None
            self.next[role.id] = nxt.id if nxt else None
        # Individual-contributor roles (pm-l5 is both: a group PM may lead PMs or not).
        self.ic_roles = {r.id for r in fw.roles.values()
                         if r.track in _IC_TRACKS and r.id not in _MANAGER_ROLES}
        self.lateral = {
            r: [o for o in sorted(self.ic_roles) if o != r and self.track[o] != self.track[r]
                and self.rank[o] == self.rank[r]]
            for r in self.ic_roles
        }
        self.by_track_rank: dict[str, dict[int, str]] = {}
        for r in sorted(self.ic_roles):
            self.by_track_rank.setdefault(self.track[r], {})[self.rank[r]] = r
        self.stretch = {
            t: tuple(sorted({c for r in fw.roles_of_track(t) for c, m in r.expects.items()
                             if m > 0}))
            for t in fw.tracks
        }
        self.certs = {t: tuple((n, i, c) for n, i, c, ts in _CERTIFICATIONS
                               if t in ts and c in fw.competencies)
                      for t in fw.tracks}
        self.evidence = {c: tuple(f"{self.comp_names[c]}: {e}" for e in _EVIDENCE)
                         for c in fw.competencies}

    def ic_role(self, track: str, rank: int) -> str:
        roles = self.by_track_rank[track]
        nearest = min(roles, key=lambda r: (abs(r - rank), -r))
        return roles[nearest]


def generate_organization(
    framework: Framework,
    *,
    people: int,
    years: float,
    seed: int,
    end: date,
    params: DemoParameters = DemoParameters(),
) -> Organization:
    """A whole organization's people and events, reproducible from ``seed``."""
    if people < 1:
        raise ValueError("people must be at least 1")
    if years <= 0:
        raise ValueError("years must be positive")
    sim = _Simulation(_Shape(framework), params, random.Random(seed), people, years, end)
    return sim.run()


@dataclass(slots=True)
class _Person:
    handle: str
    name: str
    role: str
    stage: str
    hire: int  # date ordinal
    manager: int | None  # index of the manager
    is_manager: bool = False
    fragmented: bool = False
    unrecognized: bool = False
    leave: int | None = None


class _Simulation:
    def __init__(self, shape: _Shape, params: DemoParameters, rnd: random.Random,
                 people: int, years: float, end: date) -> None:
        self.shape, self.p, self.rnd, self.n = shape, params, rnd, people
        self.end_ord = end.toordinal()
        self.start_ord = self.end_ord - round(years * 365.25)
        self.out: list[tuple[int, int, Any, str, str | None]] = []
        self.pending_kudos: list[tuple[int, int, int, int]] = []  # out index, team, who, day
        self.persons: list[_Person] = []
        self.rosters: dict[int, list[int]] = {}
        self.team_size: dict[int, int] = {}
        self.groups: dict[str, list[int]] = {}  # track -> the managers its ICs report to
        self._handles: dict[str, int] = {}

    # --- people

    def _name(self) -> tuple[str, str]:
        first, last = self.rnd.choice(_FIRST), self.rnd.choice(_LAST)
        base = f"{first}.{last}"
        count = self._handles.get(base, 0) + 1
        self._handles[base] = count
        handle = base if count == 1 else f"{base}{count}"
        name = f"{first.capitalize()} {'-'.join(p.capitalize() for p in last.split('-'))}"
        return handle, name

    def _add(self, role: str, stage: str, hire: int, manager: int | None,
             is_manager: bool = False) -> int:
        handle, name = self._name()
        idx = len(self.persons)
        self.persons.append(_Person(handle, name, role, stage, hire, manager, is_manager))
        if manager is not None:
            self.rosters.setdefault(manager, []).append(idx)
            self.team_size[manager] = self.team_size.get(manager, 0) + 1
        return idx

    def _pick_manager(self, track: str) -> int | None:
        group = self.groups.get(track) or self.groups.get("engineering") or []
        if not group:
            return None
        a, b = self.rnd.choice(group), self.rnd.choice(group)
        return a if self.team_size.get(a, 0) <= self.team_size.get(b, 0) else b

    def _build_people(self) -> None:
        p, rnd, n = self.p, self.rnd, self.n
        pre = round(p.pre_start_years * 365.25)
        first_ord = self.start_ord - pre

        def early_hire(span_years: float) -> int:
            # Leaders are hired before the people they lead.
            return first_ord - 1 - int(rnd.random() * span_years * 365.25)

        ics_expected = n * 0.6
        eng_share = dict(p.track_mix).get("engineering", 0.7)
        n_em = math.ceil(ics_expected * eng_share / p.team_span) if n >= 12 else 0
        n_gpm = math.ceil(ics_expected * (1 - eng_share) / p.team_span) if n >= 30 else 0
        n_eng_dir = math.ceil(n_em / p.manager_span) if n_em > p.manager_span else 0
        n_prod_dir = math.ceil(n_gpm / p.manager_span) if n_gpm > p.manager_span else 0

        vp_eng = self._add("em-l7", LATE, early_hire(1.0) - 365, None, True)
        vp_prod = self._add("pm-l7", LATE, early_hire(1.0) - 365, None, True) if n_gpm else None
        eng_dirs = [self._add("em-l6", LATE, early_hire(1.0) - 180, vp_eng, True)
                    for _ in range(n_eng_dir)]
        prod_dirs = [self._add("pm-l6", LATE, early_hire(1.0) - 180, vp_prod, True)
                     for _ in range(n_prod_dir)]
        self.groups = {"engineering-management": eng_dirs or [vp_eng],
                       "product-lead": prod_dirs or ([vp_prod] if vp_prod is not None else [])}
        ems = []
        for _ in range(n_em):
            role = "em-l4" if rnd.random() < 0.7 else "em-l5"
            ems.append(self._add(role, MID if role == "em-l4" else LATE, early_hire(2.0),
                                 self._pick_manager("engineering-management"), True))
        gpms = [self._add("pm-l5", LATE, early_hire(2.0), self._pick_manager("product-lead"),
                          True) for _ in range(n_gpm)]
        self.groups["engineering"] = ems or [vp_eng]
        self.groups["product"] = self.groups["design"] = gpms or self.groups["engineering"]

        # Individual contributors: the initial population, then hires over the period.
        tracks = [t for t, _ in p.track_mix]
        weights = [w for _, w in p.track_mix]
        stages = (EARLY, MID, LATE)
        initial = max(0, round(n * p.initial_share) - len(self.persons))
        while len(self.persons) < n:
            track = rnd.choices(tracks, weights)[0]
            stage = rnd.choices(stages, p.career_stage_split)[0]
            levels = _STAGE_LEVELS[stage]
            rank = rnd.choices([lv for lv, _ in levels], [w for _, w in levels])[0]
            role = self.shape.ic_role(track, rank)
            if initial > 0:
                initial -= 1
                hire = first_ord + int(rnd.random() * pre)
            else:
                hire = self.start_ord + int(rnd.random() * (self.end_ord - self.start_ord + 1))
            idx = self._add(role, stage, hire, self._pick_manager(track))
            person = self.persons[idx]
            person.fragmented = rnd.random() < p.fragmented_share
            person.unrecognized = rnd.random() < p.unrecognized_share

    # --- the run

    def run(self) -> Organization:
        self._build_people()
        first = min(person.hire for person in self.persons)
        self._quarters(first)
        for idx in range(len(self.persons)):
            self._career(idx)
        self._resolve_givers()
        return self._organization()

    def _quarters(self, first: int) -> None:
        d = date.fromordinal(first)
        year, month = d.year, (d.month - 1) // 3 * 3 + 1
        starts, merit = [], []
        while True:
            start = date(year, month, 1).toordinal()
            starts.append(start)
            in_quarter = month <= self.p.merit_month < month + 3
            merit.append(date(year, self.p.merit_month, 1).toordinal() if in_quarter else 0)
            if start > self.end_ord:
                break
            month += 3
            if month > 12:
                year, month = year + 1, 1
        self.q_starts, self.q_merit = starts, merit

    def _career(self, idx: int) -> None:
        p, shape, person = self.p, self.shape, self.persons[idx]
        rnd = self.rnd
        rand, gauss = rnd.random, rnd.gauss
        out = self.out
        emit = out.append
        persons = self.persons
        end_ord = self.end_ord
        q_starts, q_merit = self.q_starts, self.q_merit
        expects, scale_max, rank_of = shape.expects, shape.scale_max, shape.rank
        next_of, track_of = shape.next, shape.track

        role = person.role
        track = track_of[role]
        hire = person.hire
        is_manager = person.is_manager
        fragmented, unrecognized = person.fragmented, person.unrecognized
        mgr = person.manager
        mgr_handle = persons[mgr].handle if mgr is not None else "hr"
        mgr_hire = persons[mgr].hire if mgr is not None else hire

        lo_band, hi_band = shape.band[role]
        pay = int((lo_band + rand() * p.hire_band_position * (hi_band - lo_band)) / 500) * 500
        emit((hire, idx, Hire(role, pay), "hr", "signed offer"))
        author = mgr_handle if hire >= mgr_hire else "hr"
        mastery: dict[str, int] = {}
        offsets = [o for o, _ in p.baseline_offsets]
        offset_weights = [w for _, w in p.baseline_offsets]
        for comp, expected in expects[role]:
            level = expected + rnd.choices(offsets, offset_weights)[0]
            level = max(0, min(level, scale_max[comp]))
            if level > 0:
                mastery[comp] = level
                emit((hire, idx, SkillStep(comp, 0, level), author,
                      "baseline assessment at hire"))
        primary = track
        emit((hire, idx, Responsibility(primary, 1.0, "primary function"), author, None))
        side: dict[str, float] = {}

        baseline = gauss(p.engagement_start_mean, p.engagement_start_sd)
        lift = 0.0  # what promotions, moves and recognition add to it, fading each quarter
        rec_factor = (p.unrecognized_recognition_factor if unrecognized
                      else p.fragmented_recognition_factor if fragmented else 1.0)
        kudos_l = p.kudos_per_quarter * rec_factor
        award_p = p.award_probability * rec_factor
        spot_p = p.spot_bonus_probability * rec_factor
        pace = math.exp(gauss(0.0, p.pace_sd))
        difficulty = p.step_difficulty
        step_days = p.skill_step_quarters * 91.3125 / pace / p.step_time_shape
        gamma = rnd.gammavariate
        resp_p = (p.fragmented_responsibility_probability if fragmented
                  else p.responsibility_probability)
        lateral_options = [] if is_manager else shape.lateral.get(role, [])
        certs = shape.certs.get(track, ())
        stretch = shape.stretch[track]
        evidence_of = shape.evidence
        nxt = next_of[role]
        target = expects[nxt] if nxt else expects[role]

        def pick(busy: list[list[Any]]) -> str | None:
            """A competency to work on next, not one another thread is on."""
            taken = {t[1] for t in busy}
            gaps = [c for c, m in target if mastery.get(c, 0) < m and c not in taken]
            if gaps and rand() < p.skill_step_toward_next_role:
                return gaps[int(rand() * len(gaps))]
            room = [c for c in stretch if mastery.get(c, 0) < scale_max[c] and c not in taken]
            if room:
                return room[int(rand() * len(room))]
            return gaps[int(rand() * len(gaps))] if gaps else None

        def due(start: int, comp: str | None) -> int:
            if comp is None:
                return 1 << 40
            level = min(mastery.get(comp, 0), len(difficulty) - 1)
            return start + 1 + int(gamma(p.step_time_shape, step_days * difficulty[level]))

        # Learning threads, each [due day, competency]: steps in different competencies
        # run side by side, each taking time by its difficulty and the person's pace.
        threads: list[list[Any]] = []
        for _ in range(p.concurrent_competencies):
            first = pick(threads)
            threads.append([due(hire, first), first])

        q = bisect.bisect_right(q_starts, hire) - 1
        role_q = last_progress_q = q
        excess = p.departure_newcomer_excess
        n_quarters = len(q_starts) - 1
        leave = None
        while q < n_quarters:
            qs, qe = q_starts[q], q_starts[q + 1] - 1
            lo, hi = max(qs, hire + 1), min(qe, end_ord)
            if lo > hi:
                if qs > end_ord:
                    break
                q += 1
                continue
            frac = (hi - lo + 1) / (qe - qs + 1)
            lift *= p.engagement_kept_per_quarter
            departing = None
            if not is_manager and rand() < p.departure_hazard(q - last_progress_q,
                                                                 excess) * frac:
                departing = lo + int(rand() * (hi - lo + 1))
                hi = departing - 1
                # a leaver's last quarter is only the days before they leave
                frac = max(0, hi - lo + 1) / (qe - qs + 1)
            span = hi - lo + 1
            plan: list[tuple[int, int, int]] = []
            if span > 0:
                merit_day = q_merit[q]
                if merit_day and lo <= merit_day <= hi and merit_day - hire >= 90:
                    plan.append((merit_day, _MERIT, 0))
                promoted = False
                if nxt is not None:
                    need = expects[nxt]
                    met = sum(1 for c, m in need if mastery.get(c, 0) >= m)
                    hazard = p.promotion_hazard(met / len(need) if need else 1.0, q - role_q,
                                                rank_of[role], fragmented)
                    if rand() < hazard * frac:
                        plan.append((lo + int(rand() * span), _PROMO, 0))
                        promoted = True
                if lateral_options and not promoted and \
                        rand() < p.lateral_move_probability * frac:
                    plan.append((lo + int(rand() * span), _LATERAL, 0))
                for code, chance in ((_CERT, p.certification_probability),
                                     (_PROJECT, p.project_leadership_probability),
                                     (_RESP, resp_p), (_AWARD, award_p), (_SPOT, spot_p),
                                     (_BONUS, p.bonus_probability)):
                    if rand() < chance * frac:
                        plan.append((lo + int(rand() * span), code, 0))
                limit, k, u = math.exp(-kudos_l * frac), 0, rand()
                while u > limit:
                    k += 1
                    u *= rand()
                for _ in range(k):
                    plan.append((lo + int(rand() * span), _KUDOS_C, 0))
                for t, thread in enumerate(threads):
                    if thread[1] is None:  # idle: nothing was left to learn
                        thread[1] = pick(threads)
                        thread[0] = due(lo, thread[1])
                    thread[0] = max(thread[0], lo)
                    if thread[0] <= hi:
                        plan.append((thread[0], _SKILL, t))
                check = qe - int(rand() * 10)
                if lo <= check <= hi and check - hire >= 30:
                    plan.append((check, _CHECKIN, 0))
                heapq.heapify(plan)
            while plan:
                day, code, arg = heapq.heappop(plan)
                author = mgr_handle if day >= mgr_hire else "hr"
                if code == _SKILL:
                    thread = threads[arg]
                    comp = thread[1]
                    level = mastery.get(comp, 0)
                    if level < scale_max[comp]:
                        mastery[comp] = level + 1
                        ev = evidence_of[comp]
                        emit((day, idx, SkillStep(comp, level, level + 1), author,
                              ev[int(rand() * len(ev))]))
                    # keep at a competency until the target's need is met, then move on
                    wanted = dict(target).get(comp, 0)
                    if mastery[comp] >= max(wanted, 1) or mastery[comp] >= scale_max[comp]:
                        thread[1] = None
                        thread[1] = pick(threads)
                    thread[0] = due(day, thread[1])
                    if thread[0] <= hi:
                        heapq.heappush(plan, (thread[0], _SKILL, arg))
                elif code == _KUDOS_C:
                    self.pending_kudos.append((len(out), mgr if mgr is not None else -1, idx,
                                               day))
                    emit((day, idx, None, author, None))
                    lift += p.engagement_recognition_lift
                elif code == _CHECKIN:
                    value = round(baseline + lift + gauss(0, p.engagement_noise_sd))
                    emit((day, idx, CheckIn(min(5, max(1, value))), author, None))
                elif code == _MERIT:
                    if rand() < p.merit_skip_probability:
                        continue
                    pct = round(min(9.0, max(0.5, gauss(p.merit_raise_mean,
                                                        p.merit_raise_sd))), 1)
                    emit((day, idx, Compensation(CompensationKind.MERIT, None, pct), "hr",
                          "annual merit cycle"))
                    pay += round(pay * pct / 100)
                elif code == _PROJECT:
                    emit((day, idx, ProjectLeadership(_PROJECTS[int(rand() * len(_PROJECTS))],
                                                      3 + int(rand() * 10)), author,
                          "project charter and launch review"))
                elif code == _CERT:
                    if not certs:
                        continue
                    name, issuer, comp = certs[int(rand() * len(certs))]
                    emit((day, idx, Certification(name, issuer, comp), author,
                          "certificate on file"))
                elif code == _RESP:
                    if fragmented:
                        others = [t for t in _ADJACENT if t != primary and t != track]
                        function = others[int(rand() * len(others))]
                        side[function] = round(min(0.2, side.get(function, 0) + 0.1
                                                   + 0.05 * int(rand() * 2)), 2)
                        emit((day, idx, Responsibility(function, side[function],
                                                       _DUTIES.get(function)), author, None))
                        share = round(max(0.4, 1 - sum(side.values())), 2)
                        emit((day, idx, Responsibility(primary, share), author, None))
                    elif side and rand() < p.side_duty_end_probability:
                        function = next(iter(side))
                        del side[function]
                        emit((day, idx, Responsibility(function, 0.0, "duty handed over"),
                              author, None))
                        emit((day, idx, Responsibility(primary, 1.0), author, None))
                    else:
                        adjacent = _ADJACENT.get(primary, ())
                        if not adjacent:
                            continue
                        function = adjacent[int(rand() * len(adjacent))]
                        side[function] = 0.1 + 0.05 * int(rand() * 3)
                        emit((day, idx, Responsibility(function, side[function],
                                                       _DUTIES.get(function)), author, None))
                        emit((day, idx, Responsibility(primary, round(
                            1 - sum(side.values()), 2)), author, None))
                        if not unrecognized and mgr is not None and day >= mgr_hire and \
                                rand() < p.side_duty_recognized_probability:
                            emit((day, idx, Recognition(f"took on {_DUTIES.get(function)}",
                                                        RecognitionKind.KUDOS, 25, mgr_handle),
                                  author, None))
                            lift += p.engagement_recognition_lift
                elif code == _AWARD:
                    emit((day, idx, Recognition(_AWARDS[int(rand() * len(_AWARDS))],
                                                RecognitionKind.AWARD,
                                                200 + 50 * int(rand() * 7),
                                                author if author != "hr" else None),
                          author, "nominated by the team"))
                    lift += 3 * p.engagement_recognition_lift
                elif code == _SPOT:
                    emit((day, idx, Recognition(_KUDOS[int(rand() * len(_KUDOS))],
                                                RecognitionKind.SPOT_BONUS, 100,
                                                author if author != "hr" else None,
                                                500 * (1 + int(rand() * 4))), author, None))
                    lift += 2 * p.engagement_recognition_lift
                elif code == _BONUS:
                    amount = int(pay * (0.03 + 0.05 * rand()) / 100) * 100
                    emit((day, idx, Compensation(CompensationKind.BONUS, amount), "hr",
                          "one-off bonus"))
                elif code == _PROMO:
                    if nxt is None:
                        continue
                    raise_pct = min(25.0, max(3.0, gauss(p.promotion_raise_mean,
                                                         p.promotion_raise_sd)))
                    pay = int(pay * (1 + raise_pct / 100) / 100) * 100
                    emit((day, idx, Promotion(nxt, pay), "hr", "promotion packet approved"))
                    role, role_q, last_progress_q = nxt, q, q
                    excess = p.departure_promoted_excess
                    nxt = next_of[role]
                    target = expects[nxt] if nxt else expects[role]
                    lift += p.engagement_promotion_jump
                elif code == _LATERAL:
                    options = shape.lateral.get(role, [])
                    if not options:
                        continue
                    new_role = options[int(rand() * len(options))]
                    emit((day, idx, LateralMove(new_role), "hr", "internal transfer"))
                    new_track = track_of[new_role]
                    if new_track != primary:
                        side.pop(new_track, None)
                        emit((day, idx, Responsibility(primary, 0.0, "moved function"),
                              author, None))
                        emit((day, idx, Responsibility(new_track, 1.0, "primary function"),
                              author, None))
                        primary = track = new_track
                        stretch = shape.stretch[track]
                        certs = shape.certs.get(track, ())
                        new_mgr = self._pick_manager(track)
                        if new_mgr is not None and new_mgr != mgr:
                            if mgr is not None:
                                self.team_size[mgr] -= 1
                            mgr = person.manager = new_mgr
                            self.rosters.setdefault(mgr, []).append(idx)
                            self.team_size[mgr] = self.team_size.get(mgr, 0) + 1
                            mgr_handle, mgr_hire = persons[mgr].handle, persons[mgr].hire
                    role, role_q, last_progress_q = new_role, q, q
                    excess = p.departure_lateral_excess
                    lateral_options = shape.lateral.get(role, [])
                    nxt = next_of[role]
                    target = expects[nxt] if nxt else expects[role]
                    lift += p.engagement_lateral_jump
            if departing is not None:
                kind = DepartureKind.VOLUNTARY
                if person.stage == LATE and rand() < p.late_career_retirement_share:
                    kind = DepartureKind.RETIREMENT
                elif rand() < p.involuntary_share:
                    kind = DepartureKind.INVOLUNTARY
                notes = _LEAVING[kind]
                emit((departing, idx, Departure(kind, notes[int(rand() * len(notes))]), "hr",
                      None))
                leave = departing
                if mgr is not None:
                    self.team_size[mgr] -= 1
                break
            q += 1
        person.role = role
        person.leave = leave

    def _resolve_givers(self) -> None:
        rand, out, persons, rosters = self.rnd.random, self.out, self.persons, self.rosters
        for at, team, who, day in self.pending_kudos:
            giver = None
            roster = rosters.get(team, ())
            for _ in range(3):
                if not roster:
                    break
                j = roster[int(rand() * len(roster))]
                other = persons[j]
                if j != who and other.hire < day and (other.leave is None or other.leave > day):
                    giver = other.handle
                    break
            if giver is None and team >= 0 and persons[team].hire < day:
                giver = persons[team].handle
            citation = _KUDOS[int(rand() * len(_KUDOS))]
            entry = out[at]
            out[at] = (entry[0], who, Recognition(citation, RecognitionKind.KUDOS,
                                                  10 * (1 + int(rand() * 5)), giver),
                       entry[3], None)

    def _organization(self) -> Organization:
        persons = self.persons
        people = [PersonRecord(i + 1, x.handle, x.name, f"{x.handle}@example.com",
                               persons[x.manager].handle if x.manager is not None else None)
                  for i, x in enumerate(persons)]
        self.out.sort(key=itemgetter(0))
        dates: dict[int, tuple[date, datetime]] = {}
        stamp = _stamps(dates, self.end_ord)
        handles = [x.handle for x in persons]
        first_line = len(people) + 1
        events: list[EventRecord] = []
        append = events.append
        for line, (day, who, details, author, evidence) in enumerate(self.out, first_line):
            on, recorded = dates.get(day) or stamp(day)
            append(EventRecord(line, handles[who], on, details, None, recorded, author,
                               evidence))
        return Organization(
            people=people, events=events, params=self.p,
            start=date.fromordinal(self.start_ord), end=date.fromordinal(self.end_ord),
            stages={x.handle: x.stage for x in persons},
            managers=frozenset(x.handle for x in persons if x.is_manager),
            fragmented=frozenset(x.handle for x in persons if x.fragmented),
            unrecognized=frozenset(x.handle for x in persons if x.unrecognized),
        )


def _stamps(cache: dict[int, tuple[date, datetime]], end_ord: int
            ) -> Callable[[int], tuple[date, datetime]]:
    """A day's date and the moment its events were recorded (that evening; today: midnight)."""

    def stamp(day: int) -> tuple[date, datetime]:
        on = date.fromordinal(day)
        at = time(0) if day >= end_ord else time(17, 30)
        cache[day] = (on, datetime.combine(on, at))
        return cache[day]

    return stamp
