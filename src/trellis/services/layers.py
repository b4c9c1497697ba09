"""The use case behind ``trellis layers``: a person's competency layers at a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trellis.domain.layers import Grain, LayersView, layers_view
from trellis.domain.people import Person

from .profiles import profile
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class PersonLayers:
    person: Person
    view: LayersView


def layers(uow: UnitOfWork, ref: str, at: date | None = None, *,
           grain: Grain = Grain.QUARTER, every_competency: bool = False) -> PersonLayers:
    """The layers of ``ref``'s profile on ``at`` (today when None)."""
    found = profile(uow, ref, at)
    return PersonLayers(found.person, layers_view(found.profile, found.framework, grain=grain,
                                                  every_competency=every_competency))
