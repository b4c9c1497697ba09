"""A CSV of person attributes: a ``handle`` column, then one column per attribute.

    handle,gender,location
    ada,F,London
    alan,M,

An empty cell sets nothing (the person keeps any value they had). The whole file is read
and checked in one pass; every problem is located as ``FILE:LINE:COLUMN`` (columns count
from 1), so one bad row refuses the file and the use case writes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from trellis.domain.attributes import check_name, check_value
from trellis.errors import InvalidEvent, Problem, TrellisError

MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AttributeRow:
    """One line of the file: the person's handle and the values given, with each cell's
    location (line, column) for the use case's own problems (an unknown person)."""

    line: int
    handle: str
    values: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (column, value)


def located(source: str, line: int, column: int, message: str) -> Problem:
    return Problem("", message, source=f"{source}:{line}:{column}")


def read_attribute_csv(path: Path) -> tuple[list[AttributeRow], list[Problem]]:
    """The file's rows and every problem found in them (a problem-free file has none)."""
    source = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise TrellisError(f"{path}: larger than {MAX_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrellisError(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise TrellisError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise TrellisError(f"cannot read {path}: {exc.strerror}") from None
    return parse_attribute_csv(text.splitlines(keepends=True), source)


def parse_attribute_csv(lines: list[str], source: str
                        ) -> tuple[list[AttributeRow], list[Problem]]:
    problems: list[Problem] = []
    rows: list[AttributeRow] = []
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None:
            return [], [located(source, 1, 1, "the file is empty: the first line names the "
                                "columns, handle first")]
        names = _header(header, source, problems)
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(located(source, line, min(len(cells), len(header)) + 1,
                                        f"{len(cells)} cells where the header has "
                                        f"{len(header)}"))
                continue
            handle = cells[0].strip()
            if not handle:
                problems.append(located(source, line, 1, "a row needs a handle"))
                continue
            row = AttributeRow(line, handle)
            for column, (name, cell) in enumerate(zip(names, cells[1:], strict=True), 2):
                if name is None or not cell.strip():
                    continue
                try:
                    row.values[name] = (column, check_value(cell, name))
                except InvalidEvent as exc:
                    problems.append(located(source, line, column, str(exc)))
            rows.append(row)
    except csv.Error as exc:
        problems.append(located(source, reader.line_num, 1, f"not CSV: {exc}"))
    return rows, problems


def _header(header: list[str], source: str, problems: list[Problem]) -> list[str | None]:
    """The attribute names of the header's columns after ``handle`` (None: a bad one)."""
    if not header or header[0].strip().lower() != "handle":
        problems.append(located(source, 1, 1, "the first column must be 'handle'"))
    if len(header) < 2:
        problems.append(located(source, 1, 2, "no attribute columns: add one column per "
                                "attribute after handle"))
    names: list[str | None] = []
    for column, text in enumerate(header[1:], 2):
        try:
            name = check_name(text)
        except InvalidEvent as exc:
            problems.append(located(source, 1, column, str(exc)))
            names.append(None)
            continue
        if name in names:
            problems.append(located(source, 1, column, f"column '{name}' is given twice"))
            names.append(None)
            continue
        names.append(name)
    return names
