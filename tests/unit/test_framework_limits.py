"""Hostile and nonsense framework files: each is refused with one located, one-line problem.

Every case here once crashed the reader (a RecursionError, a ValueError, a UnicodeError,
gigabytes of memory) or was accepted although its numbers mean nothing (NaN months, a
mastery scale to 5.0). docs/frameworks.md ("Limits") lists the bounds these tests hold.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from trellis.adapters import framework_files
from trellis.adapters.framework_files import parse_framework, read_framework_file
from trellis.domain.limits import FRAMEWORK_FILE_MAX, FRAMEWORK_NODES_MAX, LONG_TEXT_MAX
from trellis.errors import FrameworkInvalid, Problem

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny.yaml"
BASE = TINY.read_text(encoding="utf-8")
SOURCE = "edge.yaml"


def one_line(exc: FrameworkInvalid) -> list[Problem]:
    """The error and each of its problems print as exactly one line."""
    for shown in (str(exc), *(str(p) for p in exc.problems)):
        assert "\n" not in shown and len(shown.splitlines()) == 1, repr(shown)
    assert exc.problems
    return exc.problems


def refused(text: str) -> list[Problem]:
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, SOURCE)
    return one_line(caught.value)


def refused_file(data: bytes, tmp_path: Path) -> list[Problem]:
    path = tmp_path / "framework.yaml"
    path.write_bytes(data)
    return refused_path(path)


def refused_path(path: Path) -> list[Problem]:
    with pytest.raises(FrameworkInvalid) as caught:
        read_framework_file(path)
    assert all(p.source == str(path) for p in caught.value.problems)
    return one_line(caught.value)


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), start=1) if needle in row)


# --- encodings: UTF-8 only, and a bad byte is named with its line

NAME = "name: Tiny Co\n"  # line 3 of tiny.yaml
ENCODINGS = [
    ("utf-16-le-bom", codecs.BOM_UTF16_LE + BASE.encode("utf-16-le"), 1, "the file is UTF-16"),
    ("utf-16-be-bom", codecs.BOM_UTF16_BE + BASE.encode("utf-16-be"), 1, "the file is UTF-16"),
    ("utf-32-le-bom", codecs.BOM_UTF32_LE + BASE.encode("utf-32-le"), 1, "the file is UTF-32"),
    ("utf-32-be-bom", codecs.BOM_UTF32_BE + BASE.encode("utf-32-be"), 1, "the file is UTF-32"),
    ("utf-16-no-bom", BASE.encode("utf-16-le"), 1, "unacceptable character #x0000"),
    ("latin-1", edit(NAME, "name: Tiny Café\n").encode("latin-1"), 3,
     "not valid UTF-8 (invalid continuation byte: byte 0xE9)"),
    ("cp1252-quote", edit(NAME, "name: Tiny \u2019Co\n").encode("cp1252"), 3,
     "not valid UTF-8 (invalid start byte: byte 0x92)"),
    ("lone-surrogate-bytes", edit(NAME, "name: Tiny @\n").encode().replace(b"@", b"\xed\xa0\x80"),
     3, "byte 0xED"),
    ("surrogate-pair-bytes", edit(NAME, "name: Tiny @\n").encode()
     .replace(b"@", b"\xed\xa0\xbd\xed\xb8\x80"), 3, "byte 0xED"),
    ("truncated-at-end", BASE.encode() + b"# caf\xc3", BASE.count("\n") + 1,
     "unexpected end of data: byte 0xC3"),
    ("truncated-mid-file", edit(NAME, "name: Tiny @ Co\n").encode().replace(b"@", b"\xe2\x82"),
     3, "invalid continuation byte: byte 0xE2"),
    ("overlong-slash", edit(NAME, "name: Tiny @\n").encode().replace(b"@", b"\xc0\xaf"), 3,
     "invalid start byte: byte 0xC0"),
    ("byte-ff", edit(NAME, "name: Tiny @\n").encode().replace(b"@", b"\xff"), 3,
     "invalid start byte: byte 0xFF"),
    ("stray-continuation", edit(NAME, "name: Tiny @\n").encode().replace(b"@", b"\x80"), 3,
     "invalid start byte: byte 0x80"),
    ("beyond-u10ffff", edit(NAME, "name: Tiny @\n").encode().replace(b"@", b"\xf4\x90\x80\x80"),
     3, "byte 0xF4"),
    ("nul-byte", edit(NAME, "name: Tiny @\n").encode().replace(b"@", b"\x00"), 3,
     "unacceptable character #x0000"),
    ("bell-byte", edit(NAME, "name: Tiny @\n").encode().replace(b"@", b"\x07"), 3,
     "unacceptable character #x0007"),
]


@pytest.mark.parametrize(("data", "line", "message"), [c[1:] for c in ENCODINGS],
                         ids=[c[0] for c in ENCODINGS])
def test_a_file_that_is_not_utf8_is_refused_with_its_line(data, line, message, tmp_path):
    [problem] = refused_file(data, tmp_path)
    assert (problem.path, problem.line) == ("", line)
    assert message in problem.message


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(codecs.BOM_UTF8 + BASE.encode())
    framework, _ = read_framework_file(path)
    assert framework.key == "tiny"
    assert parse_framework("\ufeff" + BASE)[0] == framework


def test_text_with_a_lone_surrogate_is_refused_with_its_line():
    [problem] = refused(edit(NAME, "name: Tiny \ud800\n"))
    assert problem.line == 3
    assert problem.message == ("not valid text: U+D800 is half of a UTF-16 surrogate pair, "
                               "not a character")


# --- size: the whole file, then every part of it

def test_a_file_past_the_size_limit_is_refused_before_it_is_read_in_full(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(BASE.encode())
        handle.seek(FRAMEWORK_FILE_MAX)
        handle.write(b"\n")  # sparse: one byte past the limit
    [problem] = refused_path(path)
    assert problem.message == ("the file is larger than 32 MiB (33,554,432 bytes), the most "
                               "a framework file may be")


def test_text_past_the_size_limit_is_refused():
    [problem] = refused(BASE + "#" * FRAMEWORK_FILE_MAX)
    assert problem.message.startswith("the file is larger than 32 MiB")
    # the limit counts UTF-8 bytes: 2 bytes a character here
    [problem] = refused(BASE + "#" + "é" * (FRAMEWORK_FILE_MAX // 2))
    assert problem.message.startswith("the file is larger than 32 MiB")


def test_more_nodes_than_the_limit_are_refused_while_composing(monkeypatch):
    monkeypatch.setattr(framework_files, "FRAMEWORK_NODES_MAX", 1_000)
    [problem] = refused(edit("name: Tiny Co\n", "name: [" + "0, " * 1_000 + "]\n"))
    assert problem.message == ("the file holds more than 1,000 keys, values and items, the "
                               "most a framework file may hold")
    monkeypatch.setattr(framework_files, "FRAMEWORK_NODES_MAX", 2_000)
    parse_framework(BASE)  # the small file is well inside it


@pytest.mark.slow
def test_more_nodes_than_the_real_limit_are_refused():
    [problem] = refused("id: x\nname: [" + "0," * FRAMEWORK_NODES_MAX + "]\n")
    assert problem.message.startswith(f"the file holds more than {FRAMEWORK_NODES_MAX:,} keys")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nesting_past_the_limit_is_refused_with_its_line():
    text = edit("name: Tiny Co\n", f"name: Tiny Co\ndescription: {nested(33)}\n")
    [problem] = refused(text)
    assert problem.message == "mappings and lists nest more than 32 deep"
    assert problem.line == 4
    # 32 deep (the top mapping and 31 lists), a value inside, is only the wrong type
    [problem] = refused(edit(NAME, f"{NAME}description: {'[' * 31}1{']' * 31}\n"))
    assert (problem.path, problem.message) == ("description", "Input should be a valid string")
    for deeper in (f"{'[' * 32}1{']' * 32}", nested(32)):
        [problem] = refused(edit(NAME, f"{NAME}description: {deeper}\n"))
        assert (problem.line, problem.message) == (4, "mappings and lists nest more than 32 deep")


def test_nesting_past_the_limit_through_aliases_is_refused():
    """Each list is 22 deep as written; the alias puts one inside the other, 42 deep."""
    inner, around = f"&deep {nested(20)}", "[" * 20 + "*deep" + "]" * 20
    [problem] = refused(edit(NAME, f"{NAME}description: [{inner}, {around}]\n"))
    assert problem.message == "mappings and lists nest more than 32 deep"
    assert problem.line == 4


def test_a_value_past_the_length_limit_is_refused_with_its_line():
    [problem] = refused(edit(NAME, f"name: Tiny Co\ndescription: {'x' * (LONG_TEXT_MAX + 1)}\n"))
    assert (problem.line, problem.message) == (4, "a value of 100,001 characters: at most "
                                               "100,000 are allowed")
    framework, _ = parse_framework(edit(NAME, f"{NAME}description: {'x' * LONG_TEXT_MAX}\n"))
    assert len(framework.description) == LONG_TEXT_MAX


def test_a_key_past_the_length_limit_is_refused():
    [problem] = refused(edit(NAME, f"{NAME}? {'k' * (LONG_TEXT_MAX + 1)}\n: 1\n"))
    assert problem.line == 4 and problem.message.startswith("a value of 100,001 characters")


# --- numbers too long to read: Python refuses int() past 4,300 digits

NUMBERS = ["1" * 5_000, "-" + "9" * 5_000, "0x" + "f" * 5_000, "1" * 5_000 + ".5",
           "1." + "0" * 33, "!!int " + "7" * 5_000, "!!float " + "7" * 40]
PLACES = [("name: Tiny Co\n", "name: @\n"),
          ("expects: {coding: 1},", "expects: {coding: @},"),
          ("{min: 40000, mid: 45000, max: 50000}", "{min: 40000, mid: @, max: 50000}")]


@pytest.mark.parametrize("number", NUMBERS, ids=lambda n: f"{n[:8]}..{len(n)}")
@pytest.mark.parametrize(("old", "new"), PLACES, ids=["name", "expects", "pay"])
def test_a_number_written_with_thousands_of_digits_is_refused(number, old, new):
    text = edit(old, new.replace("@", number))
    [problem] = refused(text)
    assert problem.line == line_of(text, number[:20])
    assert problem.message == (f"a number written with {len(number.split()[-1]):,} "
                               "characters: at most 32 are allowed")


def test_a_long_number_is_fine_as_a_string():
    framework, _ = parse_framework(edit(NAME, f"{NAME}description: '{'1' * 5_000}'\n"))
    assert framework.description == "1" * 5_000


@pytest.mark.parametrize(("value", "message"), [
    ("2020-13-45", "cannot read '2020-13-45' as a date"),
    ("2001-12-14 21:59:43 +99:00", "cannot read '2001-12-14 21:59:43 +99:00' as a date"),
    ("!!timestamp ''", "cannot read '' as a date"),
    ("!!int abc", "cannot read 'abc' as an integer"),
    ("!!int ''", "cannot read '' as an integer"),
    ("!!float ''", "cannot read '' as a number"),
    ("!!float abc", "cannot read 'abc' as a number"),
    ("!!bool maybe", "cannot read 'maybe' as true or false"),
])
def test_a_scalar_yaml_cannot_build_is_a_yaml_problem_with_its_line(value, message):
    [problem] = refused(edit(NAME, f"name: Tiny Co\ndescription: {value}\n"))
    assert (problem.path, problem.line) == ("", 4)
    assert problem.message == f"not valid YAML/JSON: {message}"


# --- aliases: recursive ones, and bombs

@pytest.mark.parametrize("value", ["&a [*a]", "&a {x: *a}", "&a [1, [2, [3, *a]]]",
                                   "&a {x: [{y: *a}]}", "{? &a [*a] : 1}"])
def test_a_recursive_alias_is_refused_with_its_line(value):
    [problem] = refused(edit(NAME, f"name: Tiny Co\ndescription: {value}\n"))
    assert problem.line == 4
    assert problem.message == ("an alias refers to a mapping or list it is part of (a "
                               "recursive alias)")


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_billion_laughs_is_refused_at_once():
    assert len(BILLION_LAUGHS) < 400
    [problem] = refused(BILLION_LAUGHS)
    assert problem.message == ("aliases repeat more than 100,000 keys, values and items, the "
                               "most a framework file may hold")
    assert problem.line == 6  # the first list that stands for more than that


def test_aliases_for_what_a_framework_repeats_are_fine():
    """The use aliases are for: one set of expectations shared by several roles."""
    text = edit("expects: {coding: 1},", "expects: &junior {coding: 1, communication: 1},")
    text = edit("expects: {design_systems: 1}", "expects: *junior", text)
    framework, document = parse_framework(text)
    assert framework.roles["des1"].expects == framework.roles["eng1"].expects
    assert document["roles"][3]["expects"] == {"coding": 1, "communication": 1}


def test_a_merge_key_override_is_not_a_repeated_key():
    text = edit("{id: des1, track: design, level: L1, title: Designer I,",
                "{<<: *eng1, id: des1, track: design, title: Designer I,")
    text = edit("  - {id: eng1,", "  - &eng1 {id: eng1,", text)
    framework, _ = parse_framework(text)
    assert framework.roles["des1"].level == "L1"
    assert framework.roles["des1"].pay_band == framework.roles["eng1"].pay_band


# --- whole-framework checks never recurse

def chain(n: int, *, cycle: bool) -> str:
    items = [f"      - {{id: c{i}, name: C{i}, prerequisites: [c{i + 1}]}}" for i in range(n - 1)]
    last = f"      - {{id: c{n - 1}, name: C{n - 1}" + (", prerequisites: [c0]}" if cycle else "}")
    return edit("      - {id: communication, name: Communication}\n",
                "      - {id: communication, name: Communication}\n" + "\n".join(
                    [*items, last]) + "\n")


def test_a_prerequisite_cycle_of_3000_competencies_is_one_short_problem():
    text = chain(3_000, cycle=True)
    [problem] = refused(text)
    assert problem.path == "skill_bands[1].competencies[3001].prerequisites"
    assert problem.line == line_of(text, "{id: c2999,")
    assert problem.message == ("prerequisite cycle of 3,000 competencies: c0 -> c1 -> c2 -> "
                               "... -> c2998 -> c2999 -> c0")


def test_a_prerequisite_chain_of_3000_competencies_is_fine():
    framework, _ = parse_framework(chain(3_000, cycle=False))
    assert framework.competencies["c0"].prerequisites == ("c1",)


# --- messages never break a line, whatever the file's characters

@pytest.mark.parametrize(("old", "new", "path"), [
    ("name: Tiny Co\n", 'name: Tiny Co\n"colour\\nscheme": 1\n', "colour\\u000ascheme"),
    ("name: Tiny Co\n", 'name: Tiny Co\n"line\\u2028sep": 1\n', "line\\u2028sep"),
    ("name: Tiny Co\n", 'name: Tiny Co\n"nel\\x85": 1\n', "nel\\u0085"),
    ("name: Tiny Co\n", "name: Tiny Co\n? " + "k" * 2_000 + "\n: 1\n", "k" * 299 + "…"),
])
def test_a_key_with_line_breaks_or_thousands_of_characters_prints_on_one_line(old, new, path):
    [problem] = refused(edit(old, new))
    assert (problem.path, problem.message, problem.line) == (path, "unknown field", 4)


def test_a_tag_with_a_line_break_prints_on_one_line():
    [problem] = refused(edit(NAME, "name: !<tag:x%0Ay> Tiny\n"))
    assert (problem.line, problem.message) == (
        3, "not valid YAML/JSON: could not determine a constructor for the tag 'tag:x\\ny'")


@pytest.mark.parametrize(("value", "message"), [
    ('"Tiny\\nCo"', "the text contains the control character U+000A, which is not allowed"),
    ('"Tiny\\tCo"', "the text contains the control character U+0009, which is not allowed"),
    ('"Tiny\\0Co"', "the text contains the control character U+0000, which is not allowed"),
    ("!!binary VGlueQ==", "Input should be a valid string"),
    ("x" * 501, "String should have at most 500 characters"),
])
def test_a_name_is_one_line_of_text(value, message):
    [problem] = refused(edit(NAME, f"name: {value}\n"))
    assert (problem.path, problem.message, problem.line) == ("name", message, 3)


def test_a_description_may_span_lines_but_never_holds_nul():
    framework, _ = parse_framework(edit(NAME, f'{NAME}description: "one\\ntwo"\n'))
    assert framework.description == "one\ntwo"
    [problem] = refused(edit(NAME, f'{NAME}description: "one\\0two"\n'))
    assert problem.message == ("the text contains the control character U+0000, which is not "
                               "allowed")


# --- numbers that validate but mean nothing (item 8): strict, finite, bounded

EDGES = """\
id: edges
name: Edge Co
mastery_scale: {max: 5}
tracks:
  - {id: eng, name: Engineering}
