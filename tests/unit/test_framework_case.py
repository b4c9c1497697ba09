"""CASE 1.1 packages: a framework document out and back in, and bad packages located."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime

import pytest

from trellis.adapters.criteria_documents import checked
from trellis.adapters.framework_case import (
    NAMESPACE,
    case_package,
    case_text,
    document_from_case,
    read_case_file,
)
from trellis.errors import FrameworkInvalid

WHEN = datetime(2025, 6, 30, 12, 0)
SOURCE = "acme.case.json"

DOCUMENT = {
    "id": "acme",
    "name": "Acme engineering",
    "description": "How we grow",
    "attribution": "CC BY 4.0, Acme Ltd",
    "tracks": [{"id": "eng", "name": "Engineering", "description": "Builders"},
               {"id": "mgmt", "name": "Management", "role_type": "dynamic"}],
    "levels": [{"id": "L1", "name": "Level 1"}, {"id": "L2", "name": "Level 2",
                                                  "description": "Independent"}],
    "criteria": {"cumulative": False, "met_at": 3},
    "topics": [
        {"id": "craft", "name": "Craft", "description": "Building things", "tracks": ["eng"],
         "criteria": [
             {"id": "craft.L1.1", "level": "L1", "text": "Writes tests,\nfirst",
              "examples": ["A \"good\" test", "Another"], "proficiency": 2},
             {"id": "craft.L2.1", "level": "L2", "text": "Designs systems"}]},
        {"id": "people", "name": "People",
         "criteria": [{"id": "people.L2.1", "level": "L2", "text": "Mentors"}]},
    ],
    "roles": [{"id": "eng-1", "track": "eng", "level": "L1", "title": "Engineer I"},
              {"id": "mgr-2", "track": "mgmt", "level": "L2", "title": "Manager",
               "description": "Runs a team"}],
}


def package():
    return json.loads(case_text(DOCUMENT, WHEN))  # links shared in memory are copies in JSON


def back(data: dict | str | bytes):
    raw = data if isinstance(data, bytes) else (
        data if isinstance(data, str) else json.dumps(data, indent=2)).encode()
    return document_from_case(raw, SOURCE)[0]


def problems(data: dict | str | bytes) -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        back(data)
    return [str(p) for p in caught.value.problems]


def item(pkg, code: str) -> dict:
    return next(i for i in pkg["CFItems"] if i["humanCodingScheme"] == code)


def test_round_trip_gives_the_same_document():
    assert back(case_text(DOCUMENT, WHEN)) == DOCUMENT


def test_an_imported_package_is_checked_as_a_framework_file(tmp_path):
    path = tmp_path / "acme.json"
    path.write_text(case_text(DOCUMENT, WHEN), encoding="utf-8")
    framework, document = read_case_file(path)
    assert document == DOCUMENT
    assert framework.roles["eng-1"].criteria == ("craft.L1.1",)  # generic topics: none at L1


def test_problems_of_the_framework_check_name_the_case_item():
    pkg = package()
    item(pkg, "craft.L2.1")["humanCodingScheme"] = "not an id"
    text = json.dumps(pkg, indent=2)
    document, locate = document_from_case(text.encode(), SOURCE)
    index = next(i for i, it in enumerate(pkg["CFItems"])
                 if it["humanCodingScheme"] == "not an id")
    line = _lines_of(text, '"humanCodingScheme": "not an id"')
    with pytest.raises(FrameworkInvalid) as caught:
        checked(document, SOURCE, locate)
    assert str(caught.value.problems[0]).startswith(
        f"acme.case.json:{line}: CFItems[{index}].humanCodingScheme: String should match")


def test_the_package_is_case_shaped_with_stable_identifiers():
    pkg = package()
    assert set(pkg) == {"CFDocument", "CFItems", "CFAssociations"}
    doc = pkg["CFDocument"]
    assert doc["identifier"] == str(uuid.uuid5(NAMESPACE, "acme"))
    assert doc["title"] == "Acme engineering" and doc["caseVersion"] == "1.1"
    assert doc["lastChangeDateTime"] == "2025-06-30T12:00:00+00:00"
    for key in ("identifier", "uri", "creator", "title", "lastChangeDateTime"):
        assert key in doc
    criterion = item(pkg, "craft.L1.1")
    assert criterion["CFItemType"] == "Criterion"
    assert criterion["fullStatement"] == "Writes tests,\nfirst"
    assert criterion["identifier"] == str(uuid.uuid5(uuid.UUID(doc["identifier"]),
                                                     "Criterion:craft.L1.1"))
    assert criterion["CFDocumentURI"]["identifier"] == doc["identifier"]
    for it in pkg["CFItems"]:
        assert {"identifier", "uri", "fullStatement", "lastChangeDateTime"} <= set(it)
    for a in pkg["CFAssociations"]:
        assert {"identifier", "uri", "associationType", "originNodeURI", "destinationNodeURI",
                "lastChangeDateTime"} <= set(a)
    assert package() == pkg == case_package(DOCUMENT, WHEN)  # the same framework, the same file
    kinds = sorted({i["CFItemType"] for i in pkg["CFItems"]})
    assert kinds == ["Criterion", "Example", "Level", "Role", "Topic", "Track"]


def test_associations_draw_the_tree_levels_and_tracks():
    pkg = package()
    ids = {i["identifier"]: i["humanCodingScheme"] for i in pkg["CFItems"]}
    ids[pkg["CFDocument"]["identifier"]] = "DOC"
    edges = {(a["associationType"], ids[a["originNodeURI"]["identifier"]],
              ids[a["destinationNodeURI"]["identifier"]]) for a in pkg["CFAssociations"]}
    assert {("isChildOf", "craft", "DOC"), ("isChildOf", "craft.L1.1", "craft"),
            ("isChildOf", "craft.L1.1.example.1", "craft.L1.1"),
            ("hasSkillLevel", "craft.L1.1", "L1"), ("precedes", "L1", "L2"),
            ("isPartOf", "craft", "eng"), ("isChildOf", "eng-1", "eng"),
            ("hasSkillLevel", "eng-1", "L1")} <= edges
    assert item(pkg, "L2")["listEnumeration"] == "2"
    assert item(pkg, "craft.L1.1")["extensions"] == {"trellis": {"proficiency": 2}}


def test_order_comes_from_the_associations_not_the_list():
    pkg = package()
    pkg["CFItems"].reverse()
    pkg["CFAssociations"].reverse()
    assert back(pkg) == DOCUMENT


def test_a_foreign_package_without_tracks_or_roles_gets_defaults():
    pkg = package()
    drop = {"Track", "Role"}
    gone = {i["identifier"] for i in pkg["CFItems"] if i["CFItemType"] in drop}
    pkg["CFItems"] = [i for i in pkg["CFItems"] if i["CFItemType"] not in drop]
    pkg["CFAssociations"] = [a for a in pkg["CFAssociations"]
                             if gone.isdisjoint({a["originNodeURI"]["identifier"],
                                                 a["destinationNodeURI"]["identifier"]})]
    del pkg["CFDocument"]["extensions"]
    document = back(pkg)
    assert document["id"] == "acme-engineering"  # from the title
    assert document["tracks"] == [{"id": "acme-engineering", "name": "Acme engineering"}]
    assert [r["id"] for r in document["roles"]] == ["acme-engineering-L1",
                                                    "acme-engineering-L2"]


def _lines_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_not_json_is_refused_with_its_line():
    assert problems('{\n  "CFDocument": {,\n}') == [
        "acme.case.json:2: not JSON: Expecting property name enclosed in double quotes"]
    assert problems("[1, 2]") == [
        "acme.case.json:1: expected a CASE package: a JSON object with CFDocument, CFItems "
        "and CFAssociations"]


def test_missing_cfdocument_and_fields_are_located():
    pkg = package()
    del pkg["CFDocument"]
    assert problems(pkg) == ["acme.case.json:1: CFDocument: required field is missing"]
    pkg = package()
    del pkg["CFItems"][3]["fullStatement"]
    text = json.dumps(pkg, indent=2)
    line = _lines_of(text, pkg["CFItems"][3]["identifier"]) - 1  # the item opens there
    assert problems(text) == [f"acme.case.json:{line}: CFItems[3].fullStatement: required "
                              "field is missing"]


def test_an_association_pointing_nowhere_is_refused():
    pkg = package()
    pkg["CFAssociations"][5]["destinationNodeURI"]["identifier"] = "nowhere"
    text = json.dumps(pkg, indent=2)
    (found,) = problems(text)
    assert found.startswith("acme.case.json:")
    assert found.endswith("CFAssociations[5].destinationNodeURI: points to 'nowhere', which "
                          "is neither the CFDocument nor a CFItem of this file")


def test_a_cycle_of_is_child_of_is_refused():
    pkg = package()
    ids = {i["humanCodingScheme"]: i["identifier"] for i in pkg["CFItems"]}
    link = copy.deepcopy(next(a for a in pkg["CFAssociations"]
                              if a["associationType"] == "isChildOf"))
    link["originNodeURI"]["identifier"] = ids["craft"]
    link["destinationNodeURI"]["identifier"] = ids["craft.L1.1"]
    pkg["CFAssociations"].append(link)
    found = problems(pkg)
    assert any("isChildOf associations form a cycle: craft -> craft.L1.1 -> craft" in p
               or "isChildOf associations form a cycle: craft.L1.1 -> craft -> craft.L1.1" in p
               for p in found), found


@pytest.mark.parametrize(("change", "expected"), [
    (lambda pkg: item(pkg, "craft").update(CFItemType="Clarification"),
     "'Clarification' is not a kind Trellis reads: Track, Level, Role, Topic, Criterion, "
     "Example"),
    (lambda pkg: pkg["CFAssociations"].__setitem__(slice(None), [
        a for a in pkg["CFAssociations"]
        if not (a["associationType"] == "hasSkillLevel"
                and a["originNodeURI"]["title"] == "craft.L2.1")]),
     "Criterion 'craft.L2.1' needs one hasSkillLevel association to a Level item, and has "
     "none"),
    (lambda pkg: item(pkg, "people").pop("humanCodingScheme"),
     "CFItems[11].humanCodingScheme: missing: Trellis takes it as the item's id"),
    (lambda pkg: item(pkg, "people").update(identifier=item(pkg, "craft")["identifier"]),
     "is used twice"),
])
def test_bad_items_are_refused(change, expected):
    pkg = package()
    change(pkg)
    found = problems(pkg)
    assert any(expected in p for p in found), found


def test_wrong_encoding_is_refused():
    data = "\ufeff".encode("utf-16-le") + case_text(DOCUMENT, WHEN).encode("utf-16-le")
    assert problems(data) == ["acme.case.json:1: the file is UTF-16 (it starts with a UTF-16 "
                              "byte-order mark): save it as UTF-8"]
