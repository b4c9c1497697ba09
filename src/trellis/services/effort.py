"""Effort estimates learned from the ledger (shared by plans and the lattice).

Two models, learned and cached together: the months a step takes (``domain.effort``, the
lattice's costs) and the throughput model (``domain.throughput``: each step's relative
difficulty and the comparable groups' priors, which plans and their forecasts use).
Learning reads every skill step of the organization (and, for criteria, every
demonstration with the hires and promotions that start a level), so the models are an
organization model (services.org_models): stored with the ledger position they were learned
at, and learned again only once the ledger has grown by more than ``RELEARN_GROWTH``:
medians over thousands of samples barely move with a few new events.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from trellis.domain.effort import (
    CriterionSample,
    EffortModel,
    StepSample,
    criterion_samples,
    learn_efforts,
    step_samples,
)
from trellis.domain.events import EventKind
from trellis.domain.throughput import (
    CAREER_KINDS,
    Aim,
    Career,
    ThroughputModel,
    careers_from_rows,
)

from . import clock, org_models
from .ledger_snapshot import LedgerSnapshot
from .plan_outcomes import calibrated_throughput, held_out_people
from .unit_of_work import UnitOfWork

# Raise it whenever what a sample is changes: a model learned by other rules is relearned
# (a change to the modules below does that by itself).
MODEL_FORMAT = 6
RELEARN_GROWTH = 0.02


def organization_samples(uow: UnitOfWork, ledger: LedgerSnapshot | None = None
                         ) -> Iterator[StepSample]:
    """Every person's live skill-step samples (inside an open unit of work), one person
    at a time: the organization's million samples are never held at once."""
    hired = {row["person_id"]: row["hired_on"] for row in uow.state.rows(
        columns=["person_id", "hired_on"])}
    steps_of = (ledger.skill_steps_by_person() if ledger is not None
                else uow.events.skill_steps().items())
    for person_id, steps in steps_of:
        yield from step_samples(person_id, hired.get(person_id), steps)


def organization_criteria_samples(uow: UnitOfWork, ledger: LedgerSnapshot | None = None
                                  ) -> list[CriterionSample]:
    """Every person's criterion samples (inside an open unit of work): the time from the
    previous demonstration in a topic, or from the start of the level, to a demonstration.
    A criterion's topic and level come from any version of the framework that has it."""
    of_kinds = ledger.rows if ledger is not None else uow.events.of_kinds
    shown_rows = of_kinds([EventKind.DEMONSTRATED])
    if not shown_rows:  # a mastery-only ledger reads nothing more
        return []
    rows = shown_rows + of_kinds([EventKind.HIRE, EventKind.PROMOTION],
                                 {r.person_id for r in shown_rows})
    criteria: dict[str, tuple[str, str]] = {}
    for version in uow.frameworks.versions():
        framework = uow.frameworks.catalog[version.id]
        criteria.update((c.id, (c.topic, c.level)) for c in framework.criteria.values())
    by_person: dict[int, list[tuple[date, str, str]]] = {}
    for r in rows:
        shown = r.kind == EventKind.DEMONSTRATED.value
        by_person.setdefault(r.person_id, []).append(
            (r.effective_on, "demonstrated" if shown else "level",
             str(r.details.get("criterion", "")) if shown else ""))
    samples: list[CriterionSample] = []
    for person_id, events in by_person.items():
        samples += criterion_samples(person_id, events, criteria)
    return samples


def careers(uow: UnitOfWork, person_ids: set[int] | None = None,
            ledger: LedgerSnapshot | None = None) -> dict[int, Career]:
    """Every person's career as the throughput model reads it (inside an open unit of
    work): roles with their track and level, and live nano-steps, from any framework
    version that has them (from ``ledger`` person by person, when given)."""
    roles: dict[str, tuple[str, str]] = {}
    criteria: dict[str, tuple[str, str]] = {}
    aims: dict[str, Aim] = {}
    for version in uow.frameworks.versions():
        framework = uow.frameworks.catalog[version.id]
        roles.update((r.id, (r.track, r.level)) for r in framework.roles.values())
        criteria.update((c.id, (c.topic, c.level)) for c in framework.criteria.values())
        for role in framework.roles.values():
            nxt = framework.next_role(role.id)
            if nxt is not None:
                aims[role.id] = (dict(nxt.expects), frozenset(nxt.criteria))
    if ledger is None:
        return careers_from_rows(uow.events.of_kinds(CAREER_KINDS, person_ids), roles,
                                 criteria, aims)
    out: dict[int, Career] = {}
    for _, rows in ledger.people(CAREER_KINDS, person_ids):  # a career is one person's
        out.update(careers_from_rows(rows, roles, criteria, aims))
    return out


def effort_model(uow: UnitOfWork) -> EffortModel:
    """The organization's effort estimates (learned again when the ledger has grown)."""
    return plan_models(uow)[0]


def plan_models(uow: UnitOfWork) -> tuple[EffortModel, ThroughputModel]:
    """The effort estimates and the throughput model (an organization model: its own
    transactions)."""
    return org_models.load(uow, EFFORT).value


def cached_models(uow: UnitOfWork) -> tuple[EffortModel, ThroughputModel] | None:
    """The stored models of any age, inside an open unit of work, else None."""
    found: tuple[EffortModel, ThroughputModel] | None = org_models.peek(uow, EFFORT)
    return found


def learn_plan_models(uow: UnitOfWork, until: date, ledger: LedgerSnapshot | None = None
                      ) -> tuple[EffortModel, ThroughputModel]:
    """Both models learned from the ledger (inside an open unit of work; its light rows
    from ``ledger`` when given); the throughput model's spread is fitted on the plans it
    would have drawn up before (plan_outcomes)."""
    model = learn_efforts(organization_samples(uow, ledger),
                          organization_criteria_samples(uow, ledger))
    # only the sampled people's events: the fit reads no more of a large ledger than that
    by_person = {pid: uow.events.for_person(pid)
                 for pid in held_out_people(p.id for p in uow.people.all())}
    return model, calibrated_throughput(by_person, uow.frameworks.catalog,
                                        careers(uow, None, ledger), until)


def learn(uow: UnitOfWork, params: Mapping[str, Any] | None, ledger: LedgerSnapshot
          ) -> tuple[EffortModel, ThroughputModel]:
    """Both models, learned from the whole ledger now."""
    with uow.reading():
        return learn_plan_models(uow, clock.today(), ledger)


EFFORT = org_models.ModelKind(
    "effort", MODEL_FORMAT, learn,
    ("trellis.domain.effort", "trellis.domain.throughput", "trellis.services.plan_outcomes",
     __name__), dated=False,
    tolerance=RELEARN_GROWTH,
    description="effort estimates of nano-steps and the throughput model (plans, lattice)",
    reads_as="the effort estimates",
    kinds=tuple(sorted({EventKind.SKILL_STEP.value, EventKind.DEMONSTRATED.value,
                        EventKind.HIRE.value, EventKind.PROMOTION.value,
                        *(str(k) for k in CAREER_KINDS)})))
