"""One read of the ledger for every organization model of a refresh pass
(services.ledger_snapshot): it serves what the store serves, and each model built from
the shared snapshot equals the model built on its own and the analysis fed by the store."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.analytics import evidence as ev
from trellis.analytics.calibration import PANEL_KINDS, calibrate
from trellis.analytics.compare import KINDS as COMPARE_KINDS
from trellis.analytics.compare import build_table
from trellis.analytics.ledger_groups import by_person
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.events import EventKind
from trellis.domain.profile_document import profile_from_document
from trellis.domain.throughput import CAREER_KINDS
from trellis.services import clock, org_models
from trellis.services.compare import COMPARISON, band_steps, roles_of
from trellis.services.demo import run_demo
from trellis.services.effort import careers
from trellis.services.frameworks import version_in_force
from trellis.services.ledger import retract_event
from trellis.services.ledger_snapshot import LedgerSnapshot
from trellis.services.refresh import ORG_MODELS, refresh_models
from trellis.services.simulation import CALIBRATION, _band_steps
from trellis.settings import Settings

TODAY = date(2025, 6, 30)
EVERY_KIND = sorted({k for kind in ORG_MODELS for k in kind.kinds})


@pytest.fixture
def demo(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    trellis = open_trellis(Settings(database_url=database_url, author="t"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=60, years=3,
             seed=5, author="t", today=TODAY)
    with trellis.uow().reading() as uow:  # retract the latest recognition and skill step
        rows = uow.events.of_kinds([EventKind.RECOGNITION, EventKind.SKILL_STEP])
    for kind in ("recognition", "skill_step"):
        target = next(r for r in reversed(rows) if r.kind == kind)
        retract_event(trellis.uow(), target.id, "recorded in error", author="t")
    yield trellis
    trellis.close()


def same(a: Any, b: Any, path: str = "$") -> list[str]:
    """Where two models differ (exactly: floats to the bit, frames cell by cell)."""
    if isinstance(a, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError as exc:
            return [f"{path}: {str(exc)[:200]}"]
        return []
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} against {type(b).__name__}"]
    if dataclasses.is_dataclass(a):
        return [d for f in dataclasses.fields(a)
                for d in same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)[:5]} against {list(b)[:5]}"]
        return [d for k in a for d in same(a[k], b[k], f"{path}[{k!r}]")]
    if isinstance(a, list | tuple):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items against {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in same(x, y, f"{path}[{i}]")]
    if isinstance(a, np.ndarray):
        return [] if np.array_equal(a, b, equal_nan=a.dtype.kind == "f") else [path]
    if isinstance(a, float) and math.isnan(a):
        return [] if math.isnan(b) else [f"{path}: nan against {b!r}"]
    return [] if a == b else [f"{path}: {a!r} against {b!r}"[:200]]


def test_the_comparison_itself_tells_a_difference():
    a = {"x": (1.0, pd.DataFrame({"v": [0.1, 0.2]}))}
    assert same(a, {"x": (1.0, pd.DataFrame({"v": [0.1, 0.2]}))}) == []
    assert same(a, {"x": (1.0 + 1e-15, pd.DataFrame({"v": [0.1, 0.2]}))})
    assert same(a, {"x": (1.0, pd.DataFrame({"v": [0.1, 0.2 + 1e-15]}))})


def test_the_snapshot_serves_what_the_store_serves(demo: Trellis):
    with demo.uow().reading() as uow:
        snapshot = LedgerSnapshot(uow, EVERY_KIND)
        assert len(snapshot) == len(uow.events.of_kinds(EVERY_KIND))
        some = {p.id for p in uow.people.all()[::3]}
        for kinds in (EVERY_KIND, COMPARE_KINDS, PANEL_KINDS, ev.KINDS,
                      [EventKind.PROMOTION], [EventKind.REVIEW, EventKind.CALIBRATION]):
            rows = uow.events.of_kinds(kinds)
            assert rows and snapshot.rows(kinds) == rows
            assert list(snapshot.people(kinds)) == list(by_person(rows).items())
            assert list(snapshot.people(kinds, some)) == list(by_person(rows, some).items())
            assert snapshot.rows(kinds, some) == uow.events.of_kinds(kinds, some)
            assert snapshot.person_ids(kinds) == sorted({r.person_id for r in rows})
            assert snapshot.first_day(kinds) == rows[0].effective_on
        # the store's skill steps come in the database's order (its fold sorts them)
        assert {p: sorted(s) for p, s in snapshot.skill_steps().items()} == {
            p: sorted(s) for p, s in uow.events.skill_steps().items()}
        with pytest.raises(ValueError, match="did not read"):
            LedgerSnapshot(uow, [EventKind.HIRE]).rows([EventKind.PROMOTION])


def test_retracted_events_are_left_out_of_the_snapshot(demo: Trellis):
    with demo.uow().reading() as uow:
        kinds = [k.value for k in EventKind if k is not EventKind.RETRACTION]
        every = {r.id for r in LedgerSnapshot(uow, kinds).rows(kinds)}
        gone = [e.details.retracts for p in uow.people.all()  # type: ignore[union-attr]
                for e in uow.events.retractions(p.id)]
    assert len(gone) == 2 and not every & set(gone)


def test_each_model_of_one_pass_equals_the_model_built_alone(demo: Trellis, monkeypatch):
    alone = {}
    for kind in ORG_MODELS:
        params = kind.defaults(demo.uow()) if kind.defaults is not None else {}
        alone[kind.name] = org_models.build(demo.uow(), kind, params).value
    reads: list[int] = []

    class Counted(LedgerSnapshot):
        def __init__(self, *args: Any) -> None:
            reads.append(1)
            super().__init__(*args)

    monkeypatch.setattr(org_models, "LedgerSnapshot", Counted)
    done = refresh_models(demo.uow(), force=True)
    assert {d.name for d in done} == set(alone) and all(d.rebuilt for d in done)
    assert len(reads) == 1  # one read of the ledger for the seven models
    for kind in ORG_MODELS:
        params = kind.defaults(demo.uow()) if kind.defaults is not None else {}
        with demo.uow().reading() as uow:
            stored = org_models.peek(uow, kind, params)
        assert same(stored, alone[kind.name], kind.name) == []
    assert refresh_models(demo.uow()) and len(reads) == 1  # all current: nothing read


def test_models_from_the_snapshot_equal_the_analyses_fed_by_the_store(demo: Trellis):
    """The snapshot's path against the store's rows, folded by the analyses' own entry
    points (``by_person`` over ``of_kinds``): the comparison, the calibration, careers."""
    comparison = org_models.build(demo.uow(), COMPARISON).value
    calibration = org_models.build(demo.uow(), CALIBRATION).value
    with demo.uow().reading() as uow:
        roles = roles_of(uow)
        states = uow.state.rows(None, ["person_id", "profile"])
        steps = {r["person_id"]: band_steps(r["profile"]) for r in states}
        table = build_table(uow.events.of_kinds(COMPARE_KINDS), roles, end=TODAY,
                            band_steps=steps)
        everyone = uow.people.all()
        managers = {p.manager_id for p in everyone}
        framework = uow.frameworks.catalog[version_in_force(uow, TODAY).id]
        ups = {r["person_id"]: _band_steps(profile_from_document(orjson.loads(r["profile"])))
               for r in states}
        direct = calibrate(framework, uow.events.of_kinds(PANEL_KINDS), end=TODAY,
                           people=[p.id for p in everyone if p.id not in managers],
                           band_upgrades=ups)
        from_store = careers(uow)
        from_snapshot = careers(uow, None, LedgerSnapshot(uow, CAREER_KINDS))
    assert same(comparison, table) == []
    assert same(calibration, direct) == []
    assert from_snapshot == from_store and len(from_store) >= 60


def test_a_snapshot_of_an_empty_ledger_serves_nothing(tmp_path: Path):
    trellis = open_trellis(Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}"),
                           create=True)
    with trellis.uow().reading() as uow:
        empty = LedgerSnapshot(uow, EVERY_KIND)
        assert len(empty) == 0 and empty.rows(EVERY_KIND) == []
        assert list(empty.people(EVERY_KIND)) == [] and empty.first_day(ev.KINDS) is None
        assert empty.person_ids(ev.KINDS) == [] and empty.skill_steps() == {}
    trellis.close()


def test_the_evidence_reads_everyone_in_one_scan_with_each_persons_events(demo: Trellis):
    """``of_people`` (the evidence's one scan) holds what ``for_person(p, until)`` and
    ``retractions(p)`` hold for each person, people in ascending order."""
    until = date(2024, 9, 30)
    with demo.uow().reading() as uow:
        ids = [p.id for p in uow.people.all()]
        some = set(ids[1::2])
        found = list(uow.events.of_people(some, until))
        expected = {p: uow.events.for_person(p, until=until) + uow.events.retractions(p)
                    for p in sorted(some)}
    expected = {p: e for p, e in expected.items() if e}
    assert [p for p, _ in found] == list(expected) and len(found) >= 25
    by_id = {p: sorted(e, key=lambda x: x.id) for p, e in found}
    assert by_id == {p: sorted(e, key=lambda x: x.id) for p, e in expected.items()}


def test_the_profiles_stream_holds_every_current_profile(demo: Trellis):
    """``State.profiles`` (the comparison's and the calibration's read of band upgrades, a
    batch at a time) serves what ``rows`` serves, whatever the batch."""
    with demo.uow().reading() as uow:
        rows = {r["person_id"]: r["profile"] for r in uow.state.rows(None, ["person_id",
                                                                            "profile"])}
        for batch in (7, 2_000):
            streamed = list(uow.state.profiles(batch=batch))
            assert len(streamed) == len(rows) >= 60
            assert dict(streamed) == rows
