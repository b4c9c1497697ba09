"""Read and write ledger files: CSV or JSON lines, one flat record per row.

Reading never stops at the first bad row: every row is checked and every problem is
returned with its line, so an import can be refused whole with a complete report. Only a
file that cannot be read on (a line that is not UTF-8 text, CSV the reader cannot split)
stops there, with one problem for that line. Every value is held to the limits of
``domain.limits`` here, before any database sees it.

A file is UTF-8 text, with or without a byte-order mark, whose lines end with ``\\n`` (or
``\\r\\n``). A CSV cell that a spreadsheet would run as a formula is written with a
leading ``'`` (as OWASP advises), and reading takes exactly that quote off again, so an
export re-imports to the same values; JSON lines are written and read as they are.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from trellis.bulk import paused_gc
from trellis.domain.events import (
    details_from_mapping,
    event_text,
    integer_value,
    kind_from_text,
    shown,
    text_value,
)
from trellis.domain.limits import (
    CSV_FIELD_MAX,
    DATE_MAX,
    DATE_MIN,
    EMAIL_MAX,
    EVENT_ID_MAX,
    HANDLE_MAX,
    NAME_MAX,
    SHOWN_MAX,
    check_date,
)
from trellis.domain.people import check_email, check_handle, check_name
from trellis.domain.records import COLUMNS, EventRecord, PersonRecord
from trellis.errors import ImportRejected, InvalidEvent, Problem, TrellisError

Row = tuple[int, dict[str, Any] | str]  # a line and its record, or what is wrong with it
Parsed = tuple[list[PersonRecord], list[EventRecord], list[Problem]]
REPORT_EVERY = 1_000  # rows between calls of parse_rows' progress hook
KNOWN_COLUMNS = frozenset(COLUMNS)
# What a spreadsheet takes for the start of a formula (OWASP, "CSV injection"); a cell
# starting with one of them, or with the quote that escapes them, may need escaping.
FORMULA_START = frozenset("=+-@\t\r")
_MAYBE_ESCAPED = FORMULA_START | {"'"}


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise TrellisError(f"{path}: unknown file type '{suffix}': use .csv or .jsonl")


def read_ledger_file(path: Path) -> Parsed:
    fmt = file_format(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportRejected([Problem("", f"cannot read file: {exc.strerror or exc}", None,
                                      str(path))], str(path)) from None
    with handle, paused_gc():
        lines = _decoded(handle)
        rows = _jsonl_rows(lines) if fmt == "jsonl" else _csv_rows(lines)
        return parse_rows(rows, str(path))


def rows_from_text(text: str, fmt: str) -> Iterator[Row]:
    """Rows of an in-memory file (the web upload uses this), split as a file's lines are."""
    lines = io.StringIO(text.removeprefix("\ufeff"))  # splits at "\n" only, like a file
    return _jsonl_rows(lines) if fmt == "jsonl" else _csv_rows(lines)


class _NotText(Exception):
    """A line that is not UTF-8 text: the file is read no further."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _decoded(handle: BinaryIO) -> Iterator[str]:
    """A binary file's lines as text, without the byte-order mark; ``_NotText`` at the first
    line that is not UTF-8, naming the byte and its column."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode()
        except UnicodeDecodeError as exc:
            if number == 1 and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                                               codecs.BOM_UTF32_BE)):
                message = "the file is UTF-16 or UTF-32 text: save it as UTF-8"
            else:
                column = len(raw[:exc.start].decode()) + 1
                message = (f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                           f"{column:,}): save the file as UTF-8")
            raise _NotText(number, message) from None
        if number == 1:
            text = text.removeprefix("\ufeff")
            if not text:  # a file of nothing but the mark has no lines, as in rows_from_text
                return
        yield text


