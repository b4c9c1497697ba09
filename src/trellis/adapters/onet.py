"""O*NET importer: the O*NET database extract as a Trellis framework document.

The O*NET database (U.S. Department of Labor, CC BY 4.0) describes ~900 occupations with
the same 35 skills, each rated for level. It maps onto a framework like this:

=====================  =================================================================
O*NET                  Trellis
=====================  =================================================================
occupation with skill  role: id = O*NET-SOC code, title and description from
ratings (Skills.tsv)   Occupation Data; ``expects`` = the LV (level) rating of each skill,
                       rounded half up and clamped to 0-7, rows marked Not Relevant
                       skipped; ``tools`` = Technology Skills examples, hot first
SOC major group        track: id ``NN-0000``, the official SOC 2018 major group name;
                       dynamic for knowledge-work groups (see ``DYNAMIC_MAJOR_GROUPS``)
job zone 1-5           level: ``job-zone-N``, named from Job Zone Reference
skill (2.A.*, 2.B.*)   competency: id = slug of the element name, scale 0-7 with the
                       Level Scale Anchors examples at 2, 4 and 6
skill parent element   skill band (Content, Process, Social, ..., Resource Management)
skill importance (IM)  ``attributes.importance``: competency -> importance 1-5
Knowledge (IM)         ``attributes.knowledge``: knowledge area -> importance 1-5
Interests (OI)         ``attributes.interests``: RIASEC area -> strength 1-7
Alternate Titles       ``attributes.alternate_titles``
Task Statements        ``attributes.tasks``: core tasks first, then supplemental
Tools Used             ``attributes.tools_used``
Education, Training,   ``attributes.education``: the required level of education most
and Experience (RL)    respondents report, in the Categories file's words
Work Styles (IM)       ``attributes.work_styles``: style -> importance 1-5
Work Values (EX)       ``attributes.work_values``: value -> extent 1-7
=====================  =================================================================

The attribute files are optional: a directory without them gives roles without those
attributes (the lattice's fit then uses what the roles have).

Occupations without a job zone are skipped (none in O*NET 29.3; the document's
description says how many were skipped, if any). The data is read from a
directory at run time; nothing from O*NET ships in the package.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trellis.adapters.framework_files import FrameworkModel
from trellis.domain.framework import Framework
from trellis.errors import FrameworkInvalid, Problem

ATTRIBUTION = (
    "This framework is derived from the O*NET 29.3 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA), used under the Creative "
    "Commons Attribution 4.0 International license (CC BY 4.0). O*NET® is a trademark of "
    "USDOL/ETA. Trellis has modified the data: occupations became roles, skill levels were "
    "rounded to whole mastery steps. USDOL/ETA has not approved, endorsed or tested these "
    "modifications. https://www.onetcenter.org/license_db.html"
)

OCCUPATIONS = "Occupation Data.txt"
SKILLS = "Skills.tsv"
SKILLS_ALT = "Skills.txt"  # the name in the official release
JOB_ZONES = "Job Zones.txt"
JOB_ZONE_REFERENCE = "Job Zone Reference.txt"
CONTENT_MODEL = "Content Model Reference.txt"
ANCHORS = "Level Scale Anchors.txt"
TECHNOLOGY = "Technology Skills.txt"
KNOWLEDGE = "Knowledge.txt"
INTERESTS = "Interests.txt"
ALTERNATE_TITLES = "Alternate Titles.txt"
TASKS = "Task Statements.txt"
TOOLS_USED = "Tools Used.txt"
EDUCATION = "Education, Training, and Experience.txt"
EDUCATION_CATEGORIES = "Education, Training, and Experience Categories.txt"
WORK_STYLES = "Work Styles.txt"
WORK_VALUES = "Work Values.txt"

CODE = "O*NET-SOC Code"
_COLUMNS: dict[str, tuple[str, ...]] = {
    OCCUPATIONS: (CODE, "Title", "Description"),
    SKILLS: (CODE, "Element ID", "Element Name", "Scale ID", "Data Value", "Not Relevant"),
    JOB_ZONES: (CODE, "Job Zone"),
    JOB_ZONE_REFERENCE: ("Job Zone", "Name", "Experience"),
    CONTENT_MODEL: ("Element ID", "Element Name", "Description"),
    ANCHORS: ("Element ID", "Scale ID", "Anchor Value", "Anchor Description"),
    TECHNOLOGY: (CODE, "Example", "Hot Technology"),
    KNOWLEDGE: (CODE, "Element Name", "Scale ID", "Data Value"),
    INTERESTS: (CODE, "Element Name", "Scale ID", "Data Value"),
    ALTERNATE_TITLES: (CODE, "Alternate Title"),
    TASKS: (CODE, "Task", "Task Type"),
    TOOLS_USED: (CODE, "Example"),
    EDUCATION: (CODE, "Scale ID", "Category", "Data Value"),
    EDUCATION_CATEGORIES: ("Scale ID", "Category", "Category Description"),
    WORK_STYLES: (CODE, "Element Name", "Scale ID", "Data Value"),
    WORK_VALUES: (CODE, "Element Name", "Scale ID", "Data Value"),
}

#: SOC 2018 major groups (https://www.bls.gov/soc/2018/major_groups.htm).
SOC_MAJOR_GROUPS = {
    "11": "Management Occupations",
    "13": "Business and Financial Operations Occupations",
    "15": "Computer and Mathematical Occupations",
    "17": "Architecture and Engineering Occupations",
    "19": "Life, Physical, and Social Science Occupations",
    "21": "Community and Social Service Occupations",
    "23": "Legal Occupations",
    "25": "Educational Instruction and Library Occupations",
    "27": "Arts, Design, Entertainment, Sports, and Media Occupations",
    "29": "Healthcare Practitioners and Technical Occupations",
    "31": "Healthcare Support Occupations",
    "33": "Protective Service Occupations",
    "35": "Food Preparation and Serving Related Occupations",
    "37": "Building and Grounds Cleaning and Maintenance Occupations",
    "39": "Personal Care and Service Occupations",
    "41": "Sales and Related Occupations",
    "43": "Office and Administrative Support Occupations",
    "45": "Farming, Fishing, and Forestry Occupations",
    "47": "Construction and Extraction Occupations",
    "49": "Installation, Maintenance, and Repair Occupations",
    "51": "Production Occupations",
    "53": "Transportation and Material Moving Occupations",
    "55": "Military Specific Occupations",
}

#: Heuristic: groups whose careers usually advance through skills, projects and scope
#: rather than a licensed or ranked ladder of titles are ``dynamic``: management,
#: computer and mathematical, life/physical/social science, and arts/design/media.
#: Every other group is ``structured``.
DYNAMIC_MAJOR_GROUPS = frozenset({"11", "15", "19", "27"})

#: The skill bands: the O*NET content-model parents of the 35 skills, in model order.
SKILL_PARENTS = ("2.A.1", "2.A.2", "2.B.1", "2.B.2", "2.B.3", "2.B.4", "2.B.5")

SCALE_MAX = 7
GENERIC_DESCRIPTORS = (
    "none: not needed in this work",
    "minimal: recognizes the simplest uses",
    "basic: handles simple, routine situations",
    "developing: handles common situations with some help",
    "intermediate: handles typical work situations independently",
    "proficient: handles complex situations reliably",
    "advanced: handles difficult, novel situations",
    "expert: works at the most demanding level the skill admits",
)


def build_onet_document(directory: Path) -> dict[str, Any]:
    """Read the O*NET extract in ``directory`` and return a framework document.

    The document is in the framework file format; validate it with
    ``read_onet_framework`` (or ``FrameworkModel``). Raises FrameworkInvalid naming any
    file that is missing or lacks a column.
    """
    directory = Path(directory)
    skills_file = SKILLS if (directory / SKILLS).is_file() else SKILLS_ALT
    if not (directory / skills_file).is_file():
        skills_file = SKILLS
    needed = [OCCUPATIONS, skills_file, JOB_ZONES, JOB_ZONE_REFERENCE, CONTENT_MODEL, ANCHORS,
              TECHNOLOGY]
    missing = [
        Problem("", f"missing O*NET file '{name}'", None, str(directory / name))
        for name in needed
        if not (directory / name).is_file()
    ]
    if missing:
        raise FrameworkInvalid(missing, str(directory))

    def read(name: str) -> Iterator[dict[str, str]]:
        columns = _COLUMNS[SKILLS if name == SKILLS_ALT else name]
        return _rows(directory / name, columns)

    elements = {r["Element ID"]: r for r in read(CONTENT_MODEL)}
    anchors: dict[str, dict[int, str]] = defaultdict(dict)
    for r in read(ANCHORS):
        if r["Scale ID"] == "LV":
            anchors[r["Element ID"]][int(float(r["Anchor Value"]))] = r["Anchor Description"]

    # Skills: competencies (in first-seen order) and each occupation's levels.
    skill_names: dict[str, str] = {}
    expects: dict[str, dict[str, int]] = {}
    importance: dict[str, dict[str, float]] = defaultdict(dict)
    for r in read(skills_file):
        code, element = r[CODE], r["Element ID"]
        if element not in skill_names:
            skill_names[element] = r["Element Name"]
        rated = expects.setdefault(code, {})
        if r["Scale ID"] == "IM":
            importance[code][_slug(r["Element Name"])] = float(r["Data Value"])
        if r["Scale ID"] != "LV" or r["Not Relevant"] == "Y":
            continue
        rated[_slug(r["Element Name"])] = _mastery(r["Data Value"])
    attributes = _attributes(directory, importance)

    zones = {r[CODE]: r["Job Zone"].strip() for r in read(JOB_ZONES)}
    zone_names = {r["Job Zone"].strip(): r for r in read(JOB_ZONE_REFERENCE)}
    occupations = {r[CODE]: r for r in read(OCCUPATIONS)}

    hot: dict[str, list[str]] = defaultdict(list)
    other: dict[str, list[str]] = defaultdict(list)
    for r in read(TECHNOLOGY):
        (hot if r["Hot Technology"] == "Y" else other)[r[CODE]].append(r["Example"])

    roles: list[dict[str, Any]] = []
    skipped: list[str] = []
    groups: set[str] = set()
    for code in sorted(expects):
        zone = zones.get(code)
        occupation = occupations.get(code)
        if zone not in zone_names or occupation is None:
            skipped.append(code)
            continue
        groups.add(code[:2])
        role: dict[str, Any] = {
            "id": code,
            "track": f"{code[:2]}-0000",
            "level": f"job-zone-{zone}",
            "title": occupation["Title"],
            "description": occupation["Description"],
            "expects": expects[code],
        }
        tools = list(dict.fromkeys(hot.get(code, []) + other.get(code, [])))
        if tools:
            role["tools"] = tools
        if attributes.get(code):
            role["attributes"] = attributes[code]
        roles.append(role)

    tracks = [
        {
            "id": f"{group}-0000",
            "name": SOC_MAJOR_GROUPS.get(group, f"Major group {group}"),
            "role_type": "dynamic" if group in DYNAMIC_MAJOR_GROUPS else "structured",
            "description": f"SOC 2018 major group {group}-0000.",
        }
        for group in sorted(groups)
    ]
    levels = [
        {
            "id": f"job-zone-{zone}",
            "name": ref["Name"],
            "description": ref["Experience"],
        }
        for zone, ref in sorted(zone_names.items())
    ]
    by_parent: dict[str, list[str]] = defaultdict(list)
    for element in skill_names:
        by_parent[element.rsplit(".", 1)[0]].append(element)
    bands = []
    for parent in [*SKILL_PARENTS, *sorted(set(by_parent) - set(SKILL_PARENTS))]:
        if parent not in by_parent:
            continue
        name = elements.get(parent, {}).get("Element Name", parent)
        if not name.endswith("Skills"):
            name = f"{name} Skills"
        bands.append(
            {
                "id": _slug(name),
                "name": name,
                "description": elements.get(parent, {}).get("Description", ""),
                "competencies": [
                    _competency(element, skill_names[element], elements, anchors)
                    for element in by_parent[parent]
                ],
            }
        )
    note = f"Built from {len(roles)} O*NET occupations with skill ratings"
    if skipped:
        note += f"; {len(skipped)} skipped for lack of a job zone or occupation record"
    return {
        "id": "onet",
        "name": "O*NET 29.3 occupations",
        "description": (
            f"{note}. Tracks are SOC 2018 major groups, levels are O*NET job zones, "
            "competencies are the 35 O*NET skills rated on the 0-7 level scale."
        ),
        "attribution": ATTRIBUTION,
        "currency": "USD",
        "mastery_scale": {"max": SCALE_MAX, "descriptors": list(GENERIC_DESCRIPTORS)},
        "tracks": tracks,
        "levels": levels,
        "skill_bands": bands,
        "roles": roles,
    }


def _attributes(directory: Path, importance: dict[str, dict[str, float]]
                ) -> dict[str, dict[str, Any]]:
    """Each occupation's role attributes, from the attribute files that are present."""
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for code, weights in importance.items():
        out[code]["importance"] = weights

    def present(name: str) -> Iterator[dict[str, str]]:
        path = directory / name
        return _rows(path, _COLUMNS[name]) if path.is_file() else iter(())

    for name, key, scale in ((KNOWLEDGE, "knowledge", "IM"), (INTERESTS, "interests", "OI"),
                             (WORK_STYLES, "work_styles", "IM"),
                             (WORK_VALUES, "work_values", "EX")):
        for r in present(name):
            if r["Scale ID"] == scale:
                out[r[CODE]].setdefault(key, {})[r["Element Name"]] = float(r["Data Value"])
    for name, key, column in ((ALTERNATE_TITLES, "alternate_titles", "Alternate Title"),
                              (TOOLS_USED, "tools_used", "Example")):
        for r in present(name):
            listed = out[r[CODE]].setdefault(key, [])
            if r[column] and r[column] not in listed:
                listed.append(r[column])
    tasks: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for r in present(TASKS):
        tasks[r[CODE]].append((r["Task Type"] != "Core", r["Task"]))
    for code, listed in tasks.items():
        out[code]["tasks"] = [text for _, text in sorted(listed, key=lambda t: t[0])]
    categories = {r["Category"]: r["Category Description"] for r in present(EDUCATION_CATEGORIES)
                  if r["Scale ID"] == "RL"}
    education: dict[str, tuple[float, str]] = {}
    for r in present(EDUCATION):
        if r["Scale ID"] != "RL" or r["Category"] not in categories:
            continue
        share = float(r["Data Value"] or 0)
        if share > education.get(r[CODE], (0.0, ""))[0]:
            education[r[CODE]] = (share, categories[r["Category"]])
    for code, (_, words) in education.items():
        out[code]["education"] = words
    return out


