"""The strategy simulation use case: calibrate from the ledger, start from people, simulate.

``simulate`` reads the calibration (``analytics.calibration``), an organization model
fitted once per state of the ledger (``calibration_model``; services.org_models), starts
the trajectories from one person's current profile or from a cohort of active people, and
runs each strategy with the same seed (common random numbers, so strategies differ by their
effort only, not by luck). The departures carry the leaving effect of frequent
micro-progression that ``trellis advise`` quotes: the ``strategy_effects`` organization
model (``analytics.strategy_effects``), per career stage and role type where its
comparison decides (``leaving_effects``), so the advice's reason and its simulation read
one fitted figure.

A cohort FILTER is ``key=value`` pairs, comma-separated, all of which must hold:
``stage=early|mid|late`` (``domain.career_stage``), ``track=ID``, ``level=ID`` (such as
``L3``) and ``role=ID``. No person and no filter: every active person. Cohorts, like the
calibration, hold individual contributors (people with no reports): the model is of
their careers; ``--person`` takes anyone employed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import orjson

from trellis.analytics.calibration import (
    PANEL_KINDS,
    Calibration,
    calibrate_of,
    quarters_in_role,
)
from trellis.analytics.simulator import LeavingEffect, Outcome, Start, parse_strategies
from trellis.analytics.simulator import simulate as run_strategy
from trellis.analytics.strategy_effects import KINDS as EFFECT_KINDS
from trellis.analytics.strategy_effects import (
    StrategyEffects,
    leaving_effects,
    strategy_effects_of,
)
from trellis.domain.career_stage import (
    DEFAULT_THRESHOLDS,
    CareerStage,
    StageThresholds,
    career_stage,
)
from trellis.domain.framework import Framework
from trellis.domain.profile import Profile
from trellis.domain.profile_document import profile_from_document
from trellis.errors import NotApplicable, NotFound, TrellisError

from . import clock, org_models
from .compare import roles_of
from .frameworks import version_in_force
from .ledger import find_person
from .ledger_snapshot import LedgerSnapshot
from .unit_of_work import UnitOfWork

MAX_YEARS = 30
MAX_RUNS = 1_000_000
FILTER_KEYS = ("stage", "track", "level", "role")


@dataclass(frozen=True, slots=True)
class Simulation:
    subject: str  # who the trajectories start from, in words
    people: int
    years: int
    runs: int
    seed: int
    calibration: Calibration
    outcomes: list[Outcome]
    model: org_models.Fitted[Calibration] | None = None  # where the calibration came from
    # the leaving effect of frequent micro-progression per (stage, role type) it applied
    leaving: Mapping[tuple[str, str], LeavingEffect] = field(default_factory=dict)
    effects_model: org_models.Fitted[StrategyEffects] | None = None

    def to_document(self) -> dict[str, Any]:
        return {"subject": self.subject, "people": self.people, "years": self.years,
                "runs": self.runs, "seed": self.seed,
                "strategies": [o.to_document() for o in self.outcomes],
                "calibration": self.calibration.to_document(),
                "leaving_effects": [
                    {"stage": stage, "role_type": role_type, **asdict(e)}
                    for (stage, role_type), e in sorted(self.leaving.items())],
                "model": self.model.to_document() if self.model else None,
                "effects_model": (self.effects_model.to_document() if self.effects_model
                                  else None)}


def departure_words(sim: Simulation) -> str:
    """The departures a simulation ran on, in words: the voluntary and other departures
    behind its model, and the leaving effect of frequent micro-progression it applied."""
    d = sim.calibration.departure
    basis = (f"departures: {d.events:,} voluntary and {d.other_events:,} others in "
             f"{d.n:,} person-quarters" if d.n else "departures: the default rate (none "
             "on the ledger to learn from)")
    if not sim.leaving:
        return basis + ("; no leaving effect of frequent micro-progression applied (the "
                        "comparison decides for no career stage and role type)")
    effects = ", ".join(
        f"{stage}-career on {role_type} tracks x{e.ratio:.2f} above {e.threshold:g} a "
        "quarter" for (stage, role_type), e in sorted(sim.leaving.items()))
    return (basis + "; frequent micro-progressors leave voluntarily at the measured ratio "
            f"to rare ones (trellis advise): {effects}")


def parse_filter(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or key not in FILTER_KEYS or not value:
            raise TrellisError(f"bad cohort filter '{text}': use key=value pairs "
                               f"({', '.join(FILTER_KEYS)}), comma-separated")
        if key == "stage" and value not in {s.value for s in CareerStage}:
            raise TrellisError(f"bad cohort filter '{text}': stage is early, mid or late")
        out[key] = value
    return out


def check_range(years: int, runs: int) -> None:
    if not 1 <= years <= MAX_YEARS:
        raise TrellisError(f"{{years}} must be from 1 to {MAX_YEARS}, not {years}",
                           years="the years ahead")
    if not 100 <= runs <= MAX_RUNS:
        raise TrellisError(f"{{runs}} must be from 100 to {MAX_RUNS:,}, not {runs:,}",
                           runs="the careers simulated per strategy")


def fit_calibration(uow: UnitOfWork, params: Mapping[str, Any], ledger: LedgerSnapshot
                    ) -> Calibration:
    """Every simulator parameter from the whole ledger, through today: individual
    contributors' person-quarters (people with no reports), band upgrades from profiles."""
    thresholds = StageThresholds(**params.get("thresholds", {}))
    today = clock.today()
    with uow.reading():
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        everyone = uow.people.all()
        managers = {p.manager_id for p in everyone if p.manager_id is not None}
        band_ups = {person_id: _band_steps(profile_from_document(orjson.loads(text)))
                    for person_id, text in uow.state.profiles()}  # a batch at a time
    contributors = {p.id for p in everyone if p.id not in managers}
    return calibrate_of(framework, ledger.people(PANEL_KINDS, contributors), end=today,
                        band_upgrades=band_ups, thresholds=thresholds)


