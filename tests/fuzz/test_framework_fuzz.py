"""Fuzzing framework files: whatever the file, it loads or is refused in one line.

Three kinds of input: plausible documents (tests/fixtures/tiny.yaml mutated: wrong types;
huge, NaN, infinite and negative numbers; missing and extra keys; duplicate ids; cycles;
unicode; deep nesting; shared items, which YAML writes as aliases), YAML-ish text built
from the syntax's own pieces (anchors, aliases, tags, merges, directives, escapes), and
raw bytes (the tiny file with bytes of other encodings put in). The properties:

- the reader returns a framework or raises FrameworkInvalid; nothing else escapes;
- its str() and every problem's are one line, name the problem, and give the line
  whenever the file was read far enough to have one;
- through ``load_framework`` on a real database (SQLite, and PostgreSQL when configured)
  a refused file leaves the database as it was, an accepted one is stored as parsed.

A bounded number of examples runs by default; ``-m slow`` runs many more.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TINY
from trellis.adapters.framework_files import parse_framework, parse_framework_bytes
from trellis.errors import FrameworkInvalid
from trellis.services import frameworks

SOURCE = "fuzz.yaml"
TINY_TEXT = TINY.read_text(encoding="utf-8")
TINY_DOC: dict[str, Any] = yaml.safe_load(TINY_TEXT)
BIG = "@BIG@"  # stands for a 5,000-digit integer, which neither dumper can write
WHOLE_FILE = ("the file is larger than", "the file holds more than")


def runs(default: int, slow: int) -> list[Any]:
    return [pytest.param(default, id="quick"),
            pytest.param(slow, id="many", marks=pytest.mark.slow)]


def fuzz(examples: int, *checks: HealthCheck):
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, *checks])


def read(data: str | bytes) -> tuple[Any, Any] | None:
    """The framework and document, or None after checking how the refusal reads."""
    try:
        if isinstance(data, bytes):
            return parse_framework_bytes(data, SOURCE)
        return parse_framework(data, SOURCE)
    except FrameworkInvalid as exc:
        shown = str(exc)
        assert "\n" not in shown and len(shown.splitlines()) == 1, repr(shown)
        assert shown.startswith(f"invalid framework: {SOURCE}"), shown
        assert exc.problems and exc.source == SOURCE
        for problem in exc.problems:
            assert len(str(problem).splitlines()) == 1, repr(str(problem))
            assert problem.message and problem.source == SOURCE
            assert problem.line is not None or problem.message.startswith(WHOLE_FILE), problem
        return None


# --- plausible documents

IDS = ["eng", "design", "L1", "L2", "L3", "craft", "people", "coding", "design_systems",
       "mentoring", "communication", "eng1", "eng2", "eng3", "des1", "des2"]
NUMBERS = st.one_of(
    st.integers(-(10**20), 10**20), st.floats(),
    st.sampled_from([0, 1, -1, 5, 10, 11, 600, 601, 10**12, 10**12 + 1, 2**63, BIG, 1e308, -1e308,
                     5e-324, -0.0, 0.5, 1.5, float("nan"), float("inf"), float("-inf")]),
)
TEXTS = st.one_of(
    st.text(max_size=20), st.sampled_from(IDS),
    st.sampled_from(["12", "5.0", "yes", "no", "NaN", "1e5", "2020-13-45", "", " ", "~",
                     "a\nb", "a\x00b", "\u2028", "x" * 600, "USD", "usd", "structured",
                     "dynamic", "vertical", "sideways", "*a", "&a", "!!int x"]),
)
VALUES = st.deferred(lambda: st.one_of(
    NUMBERS, TEXTS, st.booleans(), st.none(),
    st.lists(st.one_of(NUMBERS, TEXTS), max_size=4),
    st.dictionaries(TEXTS, st.one_of(NUMBERS, TEXTS), max_size=3),
))
ACTIONS = ["replace", "replace", "replace", "delete", "extra", "share", "nest", "cycle"]


def places(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a document, the document's own keys included."""
    found, stack = [], [node]
    while stack:
        container = stack.pop()
        keys = list(container) if isinstance(container, dict) else range(len(container))
        for key in keys:
            found.append((container, key))
            if isinstance(container[key], dict | list):
                stack.append(container[key])
    return found


