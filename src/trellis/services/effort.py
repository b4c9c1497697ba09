"""Effort estimates learned from the ledger (shared by plans and the lattice).

Learning reads every skill step of the organization, so the model is kept in the
database with the event count it was learned at, and learned again only once the ledger
has grown by more than ``RELEARN_GROWTH``: medians over thousands of samples barely move
with a few new events.
"""

from __future__ import annotations

import orjson

from trellis.domain.effort import (
    EffortModel,
    StepSample,
    learn_efforts,
    model_from_document,
    model_to_document,
    step_samples,
)

from .unit_of_work import UnitOfWork

CACHE_KEY = "effort_model"
RELEARN_GROWTH = 0.02


def organization_samples(uow: UnitOfWork) -> list[StepSample]:
    """Every person's live skill-step samples (inside an open unit of work)."""
    samples: list[StepSample] = []
    hired = {row["person_id"]: row["hired_on"] for row in uow.state.rows()}
    for person_id, steps in uow.events.skill_steps().items():
        samples += step_samples(person_id, hired.get(person_id), steps)
    return samples


def effort_model(uow: UnitOfWork) -> EffortModel:
    """The organization's effort estimates (learned again when the ledger has grown)."""
    with uow:
        events = uow.events.count()
        cached = uow.frameworks.get_meta(CACHE_KEY)
        if cached:
            doc = orjson.loads(cached)
            if doc["events"] <= events <= doc["events"] * (1 + RELEARN_GROWTH):
                return model_from_document(doc["model"])
        model = learn_efforts(organization_samples(uow))
        uow.frameworks.set_meta(CACHE_KEY, orjson.dumps(
            {"events": events, "model": model_to_document(model)}).decode())
        uow.commit()
        return model
