"""A digest of the code that computes something stored (an organization model, the alert
facts): a stored row written by other code does not answer, and is computed again."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path


def code_digest(seed: str, modules: Iterable[str]) -> str:
    """24 hex digits of ``seed`` and the source of each module (its name where it has no
    source file)."""
    digest = hashlib.sha256(seed.encode())
    for module in modules:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        digest.update(Path(origin).read_bytes() if origin else module.encode())
    return digest.hexdigest()[:24]