@st.composite
def documents(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(TINY_DOC)
    for _ in range(draw(st.integers(1, 4))):
        container, key = draw(st.sampled_from(places(document)))
        action = draw(st.sampled_from(ACTIONS))
        if action == "replace":
            container[key] = draw(VALUES)
        elif action == "delete":
            del container[key]
        elif action == "extra" and isinstance(container[key], dict):
            container[key][draw(TEXTS)] = draw(VALUES)
        elif action == "share" and isinstance(container[key], list) and container[key]:
            container[key].append(container[key][0])  # a duplicate id; YAML writes an alias
        elif action == "nest":
            for _ in range(draw(st.integers(1, 40))):
                container[key] = [container[key]] if draw(st.booleans()) else {"x": container[key]}
        elif action == "cycle":
            a, b = draw(st.sampled_from(IDS)), draw(st.sampled_from(IDS))
            for comp in competencies(document):
                if comp.get("id") in (a, b):
                    comp["prerequisites"] = [b if comp["id"] == a else a]
    return document


def competencies(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The competency mappings that earlier mutations left in place."""
    def items(node: Any, key: str) -> list[Any]:
        found = node.get(key) if isinstance(node, dict) else None
        return found if isinstance(found, list) else []

    return [c for band in items(document, "skill_bands") for c in items(band, "competencies")
            if isinstance(c, dict)]


def written(document: Any, as_json: bool, ascii_only: bool) -> str:
    if as_json:
        text = json.dumps(document, ensure_ascii=ascii_only, indent=1)
        return text.replace(f'"{BIG}"', "9" * 5_000)
    text = yaml.safe_dump(document, allow_unicode=not ascii_only, sort_keys=False)
    return text.replace(f"'{BIG}'", "9" * 5_000)


@pytest.mark.parametrize("examples", runs(300, 5_000))
def test_plausible_documents_load_or_are_refused_in_one_line(examples):
    @fuzz(examples)
    @given(documents(), st.booleans(), st.booleans())
    def check(document, as_json, ascii_only):
        read(written(document, as_json, ascii_only))

    check()


# --- YAML's own syntax, in pieces

PIECES = ["id: tiny\n", "name: X\n", "tracks:\n", "levels: []\n", "roles:\n", "  - ", "- ",
          "{", "}", "[", "]", ", ", ": ", ":", "\n", "  ", "    ", "\t", "&a ", "*a", "&b ",
          "*b", "<<: ", "<<: *a", "!!int ", "!!float ", "!!str ", "!!binary ", "!!timestamp ",
          "!!bool ", "!!null ", "!!set ", "!!omap ", "!!pairs ", "!!map ", "!!seq ",
          "!!python/object:os.system ", "!<tag:x%0Ay> ", "!local ", "? ", "---\n", "...\n",
          "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "'", '"', "\\", '"\\0"', '"\\ud800"',
          '"\\U0010ffff"', '"\\x85"', "#", "|\n", ">-\n", "1e308", "1.0e+308", ".nan", ".inf",
          "-.inf", "9" * 40, "2020-13-45", "2001-12-14 21:59:43 +99:00", "0x", "0o7", "1:30",
          "~", "null", "yes", "\ufeff", "\u2028", "\x85", "\x00", "\x07", "é", "😀", "\ud800"]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=40)


@pytest.mark.parametrize("examples", runs(300, 5_000))
def test_yaml_syntax_in_pieces_loads_or_is_refused_in_one_line(examples):
    @fuzz(examples)
    @given(TEXT, st.sampled_from(["", TINY_TEXT, TINY_TEXT[:400]]), st.booleans())
    def check(pieces, start, before):
        text = "".join(pieces)
        read(start + text if before else text + start)

    check()


# --- bytes of other encodings in the tiny file

BAD_BYTES = [b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xef\xbb\xbf",
             b"\xe9", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80",
             b"\x80", b"\x00", b"\x85", b"\xe2\x80\xa8", b"\r", b"\r\n"]


@pytest.mark.parametrize("examples", runs(300, 5_000))
def test_bytes_load_or_are_refused_in_one_line(examples):
    tiny = TINY_TEXT.encode()

    @fuzz(examples)
    @given(st.lists(st.tuples(st.integers(0, len(tiny)),
                              st.one_of(st.sampled_from(BAD_BYTES), st.binary(max_size=4))),
                    max_size=4),
           st.one_of(st.just(tiny), st.binary(max_size=200)))
    def check(insertions, data):
        for at, extra in insertions:
            data = data[:at] + extra + data[at:]
        read(data)

    check()


# --- through the service, on a real database

@pytest.mark.parametrize("examples", runs(40, 500))
def test_a_refused_file_leaves_the_database_as_it_was(trellis, examples):
    @fuzz(examples, HealthCheck.function_scoped_fixture)
    @given(documents(), st.booleans())
    def check(document, as_json):
        before = frameworks.list_versions(trellis.uow())
        parsed = read(written(document, as_json, ascii_only=False))
        if parsed is None:
            assert frameworks.list_versions(trellis.uow()) == before
            return
        framework, stored = parsed
        loaded = frameworks.load_framework(trellis.uow(), framework, stored, author="fuzz")
        assert frameworks.framework_document(trellis.uow(), loaded.version.id) == stored
        assert frameworks.framework_at(trellis.uow(), key=framework.key)[1] == framework

    check()
