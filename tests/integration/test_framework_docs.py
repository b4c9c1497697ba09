"""Every field of the framework file format is documented where a reader looks for it.

The JSON Schema is generated from the models that check files, so a field added to a model
and not to docs/frameworks.md fails here, naming the model, the field and the section.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trellis.adapters.framework_files import json_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "frameworks.md"

# Each model of the format, and the section of docs/frameworks.md that documents it.
SECTION_OF = {
    "FrameworkModel": "Fields",
    "TrackModel": "Fields",
    "LevelModel": "Fields",
    "CompetencyModel": "Fields",
    "SkillBandModel": "Fields",
    "RoleModel": "Fields",
    "PayBandModel": "Fields",
    "RoleAttributesModel": "Role attributes",
    "ScaleModel": "The mastery scale",
    "BandLevelModel": "Level rules",
    "PayStepModel": "Level rules",
    "TopicModel": "Topics and criteria",
    "CriterionModel": "Topics and criteria",
    "CriteriaPolicyModel": "The criteria policy",
    "ProficiencyScaleModel": "The criteria policy",
    "PointsModel": "Points",
    "LevelThresholdModel": "Points",
    "TitleRangeModel": "Points",
    "ReadinessModel": "Readiness policy",
    "LatticeModel": "The lattice section",
    "MoveModel": "The lattice section",
    "MoveWeightsModel": "The lattice section",
    "ReviewsModel": "Reviews",
    "RatingScaleModel": "Reviews",
    "ApprovalsModel": "Approvals",
    "VerificationModel": "Pending verification",
}


def sections() -> dict[str, str]:
    """Heading -> its text, up to the next heading of any level."""
    parts = re.split(r"^#+ (.+)$", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def spelled_out(text: str) -> set[str]:
    """Every identifier written inside a `code span` of the text's prose (an example in a
    code block shows a field; it does not document it)."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return {word for span in re.findall(r"`([^`]+)`", prose)
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span)}


def fields() -> list[tuple[str, str]]:
    schema = json_schema()
    models = {"FrameworkModel": schema, **schema["$defs"]}
    return [(model, name) for model, node in models.items()
            for name in node.get("properties", {})]


def test_every_model_of_the_format_has_a_section():
    schema = json_schema()
    models = {name for name, node in schema["$defs"].items() if "properties" in node}
    unmapped = {"FrameworkModel", *models} - set(SECTION_OF)
    assert not unmapped, f"map these models to their docs section in SECTION_OF: {unmapped}"
    missing = set(SECTION_OF.values()) - set(sections())
    assert not missing, f"docs/frameworks.md has no section {missing}"


@pytest.mark.parametrize(("model", "field"), fields())
def test_every_field_is_documented_in_its_section(model, field):
    section = SECTION_OF.get(model)
    assert section is not None, f"{model} has no docs section"
    assert field in spelled_out(sections()[section]), (
        f"{model}.{field} is not documented in the '{section}' section of docs/frameworks.md")
