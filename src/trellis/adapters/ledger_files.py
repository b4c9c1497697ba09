"""Read and write ledger files: CSV or JSON lines, one flat record per row.

Reading never stops at the first bad row: every row is checked and every problem is
returned with its line, so an import can be refused whole with a complete report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson

from trellis.bulk import paused_gc
from trellis.domain.events import details_from_mapping, kind_from_text
from trellis.domain.records import COLUMNS, EventRecord, PersonRecord
from trellis.errors import ImportRejected, InvalidEvent, Problem, TrellisError

Parsed = tuple[list[PersonRecord], list[EventRecord], list[Problem]]
REPORT_EVERY = 1_000  # rows between calls of parse_rows' progress hook


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
        handle = path.open("r", encoding="utf-8", newline="")
    except OSError as exc:
        raise ImportRejected([Problem("", f"cannot read file: {exc.strerror or exc}", None,
                                      str(path))], str(path)) from None
    with handle, paused_gc():
        rows = _jsonl_rows(handle) if fmt == "jsonl" else _csv_rows(handle)
        return parse_rows(rows, str(path))


def _jsonl_rows(handle: TextIO) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield number, f"not valid JSON: {exc.args[0].split(':')[0]}"
            continue
        yield number, value if isinstance(value, dict) else "expected a JSON object"


def _csv_rows(handle: TextIO) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(handle)
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    if unknown:
        yield 1, f"unknown column(s): {', '.join(unknown)}"
        return
    for row in reader:
        yield reader.line_num, {k: v for k, v in row.items() if v not in (None, "")}


def parse_rows(rows: Iterable[tuple[int, dict[str, Any] | str]], source: str,
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
            record = row.get("record", "event")
            if record == "person":
                people.append(_person(line, row))
            elif record == "event":
                events.append(_event(line, row))
            else:
                raise InvalidEvent(f"record must be 'person' or 'event', got '{record}'")
        except InvalidEvent as exc:
            problems.append(Problem("", str(exc), line, source))
    return people, events, problems


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    return value.strip() if type(value) is str else str(value).strip()


def _person(line: int, row: dict[str, Any]) -> PersonRecord:
    handle, name = _text(row, "handle"), _text(row, "name")
    if not handle or not name:
        raise InvalidEvent("a person needs a handle and a name")
    return PersonRecord(line, handle, name, _text(row, "email"), _text(row, "manager"))


def _event(line: int, row: dict[str, Any]) -> EventRecord:
    person = _text(row, "person")
    if not person:
        raise InvalidEvent("an event needs a person")
    kind = kind_from_text(row.get("kind") or "")
    effective = row.get("effective_on")
    try:
        # Anything but text (missing, a number...) is as malformed as bad text.
        effective_on = date.fromisoformat(effective if isinstance(effective, str) else "")
    except (TypeError, ValueError):
        raise InvalidEvent(f"malformed effective_on '{effective or ''}': use YYYY-MM-DD") \
            from None
    recorded = row.get("recorded_at")
    try:
        recorded_at = datetime.fromisoformat(recorded) if recorded else None
    except (TypeError, ValueError):
        raise InvalidEvent(f"malformed recorded_at '{recorded}'") from None
    raw_id = row.get("id")
    try:
        event_id = int(raw_id) if raw_id not in (None, "") else None
    except (TypeError, ValueError):
        raise InvalidEvent(f"malformed id '{raw_id}'") from None
    return EventRecord(
        line,
        person,
        effective_on,
        details_from_mapping(kind, row),
        event_id,
        recorded_at,
        _text(row, "author"),
        _text(row, "evidence"),
        _text(row, "verifier"),
    )


def write_ledger_file(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records (people first, then events); returns how many were written."""
    fmt = file_format(path)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt == "jsonl":
            for record in records:
                clean = {k: v for k, v in record.items() if v is not None}
                out.write(orjson.dumps(clean).decode() + "\n")
                count += 1
        else:
            writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="raise")
            writer.writeheader()
            for record in records:
                writer.writerow({k: v for k, v in record.items() if v is not None})
                count += 1
    return count


def rows_from_text(text: str, fmt: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Rows of an in-memory file (the web upload uses this)."""
    handle = io.StringIO(text)
    return _jsonl_rows(handle) if fmt == "jsonl" else _csv_rows(handle)
