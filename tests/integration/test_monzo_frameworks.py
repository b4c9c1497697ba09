"""The Monzo converter and the Monzo frameworks shipped with Trellis.

The converter's counts are checked twice: against figures counted by hand from Monzo's
files, and against a plain YAML read of the same files done here, apart from the converter.
The sources are ../shared/data/frameworks/monzo (or $TRELLIS_MONZO_DIR); tests that read
them skip without them. The shipped files and the bad-input tests need nothing outside.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from collections.abc import Iterator
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import make_trellis
from trellis.adapters.framework_files import SHIPPED, parse_framework, shipped_framework_path
from trellis.adapters.monzo import (
    MONZO_CREDIT,
    build_monzo_document,
    monzo_attribution,
    person_title,
    read_monzo_framework,
    to_yaml,
)
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind as K
from trellis.domain.framework import Framework, Role
from trellis.errors import FrameworkInvalid, NotApplicable
from trellis.services import clock
from trellis.services.frameworks import framework_at
from trellis.services.ledger import record_event
from trellis.services.people import add_person
from trellis.services.plans import create_plan
from trellis.services.readiness import readiness_for

ROOT = Path(__file__).resolve().parents[2]


def monzo_dir() -> Path:
    configured = os.environ.get("TRELLIS_MONZO_DIR")
    if configured:
        return Path(configured)
    # ../shared beside the checkout (GUIDE.md), or beside the folder of worktrees
    beside = [p / "shared" / "data" / "frameworks" / "monzo" for p in (ROOT.parent,
                                                                      ROOT.parent.parent)]
    return next((p for p in beside if p.is_dir()), beside[0])


MONZO = monzo_dir()
needs_sources = pytest.mark.skipif(
    not (MONZO / "engineering" / "backend.md").is_file(),
    reason=f"Monzo's frameworks not found at {MONZO} (set TRELLIS_MONZO_DIR)")
MONZO_SHIPPED = sorted(name for name in SHIPPED if name.startswith("monzo-"))
ENGINEERING = ["backend", "data", "mobile", "qualityanalyst", "web"]


def convert(*paths: str, framework_id: str = "test", **options: Any) -> dict[str, Any]:
    return build_monzo_document([MONZO / p for p in paths], framework_id=framework_id,
                                name="Test", **options)


def counted_in_source(path: str) -> tuple[int, int, int]:
    """Topics, criteria and criteria with examples, read straight from the front matter."""
    text = (MONZO / path).read_text(encoding="utf-8").replace("-\t", "- ")
    front = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---"))
    cells = [c for t in front["topics"] for c in t["content"]]
    plain = sum(len(c.get("criteria") or []) for c in cells)
    rich = sum(len(c.get("exampleCriteria") or []) for c in cells)
    return len(front["topics"]), plain + rich, rich


def criteria(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for t in document["topics"] for c in t["criteria"]}


# --- the converter, on Monzo's own files


@needs_sources
@pytest.mark.parametrize(("path", "topics", "total", "with_examples"), [
    # counted by hand from the files: criteria lines plus exampleCriteria entries
    ("engineering/backend.md", 5, 135, 14),
    ("engineering/web.md", 5, 165, 13),
    ("engineering/qualityanalyst.md", 5, 55, 0),
    ("people.md", 5, 146, 0),
    ("product.md", 7, 70, 0),
    ("customer-operations.md", 4, 23, 14),
])
def test_one_file_is_one_track_with_every_criterion(path: str, topics: int, total: int,
                                                    with_examples: int):
    assert counted_in_source(path) == (topics, total, with_examples)
    document = convert(path)
    assert len(document["tracks"]) == 1
    assert len(document["topics"]) == topics
    assert all("tracks" not in t for t in document["topics"])  # one file: all its own
    found = criteria(document).values()
    assert len(found) == total
    assert sum(1 for c in found if c.get("examples")) == with_examples


@needs_sources
def test_backend_ids_texts_examples_levels_and_roles():
    document = convert("engineering/backend.md", framework_id="monzo-backend")
    assert document["tracks"][0]["id"] == "backend"
    assert document["tracks"][0]["name"] == "Backend Engineering"  # emoji and "Framework" gone
    assert document["tracks"][0]["description"].startswith("### About our engineering")
    assert document["description"] == "Backend Engineering Framework."
    assert [lv["id"] for lv in document["levels"]] == [f"L{n}" for n in range(1, 7)]
    assert [t["id"] for t in document["topics"]] == [
        "communication", "impact", "leadership", "influence", "mastery"]
    assert [t["name"] for t in document["topics"]] == [
        "Communication", "Impact", "Leadership", "Influence", "Mastery"]
    found = criteria(document)
    assert found["communication.L1.1"] == {
        "id": "communication.L1.1", "level": "L1",
        "text": "Provides regular status updates to their mentor/buddy"}
    assert found["communication.L2.3"]["text"] == "Gives feedback to peers when asked"
    # level 2 has three plain criteria, then two with examples
    assert found["communication.L2.4"]["text"].startswith("Provides helpful and actionable")
    assert found["communication.L2.4"]["examples"] == [
        "Take a look at the levelling up your code reviews talk for some ideas"]
    assert "communication.L2.6" not in found
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", c) for c in found)
    assert [(r["id"], r["level"], r["title"]) for r in document["roles"]][::5] == [
        ("backend-L1", "L1", "Backend Engineer, level 1"),
        ("backend-L6", "L6", "Backend Engineer, level 6")]


@needs_sources
def test_engineering_shares_the_topics_its_tracks_write_alike():
    document = convert(*(f"engineering/{t}.md" for t in ENGINEERING))
    assert [t["id"] for t in document["tracks"]] == ENGINEERING
    topics = {t["id"]: t.get("tracks") for t in document["topics"]}
    # communication, impact and leadership read the same in four files; quality differs
    for shared in ("communication", "impact", "leadership"):
        assert topics[shared] == ["backend", "data", "mobile", "web"]
        assert topics[f"qualityanalyst.{shared}"] == ["qualityanalyst"]
    assert topics["influence"] == ["backend", "mobile"]
    assert {t for t in topics if t.endswith(".influence")} == {
        "data.influence", "qualityanalyst.influence", "web.influence"}
    assert {t for t in topics if t.endswith("mastery")} == {f"{t}.mastery" for t in ENGINEERING}
    assert topics["mastery-science"] == ["data"]
    # 623 criteria in the five files; 3 x (21 + 26 + 21) + 19 are written more than once
    assert sum(counted_in_source(f"engineering/{t}.md")[1] for t in ENGINEERING) == 623
    assert len(criteria(document)) == 623 - 3 * (21 + 26 + 21) - 19 == 400
    assert "qualityanalyst.communication.L1.1" in criteria(document)
    assert len(document["roles"]) == 4 * 6 + 3
    assert {r["title"] for r in document["roles"] if r["level"] == "L3"} == {
        "Backend Engineer, level 3", "Data Engineer, level 3", "Mobile Engineer, level 3",
        "Quality Analyst, level 3", "Web Engineer, level 3"}


@needs_sources
def test_a_topic_written_alike_in_every_file_is_generic():
    document = convert("engineering/backend.md", "engineering/mobile.md")
    topics = {t["id"]: t.get("tracks", "generic") for t in document["topics"]}
    assert topics == {"communication": "generic", "impact": "generic",
                      "leadership": "generic", "influence": "generic",
                      "backend.mastery": ["backend"], "mobile.mastery": ["mobile"]}


@needs_sources
def test_operations_leadership_starts_at_level_2():
    document = convert("operations/ops-individual-contributor.md",
                       "operations/ops-leadership.md")
    assert [lv["id"] for lv in document["levels"]] == [f"L{n}" for n in range(1, 7)]
    levels = {t: [r["level"] for r in document["roles"] if r["track"] == t]
              for t in ("ops-individual-contributor", "ops-leadership")}
    assert levels == {"ops-individual-contributor": ["L1", "L2", "L3", "L4", "L5"],
                      "ops-leadership": ["L2", "L3", "L4", "L5", "L6"]}
    assert document["roles"][-1]["title"] == "Ops Leader, level 6"


@needs_sources
def test_design_criteria_come_from_the_markdown_body():
    document = convert("design/product-design.md", "design/user-research.md",
                       "design/visual-design.md")
    assert [t["name"] for t in document["tracks"]] == [
        "Product Design", "User Research", "Visual Design"]
    assert len(document["topics"]) == 9  # knowledge, ownership, collaboration x 3 tracks
    found = criteria(document)
    assert len(found) == 3 * 3 * 6
    assert found["product-design.knowledge.L1.1"]["text"].startswith(
        "You are early on in your design career")
    assert found["user-research.collaboration.L6.1"]["level"] == "L6"
    assert document["roles"][0]["title"] == "Product Designer, level 1"


@needs_sources
def test_people_names_split_at_the_colon_and_a_tab_after_a_dash_is_read():
    document = convert("people.md")
    communication = document["topics"][0]
    assert communication["id"] == "communication"
    assert communication["name"] == "Communication"
    assert communication["description"] == (
        "Transparent communication; giving and receiving feedback")
    assert any(c["text"].startswith("Understands people risk and conduct policies")
               for c in criteria(document).values())  # the item after the tab


def test_criteria_in_the_body_under_level_and_topic_headings(tmp_path: Path):
    path = tmp_path / "craft.md"
    path.write_text("---\ntitle: \"🎨 Craft Design Framework\"\n---\nAbout us.\n\n"
                    "## Level 1 — Junior ##\n\n### 🧠 Knowledge\n\nKnows the basics\n"
                    "of layout.\n\nAsks for help.\n\n---\n\n## Level 2\n### Knowledge\n"
                    "Knows a lot.\n\n## Notes\n\nNot a criterion.\n", encoding="utf-8")
    document = build_monzo_document([path], framework_id="c", name="C")
    assert document["tracks"] == [{"id": "craft", "name": "Craft Design"}]
    assert document["topics"] == [{"id": "knowledge", "name": "Knowledge", "criteria": [
        {"id": "knowledge.L1.1", "level": "L1", "text": "Knows the basics\nof layout."},
        {"id": "knowledge.L1.2", "level": "L1", "text": "Asks for help."},
        {"id": "knowledge.L2.1", "level": "L2", "text": "Knows a lot."}]}]
    assert document["roles"][1]["title"] == "Craft Designer, level 2"


def test_role_titles_from_the_track_name():
    assert person_title("Backend Engineering") == "Backend Engineer"
    assert person_title("Quality Analyst") == "Quality Analyst"
    assert person_title("Ops Leadership") == "Ops Leader"
    assert person_title("Marketing") == "Marketing team member"


def test_attribution_is_the_licence_then_the_credit():
    text = monzo_attribution("MIT License\n\nCopyright (c) 2019 Monzo Bank Limited\n")
    assert text == ("MIT License\n\nCopyright (c) 2019 Monzo Bank Limited\n\n" + MONZO_CREDIT)


# --- bad input: FrameworkInvalid naming the file and the line


GOOD = """\
---
title: "🧪 Lab Framework"
levels: 2
topics:
  - name: "craft"
    title: "🛠️ Craft"
    content:
      - level: 1
        criteria:
          - "Writes tests"
      - level: 2
        exampleCriteria:
          - criteria: "Designs tests"
            examples: ["a property test"]
