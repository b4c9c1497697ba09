"""Framework versions by id, knowing when each one took effect.

Each event folds with the version it was recorded under, but what a profile *reads* on a
date (the title of the person's role, the framework its rules are judged by) is the version
of that framework in force on that date: renaming a title in a version effective in
January changes every profile from January on, whether or not anything was recorded since.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import NamedTuple

from .framework import Framework


class VersionDate(NamedTuple):
    """When a framework version takes effect (None: the first version covers the past)."""

    id: int
    key: str
    version: int
    effective_from: date | None


class FrameworkVersions(dict[int, Framework]):
    """Frameworks by version id that can say which version is in force on a date.

    A plain mapping of version ids still folds (every event keeps its own version); this
    one also lets a profile's title and rules follow the version in force on its date.
    Subclasses may load frameworks and dates lazily (adapters.store.FrameworkCatalog).
    """

    def __init__(self, frameworks: Mapping[int, Framework] | None = None,
                 dates: Iterable[VersionDate] = ()) -> None:
        super().__init__(frameworks or {})
        self._by_key: dict[str, list[VersionDate]] | None = None
        self._key_of: dict[int, str] = {}
        known = list(dates)
        if known:
            self._index(known)

    def version_dates(self) -> Iterable[VersionDate]:
        """Every version's date (a lazy subclass reads them here, once)."""
        return ()

    def know_dates(self) -> None:
        """Read the dates now, if not yet (a lazy subclass calls it while it can read)."""
        if self._by_key is None:
            self._index(self.version_dates())

    def forget_dates(self) -> None:
        """A version was added: read the dates again when next asked."""
        self._by_key = None

    def in_force_on(self, version_id: int, on: date) -> int:
        """The version of ``version_id``'s framework in force on ``on``: the newest one
        that took effect on or before it (the first version when none did yet)."""
        self.know_dates()
        key = self._key_of.get(version_id)
        versions = self._by_key.get(key, []) if key is not None and self._by_key else []
        chosen = [v for v in versions if v.effective_from is None or v.effective_from <= on]
        if chosen:
            return chosen[-1].id
        return versions[0].id if versions else version_id

    def _index(self, dates: Iterable[VersionDate]) -> None:
        by_key: dict[str, list[VersionDate]] = {}
        for d in dates:
            by_key.setdefault(d.key, []).append(d)
        for versions in by_key.values():
            versions.sort(key=lambda v: v.version)
        self._by_key = by_key
        self._key_of = {d.id: d.key for versions in by_key.values() for d in versions}


def in_force(frameworks: Mapping[int, Framework], version_id: int, on: date) -> int:
    """The version a profile on ``on`` reads, for a person whose latest event was recorded
    under ``version_id`` (that version itself when the mapping knows no dates)."""
    if isinstance(frameworks, FrameworkVersions):
        return frameworks.in_force_on(version_id, on)
    return version_id
