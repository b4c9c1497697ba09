"""Criteria spreadsheets: rows to a framework document and back, every bad cell located."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trellis.adapters.criteria_documents import framework_text
from trellis.adapters.framework_case import case_text, document_from_case
from trellis.adapters.framework_csv import (
    checked_sheet_document,
    document_from_sheet,
    merged_into,
    sheet_from_bytes,
    sheet_text,
)
from trellis.adapters.framework_files import parse_framework
from trellis.errors import FrameworkInvalid

SOURCE = "topics.csv"

SHEET = """\
Topic,Level,Criterion,Example
Communication,L1,"Gives regular updates, in writing","A weekly ""status"" note"
Communication,L1,"Gives regular updates, in writing",Another example
Leadership,L3,Leads a project,
Communication,L2,Explains trade-offs,"Wrote the
design doc"
Delivery,L1,Ships small changes,
"""


def sheet(text: str, **options):
    return document_from_sheet(sheet_from_bytes(text.encode(), SOURCE),
                               framework_id=options.pop("framework_id", "acme"),
                               name=options.pop("name", "Acme"), **options)[0]


def problems(text: str | bytes, **options) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(FrameworkInvalid) as caught:
        document_from_sheet(sheet_from_bytes(data, SOURCE), framework_id="acme", name="Acme",
                            **options)
    return [str(p) for p in caught.value.problems]


def test_a_sheet_becomes_topics_of_criteria_with_examples_levels_and_roles():
    document = sheet(SHEET)
    assert [lv["id"] for lv in document["levels"]] == ["L1", "L3", "L2"]  # as they appear
    assert document["tracks"] == [{"id": "acme", "name": "Acme"}]
    # topics by their lowest level, then as they appear; criteria by level
    assert [t["id"] for t in document["topics"]] == ["communication", "delivery", "leadership"]
    communication = document["topics"][0]
    assert communication["criteria"] == [
        {"id": "communication.L1.1", "level": "L1", "text": "Gives regular updates, in writing",
         "examples": ['A weekly "status" note', "Another example"]},
        {"id": "communication.L2.1", "level": "L2", "text": "Explains trade-offs",
         "examples": ["Wrote the\ndesign doc"]},
    ]
    assert document["roles"][0] == {"id": "acme-L1", "track": "acme", "level": "L1",
                                    "title": "Acme L1"}
    assert len(document["roles"]) == 3


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_written_framework_reads_back_the_same(fmt):
    document = sheet("topic,level,criterion\nCraft,1e5,\"Next\x85line \u2028 🚀\"\n")
    assert document["levels"] == [{"id": "1e5", "name": "1e5"}]
    assert parse_framework(framework_text(document, fmt))[1] == document


def test_header_in_any_case_and_order_with_a_byte_order_mark():
    text = "\ufeffCRITERION, level ,Topic\nShips,L1,Delivery\n"
    document = sheet(text)
    assert document["topics"][0]["criteria"][0]["text"] == "Ships"


def test_levels_option_orders_levels_and_refuses_others():
    document = sheet(SHEET, levels=["L1", "L2", "L3", "L4"])
    assert [lv["id"] for lv in document["levels"]] == ["L1", "L2", "L3", "L4"]
    assert [t["id"] for t in document["topics"]] == ["communication", "delivery", "leadership"]
    assert problems(SHEET, levels=["L1", "L2"]) == [
        "topics.csv:4: level: unknown level 'L3': the framework's levels are L1, L2"]


def test_level_names_become_ids_and_are_matched_in_any_case():
    document = sheet("topic,level,criterion\nCraft,Senior engineer,Designs\n"
                     "Craft,senior ENGINEER,Reviews\n")
    assert document["levels"] == [{"id": "senior-engineer", "name": "Senior engineer"}]
    assert [c["id"] for c in document["topics"][0]["criteria"]] == [
        "craft.senior-engineer.1", "craft.senior-engineer.2"]


def test_tracks_from_options_and_the_track_column():
    text = ("topic,level,criterion,track\nCoding,L1,Writes code,Backend; Frontend\n"
            "People,L1,Mentors,Management\nCulture,L1,Is kind,\n")
    document = sheet(text, tracks=["backend=Backend engineering"])
    assert document["tracks"] == [{"id": "backend", "name": "Backend engineering"},
                                  {"id": "frontend", "name": "Frontend"},
                                  {"id": "management", "name": "Management"}]
    topics = {t["id"]: t for t in document["topics"]}
    assert topics["coding"]["tracks"] == ["backend", "frontend"]
    assert "tracks" not in topics["culture"]  # generic: every track
    assert [r["id"] for r in document["roles"]] == ["backend-L1", "frontend-L1",
                                                    "management-L1"]


def test_a_topic_generic_on_one_row_and_not_on_another_is_refused():
    text = "topic,level,criterion,track\nCoding,L1,Writes code,Backend\nCoding,L2,Reviews,\n"
    assert problems(text) == ["topics.csv:3: track: topic 'Coding' names tracks on line 2 but "
                              "none here: blank every row of a generic topic, or none"]


def test_a_proficiency_on_one_row_of_a_criterion_holds_and_two_differ_is_an_error():
    text = ("topic,level,criterion,example,proficiency\nCraft,L1,Codes,a,\nCraft,L1,Codes,b,2\n"
            "Craft,L1,Codes,a,\n")
    assert sheet(text)["topics"][0]["criteria"] == [
        {"id": "craft.L1.1", "level": "L1", "text": "Codes", "examples": ["a", "b"],
         "proficiency": 2}]
    assert problems(text + "Craft,L1,Codes,c,3\n") == [
        "topics.csv:5: proficiency: line 2 gives this criterion proficiency 2, this row 3"]


def test_explicit_ids_proficiency_and_generated_ids_never_collide():
    text = ("topic,level,criterion,id,proficiency\nCraft,L1,Writes tests,craft.L1.1,3\n"
            "Craft,L1,Writes code,,\nCraft,L1,Writes tests,craft.L1.1,\n")
    criteria = sheet(text)["topics"][0]["criteria"]
    assert criteria == [{"id": "craft.L1.1", "level": "L1", "text": "Writes tests",
                         "proficiency": 3},
                        {"id": "craft.L1.2", "level": "L1", "text": "Writes code"}]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "topics.csv: no header: the first line must name the columns topic, level, "
         "criterion, example"),
    ("\n", "topics.csv:1: no header: the first line must name the columns topic, level, "
           "criterion, example"),
    ("topic,criterion\n", "topics.csv:1: level: missing column: the first line must name the "
                          "columns topic, level, criterion, example"),
    ("topic,level,criterion,notes\n", "topics.csv:1: notes: unknown column: the columns are "
                                      "topic, level, criterion, example, track, id, "
                                      "proficiency"),
    ("topic,level,criterion,Topic\n", "topics.csv:1: topic: column named twice"),
    ("topic,level,criterion\nCraft,L1,\n", "topics.csv:2: criterion: empty: every row needs a "
                                           "criterion"),
    ("topic,level,criterion\nCraft,L1,\"  \"\n", "topics.csv:2: criterion: empty: every row "
                                                 "needs a criterion"),
    ("topic,level,criterion\n,L1,Codes\n", "topics.csv:2: topic: empty: every row needs a "
                                           "topic"),
    ("topic,level,criterion\nCraft,L1,Codes,extra\n", "topics.csv:2: 4 cells, but the header "
                                                      "names 3 columns"),
    ('topic,level,criterion\nCraft,L1,Codes\nCraft,L1,"Tests\nmore\n',
     'topics.csv:3: a quoted cell is never closed: a closing " is missing'),
    ('topic,level,criterion\nCraft,L1,"Tests" well\n',
     'topics.csv:2: text after the closing " of a quoted cell: double a " inside a quoted '
     'cell'),
    ("topic,level,criterion,id\nCraft,L1,Codes,not an id\n",
     "topics.csv:2: id: 'not an id' is not an id: use letters, digits, '_', '.' and '-' (at "
     "most 80, starting with a letter or digit)"),
    ("topic,level,criterion,proficiency\nCraft,L1,Codes,high\n",
     "topics.csv:2: proficiency: 'high' is not a whole number"),
    ("topic,level,criterion,proficiency\nCraft,L1,Codes,4\n",
     "topics.csv:2: proficiency: 4 is outside 1-3, the framework's proficiency scale"),
    ("topic,level,criterion\nCra\tft,L1,Codes\n",
     "topics.csv:2: topic: the cell contains the control character U+0009, which is not "
     "allowed"),
])
def test_bad_sheets_are_refused_with_line_and_column(text, expected):
    assert problems(text) == [expected]


def test_a_duplicate_id_names_the_first_line_and_the_row_starting_line_counts():
    text = ('topic,level,criterion,id\nCraft,L1,"Writes\ncode",c1\n'
            "Craft,L1,Reviews code,c1\n")
    assert problems(text) == ["topics.csv:4: id: duplicate criterion id 'c1': line 2 has it "
                              "for another criterion"]


def test_every_bad_row_is_reported_at_once():
    text = "topic,level,criterion\nCraft,L1,\n,L1,Codes\nCraft,L1,Fine\n"
    assert len(problems(text)) == 2


@pytest.mark.parametrize(("data", "expected"), [
    ("topic,level,criterion\nCraft,L1,Caf\xe9\n".encode("latin-1"),
     "topics.csv:2: not UTF-8 text (byte 0xe9 at column 13): save the file as UTF-8"),
    (codecs.BOM_UTF16_LE + "topic,level,criterion\n".encode("utf-16-le"),
     "topics.csv:1: the file is UTF-16 or UTF-32 text: save it as UTF-8"),
])
def test_text_that_is_not_utf8_is_refused(data, expected):
    assert problems(data) == [expected]


def test_problems_of_the_framework_check_are_placed_at_the_row_and_column():
    text = "topic,level,criterion,example\nCraft,L1,Codes,\nCraft,L1,Tests,\x01\n"
    document, lines = document_from_sheet(sheet_from_bytes(text.encode(), SOURCE),
                                          framework_id="acme", name="Acme")
    document["topics"][0]["criteria"][1]["examples"] = ["\x00"]  # past the sheet's checks
    document["topics"][0]["name"] = "x" * 501
    with pytest.raises(FrameworkInvalid) as caught:
        checked_sheet_document(document, lines, SOURCE)
    assert [str(p) for p in caught.value.problems] == [
        "topics.csv:2: topic: String should have at most 500 characters",
        "topics.csv:3: example: the text contains the control character U+0000, which is "
        "not allowed"]


# --- --into: an existing framework's topics, replaced or added

BASE = {
    "id": "acme", "name": "Acme",
    "tracks": [{"id": "eng", "name": "Engineering"}, {"id": "mgmt", "name": "Management"}],
    "levels": [{"id": "L1", "name": "Level 1"}, {"id": "L2", "name": "Level 2"}],
    "topics": [
        {"id": "craft", "name": "Craft", "description": "How we build", "tracks": ["eng"],
         "criteria": [{"id": "craft.1", "level": "L1", "text": "Old text"}]},
        {"id": "people", "name": "People",
         "criteria": [{"id": "people.1", "level": "L2", "text": "Mentors"}]},
    ],
    "roles": [{"id": "eng-1", "track": "eng", "level": "L1", "title": "Engineer"}],
}


def into(text: str, **options):
    return merged_into(sheet_from_bytes(text.encode(), SOURCE), BASE, **options)[0]


def test_into_replaces_a_topic_by_name_or_id_and_keeps_the_rest():
    merged = into("topic,level,criterion\ncraft,Level 2,New text\nCRAFT,L1,Newer text\n")
    craft, people = merged["topics"]
    assert craft == {"id": "craft", "name": "Craft", "description": "How we build",
                     "tracks": ["eng"],
                     "criteria": [{"id": "craft.L1.1", "level": "L1", "text": "Newer text"},
                                  {"id": "craft.L2.1", "level": "L2", "text": "New text"}]}
    assert people == BASE["topics"][1]
    assert merged["roles"] == BASE["roles"] and merged["levels"] == BASE["levels"]


def test_into_refuses_unknown_topics_levels_tracks_and_taken_ids():
    text = ("topic,level,criterion,track,id\nGrowth,L1,Learns,,\nCraft,L9,Codes,,\n"
            "Craft,L1,Codes,Design,\nCraft,L1,Codes,,people.1\nCraft,L1,Codes,,craft.2\n")
    with pytest.raises(FrameworkInvalid) as caught:
        into(text)
    assert [str(p) for p in caught.value.problems] == [
        "topics.csv:2: topic: unknown topic 'Growth': the framework's topics are craft, people "
        "(--add-topics adds new ones)",
        "topics.csv:3: level: unknown level 'L9': the framework's levels are L1, L2",
        "topics.csv:4: track: unknown track 'Design': the framework's tracks are eng, mgmt",
        "topics.csv:5: id: criterion id 'people.1' is already a criterion of a topic this "
        "file does not replace",
        "topics.csv:6: id: unknown criterion id 'craft.2': the framework has no such criterion "
        "(leave the id blank for a new one)",
    ]


def test_into_keeps_an_id_the_sheet_names():
    merged = into("topic,level,criterion,id\nCraft,L2,Reworded,craft.1\n")
    assert merged["topics"][0]["criteria"] == [{"id": "craft.1", "level": "L2",
                                                "text": "Reworded"}]


def test_into_adds_topics_when_asked_and_takes_tracks_from_the_column():
    merged = into("topic,level,criterion,track\nGrowth,L1,Learns,Management\n"
                  "Craft,L1,Codes,\n", add_topics=True)
    assert [t["id"] for t in merged["topics"]] == ["craft", "people", "growth"]
    assert merged["topics"][2]["tracks"] == ["mgmt"]
    assert "tracks" not in merged["topics"][0]  # the column says: generic now


def test_into_gives_lines_at_the_merged_places():
    merged, lines = merged_into(sheet_from_bytes(b"topic,level,criterion\nPeople,L1,Helps\n",
                                                 SOURCE), BASE)
    assert merged["topics"][1]["criteria"] == [{"id": "people.L1.1", "level": "L1",
                                                "text": "Helps"}]
    assert lines == {"topics[1]": 2, "topics[1].criteria[0]": 2}


def test_a_framework_exported_and_imported_into_itself_is_unchanged():
    text = sheet_text(BASE)
    assert "Level 1" in text and "Engineering" in text  # names, matched back by name
    assert merged_into(sheet_from_bytes(text.encode(), SOURCE), BASE)[0] == BASE


# --- writing


def test_export_writes_level_by_level_one_row_per_example_with_ids():
    rows = list(csv.reader(io.StringIO(sheet_text(sheet(SHEET)))))
    assert rows[0] == ["topic", "level", "criterion", "example", "id"]
    assert [r[1] for r in rows[1:]] == ["L1", "L1", "L1", "L3", "L2"]
    assert rows[1:3] == [
        ["Communication", "L1", "Gives regular updates, in writing", 'A weekly "status" note',
         "communication.L1.1"],
        ["Communication", "L1", "Gives regular updates, in writing", "Another example",
         "communication.L1.1"]]


def test_export_escapes_formulas_and_import_takes_the_escape_off():
    document = sheet("topic,level,criterion,example\nCraft,L1,=SUM(A1),@here\n"
                     "Craft,L1,''=quoted,-5\n")
    assert document["topics"][0]["criteria"][1]["text"] == "'=quoted"  # one quote taken off
    text = sheet_text(document)
    assert "'=SUM(A1)" in text and "'@here" in text and "''=quoted" in text and "'-5" in text
    assert sheet(text) == document


def test_export_of_a_framework_without_criteria_is_refused():
    with pytest.raises(FrameworkInvalid, match="has no criteria"):
        sheet_text({"id": "x", "levels": [], "topics": []})


# --- the round trip: import -> export -> import gives the same document

_label = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                 max_size=12).map(str.strip).filter(bool)
_long = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=40).map(str.strip).filter(bool)
_text = st.one_of(_long, st.sampled_from(['a, "quoted" b', "line\none", "=1+1", "-x", "'@y",
                                          "naïve ünïcödé 職責 🚀", "x\r\ny"]))


@st.composite
def _rows(draw):
    topics = draw(st.lists(_label, min_size=1, max_size=4))
    levels = draw(st.lists(_label, min_size=1, max_size=4))
    tracks = draw(st.lists(_label.filter(lambda t: ";" not in t), max_size=3))
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        rows.append([draw(st.sampled_from(topics)), draw(st.sampled_from(levels)),
                     draw(_text), draw(st.one_of(st.just(""), _text)),
                     "; ".join(draw(st.lists(st.sampled_from(tracks), max_size=2)))
                     if tracks else ""])
    # one topic's rows name its tracks or none: the first row of a topic decides
    first: dict[str, str] = {}
    return [[*row[:4], first.setdefault(row[0].casefold(), row[4])] for row in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows())
def test_round_trip_csv_and_case(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["topic", "level", "criterion", "example", "track"])
    writer.writerows(rows)
    try:
        first = sheet(out.getvalue())
    except FrameworkInvalid as exc:  # a topic named by two spellings of one casefold
        assert all("track" in str(p) for p in exc.problems), exc.problems
        return
    framework, canonical = checked_sheet_document(first, {}, SOURCE)  # as a framework file
    assert canonical == first and len(framework.criteria) >= 1
    for fmt in ("yaml", "json"):  # --out writes a file that reads back the same
        assert parse_framework(framework_text(first, fmt), SOURCE)[1] == first
    again = sheet(sheet_text(first))
    assert again == first
    assert sheet_text(again) == sheet_text(first)

    case = case_text(first, datetime(2025, 1, 1))
    from_case = document_from_case(case.encode(), "x.json")[0]
    assert from_case == first
    assert case_text(from_case, datetime(2025, 1, 1)) == case  # the same file again


def test_topics_that_share_a_name_are_written_by_id_and_read_back_into_the_framework():
    # monzo-engineering has five topics named "Communication" (four tracks share one; the
    # Quality Analyst's is its own): by name they merged on the way back, 243 problems
    from trellis.adapters.framework_files import read_framework_file, shipped_framework_path

    path = shipped_framework_path("monzo-engineering")
    assert path is not None
    _, base = read_framework_file(path)
    text = sheet_text(base)
    assert "\nqualityanalyst.communication,Level 1," in text
    assert "\ncommunication,Level 1," in text  # the shared one is written by id too
    merged, _ = merged_into(sheet_from_bytes(text.encode(), SOURCE), base)
    assert merged == base