def _jsonl_rows(lines: Iterable[str]) -> Iterator[Row]:
    try:
        for number, text in enumerate(lines, start=1):
            if not text or text.isspace():
                continue
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                yield number, f"not valid JSON: {exc.args[0].split(':')[0]}"
                continue
            yield number, value if isinstance(value, dict) else "expected a JSON object"
    except _NotText as exc:
        yield exc.line, exc.message


def _csv_rows(lines: Iterable[str]) -> Iterator[Row]:
    if csv.field_size_limit() < CSV_FIELD_MAX:  # Python's default, 128 KiB, is too small
        csv.field_size_limit(CSV_FIELD_MAX)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None:
            return
        wrong = _header_problem(header)
        if wrong:
            yield 1, wrong
            return
        width = len(header)
        while True:
            reached = reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # that row is bad; the reader goes on past it
                yield reader.line_num, _csv_problem(str(exc))
                if reader.line_num == reached:  # pragma: no cover - nothing consumed
                    return
                continue
            if len(row) > width:
                yield reader.line_num, (f"{len(row)} cells, but the header names {width} "
                                        "columns")
            elif row:  # a blank line is no record
                yield reader.line_num, {k: _unescaped(v) if v[0] == "'" else v
                                        for k, v in zip(header, row, strict=False) if v}
    except _NotText as exc:
        yield exc.line, exc.message
    except csv.Error as exc:  # in the header: no column to read the rest by
        yield reader.line_num, _csv_problem(str(exc))


def _header_problem(header: list[str]) -> str | None:
    if not any(header):
        return "the first line must name the columns"
    unknown = [c for c in header if c not in KNOWN_COLUMNS]
    if unknown:
        return f"unknown column(s): {', '.join(_column(c) for c in unknown)}"
    repeated = sorted({c for c in header if header.count(c) > 1}, key=header.index)
    if repeated:
        return f"duplicate column(s): {', '.join(repeated)}"
    return None


def _column(name: str) -> str:
    """A column name as a message shows it: bare when plain, quoted and cut when not."""
    plain = name and name.isprintable() and name == name.strip() and len(name) <= SHOWN_MAX
    return name if plain else shown(name)


def _csv_problem(message: str) -> str:
    if message.startswith("field larger than field limit"):
        return f"a cell is longer than {CSV_FIELD_MAX:,} characters"
    if message.startswith("new-line character seen in unquoted field"):
        return r"a carriage return (\r) inside an unquoted cell: quote the cell"
    return f"not valid CSV: {message}"