CALIBRATION = org_models.ModelKind(
    "calibration", 3, fit_calibration, ("trellis.analytics.calibration",),
    description="the strategy simulator's rates and effects (simulate, advise, report)",
    kinds=PANEL_KINDS, reads_as="the simulator's rates")


def calibration_model(uow: UnitOfWork, thresholds: StageThresholds = DEFAULT_THRESHOLDS
                      ) -> org_models.Fitted[Calibration]:
    params = {} if thresholds == DEFAULT_THRESHOLDS else {"thresholds": asdict(thresholds)}
    return org_models.load(uow, CALIBRATION, params)


def fit_effects(uow: UnitOfWork, params: Mapping[str, Any], ledger: LedgerSnapshot
                ) -> StrategyEffects:
    """Frequent against rare micro-progressors for every stage and role type, over the
    individual contributors (the simulator's calibration panel)."""
    thresholds = StageThresholds(**params.get("thresholds", {}))
    with uow.reading():
        roles = roles_of(uow)
        everyone = uow.people.all()
    managers = {p.manager_id for p in everyone if p.manager_id is not None}
    contributors = {p.id for p in everyone if p.id not in managers}
    return strategy_effects_of(ledger.people(EFFECT_KINDS, contributors), roles,
                               end=clock.today(), thresholds=thresholds)


STRATEGY_EFFECTS = org_models.ModelKind(
    "strategy_effects", 2, fit_effects, ("trellis.analytics.strategy_effects",),
    description="frequent against rare micro-progressors at the same time in level (advise, "
    "and the simulator's leaving effect)",
    kinds=EFFECT_KINDS, reads_as="the strategy figures")


def effects_model(uow: UnitOfWork, thresholds: StageThresholds = DEFAULT_THRESHOLDS
                  ) -> org_models.Fitted[StrategyEffects]:
    params = {} if thresholds == DEFAULT_THRESHOLDS else {"thresholds": asdict(thresholds)}
    return org_models.load(uow, STRATEGY_EFFECTS, params)


def simulate(uow: UnitOfWork, *, person: str | None = None, cohort: str | None = None,
             strategy: str = "all", years: int = 10, runs: int = 10_000, seed: int = 0,
             thresholds: StageThresholds = DEFAULT_THRESHOLDS, bands: bool = True
             ) -> Simulation:
    """``bands``: the percentiles over time too (a chart's; advice reads the horizon)."""
    strategies = parse_strategies(strategy)
    check_range(years, runs)
    wanted = parse_filter(cohort) if cohort is not None else {}
    if person is not None and cohort is not None:
        raise TrellisError("give {person} or {cohort}, not both", person="a person",
                           cohort="a group")
    today = clock.today()
    with uow.reading():
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        if person is not None:  # one profile: nothing of the organization is read
            named = find_person(uow, person)
            found = uow.state.current(named.id)
        else:
            everyone = uow.people.all()
            managers = {p.manager_id for p in everyone if p.manager_id is not None}
            rows = uow.state.rows(None, ["person_id", "profile"])
    model = calibration_model(uow, thresholds)
    calibration = model.value
    effects = effects_model(uow, thresholds)
    leaving = leaving_effects(effects.value)
    if person is not None:
        if found is None or not found.active:
            raise NotApplicable("{person} is not employed: nothing to simulate",
                                person=named.term)
        chosen = [found]
        subject = f"{person}"
    else:
        profiles = [profile_from_document(orjson.loads(r["profile"])) for r in rows]
        chosen = [p for p in profiles if p.active and p.person_id not in managers
                  and _matches(p, wanted, today, thresholds)]
        if not chosen:
            raise NotFound(f"no active person matches the cohort '{cohort}'" if cohort
                           else "no active individual contributor to simulate")
        subject = (f"cohort {cohort}" if cohort
                   else "every active individual contributor")
    start = _start(chosen, framework, today, calibration)
    outcomes = [run_strategy(calibration, start, s, quarters=4 * years, runs=runs,
                             rng=np.random.default_rng(seed), bands=bands, leaving=leaving)
                for s in strategies]
    return Simulation(subject, len(chosen), years, runs, seed, calibration, outcomes, model,
                      leaving, effects)


