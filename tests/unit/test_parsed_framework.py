"""A checked framework kept as plain data reads back as the very same framework: same
classes, same values, down to a tuple not turned into a list and an int not into a float."""

from __future__ import annotations

import dataclasses
import json
import os
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from trellis.adapters.framework_files import SHIPPED, read_framework_file, shipped_framework_path
from trellis.adapters.onet import read_onet_framework
from trellis.domain import framework as model
from trellis.domain.parsed_framework import PARSED_FORMAT, _fingerprint, from_parsed, to_parsed

FIXTURES = Path(__file__).parents[1] / "fixtures"
ONET = Path(os.environ.get("TRELLIS_ONET_DIR")
            or Path(__file__).resolve().parents[3] / "shared" / "data" / "onet")


def same(a: Any, b: Any, where: str = "framework") -> None:
    """``a`` and ``b`` equal and of the same type at every depth (``==`` alone would take a
    list for a tuple, 1.0 for 1 and a dict for a read-only mapping)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict | MappingProxyType):
        assert list(a) == list(b), f"{where}: keys"  # the order too: views list in it
        for key in a:
            same(key, next(k for k in b if k == key), f"{where}[{key!r}] key")
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def through_json(framework: model.Framework) -> model.Framework:
    return from_parsed(json.loads(json.dumps(to_parsed(framework))))


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_framework_reads_back_the_same(name: str):
    path = shipped_framework_path(name)
    assert path is not None
    framework, _ = read_framework_file(path)
    same(framework, through_json(framework))


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_fixture_framework_reads_back_the_same(path: Path):
    framework, _ = read_framework_file(path)
    same(framework, through_json(framework))


@pytest.mark.skipif(not ONET.is_dir(), reason="the O*NET database is not here")
def test_the_onet_framework_reads_back_the_same():
    framework, _ = read_onet_framework(ONET)
    assert len(framework.roles) > 800  # real and large: attributes, tasks, titles
    same(framework, through_json(framework))


def test_data_naming_another_class_is_refused():
    framework, _ = read_framework_file(FIXTURES / "tiny.yaml")
    data = to_parsed(framework)
    data[0] = "Path"  # not a class of the framework: never constructed
    with pytest.raises(KeyError):
        from_parsed(data)
    with pytest.raises(ValueError, match="not a parsed framework"):
        from_parsed(to_parsed(framework.tracks[next(iter(framework.tracks))]))


def test_the_format_changes_with_the_shape_of_the_classes():
    classes = {name: cls for name, cls in vars(model).items()
               if isinstance(cls, type) and cls.__module__ == model.__name__
               and (dataclasses.is_dataclass(cls) or issubclass(cls, Enum))}
    assert _fingerprint(classes) == PARSED_FORMAT

    @dataclasses.dataclass(frozen=True)
    class Track:  # one more field than the framework's own
        id: str
        name: str
        role_type: model.RoleType = model.RoleType.STRUCTURED
        description: str = ""
        colour: str = ""

    assert _fingerprint({**classes, "Track": Track}) != PARSED_FORMAT
    assert _fingerprint({k: v for k, v in classes.items() if k != "MoveKind"}) != PARSED_FORMAT
