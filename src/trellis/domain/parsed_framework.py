"""A checked framework as plain JSON data, and back, without checking it again.

Reading a framework file checks it (adapters.framework_files: pydantic models, then
``assemble_framework``); that costs a command's start more than the rest of its work. A
stored version never changes, so the framework it parses to is kept too, in this form, and
read back by constructing the dataclasses directly. Only the classes of
``trellis.domain.framework`` are ever constructed, whatever the data says.

``PARSED_FORMAT`` fingerprints the shape of those classes (their fields and types, the
enums' values): data kept by code of another shape is not read, the document is parsed
again instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any

from trellis.domain import framework as model
from trellis.domain.framework import Framework

CODEC = 1  # raise it when the encoding below changes

# Every container is a list tagged by its first item: a dataclass or enum by its name, the
# rest by one of these (the framework's classes never hold a list).
TUPLE, DICT, PROXY, FROZENSET = "()", "{}", "{proxy}", "{set}"


def _classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for name, value in vars(model).items():
        if isinstance(value, type) and value.__module__ == model.__name__ and (
                dataclasses.is_dataclass(value) or issubclass(value, Enum)):
            found[name] = value
    return found


def _fingerprint(classes: Mapping[str, type]) -> str:
    shape: list[Any] = [CODEC]
    for name, cls in sorted(classes.items()):
        if dataclasses.is_dataclass(cls):
            shape.append((name, [(f.name, str(f.type), f.init) for f in dataclasses.fields(cls)]))
        else:
            shape.append((name, [(m.name, m.value) for m in cls]))  # type: ignore[attr-defined]
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:32]


CLASSES = _classes()
PARSED_FORMAT = _fingerprint(CLASSES)


def to_parsed(framework: Framework) -> Any:
    """The framework as JSON-ready data (lists, dicts, str, numbers, None)."""
    return _encode(framework)


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):  # before str: the framework's enums are StrEnums
        return [type(value).__name__, value.value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__,
                [_encode(getattr(value, f.name)) for f in dataclasses.fields(value)]]
    if isinstance(value, tuple):
        return [TUPLE, [_encode(v) for v in value]]
    if isinstance(value, frozenset):
        return [FROZENSET, [_encode(v) for v in value]]
    if isinstance(value, dict | MappingProxyType):
        tag = DICT if isinstance(value, dict) else PROXY
        return [tag, [[_encode(k), _encode(v)] for k, v in value.items()]]
    raise TypeError(f"a framework holds a {type(value).__name__}: not kept")


def from_parsed(data: Any) -> Framework:
    """The framework ``to_parsed`` made this data from (by code of this ``PARSED_FORMAT``)."""
    found = _decode(data)
    if not isinstance(found, Framework):
        raise ValueError("not a parsed framework")
    return found


_CONTAINERS: dict[str, Callable[[list[Any]], Any]] = {
    TUPLE: lambda items: tuple(_decode(v) for v in items),
    FROZENSET: lambda items: frozenset(_decode(v) for v in items),
    DICT: lambda pairs: {_decode(k): _decode(v) for k, v in pairs},
    PROXY: lambda pairs: MappingProxyType({_decode(k): _decode(v) for k, v in pairs}),
}


def _decode(data: Any) -> Any:
    if not isinstance(data, list):
        return data
    tag, body = data
    container = _CONTAINERS.get(tag)
    if container is not None:
        return container(body)
    cls = CLASSES[tag]  # a KeyError for anything else: never an arbitrary class
    if issubclass(cls, Enum):
        return cls(body)
    return cls(*(_decode(v) for v in body))
