"""Every organization model (services.org_models), for ``trellis refresh`` and the web
service's background refresh: the cheap ones first, so that a pass interrupted part way
has still brought most answers up to date. The web service's passes run ``trellis refresh``
in a process of their own (``refresh_in_a_process``): a rebuild reads the whole ledger, and
its memory and CPU stay out of the worker that answers requests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from . import clock, org_models
from .compare import COMPARISON
from .effort import EFFORT
from .evidence import EVIDENCE
from .fairness_scores import SCORE_MODEL
from .lattice import MOVES
from .simulation import CALIBRATION, STRATEGY_EFFECTS
from .unit_of_work import UnitOfWork

ORG_MODELS: tuple[org_models.ModelKind[Any], ...] = (
    EFFORT, MOVES, STRATEGY_EFFECTS, CALIBRATION, COMPARISON, EVIDENCE, SCORE_MODEL)


def refresh_models(uow: UnitOfWork, *, force: bool = False,
                   progress: Callable[[str], None] | None = None
                   ) -> list[org_models.Refreshed]:
    """Rebuild the stale organization models (all of them with ``force``)."""
    return org_models.refresh(uow, ORG_MODELS, force=force, progress=progress)


def refresh_in_a_process(database_url: str, timeout: float = 3_600.0) -> None:
    """One pass of ``trellis refresh`` in a process of its own (the URL travels in the
    environment, never on a command line others can read)."""
    env = {**os.environ, "TRELLIS_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "trellis.entrypoints.cli.app", "refresh",
                           "--json"], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"trellis refresh exited with {done.returncode}: {last}")


CLAIM_KEY = "org_models_refresh"
CLAIM_MINUTES = 60  # a claim older than this is a pass that died: another may start


def claim_refresh(uow: UnitOfWork) -> bool:
    """Claim the next background pass for this process (False: another worker's pass is
    running), so that several workers of one service do not all rebuild at once."""
    now = clock.now()
    try:
        with uow:
            held = uow.frameworks.get_meta(CLAIM_KEY)
            if held and datetime.fromisoformat(held) > now - timedelta(minutes=CLAIM_MINUTES):
                return False
            uow.frameworks.set_meta(CLAIM_KEY, now.isoformat())
            uow.commit()
    except Exception:
        return False
    return True


def release_refresh(uow: UnitOfWork) -> None:
    with uow:
        uow.frameworks.set_meta(CLAIM_KEY, datetime.min.isoformat())
        uow.commit()


def background_refresh(database_url: str, uow: Callable[[], UnitOfWork],
                       on_error: Callable[[BaseException], None] | None = None
                       ) -> org_models.BackgroundRefresh:
    """The web service's refresh: passes of ``trellis refresh`` in a process of their own,
    one at a time across the service's workers."""
    def one_pass() -> None:
        if not claim_refresh(uow()):
            return
        try:
            refresh_in_a_process(database_url)
        finally:
            release_refresh(uow())

    return org_models.BackgroundRefresh(one_pass, on_error)