def _escaped(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, behind a ``'``; so is one that
    already begins with quotes before such a character, so that reading can tell them
    apart. Numbers are written as they are (``-5`` is a number, not a formula)."""
    if type(value) is str and value[:1] in _MAYBE_ESCAPED:
        rest = value.lstrip("'")
        if rest and rest[0] in FORMULA_START:
            return "'" + value
    return value


def _cell(value: Any) -> Any:
    """A nested value (a review's ratings or goals) in one cell: as its JSON text, which
    reading parses back (see domain.events)."""
    return orjson.dumps(value).decode() if isinstance(value, dict | list) else value


def _unescaped(cell: str) -> str:
    """The cell ``_escaped`` wrote: one leading ``'`` off quotes before a formula start."""
    rest = cell.lstrip("'")
    return cell[1:] if rest and rest[0] in FORMULA_START else cell


def parse_rows(rows: Iterable[Row], source: str,
               progress: Callable[[int], None] | None = None) -> Parsed:
    """Records and problems from rows; ``progress`` hears the line reached now and then."""
    people: list[PersonRecord] = []
    events: list[EventRecord] = []
    problems: list[Problem] = []
    for count, (line, row) in enumerate(rows, start=1):
        if progress is not None and count % REPORT_EVERY == 0:
            progress(line)
        if isinstance(row, str):
            problems.append(Problem("", row, line, source))
            continue
        try:
            record = row.get("record")
            if record == "event" or record is None or record == "":
                events.append(_event(line, row))
            elif record == "person":
                people.append(_person(line, row))
            else:
                raise InvalidEvent(f"record must be 'person' or 'event', got {shown(record)}")
        except InvalidEvent as exc:  # a row of the file, in the file's own ids and dates
            problems.append(Problem("", exc.on_command_line(), line, source))
    return people, events, problems


def _text(row: dict[str, Any], key: str, max_length: int) -> str | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    return text_value(value, key, max_length) or None


def _person(line: int, row: dict[str, Any]) -> PersonRecord:
    handle, name = _text(row, "handle", HANDLE_MAX), _text(row, "name", NAME_MAX)
    if not handle or not name:
        raise InvalidEvent("a person needs a handle and a name")
    return PersonRecord(line, check_handle(handle), check_name(name),
                        check_email(_text(row, "email", EMAIL_MAX)),
                        _text(row, "manager", HANDLE_MAX))


def _event(line: int, row: dict[str, Any]) -> EventRecord:
    person = _text(row, "person", HANDLE_MAX)
    if not person:
        raise InvalidEvent("an event needs a person")
    kind = kind_from_text(row.get("kind") or "")
    effective = row.get("effective_on")
    try:
        # Anything but text (missing, a number...) is as malformed as bad text.
        effective_on = date.fromisoformat(effective if type(effective) is str else "")
    except ValueError:
        raise InvalidEvent(f"malformed effective_on {shown(effective or '')}: use "
                           "YYYY-MM-DD") from None
    if not DATE_MIN <= effective_on <= DATE_MAX:
        check_date(effective_on, "effective_on")
    raw_id, author, evidence, verifier = (row.get("id"), row.get("author"),
                                          row.get("evidence"), row.get("verifier"))
    return EventRecord(
        line,
        person,
        effective_on,
        details_from_mapping(kind, row),
        integer_value(raw_id, "id", 1, EVENT_ID_MAX) if raw_id not in (None, "") else None,
        _moment(row.get("recorded_at")),
        # Most events have no verifier, many no evidence: no call for what is not there.
        None if author is None else event_text(author, "author"),
        None if evidence is None else event_text(evidence, "evidence"),
        None if verifier is None else event_text(verifier, "verifier"),
        _flag(row.get("self_reported"), "self_reported"),
    )


# True == 1 and False == 0, so the sets hold the numbers too (a CSV cell is text).
_TRUE = frozenset({True, "true", "1", "yes"})
_FALSE = frozenset({False, "false", "0", "no", None, ""})


def _flag(raw: Any, field: str) -> bool:
    """A yes/no column: empty or absent is no (files written before it existed)."""
    value = raw.strip().lower() if type(raw) is str else raw
    if type(value) in (bool, int, str) or value is None:
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
    raise InvalidEvent(f"{field} must be true or false, got {shown(raw)}")


def _moment(raw: Any) -> datetime | None:
    """``recorded_at``: an ISO date and time, kept as naive UTC like every stored time."""
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(raw if type(raw) is str else "")
    except ValueError:
        raise InvalidEvent(f"malformed recorded_at {shown(raw)}: use an ISO date and time "
                           "(YYYY-MM-DDTHH:MM:SS)") from None
    if moment.tzinfo is not None:
        check_date(moment.date(), "recorded_at")  # in range before it moves to UTC
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    check_date(moment.date(), "recorded_at")
    return moment


def write_ledger_file(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records (people first, then events); returns how many were written."""
    fmt = file_format(path)
    count = 0
    try:
        out = path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise TrellisError(f"{path}: cannot write file: {exc.strerror or exc}") from None
    with out:
        if fmt == "jsonl":
            for record in records:
                clean = {k: v for k, v in record.items() if v is not None}
                out.write(orjson.dumps(clean).decode() + "\n")
                count += 1
        else:
            writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="raise")
            writer.writeheader()
            for record in records:
                writer.writerow({k: _escaped(_cell(v)) for k, v in record.items()
                                 if v is not None})
                count += 1
    return count
