"""Bulk work: a million-event import allocates millions of small objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of a bulk load.

    Ledger objects hold no reference cycles, yet every few thousand allocations the
    collector would rescan all of them: at a million events that dominates the run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
