"""Bad framework files: every problem is reported with its exact path, message and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from trellis.adapters.framework_files import dump_document, parse_framework
from trellis.errors import FrameworkInvalid, Problem

SOURCE = "tiny.yaml"

# Line numbers in the tests below refer to this text; every edit keeps the line count.
BASE = """\
id: tiny
name: Tiny company
tracks:
  - {id: eng, name: Engineering}
  - {id: mgmt, name: Management, role_type: dynamic}
levels:
  - {id: L1, name: Junior}
  - {id: L2, name: Mid}
  - {id: L3, name: Senior}
skill_bands:
  - id: craft
    name: Craft
    competencies:
      - {id: coding, name: Coding}
      - {id: testing, name: Testing}
      - id: design
        name: Design
        prerequisites: [coding]
  - id: people
    name: People
    competencies:
      - {id: mentoring, name: Mentoring}
roles:
  - id: eng-1
    track: eng
    level: L1
    title: Engineer I
    pay_band: {min: 90000, mid: 100000, max: 110000}
    expects: {coding: 2, testing: 1}
  - id: eng-2
    track: eng
    level: L2
    title: Engineer II
    expects: {coding: 3, testing: 2, design: 1}
  - id: eng-3
    track: eng
    level: L3
    title: Senior Engineer
    expects: {coding: 4, testing: 3, design: 3}
  - id: mgr-3
    track: mgmt
    level: L3
    title: Engineering Manager
    expects:
      coding: 3
      design: 2
      mentoring: 4
