"""Every organization model (services.org_models), for ``trellis refresh`` and the web
service's background refresh: the cheap ones first, so that a pass interrupted part way
has still brought most answers up to date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import org_models
from .advice import STRATEGY_EFFECTS
from .compare import COMPARISON
from .effort import EFFORT
from .evidence import EVIDENCE
from .lattice import MOVES
from .simulation import CALIBRATION
from .unit_of_work import UnitOfWork

ORG_MODELS: tuple[org_models.ModelKind[Any], ...] = (
    EFFORT, MOVES, STRATEGY_EFFECTS, CALIBRATION, COMPARISON, EVIDENCE)


def refresh_models(uow: UnitOfWork, *, force: bool = False,
                   progress: Callable[[str], None] | None = None
                   ) -> list[org_models.Refreshed]:
    """Rebuild the stale organization models (all of them with ``force``)."""
    return org_models.refresh(uow, ORG_MODELS, force=force, progress=progress)


def background_refresh(uow: Callable[[], UnitOfWork],
                       on_error: Callable[[BaseException], None] | None = None
                       ) -> org_models.BackgroundRefresh:
    return org_models.BackgroundRefresh(uow, ORG_MODELS, on_error)