levels:
  - {id: L1, name: One}
  - {id: L2, name: Two, min_months: 12}
skill_bands:
  - id: craft
    name: Craft
    levels:
      - {name: Practitioner, k: 2, mastery: 2}
      - {name: Rounded, average: 1.5, pay_step: {percent: 5}}
      - {name: Paid, k: 2, mastery: 3, pay_step: {amount: 1000}}
    competencies:
      - {id: coding, name: Coding}
      - {id: testing, name: Testing, scale: {max: 5}}
roles:
  - {id: e1, track: eng, level: L1, title: Engineer, expects: {coding: 1},
     pay_band: {min: 40000, mid: 45000, max: 50000}}
  - {id: e2, track: eng, level: L2, title: Engineer II, expects: {coding: 2, testing: 2}}
points:
  - id: growth
    mastery_points: [0, 1, 3, 6, 10, 15]
    competency_points: {testing: [0, 2, 5, 9, 14, 20]}
    weights: {coding: 2}
    levels:
      - {level: L1, min_points: 0}
      - {level: L2, min_points: 10}
    titles:
      - {role: e1, min: 0, max: 9}
      - {role: e2, min: 10}
readiness: {fresh_months: 36, stale_weight: 0.8, ready_at: 100}
lattice:
  lanes: 3
  weights: {vertical: 0, lateral: 3, diagonal: 4}
  moves:
    - {from: e1, to: e2, kind: vertical, weight: 1}
