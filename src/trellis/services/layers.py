"""The use case behind ``trellis layers``: a person's competency layers at a date, and the
criteria met per topic, dated from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trellis.domain.criteria_layers import criteria_changes
from trellis.domain.layers import Grain, LayersView, layers_view
from trellis.domain.people import Person

from .ledger import find_person
from .profiles import profile_of
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class PersonLayers:
    person: Person
    view: LayersView


def layers(uow: UnitOfWork, ref: str, at: date | None = None, *,
           grain: Grain = Grain.QUARTER, every_competency: bool = False) -> PersonLayers:
    """The layers of ``ref``'s profile on ``at`` (today when None)."""
    with uow.reading():
        found = profile_of(uow, find_person(uow, ref), at)
        p = found.profile
        changes = None
        if p.criteria:  # a criterion's standing can change: replay when it did
            events = uow.events.for_person(p.person_id, until=p.as_of)
            events += uow.events.retractions(p.person_id)
            changes = criteria_changes(events, uow.frameworks.catalog, p.person_id, p.as_of)
    return PersonLayers(found.person, layers_view(p, found.framework, grain=grain,
                                                  every_competency=every_competency,
                                                  criteria_changes=changes))