def read_onet_framework(directory: Path) -> tuple[Framework, dict[str, Any]]:
    """Build the O*NET document and validate it into a Framework."""
    document = build_onet_document(directory)
    source = str(directory)
    try:
        model = FrameworkModel.model_validate(document)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]), err["msg"], None, source)
            for err in exc.errors()
        ]
        raise FrameworkInvalid(problems, source) from None
    framework, problems = model.to_domain()
    if framework is None:
        raise FrameworkInvalid(
            [Problem(p.path, p.message, None, source) for p in problems], source
        )
    return framework, document


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated O*NET file, after checking its header has ``columns``."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        header = reader.fieldnames or []
        absent = [c for c in columns if c not in header]
        if absent:
            raise FrameworkInvalid(
                [Problem("", f"missing column '{absent[0]}' in the header", 1, str(path))],
                str(path),
            )
        yield from reader


def _competency(
    element: str,
    name: str,
    elements: dict[str, dict[str, str]],
    anchors: dict[str, dict[int, str]],
) -> dict[str, Any]:
    steps = list(GENERIC_DESCRIPTORS)
    for value, example in anchors.get(element, {}).items():
        if 0 <= value <= SCALE_MAX:
            steps[value] = f"{steps[value]} (for example: {example})"
    return {
        "id": _slug(name),
        "name": name,
        "description": elements.get(element, {}).get("Description", ""),
        "scale": {"max": SCALE_MAX, "descriptors": steps},
    }


def _mastery(value: str) -> int:
    """An O*NET level (0.00-7.00) as a whole step: rounded half up, clamped to 0-7."""
    return min(SCALE_MAX, max(0, int(float(value) + 0.5)))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