"""

# (the field as a template, what EDGES says, the problem's path, a value just too big)
FIELDS = [
    ("min_months: @}", "min_months: 12}", "levels[1].min_months", "601"),
    ("scale: {max: @}}", "scale: {max: 5}}", "skill_bands[0].competencies[1].scale.max", "11"),
    ("mastery_scale: {max: @}", "mastery_scale: {max: 5}", "mastery_scale.max", "11"),
    ("average: @,", "average: 1.5,", "skill_bands[0].levels[1].average", "11"),
    ("{percent: @}", "{percent: 5}", "skill_bands[0].levels[1].pay_step.percent", "51"),
    ("{amount: @}", "{amount: 1000}", "skill_bands[0].levels[2].pay_step.amount",
     "1000000000001"),
    ("k: @, mastery: 3", "k: 2, mastery: 3", "skill_bands[0].levels[2].k", "3"),
    ("mid: @,", "mid: 45000,", "roles[0].pay_band.mid", "1000000000001"),
    ("expects: {coding: @}", "expects: {coding: 1}", "roles[0].expects.coding", "6"),
    ("mastery_points: [0, 1, @, 6, 10, 15]", "mastery_points: [0, 1, 3, 6, 10, 15]",
     "points[0].mastery_points[2]", "1000001"),
    ("{testing: [0, 2, 5, 9, 14, @]}", "{testing: [0, 2, 5, 9, 14, 20]}",
     "points[0].competency_points.testing[5]", "1000001"),
    ("weights: {coding: @}", "weights: {coding: 2}", "points[0].weights.coding", "101"),
    ("min_points: @}", "min_points: 10}", "points[0].levels[1].min_points", "1000001"),
    ("{role: e1, min: 0, max: @}", "{role: e1, min: 0, max: 9}", "points[0].titles[0].max",
     "1000001"),
    ("fresh_months: @,", "fresh_months: 36,", "readiness.fresh_months", "601"),
    ("stale_weight: @,", "stale_weight: 0.8,", "readiness.stale_weight", "1.5"),
    ("ready_at: @}", "ready_at: 100}", "readiness.ready_at", "101"),
    ("lanes: @", "lanes: 3", "lattice.lanes", "21"),
    ("lateral: @,", "lateral: 3,", "lattice.weights.lateral", "601"),
    ("weight: @}", "weight: 1}", "lattice.moves[0].weight", "601"),
]
INTEGERS = ("scale.max", "pay_step.amount", "levels[2].k", "pay_band.mid", "expects.coding")
NOT_NUMBERS = ["'12'", '"3"', "true", "no", "[1]", "{a: 1}"]
NOT_FINITE = [".nan", ".NaN", ".inf", "-.inf", "1e308", "1.0e+308", "-1e308"]
NOT_WHOLE = ["5.0", "2.5"]


def nonsense() -> list[tuple[str, str, str]]:
    cases = []
    for template, old, path, too_big in FIELDS:
        values = [*NOT_NUMBERS, *NOT_FINITE, "-1", too_big]
        if path.endswith(INTEGERS):
            values += NOT_WHOLE
        cases += [(template.replace("@", v), old, path) for v in values]
    return cases


@pytest.mark.parametrize(("new", "old", "path"), nonsense(), ids=lambda v: v[:40])
def test_a_number_that_means_nothing_is_refused_with_its_path_and_line(new, old, path):
    text = edit(old, new, EDGES)
    problems = refused(text)
    assert [(p.path, p.line) for p in problems] == [(path, line_of(text, new))]


BOUNDS = [("min_months: 12}", "min_months: 600}"),
          ("mastery_scale: {max: 5}", "mastery_scale: {max: 10}"),
          ("{percent: 5}", "{percent: 50}"), ("{amount: 1000}", "{amount: 1000000000000}"),
          ("max: 50000}", "max: 1000000000000}"),
          ("weights: {coding: 2}", "weights: {coding: 100}"),
          ("{role: e2, min: 10}", "{role: e2, min: 1000000}"), ("lanes: 3", "lanes: 20"),
          ("fresh_months: 36,", "fresh_months: 600,"), ("stale_weight: 0.8,", "stale_weight: 0,"),
          ("lateral: 3,", "lateral: 600,"), ("weight: 1}", "weight: 600}"),
          ("min_months: 600}", "min_months: 0.5}")]


def test_the_edge_file_is_valid_and_its_bounds_are_inclusive():
    parse_framework(EDGES)
    text = EDGES
    for old, new in BOUNDS:
        text = edit(old, new, text)
    framework, _ = parse_framework(text)
    assert framework.levels["L2"].min_months == 0.5
    assert framework.competencies["coding"].scale.max == 10
    assert (framework.lattice.lanes, framework.readiness.fresh_months) == (20, 600)


def test_json_exponents_are_numbers():
    """JSON writes 1e-05 and 2E+3: YAML 1.1 alone would read them as strings."""
    text = edit("min_months: 12}", "min_months: 1.2e1}", EDGES)
    text = edit("weights: {coding: 2}", "weights: {coding: 2E-1}", text)
    text = edit("ready_at: 100}", "ready_at: 1e2}", text)
    framework, _ = parse_framework(text)
    assert framework.levels["L2"].min_months == 12.0
    assert framework.points_rules[0].weights == {"coding": 0.2}
    assert framework.readiness.ready_at == 100.0