---
Our lab.
"""


def refusal(tmp_path: Path, text: str, name: str = "lab.md") -> tuple[str, int | None]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkInvalid) as caught:
        build_monzo_document([path], framework_id="lab", name="Lab")
    message = str(caught.value)
    assert "\n" not in message
    problem = caught.value.problems[0]
    assert problem.source == str(path)
    assert message.startswith(f"invalid framework: {path}")
    return message, problem.line


def test_a_good_small_file(tmp_path: Path):
    path = tmp_path / "lab.md"
    path.write_text(GOOD, encoding="utf-8")
    document = build_monzo_document([path], framework_id="lab", name="Lab",
                                    attribution="MIT", role_titles={"lab": "Lab Tech"})
    assert document == {
        "id": "lab", "name": "Lab", "description": "Lab Framework.", "attribution": "MIT",
        "tracks": [{"id": "lab", "name": "Lab", "description": "Our lab."}],
        "levels": [{"id": "L1", "name": "Level 1"}, {"id": "L2", "name": "Level 2"}],
        "skill_bands": [],
        "topics": [{"id": "craft", "name": "Craft", "criteria": [
            {"id": "craft.L1.1", "level": "L1", "text": "Writes tests"},
            {"id": "craft.L2.1", "level": "L2", "text": "Designs tests",
             "examples": ["a property test"]}]}],
        "roles": [{"id": "lab-L1", "track": "lab", "level": "L1", "title": "Lab Tech, level 1"},
                  {"id": "lab-L2", "track": "lab", "level": "L2",
                   "title": "Lab Tech, level 2"}],
    }
    assert yaml.safe_load(to_yaml(document)) == document


@pytest.mark.parametrize(("text", "line", "words"), [
    ("# no front matter\n", 1, "no front matter"),
    ("---\ntitle: x\n", 1, "no closing '---'"),
    (GOOD.replace("        criteria:", "        criteria: ]"), 9, "not valid YAML"),
    (GOOD.replace("      - level: 2", "      - level: two"), 11,
     "'two' is not a level (1-100)"),
    (GOOD.replace("      - level: 2", "      - level: 0"), 11, "'0' is not a level"),
    (GOOD.replace("      - level: 2", "      - level: 2.5"), 11, "'2.5' is not a level"),
    (GOOD.replace("      - level: 2", "      - criteria: [x]"), 11,
     "level: required field is missing"),
    (GOOD.replace("levels: 2", "levels: -3"), 3, "levels: '-3' is not a number of levels"),
    (GOOD.replace("levels: 2", "levels: 1"), 3, "levels 1-2 are more than the 1"),
    (GOOD.replace("levels: 2", "levels: 1000000"), 3, "'1000000' is not a number of levels"),
    (GOOD.replace("      - level: 2", "      - level: 101"), 11, "'101' is not a level"),
    (GOOD.replace('          - "Writes tests"\n', ""), 8, "level 1 has no criteria"),
    (GOOD.replace('          - criteria: "Designs tests"\n            examples',
                  "          - examples"), 13, "criteria: a criterion needs its text"),
    (GOOD.replace('"Writes tests"', '""'), 10, "a criterion needs its text"),
    (GOOD.replace('"Writes tests"', "{a: 1}"), 10, "expected text, not dict"),
    (GOOD.replace("topics:\n  - name", "topics:\n  - nom"), 5, "a topic needs a name"),
    (GOOD.replace('title: "🛠️ Craft"', 'title: "x"\n    title: "y"'), 7, "key repeated"),
    (GOOD.replace("topics:", "topics: []\nold:"), 4, "expected a list of topics"),
    ("---\ntitle: Lab\n---\n## Level 1\n### Craft\nWrites tests\n## Level two\n", 7,
     "'two' is not a level (1-100)"),
    ("---\ntitle: Lab\n---\n## Level ²\n", 4, "'²' is not a level"),
    ("---\ntitle: Lab\n---\n## Level 9999999999\n", 4, "is not a level"),
    ("---\ntitle: Lab\n---\n\n## Level 1\n\nWrites tests\n", 7, "before any '### Topic'"),
    ("---\ntitle: Lab\n---\nJust prose.\n", 1, "no topics"),
])
def test_bad_input_is_one_line_with_file_and_line(tmp_path: Path, text: str, line: int,
                                                  words: str):
    message, found = refusal(tmp_path, text)
    assert words in message
    assert found == line
    assert f"lab.md:{line}: " in message


def test_problems_in_several_files_are_all_reported(tmp_path: Path):
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text("nothing\n", encoding="utf-8")
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "good.md").write_text(GOOD, encoding="utf-8")
    with pytest.raises(FrameworkInvalid) as caught:
        build_monzo_document([good, bad, twin / "good.md"], framework_id="x", name="X")
    assert [(p.source, p.line) for p in caught.value.problems] == [
        (str(bad), 1), (str(twin / "good.md"), None)]
    assert "track 'good' comes from two files" in caught.value.problems[1].message


def test_a_role_title_for_no_track(tmp_path: Path):
    path = tmp_path / "lab.md"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(FrameworkInvalid, match=r"a role title for 'labs', which is no track: "
                       r"the tracks are lab$"):
        build_monzo_document([path], framework_id="x", name="X", role_titles={"labs": "T"})


def test_a_missing_file_and_no_files(tmp_path: Path):
    with pytest.raises(FrameworkInvalid, match="cannot read file"):
        build_monzo_document([tmp_path / "absent.md"], framework_id="x", name="X")
    with pytest.raises(FrameworkInvalid, match="no source files"):
        build_monzo_document([], framework_id="x", name="X")


# --- the shipped frameworks


def test_the_licence_is_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "frameworks/monzo-LICENSE" in data["tool"]["setuptools"]["package-data"]["trellis"]


def test_every_shipped_monzo_file_is_listed_and_the_licence_ships():
    folder = files("trellis") / "frameworks"
    present = sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                     if p.name.startswith("monzo-") and p.name.endswith(".yaml"))
    assert present == MONZO_SHIPPED
    assert {"monzo-backend", "monzo-web", "monzo-mobile", "monzo-data", "monzo-engineering",
            "monzo-operations", "monzo-product", "monzo-design", "monzo-people",
            "monzo-marketing", "monzo-generic"} <= set(MONZO_SHIPPED)
    licence = (folder / "monzo-LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Monzo Bank Limited" in licence


@pytest.mark.parametrize("name", MONZO_SHIPPED)
def test_a_shipped_monzo_framework_validates_with_its_attribution(name: str):
    path = shipped_framework_path(name)
    assert path is not None
    framework, _ = parse_framework(path.read_text(encoding="utf-8"), str(path))
    assert framework.key == name
    licence = (path.parent / "monzo-LICENSE").read_text(encoding="utf-8")
    assert framework.attribution == monzo_attribution(licence)
    assert framework.attribution.endswith(MONZO_CREDIT)
    assert framework.topics and framework.criteria and framework.roles
    assert not framework.bands


@needs_sources
def test_the_shipped_files_are_what_the_tool_makes_of_the_sources():
    spec = importlib.util.spec_from_file_location("convert_monzo",
                                                  ROOT / "tools" / "convert_monzo.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert sorted(tool.FRAMEWORKS) == MONZO_SHIPPED
    assert tool.main([str(MONZO), "--check"]) == 0


@needs_sources
def test_read_monzo_framework_validates(tmp_path: Path):
    framework, document = read_monzo_framework(
        [MONZO / "engineering" / "backend.md"], framework_id="monzo-backend",
        name="Monzo backend engineering")
    assert len(framework.criteria) == 135
    assert len(framework.roles) == 6
    # cumulative: level 6 expects every criterion, level 1 only its own
    assert len(framework.roles["backend-L6"].criteria) == 135
    assert len(framework.roles["backend-L1"].criteria) == sum(
        1 for c in criteria(document).values() if c["level"] == "L1")


@pytest.mark.parametrize("name", ["monzo-backend", "monzo-engineering"])
def test_a_shipped_monzo_framework_loads(sqlite_url: str, name: str):
    path = shipped_framework_path(name)
    assert path is not None
    trellis = make_trellis(sqlite_url, path)
    try:
        _, framework = framework_at(trellis.uow(), None, name)
        assert framework.key == name and framework.criteria
    finally:
        trellis.close()


# --- the command


@needs_sources
def test_import_monzo_writes_and_loads(cli, sqlite_url: str, tmp_path: Path):
    out = tmp_path / "eng.yaml"
    assert cli("--db", sqlite_url, "init").code == 0
    result = cli("--db", sqlite_url, "framework", "import-monzo",
                 MONZO / "engineering" / "backend.md", MONZO / "engineering" / "web.md",
                 "--id", "eng", "--name", "Engineering", "--out", out,
                 "--licence", MONZO / "LICENSE", "--credit", MONZO_CREDIT,
                 "--role-title", "web=Web Developer", "--activate")
    assert result.code == 0, result.err
    assert f"wrote {out}" in result.out
    assert "loaded 'eng' version 1: 2 tracks, 12 roles" in result.out
    assert "[active]" in result.out
    framework, _ = parse_framework(out.read_text(encoding="utf-8"), str(out))
    assert framework.roles["web-L2"].title == "Web Developer, level 2"
    assert framework.attribution.endswith(MONZO_CREDIT)
    shown = cli("--db", sqlite_url, "framework", "show", "eng")
    assert shown.code == 0, shown.err
    assert "Monzo Bank Limited" in shown.out and MONZO_CREDIT in shown.out


def test_init_with_a_monzo_framework_and_show_its_attribution(cli, sqlite_url: str):
    result = cli("--db", sqlite_url, "init", "--framework", "monzo-backend")
    assert result.code == 0, result.err
    assert "loaded framework 'monzo-backend' version 1" in result.out
    shown = cli("--db", sqlite_url, "framework", "show")
    assert shown.code == 0, shown.err
    assert "Copyright (c) 2019 Monzo Bank Limited" in shown.out
    assert MONZO_CREDIT in shown.out
    assert "Backend Engineer, level 6" in shown.out


def test_import_monzo_refuses_a_bad_file_in_one_line(cli, sqlite_url: str, tmp_path: Path):
    bad = tmp_path / "bad.md"
    bad.write_text(GOOD.replace("      - level: 2", "      - level: two"), encoding="utf-8")
    result = cli("--db", sqlite_url, "framework", "import-monzo", bad, "--id", "x",
                 "--name", "X")
    assert result.code == 1
    assert f"{bad}:11: " in result.err and "'two' is not a level" in result.err
    assert "Traceback" not in result.err
    assert cli("--db", sqlite_url, "framework", "import-monzo", bad, "--id", "x",
               "--name", "X", "--role-title", "nonsense").code == 1


# --- readiness and plans on every shipped Monzo framework

TODAY = datetime(2025, 6, 30, 12, 0)
HIRED, SHOWN = date(2024, 1, 1), date(2025, 1, 15)


@pytest.fixture(params=MONZO_SHIPPED)
def monzo_org(request: pytest.FixtureRequest, sqlite_url: str,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Trellis, Framework]]:
    """A shipped Monzo framework with one person hired at each of its roles."""
    monkeypatch.setattr(clock, "now", lambda: TODAY)
    path = shipped_framework_path(request.param)
    assert path is not None
    trellis = make_trellis(sqlite_url, path)
    _, framework = framework_at(trellis.uow(), None, request.param)
    for role in framework.roles.values():
        add_person(trellis.uow(), handle(role), role.title, role=role.id, hired_on=HIRED,
                   author="tester")
    yield trellis, framework
    trellis.close()


def handle(role: Role) -> str:
    return role.id.lower()  # the person hired at the role


def ladder(framework: Framework) -> list[tuple[Role, Role | None]]:
    """Each role with the next one up its track (None at the top)."""
    return [(role, framework.next_role(role.id)) for role in framework.roles.values()]


def test_readiness_for_a_person_at_each_level(monzo_org: tuple[Trellis, Framework]):
    trellis, framework = monzo_org
    for role, above in ladder(framework):
        if above is None:
            with pytest.raises(NotApplicable, match="at the top of"):
                readiness_for(trellis.uow(), handle(role))
            continue
        r = readiness_for(trellis.uow(), handle(role)).readiness
        # no evidence yet: every criterion the next role expects is a gap, in words
        assert r.target.id == above.id and above.level == f"L{int(role.level[1:]) + 1}"
        assert (r.score, r.ready) == (0.0, False)
        assert [g.criterion for g in r.criteria_gaps] == list(above.criteria)
        assert all(g.text == framework.criteria[g.criterion].text for g in r.criteria_gaps)
        assert [q.kind for q in r.blocking] == ["criteria"]


def test_demonstrating_the_next_roles_criteria_makes_a_person_ready(
        monzo_org: tuple[Trellis, Framework]):
    trellis, framework = monzo_org
    for track in framework.tracks:
        role, above = next((r, a) for r, a in ladder(framework) if r.track == track)
        assert above is not None  # every track has two levels at least
        half = len(above.criteria) // 2
        for criterion in above.criteria[:half]:
            record_event(trellis.uow(), handle(role), K.DEMONSTRATED, SHOWN,
                         {"criterion": criterion}, author="tester", evidence="seen in review")
        r = readiness_for(trellis.uow(), handle(role)).readiness
        assert r.score == round(100 * half / len(above.criteria), 1) and not r.ready
        for criterion in above.criteria[half:]:
            record_event(trellis.uow(), handle(role), K.DEMONSTRATED, SHOWN,
                         {"criterion": criterion}, author="tester", evidence="seen in review")
        r = readiness_for(trellis.uow(), handle(role)).readiness
        assert (r.score, r.criteria_gaps, r.ready) == (100.0, (), True)


def test_a_plan_for_a_person_at_each_level(monzo_org: tuple[Trellis, Framework]):
    trellis, framework = monzo_org
    for role, above in ladder(framework):
        if above is None:
            continue
        plan = create_plan(trellis.uow(), handle(role), author="tester").stored.plan
        # nothing shown yet: a step per criterion the next role expects, each in words,
        # and the last quarter's steps done, the person is ready
        assert plan.target.role == above.id
        assert sorted(s.criterion or "" for s in plan.steps) == sorted(above.criteria)
        assert all(s.text and s.text in framework.criteria[s.criterion or ""].text
                   for s in plan.steps)
        assert plan.milestones[-1].readiness == 100.0