"""


def problems(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, SOURCE)
    assert caught.value.source == SOURCE
    assert all(p.source == SOURCE for p in caught.value.problems)
    return [(p.path, p.message, p.line) for p in caught.value.problems]


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    text = BASE.replace(old, new)
    assert text.count("\n") == BASE.count("\n")
    return text


def test_base_file_is_valid():
    framework, document = parse_framework(BASE, SOURCE)
    assert list(framework.levels) == ["L1", "L2", "L3"]
    assert [lv.rank for lv in framework.levels.values()] == [1, 2, 3]
    assert framework.roles["mgr-3"].expects == {"coding": 3, "design": 2, "mentoring": 4}
    assert framework.competencies["design"].prerequisites == ("coding",)
    assert framework.roles["eng-1"].pay_band is not None
    assert framework.roles["eng-1"].pay_band.currency == "USD"
    assert document["id"] == "tiny"


def test_duplicate_track_id():
    text = edit("{id: mgmt, name: Management, role_type: dynamic}",
                "{id: eng, name: Management, role_type: dynamic}")
    text = text.replace("track: mgmt", "track: eng")
    assert problems(text) == [("tracks[1].id", "duplicate id 'eng'", 5)]


def test_duplicate_role_id():
    text = edit("  - id: eng-3\n", "  - id: eng-2\n")
    assert problems(text) == [("roles[2].id", "duplicate id 'eng-2'", 35)]


def test_duplicate_level_id():
    text = edit("{id: L2, name: Mid}", "{id: L1, name: Mid}").replace("level: L2", "level: L1")
    assert problems(text) == [("levels[1].id", "duplicate id 'L1'", 8)]


def test_duplicate_competency_across_bands():
    text = edit("{id: mentoring, name: Mentoring}", "{id: testing, name: Mentoring}")
    assert problems(text) == [
        ("skill_bands[1].competencies[0].id", "duplicate id 'testing'", 22),
        ("roles[3].expects.mentoring", "unknown competency 'mentoring'", 47),
    ]


def test_unknown_competency_in_expects():
    text = edit("      design: 2\n", "      system_design: 2\n")
    assert problems(text) == [
        ("roles[3].expects.system_design", "unknown competency 'system_design'", 46)
    ]
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, SOURCE)
    assert str(caught.value.problems[0]) == (
        "tiny.yaml:46: roles[3].expects.system_design: unknown competency 'system_design'"
    )
    assert str(caught.value) == (
        "invalid framework: tiny.yaml:46: roles[3].expects.system_design: "
        "unknown competency 'system_design'"
    )


def test_unknown_competency_in_flow_mapping_expects():
    text = edit("{coding: 3, testing: 2, design: 1}", "{coding: 3, testing: 2, desing: 1}")
    assert problems(text) == [("roles[1].expects.desing", "unknown competency 'desing'", 34)]


def test_unknown_track_and_level():
    text = edit("    track: eng\n    level: L2\n", "    track: ops\n    level: L9\n")
    assert problems(text) == [
        ("roles[1].track", "unknown track 'ops'", 31),
        ("roles[1].level", "unknown level 'L9'", 32),
    ]


def test_unknown_prerequisite():
    text = edit("prerequisites: [coding]", "prerequisites: [typing]")
    assert problems(text) == [
        ("skill_bands[0].competencies[2].prerequisites[0]", "unknown competency 'typing'", 18)
    ]


def test_prerequisite_cycle():
    text = edit("{id: coding, name: Coding}", "{id: coding, name: Coding, prerequisites: [design]}")
    assert problems(text) == [
        (
            "skill_bands[0].competencies[2].prerequisites",
            "prerequisite cycle: coding -> design -> coding",
            18,
        )
    ]


def test_self_prerequisite_is_a_cycle():
    text = edit(
        "{id: testing, name: Testing}", "{id: testing, name: Testing, prerequisites: [testing]}"
    )
    assert problems(text) == [
        (
            "skill_bands[0].competencies[1].prerequisites",
            "prerequisite cycle: testing -> testing",
            15,
        )
    ]


def test_unknown_field():
    text = edit("{id: eng, name: Engineering}", "{id: eng, name: Engineering, colour: blue}")
    assert problems(text) == [("tracks[0].colour", "unknown field", 4)]


def test_unknown_top_level_field():
    text = edit("name: Tiny company\n", "nmae: Tiny company\n")
    assert problems(text) == [
        ("name", "required field is missing", 1),
        ("nmae", "unknown field", 2),
    ]


def test_missing_required_field():
    text = edit("    title: Engineer I\n", "    description: no title\n")
    assert problems(text) == [("roles[0].title", "required field is missing", 24)]


def test_wrong_type_and_bad_enum():
    text = edit("role_type: dynamic", "role_type: ladder")
    text = text.replace("{coding: 2, testing: 1}", "{coding: high, testing: 1}")
    assert problems(text) == [
        ("tracks[1].role_type", "Input should be 'structured' or 'dynamic'", 5),
        (
            "roles[0].expects.coding",
            "Input should be a valid integer",
            29,
        ),
    ]


def test_invalid_yaml_reports_the_line():
    text = edit("      design: 2\n", "     design: 2\n")
    assert problems(text) == [
        ("", "not valid YAML/JSON: did not find expected key", 46)
    ]


def test_tab_indentation_reports_the_line():
    text = edit("    title: Engineer I\n", "\ttitle: Engineer I\n")
    assert problems(text) == [
        ("", "not valid YAML/JSON: found a tab character that violates indentation", 27)
    ]


def test_top_level_must_be_a_mapping():
    assert problems("- just\n- a list\n") == [("", "expected a mapping at the top", 1)]


def test_mastery_out_of_scale():
    text = edit("{coding: 4, testing: 3, design: 3}", "{coding: 7, testing: 3, design: 3}")
    assert problems(text) == [
        ("roles[2].expects.coding", "mastery 7 is outside the 0-5 scale", 39)
    ]


def test_mastery_out_of_a_competency_own_scale():
    text = edit("{id: testing, name: Testing}", "{id: testing, name: Testing, scale: {max: 2}}")
    assert problems(text) == [
        ("roles[2].expects.testing", "mastery 3 is outside the 0-2 scale", 39)
    ]


def test_descriptor_count_must_match_scale():
    text = edit("{id: testing, name: Testing}",
                "{id: testing, name: Testing, scale: {max: 3, descriptors: [a, b]}}")
    text = text.replace("testing: 2,", "testing: 1,").replace("testing: 3,", "testing: 1,")
    assert problems(text) == [
        ("skill_bands[0].competencies[1].scale", "2 descriptors for a 0-3 scale (need 4)", 15)
    ]


def test_pay_band_min_above_mid():
    text = edit("{min: 90000, mid: 100000, max: 110000}", "{min: 120000, mid: 100000, max: 130000}")
    assert problems(text) == [("roles[0].pay_band", "pay band needs min <= mid <= max", 28)]


def test_negative_pay_and_bad_currency():
    text = edit("{min: 90000, mid: 100000, max: 110000}",
                "{min: -1, mid: 100000, max: 110000, currency: usd}")
    assert problems(text) == [
        ("roles[0].pay_band.min", "Input should be greater than or equal to 0", 28),
        ("roles[0].pay_band.currency", "String should match pattern '^[A-Z]{3}$'", 28),
    ]


def test_every_problem_is_reported_at_once():
    text = edit("    track: eng\n    level: L2\n", "    track: ops\n    level: L9\n")
    text = text.replace("      design: 2\n", "      system_design: 2\n")
    text = text.replace("{min: 90000, mid: 100000, max: 110000}", "{min: 1, mid: 0, max: 2}")
    found = problems(text)
    assert found == [
        ("roles[0].pay_band", "pay band needs min <= mid <= max", 28),
        ("roles[1].track", "unknown track 'ops'", 31),
        ("roles[1].level", "unknown level 'L9'", 32),
        ("roles[3].expects.system_design", "unknown competency 'system_design'", 46),
    ]


def as_json(text: str) -> str:
    return json.dumps(yaml.safe_load(text), indent=2)


def test_json_file_parses_the_same_as_yaml():
    from_yaml, yaml_document = parse_framework(BASE, "tiny.yaml")
    from_json, json_document = parse_framework(as_json(BASE), "tiny.json")
    assert from_json == from_yaml
    assert json_document == yaml_document


def test_json_problems_carry_json_lines():
    text = as_json(BASE.replace("      design: 2\n", "      system_design: 2\n"))
    lines = text.splitlines()
    line = next(n for n, row in enumerate(lines, start=1) if '"system_design"' in row)
    assert lines[line - 1].strip() == '"system_design": 2,'
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, "tiny.json")
    assert caught.value.problems == [
        Problem(
            "roles[3].expects.system_design",
            "unknown competency 'system_design'",
            line,
            "tiny.json",
        )
    ]


def test_invalid_json_reports_the_line():
    text = as_json(BASE).replace('"name": "Tiny company",', '"name": "Tiny company"', 1)
    line = text.splitlines().index('  "name": "Tiny company"') + 2
    assert problems(text) == [
        ("", "not valid YAML/JSON: did not find expected ',' or '}'", line)
    ]


def test_the_example_in_the_docs_parses():
    docs = Path(__file__).resolve().parents[2] / "docs" / "frameworks.md"
    example = docs.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    framework, _ = parse_framework(example, "docs/frameworks.md")
    assert framework.key == "tiny"
    assert framework.roles["mgr-3"].expects["mentoring"] == 4


def test_a_repeated_key_is_reported_not_silently_overwritten():
    text = BASE.replace("expects: {coding: 2, testing: 1}", "expects: {coding: 2, coding: 4}")
    with pytest.raises(FrameworkInvalid) as exc:
        parse_framework(text, SOURCE)
    assert [(p.path, p.message, p.line) for p in exc.value.problems] == [
        ("roles[0].expects.coding", "key repeated", 29)
    ]


def test_yes_is_not_a_mastery():
    text = BASE.replace("expects: {coding: 2, testing: 1}", "expects: {coding: yes}")
    with pytest.raises(FrameworkInvalid) as exc:
        parse_framework(text, SOURCE)
    assert [(p.path, p.line) for p in exc.value.problems] == [("roles[0].expects.coding", 29)]


def test_a_dumped_document_reads_back_the_same_even_with_number_like_ids():
    # PyYAML writes "1e5" bare, which the reader takes for a number; U+0085 is a line break
    tiny = Path(__file__).parents[1] / "fixtures" / "tiny.yaml"
    text = tiny.read_text(encoding="utf-8").replace("id: L1,", "id: '1e5',").replace(
        "level: L1,", "level: '1e5',").replace("name: Junior", "name: \"Jun\\x85ior\"")
    assert "1e5" in text and "x85" in text
    _, document = parse_framework(text, "tiny.yaml")
    for fmt in ("yaml", "json"):
        assert parse_framework(dump_document(document, fmt), "again")[1] == document


def test_schema_and_rule_problems_come_in_one_pass():
    """A role the schema refuses (a title that is a list) and another role's unknown
    competency: both listed, with their lines, the first time; before, the second showed
    only once the first was fixed."""
    text = edit("    title: Senior Engineer\n", "    title: [Senior, Engineer]\n")
    text = text.replace("      design: 2\n", "      system_design: 2\n")
    found = problems(text)
    assert ("roles[3].expects.system_design", "unknown competency 'system_design'", 46) \
        in found
    assert [p for p in found if p[0].startswith("roles[2].title")], found
    assert len(found) == 2, found


def test_a_repeated_key_and_a_rule_problem_come_in_one_pass():
    text = edit("      design: 2\n", "      system_design: 2\n").replace(
        "    title: Engineering Manager\n", "    title: Engineering Manager\n    title: EM\n")
    found = problems(text)
    assert [p[1] for p in found] == ["key repeated", "unknown competency 'system_design'"]


def test_a_problem_caused_by_a_refused_item_is_not_listed_twice():
    """A refused competency is left out of the rules' check: the roles expecting it are not
    also reported as expecting an unknown competency."""
    text = edit("{id: mentoring, name: Mentoring}", "{id: mentoring, name: [Mentoring]}")
    found = problems(text)
    assert len(found) == 1 and found[0][0].startswith("skill_bands[1].competencies[0].name")
