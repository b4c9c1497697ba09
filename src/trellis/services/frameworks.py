"""Use cases for career frameworks: load (versioned), choose the active one, look up."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.domain.framework import Framework
from trellis.errors import NotFound

from . import clock
from .unit_of_work import FrameworkVersionInfo, UnitOfWork

ACTIVE = "active_framework"


@dataclass(frozen=True, slots=True)
class Loaded:
    version: FrameworkVersionInfo
    changed: bool  # False when the file matched the newest version: nothing was written
    active: bool


def document_checksum(document: Mapping[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_framework(
    uow: UnitOfWork,
    framework: Framework,
    document: Mapping[str, Any],
    *,
    author: str,
    effective_from: date | None = None,
    activate: bool = False,
) -> Loaded:
    """Store a framework as a new version, unless it is identical to the newest one.

    The first version of a framework covers all of the past; later ones take effect on
    ``effective_from`` (default: today), so older events keep the version of their date.
    The first framework loaded into a database becomes its active one.
    """
    digest = document_checksum(document)
    with uow:
        versions = uow.frameworks.versions(framework.key)
        active_key = uow.frameworks.get_meta(ACTIVE)
        if versions and versions[-1].checksum == digest:
            return Loaded(versions[-1], changed=False, active=active_key == framework.key)
        since = effective_from or (clock.today() if versions else None)
        version = uow.frameworks.add(framework.key, document, since, author, clock.now(), digest)
        if activate or active_key is None:
            uow.frameworks.set_meta(ACTIVE, framework.key)
            active_key = framework.key
        uow.commit()
        return Loaded(version, changed=True, active=active_key == framework.key)


def activate_framework(uow: UnitOfWork, key: str) -> None:
    with uow:
        if not uow.frameworks.versions(key):
            raise NotFound(f"no framework '{key}' is loaded")
        uow.frameworks.set_meta(ACTIVE, key)
        uow.commit()


def list_versions(uow: UnitOfWork) -> tuple[list[FrameworkVersionInfo], str | None]:
    with uow:
        return list(uow.frameworks.versions()), uow.frameworks.get_meta(ACTIVE)


def version_in_force(uow: UnitOfWork, on: date) -> FrameworkVersionInfo:
    """The active framework's version in force on a date (inside an open unit of work)."""
    key = uow.frameworks.get_meta(ACTIVE)
    version = uow.frameworks.in_force(key, on) if key else None
    if version is None:
        raise NotFound("no framework is loaded: run `trellis framework load FILE` first")
    return version


def framework_at(uow: UnitOfWork, on: date | None = None,
                 key: str | None = None) -> tuple[FrameworkVersionInfo, Framework]:
    """A framework version and its content (default: the active one, in force today)."""
    on = on or clock.today()
    with uow:
        if key is None:
            version = version_in_force(uow, on)
        else:
            found = uow.frameworks.in_force(key, on)
            if found is None:
                raise NotFound(f"no framework '{key}' is loaded")
            version = found
        return version, uow.frameworks.catalog[version.id]


def framework_document(uow: UnitOfWork, version_id: int) -> dict[str, Any]:
    with uow:
        return uow.frameworks.document(version_id)
