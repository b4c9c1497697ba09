"""Competency layering: a profile as stacked, dated layers on a time grid.

``layers_view`` turns a profile (and the framework that names its competencies and bands)
into what ``trellis layers`` shows: per competency, grouped by skill band in framework
order, the dated steps and the mastery held in each period of a grid of quarters (or years)
from the hire to the profile's date; and the band upgrades as dated markers.

The mastery *held* in a period is the mastery at its end (or at the profile's date, or
the departure, for the last period): a step inside a quarter shows from that quarter on.

On a criteria framework the layers are also the criteria met per topic, counted in each
period the same way (domain.criteria_layers), next to the mastery layers of a framework
that mixes both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .criteria_layers import Change, TopicLayers, topic_layers
from .framework import Framework, MasteryScale
from .profile import CompetencyLayer, LayerStep, Profile

SCHEMA_VERSION = 1
OTHER_BAND = "other"  # competencies the profile's framework version no longer has


class Grain(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar quarter or year: ``start`` and ``end`` are its first and last days."""

    label: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class CompetencyLayers:
    competency: str
    name: str
    band: str
    mastery: int  # on the profile's date
    reached_on: date | None
    scale_max: int
    steps: tuple[LayerStep, ...]
    held: tuple[int, ...]  # the mastery held in each period of the grid


@dataclass(frozen=True, slots=True)
class BandLayers:
    band: str
    name: str
    level: int  # 0: none yet
    level_name: str | None
    competencies: tuple[CompetencyLayers, ...]


@dataclass(frozen=True, slots=True)
class BandMarker:
    """A band upgrade, placed on the grid: ``period`` is its index in ``periods``."""

    on: date
    band: str
    band_name: str
    from_level: int
    to_level: int
    level_name: str | None
    period: int


@dataclass(frozen=True, slots=True)
class LayersView:
    person_id: int
    as_of: date
    hired_on: date | None
    departed_on: date | None
    grain: Grain
    periods: tuple[Period, ...]
    bands: tuple[BandLayers, ...]
    band_upgrades: tuple[BandMarker, ...]
    scale: MasteryScale  # the widest scale among the competencies shown
    topics: tuple[TopicLayers, ...] = ()  # criteria met per topic, on the same grid

    @property
    def ends_on(self) -> date:
        """The last day of the grid: the profile's date, or the departure before it."""
        return _grid_end(self.as_of, self.departed_on)

    @property
    def competencies(self) -> tuple[CompetencyLayers, ...]:
        return tuple(c for b in self.bands for c in b.competencies)


def layers_view(profile: Profile, framework: Framework | None, *,
                grain: Grain = Grain.QUARTER, every_competency: bool = False,
                criteria_changes: Mapping[str, tuple[Change, ...]] | None = None
                ) -> LayersView:
    """The profile's layers. ``every_competency`` adds the framework's unstarted ones (and
    the role's criteria not met yet); ``criteria_changes`` date the criteria (see
    domain.criteria_layers; None: each met since its latest evidence)."""
    end = _grid_end(profile.as_of, profile.departed_on)
    periods = time_grid(profile.hired_on, end, grain)
    bands: list[BandLayers] = []
    seen: set[str] = set()
    fw_bands = framework.bands.values() if framework else ()
    for band in fw_bands:
        rows = []
        for comp_id in band.competencies:
            seen.add(comp_id)
            layer = profile.mastery.get(comp_id)
            if layer is None and not every_competency:
                continue
            comp = framework.competencies[comp_id] if framework else None
            rows.append(_row(comp_id, comp.name if comp else comp_id, band.id,
                             comp.scale.max if comp else 5, layer, periods, end))
        if rows:
            level = profile.bands.get(band.id, 0)
            bands.append(BandLayers(band.id, band.name, level,
                                    _level_name(framework, band.id, level), tuple(rows)))
    others = [_row(c, c, OTHER_BAND, max(layer.mastery, 5), layer, periods, end)
              for c, layer in sorted(profile.mastery.items()) if c not in seen]
    if others:
        bands.append(BandLayers(OTHER_BAND, "Other (not in the framework)", 0, None,
                                tuple(others)))
    markers = tuple(
        BandMarker(u.on, u.band, framework.bands[u.band].name
                   if framework and u.band in framework.bands else u.band,
                   u.from_level, u.to_level, _level_name(framework, u.band, u.to_level),
                   period_index(periods, u.on))
        for u in profile.band_upgrades if u.on <= end
    )
    role = framework.roles.get(profile.role) if framework and profile.role else None
    topics = topic_layers(profile.criteria, framework, role.criteria if role else (),
                          profile.track, every=every_competency, changes=criteria_changes,
                          period_ends=[min(p.end, end) for p in periods])
    return LayersView(profile.person_id, profile.as_of, profile.hired_on, profile.departed_on,
                      grain, periods, tuple(bands), markers, _widest_scale(framework, bands),
                      topics)


def time_grid(start: date | None, end: date, grain: Grain = Grain.QUARTER
              ) -> tuple[Period, ...]:
    """The calendar quarters (or years) from the one holding ``start`` to ``end``'s."""
    if start is None or start > end:
        return ()
    periods = []
    year, quarter = start.year, (start.month - 1) // 3 if grain is Grain.QUARTER else 0
    while True:
        if grain is Grain.YEAR:
            period = Period(str(year), date(year, 1, 1), date(year, 12, 31))
            year += 1
        else:
            first = date(year, 3 * quarter + 1, 1)
            last = (date(year + 1, 1, 1) if quarter == 3
                    else date(year, 3 * quarter + 4, 1)) - timedelta(days=1)
            period = Period(f"{year}Q{quarter + 1}", first, last)
            year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
        periods.append(period)
        if period.end >= end:
            return tuple(periods)


