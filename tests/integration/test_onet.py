"""The O*NET importer against the real O*NET 29.3 extract in ../shared/data/onet."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trellis.adapters.framework_files import (
    dump_document,
    framework_from_document,
    parse_framework,
)
from trellis.adapters.onet import build_onet_document, read_onet_framework
from trellis.domain.framework import Framework, RoleType
from trellis.errors import FrameworkInvalid


def onet_dir() -> Path:
    configured = os.environ.get("TRELLIS_ONET_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "onet"


ONET = onet_dir()
pytestmark = pytest.mark.skipif(
    not (ONET / "Skills.tsv").is_file(),
    reason=f"O*NET extract not found at {ONET} (set TRELLIS_ONET_DIR to its directory)",
)


def tsv(name: str) -> Iterator[dict[str, str]]:
    with (ONET / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


@pytest.fixture(scope="module")
def built() -> tuple[Framework, dict[str, Any]]:
    return read_onet_framework(ONET)


@pytest.fixture(scope="module")
def framework(built: tuple[Framework, dict[str, Any]]) -> Framework:
    return built[0]


def raw_level(code: str, skill: str) -> float:
    for row in tsv("Skills.tsv"):
        if row["O*NET-SOC Code"] == code and row["Element Name"] == skill and (
            row["Scale ID"] == "LV"
        ):
            return float(row["Data Value"])
    raise AssertionError(f"no LV row for {code} {skill}")


def test_every_occupation_with_skills_is_a_role(framework: Framework):
    codes = {row["O*NET-SOC Code"] for row in tsv("Skills.tsv")}
    assert len(codes) == 879
    assert set(framework.roles) == codes


def test_competencies_and_bands(framework: Framework):
    assert len(framework.competencies) == 35
    assert len(framework.bands) == 7
    assert [b.name for b in framework.bands.values()] == [
        "Content Skills",
        "Process Skills",
        "Social Skills",
        "Complex Problem Solving Skills",
        "Technical Skills",
        "Systems Skills",
        "Resource Management Skills",
    ]
    assert [len(b.competencies) for b in framework.bands.values()] == [6, 4, 6, 1, 11, 3, 4]
    thinking = framework.competencies["critical_thinking"]
    assert thinking.name == "Critical Thinking"
    assert thinking.band == "process_skills"
    assert thinking.description.startswith("Using logic and reasoning")
    assert thinking.scale.max == 7
    assert len(thinking.scale.descriptors) == 8
    assert "Evaluate customer complaints" in thinking.scale.descriptors[4]
    assert "management_of_financial_resources" in framework.competencies
    assert "judgment_and_decision_making" in framework.competencies


def test_job_zones_are_levels(framework: Framework):
    assert list(framework.levels) == [f"job-zone-{z}" for z in range(1, 6)]
    assert [lv.rank for lv in framework.levels.values()] == [1, 2, 3, 4, 5]
    assert framework.levels["job-zone-1"].name == "Job Zone One: Little or No Preparation Needed"
    assert framework.levels["job-zone-5"].name == "Job Zone Five: Extensive Preparation Needed"
    zones = {row["O*NET-SOC Code"]: row["Job Zone"] for row in tsv("Job Zones.txt")}
    for code, role in framework.roles.items():
        assert role.level == f"job-zone-{zones[code]}"


def test_major_groups_are_tracks(framework: Framework):
    assert len(framework.tracks) == 22
    management = framework.tracks["11-0000"]
    assert management.name == "Management Occupations"
    assert management.role_type is RoleType.DYNAMIC
    assert framework.tracks["15-0000"].role_type is RoleType.DYNAMIC
    assert framework.tracks["29-0000"].name == "Healthcare Practitioners and Technical Occupations"
    assert framework.tracks["29-0000"].role_type is RoleType.STRUCTURED
    for code, role in framework.roles.items():
        assert role.track == f"{code[:2]}-0000"


def test_spot_values_match_the_raw_data(framework: Framework):
    ceo = framework.roles["11-1011.00"]
    assert ceo.title == "Chief Executives"
    assert ceo.description.startswith("Determine and formulate policies")
    assert ceo.level == "job-zone-5"
    assert raw_level("11-1011.00", "Reading Comprehension") == 4.62
    assert ceo.expects["reading_comprehension"] == 5
    for code, skill, slug in [
        ("11-1011.00", "Management of Financial Resources", "management_of_financial_resources"),
        ("15-1251.00", "Programming", "programming"),
        ("29-1141.00", "Service Orientation", "service_orientation"),
        ("35-2014.00", "Mathematics", "mathematics"),
    ]:
        value = raw_level(code, skill)
        assert framework.roles[code].expects[slug] == int(value + 0.5), (code, skill, value)


def test_not_relevant_ratings_are_skipped(framework: Framework):
    not_relevant = [
        row
        for row in tsv("Skills.tsv")
        if row["Scale ID"] == "LV" and row["Not Relevant"] == "Y"
    ]
    assert not_relevant
    for row in not_relevant[:200]:
        slug = row["Element Name"].lower().replace(" ", "_")
        assert slug not in framework.roles[row["O*NET-SOC Code"]].expects
    rated = sum(len(role.expects) for role in framework.roles.values())
    assert rated == 879 * 35 - len(not_relevant)
    assert all(
        0 <= m <= 7 for role in framework.roles.values() for m in role.expects.values()
    )


def test_tools_put_hot_technologies_first(framework: Framework):
    programmers = framework.roles["15-1251.00"]
    rows = [row for row in tsv("Technology Skills.txt") if row["O*NET-SOC Code"] == "15-1251.00"]
    hot = [row["Example"] for row in rows if row["Hot Technology"] == "Y"]
    assert len(programmers.tools) == len(rows) > 50
    assert list(programmers.tools[: len(hot)]) == hot
    assert "Python" in programmers.tools
    assert len(set(programmers.tools)) == len(programmers.tools)
    assert all(role.tools for role in framework.roles.values())


def test_software_developers_have_no_skill_ratings_in_this_release(framework: Framework):
    # 15-1252.00 has technology skills but no Skills.tsv ratings in O*NET 29.3, so it is
    # not a role; the web developers next to it are.
    codes = {row["O*NET-SOC Code"] for row in tsv("Skills.tsv")}
    assert "15-1252.00" not in codes
    assert "15-1252.00" not in framework.roles
    assert "JavaScript" in framework.roles["15-1254.00"].tools


def test_attribution(framework: Framework):
    assert "CC BY 4.0" in framework.attribution
    assert "Creative Commons Attribution 4.0" in framework.attribution
    assert "O*NET 29.3" in framework.attribution
    assert "USDOL/ETA" in framework.attribution


def test_document_round_trips_as_a_stored_document(built: tuple[Framework, dict[str, Any]]):
    framework, document = built
    assert framework_from_document(json.loads(dump_document(document, "json"))) == framework


def test_document_round_trips_through_the_file_parser(built: tuple[Framework, dict[str, Any]]):
    framework, document = built
    reparsed, _ = parse_framework(dump_document(document, "json"), "onet.json")
    assert reparsed == framework


def test_missing_directory_names_the_file(tmp_path: Path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FrameworkInvalid) as caught:
        build_onet_document(missing)
    sources = [p.source for p in caught.value.problems]
    assert str(missing / "Occupation Data.txt") in sources
    assert str(missing / "Skills.tsv") in sources
    assert "Occupation Data.txt" in str(caught.value)


def test_missing_file_names_the_file(tmp_path: Path):
    for name in os.listdir(ONET):
        if name != "Technology Skills.txt":
            shutil.copy(ONET / name, tmp_path / name)
    with pytest.raises(FrameworkInvalid) as caught:
        read_onet_framework(tmp_path)
    [problem] = caught.value.problems
    assert problem.source == str(tmp_path / "Technology Skills.txt")
    assert problem.message == "missing O*NET file 'Technology Skills.txt'"


def test_missing_column_names_the_file(tmp_path: Path):
    for name in os.listdir(ONET):
        shutil.copy(ONET / name, tmp_path / name)
    (tmp_path / "Job Zones.txt").write_text("O*NET-SOC Code\tTitle\n11-1011.00\tCEO\n")
    with pytest.raises(FrameworkInvalid) as caught:
        build_onet_document(tmp_path)
    [problem] = caught.value.problems
    assert problem.source == str(tmp_path / "Job Zones.txt")
    assert problem.message == "missing column 'Job Zone' in the header"
    assert problem.line == 1
