"""Every input is held to domain.limits before a database sees it: numbers, text, dates,
file encodings and CSV shapes, each refused with one line naming the field (and the line).

These run without a database; tests/integration/test_import_hostile.py runs the same
inputs through real imports on both engines.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.adapters.ledger_files import (
    parse_rows,
    read_ledger_file,
    rows_from_text,
    write_ledger_file,
)
from trellis.domain import limits
from trellis.domain.events import EventKind as K
from trellis.domain.events import (
    details_from_mapping,
    event_text,
    integer_value,
    kind_from_text,
    shown,
    text_value,
)
from trellis.domain.people import check_email, check_handle, check_name
from trellis.domain.records import COLUMNS
from trellis.errors import InvalidEvent


def refused(kind: K, data: dict) -> str:
    with pytest.raises(InvalidEvent) as info:
        details_from_mapping(kind, data)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and len(message) < 300, message
    return message


HIRE = {"role": "eng1"}
STEP = {"competency": "coding", "from_mastery": 0, "to_mastery": 1}


# --- numbers: every integer field has a range, whatever form the number comes in --------


@pytest.mark.parametrize(("kind", "data", "message"), [
    (K.HIRE, {**HIRE, "pay": 10**12 + 1},
     "hire: pay must be between 0 and 1,000,000,000,000, got 1000000000001"),
    (K.HIRE, {**HIRE, "pay": 2**64},
     "hire: pay must be between 0 and 1,000,000,000,000, got 18446744073709551616"),
    (K.HIRE, {**HIRE, "pay": 1e20},  # JSON lines hand a float for anything past 64 bits
     "hire: pay must be between 0 and 1,000,000,000,000, got 100000000000000000000"),
    (K.HIRE, {**HIRE, "pay": "9" * 5000},  # past what int() parses
     "hire: pay must be between 0 and 1,000,000,000,000, got a number of 5,000 digits"),
    (K.HIRE, {**HIRE, "pay": 10**5000},
     "hire: pay must be between 0 and 1,000,000,000,000, got a number of about 5,001 digits"),
    (K.PROMOTION, {"role": "eng2", "pay": -(2**70)}, "promotion: pay cannot be negative"),
    (K.COMPENSATION, {"amount": -(10**12) - 1},
     "compensation: amount must be between -1,000,000,000,000 and 1,000,000,000,000, got "
     "-1000000000001"),
    (K.RECOGNITION, {"citation": "x", "points": 1_000_001},
     "recognition: points must be between 0 and 1,000,000, got 1000001"),
    (K.RECOGNITION, {"citation": "x", "amount": "1e20"},
     "recognition: amount must be an integer, got '1e20'"),
    (K.PROJECT_LEADERSHIP, {"project": "x", "team_size": 1e30},
     "project_leadership: team_size must be between 0 and 1,000,000, got a number of about "
     "31 digits"),
    (K.PROJECT_LEADERSHIP, {"project": "x", "team_size": -1},
     "project_leadership: team_size must be between 0 and 1,000,000, got -1"),
    (K.SKILL_STEP, {**STEP, "to_mastery": 101},
     "skill_step: to_mastery must be between 0 and 100, got 101"),
    (K.SKILL_STEP, {**STEP, "from_mastery": 2**63},
     "skill_step: from_mastery must be between 0 and 100, got 9223372036854775808"),
    (K.CHECK_IN, {"engagement": 6}, "check_in: engagement must be 1-5, got 6"),
    (K.CHECK_IN, {"engagement": 2**64},  # a field without a range of its own: 64 bits
     "check_in: engagement must be between -9,223,372,036,854,775,807 and "
     "9,223,372,036,854,775,807, got 18446744073709551616"),
    (K.RETRACTION, {"retracts": 2**63, "reason": "x"},
     "retraction: retracts must be between 1 and 9,223,372,036,854,775,807, got "
     "9223372036854775808"),
    (K.RETRACTION, {"retracts": -3, "reason": "x"}, "retraction: retracts must be an event id"),
    (K.VERIFICATION, {"verifies": 0}, "verification: verifies must be an event id"),
    (K.RESPONSIBILITY, {"function": "eng", "share": 10**400},
     "responsibility: share must be between 0 and 1, got inf"),
    (K.RESPONSIBILITY, {"function": "eng", "share": "nan"},
     "responsibility: share must be between 0 and 1, got nan"),
    (K.COMPENSATION, {"percent": "1e999"}, "compensation: percent inf is not a plausible change"),
])
def test_numbers_out_of_range_are_refused_naming_the_field(kind, data, message):
    assert refused(kind, data) == message


def test_numbers_at_their_limits_are_accepted():
    assert details_from_mapping(K.HIRE, {**HIRE, "pay": limits.MONEY_MAX}).pay == 10**12
    assert details_from_mapping(K.HIRE, {**HIRE, "pay": "1000000000000"}).pay == 10**12
    assert details_from_mapping(K.COMPENSATION, {"amount": -limits.MONEY_MAX}).amount == \
        -(10**12)
    assert details_from_mapping(K.RECOGNITION, {"citation": "x", "points": 1e6}).points == \
        limits.POINTS_MAX
    assert details_from_mapping(K.RETRACTION, {"retracts": limits.EVENT_ID_MAX,
                                               "reason": "x"}).retracts == 2**63 - 1


@pytest.mark.parametrize("raw", [["1"], {"a": 1}, True, None, "1.5", 1.5, float("nan"),
                                 float("inf"), "", " "])
def test_an_integer_is_an_integer(raw):
    with pytest.raises(InvalidEvent, match=r"^id must be an integer, got "):
        integer_value(raw, "id", 1, 10)


# --- text: text only, no control characters, within its column -----------------------


@pytest.mark.parametrize(("kind", "data", "message"), [
    (K.HIRE, {"role": {"id": "eng1"}}, "hire: role must be text, got an object"),
    (K.HIRE, {"role": [[["eng1"]]]}, "hire: role must be text, got a list"),
    (K.HIRE, {"role": True}, "hire: role must be text, got 'True'"),
    (K.HIRE, {"role": "eng\x001"},
     "hire: role contains the control character U+0000, which is not allowed"),
    (K.HIRE, {"role": "eng\n1"},
     "hire: role contains the control character U+000A, which is not allowed"),
    (K.HIRE, {"role": "r" * 501}, "hire: role is 501 characters long: at most 500 are allowed"),
    (K.HIRE, {**HIRE, "currency": "EURO"},
     "hire: currency must be a three-letter currency code such as USD, got 'EURO'"),
    (K.HIRE, {**HIRE, "currency": "€€€"},
     "hire: currency must be a three-letter currency code such as USD, got '€€€'"),
    (K.CHECK_IN, {"notes": "n" * 100_001},
     "check_in: notes is 100,001 characters long: at most 100,000 are allowed"),
    (K.CHECK_IN, {"notes": "a\x00b"},
     "check_in: notes contains the control character U+0000, which is not allowed"),
    (K.CHECK_IN, {"notes": "\ud800"},
     "check_in: notes contains the control character U+D800, which is not allowed"),
    (K.RECOGNITION, {"citation": "x", "recognition_kind": ["kudos"]},
     "recognition: recognition_kind must be one of kudos, award, spot_bonus, got a list"),
    (K.RECOGNITION, {"citation": "x", "recognition_kind": 10**5000},
     "recognition: recognition_kind must be one of kudos, award, spot_bonus, got a number "
     "of about 5,001 digits"),
])
def test_text_is_text_within_its_limits(kind, data, message):
    assert refused(kind, data) == message


def test_long_texts_keep_their_lines_and_currencies_their_case():
    notes = "first line\r\nsecond line\ttabbed " + "n" * (limits.LONG_TEXT_MAX - 40)
    notes = notes[:limits.LONG_TEXT_MAX]
    assert details_from_mapping(K.CHECK_IN, {"notes": notes}).notes == notes
    assert details_from_mapping(K.HIRE, {**HIRE, "currency": "usd"}).currency == "USD"
    assert details_from_mapping(K.HIRE, {"role": 2024}).role == "2024"  # a number is text


def test_the_fields_every_event_has():
    assert event_text("  sam  ", "author") == "sam"
    assert event_text("", "evidence") is None and event_text("   ", "verifier") is None
    assert event_text("line 1\nline 2", "evidence") == "line 1\nline 2"
    for field, longest in (("author", limits.NAME_MAX), ("verifier", limits.NAME_MAX),
                           ("evidence", limits.LONG_TEXT_MAX)):
        assert event_text("v" * longest, field) == "v" * longest
        with pytest.raises(InvalidEvent, match=rf"^{field} is {longest + 1:,} characters"):
            event_text("v" * (longest + 1), field)
    with pytest.raises(InvalidEvent, match=r"^verifier contains the control character U\+000A"):
        event_text("bob\nand me", "verifier")
    with pytest.raises(InvalidEvent, match=r"^evidence must be text, got an object$"):
        event_text({"url": "x"}, "evidence")


def test_kinds_are_text():
    for raw in (["hire"], {"kind": "hire"}, 7, None):
        with pytest.raises(InvalidEvent, match=r"^unknown event kind "):
            kind_from_text(raw)
    with pytest.raises(InvalidEvent) as info:
        kind_from_text("hire\n" + "x" * 10_000)
    assert str(info.value).startswith("unknown event kind 'hire\\u000axxxx")
    assert len(str(info.value)) < 400  # the value cut short; the list of kinds grows


def test_shown_keeps_a_message_on_one_short_line():
    assert shown("two") == "'two'"
    assert shown(1.5) == "'1.5'"
    assert shown(["a"] * 10_000) == "a list" and shown({"a": {}}) == "an object"
    long = shown("a\u2028b\x85c\r\n" + "z" * 1_000)
    assert long.startswith("'a\\u2028b\\u0085c\\u000d\\u000azzz") and long.endswith("...'")
    assert len(long.splitlines()) == 1 and len(long) < 100


# --- people ----------------------------------------------------------------------------


def test_people_are_held_to_their_columns():
    assert check_handle("a" * limits.HANDLE_MAX) == "a" * 80
    for bad in ("a" * 81, "ada\n", "ada\x00", "Ada", "", "-ada"):
        with pytest.raises(InvalidEvent, match=r"^invalid handle '"):
            check_handle(bad)
    with pytest.raises(InvalidEvent, match=r"^manager: invalid handle 'Bob Smith'"):
        check_handle("Bob Smith", "manager")
    assert check_name("  Ada Lovelace ") == "Ada Lovelace"
    assert check_name("n" * limits.NAME_MAX) == "n" * 200
    for bad, message in (("n" * 201, "name is 201 characters long"),
                         ("Ada\x00", "name contains the control character U+0000"),
                         ("Ada\nLovelace", "name contains the control character U+000A"),
                         ("  ", "a person needs a name")):
        with pytest.raises(InvalidEvent, match="^" + re.escape(message)):
            check_name(bad)
    longest = "e" * (limits.EMAIL_MAX - len("@x.org")) + "@x.org"
    assert check_email(longest) == longest
    for bad, message in (("e" + longest, "email is 255 characters long"),
                         ("ada@x.org\n", "email contains the control character U+000A"),
                         ("ada@x.org\x00", "email contains the control character U+0000")):
        with pytest.raises(InvalidEvent, match="^" + re.escape(message)):
            check_email(bad)


# --- files: encodings, CSV shapes, and the rows of the web's text ------------------------


def read(tmp_path: Path, name: str, data: bytes) -> list[tuple[int | None, str]]:
    path = tmp_path / name
    path.write_bytes(data)
    _, _, problems = read_ledger_file(path)
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in problems)
    assert all(len(str(p).splitlines()) == 1 for p in problems)
    return [(p.line, p.message) for p in problems]


PERSON_CSV = "record,handle,name\nperson,bob,Bob\n"
PERSON_JSONL = '{"record":"person","handle":"bob","name":"Bob"}\n'
NOT_UTF8 = "not UTF-8 text (byte 0x{:02x} at column {}): save the file as UTF-8"


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("latin1.csv", "record,handle,name\nperson,andre,André\n".encode("latin-1"),
     (2, NOT_UTF8.format(0xE9, 18))),
    ("cp1252.jsonl", (PERSON_JSONL + '{"record":"person","handle":"x","name":"“x”"}\n'
                      ).encode("cp1252"), (2, NOT_UTF8.format(0x93, 41))),
    ("utf16.csv", PERSON_CSV.encode("utf-16"),
     (1, "the file is UTF-16 or UTF-32 text: save it as UTF-8")),
    ("utf16be.jsonl", b"\xfe\xff" + PERSON_JSONL.encode("utf-16-be"),
     (1, "the file is UTF-16 or UTF-32 text: save it as UTF-8")),
    ("utf32.jsonl", PERSON_JSONL.encode("utf-32"),
     (1, "the file is UTF-16 or UTF-32 text: save it as UTF-8")),
    ("truncated.jsonl", PERSON_JSONL.encode() + '{"name":"€'.encode()[:-1] + b'"}\n',
     (2, NOT_UTF8.format(0xE2, 10))),
    ("lone.csv", PERSON_CSV.encode() + b"person,cy,C\xff\n", (3, NOT_UTF8.format(0xFF, 12))),
])
def test_a_file_that_is_not_utf8_is_one_problem_at_its_line(tmp_path, name, data, problem):
    assert read(tmp_path, name, data) == [problem]


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    for name, text in (("bom.csv", PERSON_CSV), ("bom.jsonl", PERSON_JSONL)):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        people, _, problems = read_ledger_file(path)
        assert problems == [] and [p.handle for p in people] == ["bob"]
        fmt = "csv" if name.endswith(".csv") else "jsonl"
        people, _, problems = parse_rows(rows_from_text("\ufeff" + text, fmt), name)
        assert problems == [] and [p.handle for p in people] == ["bob"]


def test_an_empty_file_is_no_rows_with_or_without_a_mark(tmp_path):
    for data in (b"", b"\xef\xbb\xbf"):
        for fmt in ("csv", "jsonl"):
            assert read(tmp_path, f"empty.{fmt}", data) == []
            assert parse_rows(rows_from_text(data.decode(), fmt), "x") == ([], [], [])


@pytest.mark.parametrize(("text", "problem"), [
    ("record,handle,name,name\nperson,bob,Bob,Robert\n", (1, "duplicate column(s): name")),
    ("record,handle,name,handle,salary\n", (1, "unknown column(s): salary")),
    ("record,handle,na\x00me\n", (1, "unknown column(s): 'na\\u0000me'")),
    ("record,handle,name,\n", (1, "unknown column(s): ''")),
    ("\nrecord,handle,name\n", (1, "the first line must name the columns")),
    ("record,handle,name\nperson,bob,Bob,extra\n",
     (2, "4 cells, but the header names 3 columns")),
    ("record,handle,name\nperson,bob,Bob,\n", (2, "4 cells, but the header names 3 columns")),
    ("record,handle,name\nperson,bob,Bo\rb\n",
     (2, r"a carriage return (\r) inside an unquoted cell: quote the cell")),
    ("record,handle,name,person,kind,effective_on,role,evidence\n"
     f"event,,,bob,hire,2021-01-04,eng1,{'x' * (limits.CSV_FIELD_MAX + 1)}\n",
     (2, f"a cell is longer than {limits.CSV_FIELD_MAX:,} characters")),
    ("record,handle,name,person,kind,effective_on,role,evidence\n"
     f"event,,,bob,hire,2021-01-04,eng1,{'x' * 140_000}\n",  # past csv's own 128 KiB
     (2, "evidence is 140,000 characters long: at most 100,000 are allowed")),
])
def test_csv_shapes_that_are_refused(tmp_path, text, problem):
    assert read(tmp_path, "shape.csv", text.encode()) == [problem]
    _, _, problems = parse_rows(rows_from_text(text, "csv"), "upload.csv")
    assert [(p.line, p.message) for p in problems] == [problem]  # the web reads the same


def test_blank_lines_short_rows_and_quoted_line_breaks_are_fine(tmp_path):
    text = ('record,handle,name,email,person,kind,effective_on,evidence\r\n\r\n'
            'person,bob,"Builder, Bob"\r\n\n'
            'event,,,,bob,check_in,2021-01-04,"line 1\r\nline 2\rand\n3"\r\n'
            'person,cy,Cy,cy@x.org\n')
    path = tmp_path / "fine.csv"
    path.write_text(text, newline="")
    people, events, problems = read_ledger_file(path)
    assert problems == []
    assert [(p.line, p.handle, p.name, p.email) for p in people] == [
        (3, "bob", "Builder, Bob", None), (8, "cy", "Cy", "cy@x.org")]
    assert [(e.line, e.evidence) for e in events] == [(7, "line 1\r\nline 2\rand\n3")]


@pytest.mark.parametrize(("row", "problem"), [
    ({"record": "person", "handle": "bob", "name": {"a": 1}}, "name must be text, got an object"),
    ({"record": "person", "handle": ["bob"], "name": "Bob"}, "handle must be text, got a list"),
    ({"record": "person", "handle": "bob", "name": "B", "manager": "x" * 81},
     "manager is 81 characters long: at most 80 are allowed"),
    ({"record": "person", "handle": "bob", "name": "B", "email": "b@x.org\nc"},
     "email contains the control character U+000A, which is not allowed"),
    ({"record": ["person"]}, "record must be 'person' or 'event', got a list"),
    ({"person": "bob", "kind": ["hire"], "effective_on": "2021-01-04"},
     "unknown event kind a list (known: hire, promotion, lateral_move, skill_step, "
     "certification, project_leadership, responsibility, recognition, compensation, "
     "check_in, departure, retraction, verification, demonstrated, assessed, review, "
     "calibration)"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1", "id": 0},
     "id must be between 1 and 9,223,372,036,854,775,807, got 0"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1", "id": -7},
     "id must be between 1 and 9,223,372,036,854,775,807, got -7"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1",
      "id": 1.5}, "id must be an integer, got '1.5'"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1",
      "id": 1e19}, "id must be between 1 and 9,223,372,036,854,775,807, got "
     "10000000000000000000"),
    ({"person": "bob", "kind": "hire", "effective_on": "1899-12-31", "role": "eng1"},
     "effective_on 1899-12-31 is outside 1900-01-01..2199-12-31"),
    ({"person": "bob", "kind": "hire", "effective_on": {"y": 2021}, "role": "eng1"},
     "malformed effective_on an object: use YYYY-MM-DD"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1",
      "recorded_at": "0001-01-01T00:00:00+05:00"},
     "recorded_at 0001-01-01 is outside 1900-01-01..2199-12-31"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1",
      "recorded_at": ["2021"]},
     "malformed recorded_at a list: use an ISO date and time (YYYY-MM-DDTHH:MM:SS)"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1",
      "author": "a" * 201}, "author is 201 characters long: at most 200 are allowed"),
    ({"person": "bob", "kind": "hire", "effective_on": "2021-01-04", "role": "eng1",
      "evidence": "x\x00y"},
     "evidence contains the control character U+0000, which is not allowed"),
])
def test_json_values_are_held_to_the_same_limits(row, problem):
    text = json.dumps(row)
    _, _, problems = parse_rows(rows_from_text(text, "jsonl"), "x.jsonl")
    assert [(p.line, p.message) for p in problems] == [(1, problem)]


def test_recorded_at_with_an_offset_is_stored_as_utc():
    text = ('{"person":"bob","kind":"hire","effective_on":"2021-01-04","role":"eng1",'
            '"recorded_at":"2021-01-04T09:30:00+02:00"}')
    _, events, problems = parse_rows(rows_from_text(text, "jsonl"), "x.jsonl")
    assert problems == [] and str(events[0].recorded_at) == "2021-01-04 07:30:00"


def test_a_null_record_is_an_event():
    text = '{"record":null,"person":"bob","kind":"check_in","effective_on":"2021-01-04"}'
    _, events, problems = parse_rows(rows_from_text(text, "jsonl"), "x.jsonl")
    assert problems == [] and len(events) == 1


# --- CSV export: no live formula, and the import takes the escaping off exactly -------------

FORMULA = "=+-@\t\r"
hostile_text = st.text(st.sampled_from("=+-@\t\r'\"a ,\n"), min_size=1, max_size=8) | \
    st.text(min_size=1, max_size=8)


def csv_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=5))
def test_csv_cells_never_start_a_formula_and_read_back_exactly(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("csv") / "cells.csv"
    records = [{"record": "event", "evidence": v, "notes": v, "amount": -5} for v in values]
    write_ledger_file(path, records)
    cells = csv_cells(path)
    assert not [c for c in cells if c and c[0] in FORMULA and c != "-5"], cells  # a number
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(io.StringIO(handle.readline())))
    assert header == list(COLUMNS)
    rows = [row for _, row in rows_from_text(path.read_bytes().decode(), "csv")]
    assert [(r.get("evidence", ""), r.get("notes", "")) for r in rows] == \
        [(v, v) for v in values]


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=x", "''=x"), ("''+x", "'''+x"),  # a real leading quote before a formula start
    ("'x", "'x"), ("'", "'"), ("a=b", "a=b"),  # nothing a spreadsheet would run
])
def test_the_formula_escaping(tmp_path, value, cell):
    path = tmp_path / "one.csv"
    write_ledger_file(path, [{"record": "person", "handle": "bob", "name": value}])
    assert csv_cells(path)[len(COLUMNS):][2] == cell
    assert next(rows_from_text(path.read_bytes().decode(), "csv"))[1]["name"] == value


def test_dates_come_in_range():
    assert limits.check_date(date(2199, 12, 31), "on") == date(2199, 12, 31)
    with pytest.raises(InvalidEvent) as late:
        limits.check_date(date(2200, 1, 1), "on")
    # days as pages write them in words, ISO on the command line
    assert str(late.value) == "on 1 Jan 2200 is outside 1 Jan 1900 to 31 Dec 2199"
    assert late.value.on_command_line() == "on 2200-01-01 is outside 1900-01-01..2199-12-31"


def test_text_value_never_calls_str_on_a_container():
    class Loud(list):
        def __str__(self) -> str:  # pragma: no cover - must not run
            raise AssertionError("str() of a container")

    with pytest.raises(InvalidEvent, match=r"^f must be text, got a list$"):
        text_value(Loud([1]), "f")


def test_every_limit_is_in_the_docs():
    ledger_md = (Path(__file__).resolve().parents[2] / "docs" / "ledger.md").read_text()
    section = ledger_md.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    for bound in (limits.HANDLE_MAX, limits.NAME_MAX, limits.EMAIL_MAX, limits.LABEL_MAX,
                  limits.LONG_TEXT_MAX, limits.CSV_FIELD_MAX, limits.MONEY_MAX,
                  limits.POINTS_MAX, limits.TEAM_SIZE_MAX, limits.MASTERY_MAX,
                  limits.EVENT_ID_MAX):
        assert f"{bound:,}" in section, bound
    assert limits.DATE_MIN.isoformat() in section and limits.DATE_MAX.isoformat() in section