def period_index(periods: tuple[Period, ...], on: date) -> int:
    """The index of the period holding ``on`` (clamped to the grid)."""
    for i, p in enumerate(periods):
        if on <= p.end:
            return i
    return max(len(periods) - 1, 0)


def mastery_on(steps: tuple[LayerStep, ...], on: date) -> int:
    """The mastery held on a date: that of the last step on or before it."""
    held = 0
    for step in steps:
        if step.on > on:
            break
        held = step.to_mastery
    return held


def _row(comp_id: str, name: str, band: str, scale_max: int, layer: CompetencyLayer | None,
         periods: tuple[Period, ...], end: date) -> CompetencyLayers:
    steps = layer.steps if layer else ()
    held = tuple(mastery_on(steps, min(p.end, end)) for p in periods)
    return CompetencyLayers(comp_id, name, band, layer.mastery if layer else 0,
                            layer.reached_on if layer else None, scale_max, steps, held)


def _grid_end(as_of: date, departed_on: date | None) -> date:
    return min(as_of, departed_on) if departed_on else as_of


def _level_name(framework: Framework | None, band: str, level: int) -> str | None:
    if framework is None or band not in framework.bands or level <= 0:
        return None
    return next((lv.name for lv in framework.bands[band].levels if lv.level == level), None)


def _widest_scale(framework: Framework | None, bands: list[BandLayers]) -> MasteryScale:
    shown = [c for b in bands for c in b.competencies]
    scales = [framework.competencies[c.competency].scale for c in shown
              if framework and c.competency in framework.competencies]
    widest = max(scales, key=lambda s: s.max, default=MasteryScale())
    top = max((c.scale_max for c in shown), default=widest.max)
    return widest if widest.max >= top else MasteryScale(max=top)


def level_word(scale: MasteryScale, mastery: int) -> str:
    """The short name of a mastery ("practitioner"): its descriptor up to the colon."""
    return scale.describe(mastery).split(":", 1)[0].strip() or str(mastery)


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def layers_to_document(view: LayersView) -> dict[str, Any]:
    """The stable JSON document of ``trellis layers --json`` (see docs/layers.md)."""
    return {
        "schema": SCHEMA_VERSION,
        "person_id": view.person_id,
        "as_of": view.as_of.isoformat(),
        "hired_on": _d(view.hired_on),
        "departed_on": _d(view.departed_on),
        "scale": {"max": view.scale.max,
                  "levels": [level_word(view.scale, m) for m in range(view.scale.max + 1)]},
        "grain": view.grain.value,
        "periods": [{"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}
                    for p in view.periods],
        "bands": [
            {"id": b.band, "name": b.name, "level": b.level, "level_name": b.level_name,
             "competencies": [
                 {"id": c.competency, "name": c.name, "mastery": c.mastery,
                  "reached_on": _d(c.reached_on), "scale_max": c.scale_max,
                  "steps": [{"on": s.on.isoformat(), "from": s.from_mastery,
                             "to": s.to_mastery, "event_id": s.event_id} for s in c.steps],
                  "held": list(c.held)}
                 for c in b.competencies]}
            for b in view.bands
        ],
        "band_upgrades": [
            {"on": m.on.isoformat(), "band": m.band, "from_level": m.from_level,
             "to_level": m.to_level, "level_name": m.level_name,
             "period": view.periods[m.period].label if view.periods else None}
            for m in view.band_upgrades
        ],
        "topics": [
            {"id": t.topic, "name": t.name, "expected": t.expected, "met": t.met,
             "met_expected": t.met_expected, "held": list(t.held),
             "criteria": [
                 {"id": c.criterion, "text": c.text, "level": c.level, "met": c.met,
                  "met_on": _d(c.met_on), "expected": c.expected,
                  "demonstrated_on": _d(c.demonstrated_on),
                  "demonstrations": c.demonstrations,
                  "assessed": {who: {"on": a.on.isoformat(), "proficiency": a.proficiency,
                                     "event_id": a.event_id}
                               for who, a in c.assessments.items()},
                  "changes": [{"on": on.isoformat(), "met": met} for on, met in c.changes]}
                 for c in t.criteria]}
            for t in view.topics
        ],
    }


def regrid(view: LayersView, grain: Grain) -> LayersView:
    """The same layers on a grid of another grain (years when quarters are too many)."""
    if grain is view.grain:
        return view
    end = view.ends_on
    periods = time_grid(view.hired_on, end, grain)
    bands = tuple(
        replace(b, competencies=tuple(
            replace(c, held=tuple(mastery_on(c.steps, min(p.end, end)) for p in periods))
            for c in b.competencies))
        for b in view.bands
    )
    markers = tuple(replace(m, period=period_index(periods, m.on)) for m in view.band_upgrades)
    topics = tuple(
        replace(t, held=tuple(sum(1 for c in t.criteria if c.met_at(min(p.end, end)))
                              for p in periods))
        for t in view.topics)
    return replace(view, grain=grain, periods=periods, bands=bands, band_upgrades=markers,
                   topics=topics)