def _band_steps(p: Profile) -> list[tuple[date, float]]:
    return [(u.on, 100 * (u.pay_after / u.pay_before - 1)
             if u.pay_before and u.pay_after else 0.0) for u in p.band_upgrades]


def _years(since: date | None, today: date) -> float:
    return max(0.0, (today - since).days / 365.25) if since else 0.0


def _matches(p: Profile, wanted: Mapping[str, str], today: date,
             thresholds: StageThresholds) -> bool:
    found = {"track": p.track, "level": p.level, "role": p.role,
             "stage": career_stage(_years(p.hired_on, today), p.level_rank, thresholds).value}
    return all(found[key] == value for key, value in wanted.items())


def _start(people: Sequence[Profile], framework: Framework, today: date,
           calibration: Calibration) -> Start:
    top: dict[str, int] = {}
    closed: dict[str, list[int]] = {}  # per track, the ranks of roles the ledger closed
    for role in framework.roles.values():
        top[role.track] = max(top.get(role.track, 1), framework.rank_of(role.id))
        if role.id in calibration.closed_roles:
            closed.setdefault(role.track, []).append(framework.rank_of(role.id))
    values: dict[str, list[float]] = {k: [] for k in (
        "rank", "top_rank", "pay", "readiness", "quarters_in_level", "quarters_since",
        "years", "engagement", "moved", "structured")}
    default_engagement = calibration.engagement["engagement_start"].value
    for p in people:
        known = p.role is not None and p.role in framework.roles
        rank = framework.rank_of(p.role) if known else (p.level_rank or 1)  # type: ignore[arg-type]
        nxt = framework.next_role(p.role) if known else None  # type: ignore[arg-type]
        need = {c: m for c, m in nxt.expects.items() if m > 0} if nxt else {}
        met = sum(1 for c, m in need.items() if p.mastery_of(c) >= m)
        values["rank"].append(rank)
        # the track's top, or the first role at or above theirs nobody is promoted from
        ceiling = min([r for r in closed.get(p.track or "", []) if r >= rank],
                      default=top.get(p.track or "", rank))
        values["top_rank"].append(ceiling if nxt else rank)
        # recorded pay only: a pay band's midpoint is the framework's figure, not this
        # person's, and a trajectory without pay has none (NaN: "no pay data")
        values["pay"].append(float(p.pay) if p.pay else math.nan)
        values["readiness"].append(met / len(need) if need else 1.0)
        in_level = quarters_in_role(p.role_since, today) if p.role_since else 0
        values["quarters_in_level"].append(in_level)
        values["quarters_since"].append(in_level)  # role_since moves on hire, promotion, move
        values["moved"].append(p.role_since is not None and p.role_since != p.hired_on)
        values["years"].append(_years(p.hired_on, today))
        track = framework.tracks.get(p.track or "")
        values["structured"].append(track is None or track.role_type.value == "structured")
        values["engagement"].append(p.engagement if p.engagement is not None
                                    else default_engagement)
    return Start.of(**{k: np.asarray(v) for k, v in values.items()})


def simulate_stages(uow: UnitOfWork, *, strategy: str = "all", years: int = 5,
                    runs: int = 2_000, seed: int = 0,
                    thresholds: StageThresholds = DEFAULT_THRESHOLDS
                    ) -> dict[str, Simulation | None]:
    """One calibration, then each career stage's active individual contributors simulated
    (None for a stage nobody is at): the report's simulations per stage."""
    strategies = parse_strategies(strategy)
    check_range(years, runs)
    today = clock.today()
    with uow.reading():
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        everyone = uow.people.all()
        managers = {p.manager_id for p in everyone if p.manager_id is not None}
        rows = uow.state.rows(None, ["person_id", "profile"])
    profiles = {r["person_id"]: profile_from_document(orjson.loads(r["profile"])) for r in rows}
    model = calibration_model(uow, thresholds)
    calibration = model.value
    effects = effects_model(uow, thresholds)
    leaving = leaving_effects(effects.value)
    out: dict[str, Simulation | None] = {}
    for stage in CareerStage:
        chosen = [p for p in profiles.values() if p.active and p.person_id not in managers
                  and _matches(p, {"stage": stage.value}, today, thresholds)]
        if not chosen:
            out[stage.value] = None
            continue
        start = _start(chosen, framework, today, calibration)
        outcomes = [run_strategy(calibration, start, s, quarters=4 * years, runs=runs,
                                 rng=np.random.default_rng(seed), leaving=leaving)
                    for s in strategies]
        out[stage.value] = Simulation(f"cohort stage={stage.value}", len(chosen), years, runs,
                                      seed, calibration, outcomes, model, leaving, effects)
    return out
