"""What the spreadsheet and CASE adapters share: ids from labels, default roles, and the
check every built framework document goes through before anyone sees it.

A document built from a CSV or a CASE file is checked exactly as a framework file is (the
models and assembly behind ``parse_framework``), and each problem found there is moved back
to where it came from: the CSV line and column, or the CASE item, instead of a document
path nobody wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from trellis.adapters.framework_files import (  # the file format's own checks, shared
    FrameworkModel,
    _dotted,
    _invalid,
    _message,
    dump_document,
)
from trellis.domain.framework import Framework
from trellis.domain.limits import LABEL_MAX
from trellis.errors import FrameworkInvalid, Problem

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
ID_MAX = 80
SLUG_MAX = 40  # a slug leaves room in the ids built from it (topic.level.n, track-level)
DEFAULT_SCALE_MAX = 3  # the proficiency scale's max when a framework does not declare one

Locate = Callable[[str], tuple[int | None, str]]  # document path -> line, column / field


def is_id(text: str) -> bool:
    return len(text) <= ID_MAX and ID.match(text) is not None


def slug(label: str, kind: str) -> str:
    """A lower-case ASCII id for a label ("Technical skills & craft" -> technical-skills-
    craft). A label with no ASCII letter or digit at all gets ``kind-`` and a stable hash,
    so a topic named in any script still has an id that stays the same across imports."""
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:SLUG_MAX].strip("-")
    if text:
        return text
    import hashlib  # rare: only labels without a single ASCII letter or digit

    return f"{kind}-{hashlib.sha1(label.encode()).hexdigest()[:8]}"


def unique(candidate: str, taken: set[str]) -> str:
    """``candidate``, or ``candidate-2``, ``-3``... : the first not in ``taken`` (added)."""
    found, n = candidate, 1
    while found in taken:
        n += 1
        found = f"{candidate}-{n}"
    taken.add(found)
    return found


def framework_text(document: Mapping[str, Any], fmt: str = "yaml") -> str:
    """A framework document as a file that reads back to the same document: YAML, or JSON."""
    return dump_document(document, fmt)


def refused(problems: list[Problem], source: str | None = None) -> FrameworkInvalid:
    """FrameworkInvalid with every path and message made one printable line, as a framework
    file's problems are: a file's own characters are never trusted."""
    return _invalid(problems, source)


def default_roles(tracks: list[dict[str, Any]], levels: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """One role per track and level: ``<track>-<level>``, titled "<track> <level>"."""
    return [{"id": f"{t['id']}-{lv['id']}", "track": t["id"], "level": lv["id"],
             "title": f"{t['name']} {lv['name']}"[:LABEL_MAX].strip()}
            for t in tracks for lv in levels]


def scale_max(document: Mapping[str, Any]) -> int:
    scale = (document.get("criteria") or {}).get("scale") or {}
    value = scale.get("max", DEFAULT_SCALE_MAX)
    return value if isinstance(value, int) else DEFAULT_SCALE_MAX


def checked(document: dict[str, Any], source: str, locate: Locate
            ) -> tuple[Framework, dict[str, Any]]:
    """The framework and its canonical document, checked by the models and the assembly
    that check a framework file (what ``parse_framework`` does once it has read the text).

    The document is not written out as YAML to be parsed again: PyYAML would read back
    U+0085 as a line break and ``1e5`` as a number. Each problem is reported at the line
    and column ``locate`` gives for its path, so a spreadsheet's author reads
    "topics.csv:12: proficiency: ..." about their own cell.
    """
    try:
        model = FrameworkModel.model_validate(document)
    except ValidationError as exc:
        found = [(_dotted(e["loc"]), _message(e)) for e in exc.errors()]
    else:
        framework, problems = model.to_domain()
        if framework is not None:
            return framework, model.model_dump(mode="json", exclude_defaults=True,
                                               by_alias=True)
        found = [(p.path, p.message) for p in problems]
    moved = []
    for path, message in found:
        line, where = locate(path)
        moved.append(Problem(where, message, line, source))
    raise _invalid(moved, source)


def path_locator(lines: Mapping[str, int], columns: Mapping[str, str] | None = None,
                 ) -> Locate:
    """A ``Locate`` from the line of some document paths (a topic, a criterion): a path
    is placed at its nearest ancestor that has one, and its last field is renamed by
    ``columns`` (``text`` -> ``criterion``) when given."""
    names = columns or {}

    def locate(path: str) -> tuple[int | None, str]:
        prefix = path
        while prefix:
            if prefix in lines:
                rest = path[len(prefix):].lstrip(".")
                field = re.split(r"[.\[]", rest, maxsplit=1)[0]
                return lines[prefix], names.get(field, field)
            cut = max(prefix.rfind("."), prefix.rfind("["))
            prefix = prefix[:cut] if cut > 0 else ""
        return None, path

    return locate
