"""Criteria frameworks as spreadsheets: one row a criterion, the way people teams keep them.

Columns (the header is required; names in any case, in any order):

    topic        required  the topic's name (or id, to name a topic of ``--into``'s file)
    level        required  the level's id or name
    criterion    required  the behaviour statement; may hold several lines
    example      optional  one example of the criterion (may hold several lines)
    track        optional  tracks the topic applies to, separated by ``;``; blank: generic
    id           optional  the criterion's id; otherwise ``<topic>.<level>.<n>``
    proficiency  optional  the least assessed proficiency that meets this criterion

A criterion with several examples takes one row per example: rows with the same ``id``
(or, without one, the same topic, level and criterion) are one criterion, and each adds
its example. A file is read as ``ledger_files`` reads one: UTF-8 with or without a
byte-order mark, a cell a spreadsheet would run as a formula unescaped, every problem
reported with its line and column, nothing returned when there is one.

The document built orders levels as they first appear (or as ``--levels`` lists them),
topics by their lowest level and then as they first appear, and a topic's criteria by
level and then as they appear. Export writes rows level by level in that order and every
criterion's id, so that import -> export -> import gives the same document.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellis.adapters.criteria_documents import (
    checked,
    default_roles,
    is_id,
    path_locator,
    refused,
    scale_max,
    slug,
    unique,
)
from trellis.adapters.ledger_files import (  # the ledger's CSV habits, shared on purpose
    _column,
    _csv_problem,
    _decoded,
    _escaped,
    _NotText,
    _unescaped,
)
from trellis.domain.events import shown
from trellis.domain.framework import Framework
from trellis.domain.limits import (
    CSV_FIELD_MAX,
    FRAMEWORK_FILE_MAX,
    LABEL_MAX,
    LONG_TEXT_MAX,
    check_text,
)
from trellis.errors import FrameworkInvalid, InvalidEvent, Problem

REQUIRED = ("topic", "level", "criterion")
COLUMNS = (*REQUIRED, "example", "track", "id", "proficiency")
TRACKS_SEPARATOR = ";"
# A document path's last field, as the spreadsheet's column that holds it.
_COLUMN_OF = {"text": "criterion", "examples": "example", "tracks": "track", "name": "topic"}


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row: a criterion, or one more example of one."""

    line: int  # where the row starts (a cell may span lines)
    topic: str
    level: str
    text: str
    example: str
    tracks: tuple[str, ...]
    id: str | None
    proficiency: int | None


@dataclass(frozen=True, slots=True)
class Sheet:
    rows: list[SheetRow]
    columns: frozenset[str]  # the columns the header names
    source: str


# --- reading


def read_sheet(path: Path) -> Sheet:
    try:
        with path.open("rb") as handle:  # never more than the limit, whatever the file is
            data = handle.read(FRAMEWORK_FILE_MAX + 1)
    except OSError as exc:
        raise refused([Problem("", f"cannot read file: {exc.strerror or exc}", None,
                               str(path))], str(path)) from None
    return sheet_from_bytes(data, str(path))


def sheet_from_bytes(data: bytes, source: str = "<csv>") -> Sheet:
    """The rows of a CSV file's bytes; FrameworkInvalid with every problem found."""
    if len(data) > FRAMEWORK_FILE_MAX:
        raise _refused(f"the file is larger than {FRAMEWORK_FILE_MAX:,} bytes, the most a "
                       "framework file may be", source)
    if csv.field_size_limit() < CSV_FIELD_MAX:  # Python's default, 128 KiB, is too small
        csv.field_size_limit(CSV_FIELD_MAX)
    # strict: a quote left open or text after a closing quote is refused, not guessed at
    reader = csv.reader(_decoded(io.BytesIO(data)), strict=True)
    rows: list[SheetRow] = []
    problems: list[Problem] = []
    columns: list[str] = []
    end = 0
    try:
        columns = _header(next(reader, None), source)
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num
            if len(cells) > len(columns):
                problems.append(Problem("", f"{len(cells)} cells, but the header names "
                                        f"{len(columns)} columns", line, source))
            elif any(cell.strip() for cell in cells):  # a blank line is no row
                row = _row(line, dict(zip(columns, cells, strict=False)), problems, source)
                if row is not None:
                    rows.append(row)
    except _NotText as exc:
        problems.append(Problem("", exc.message, exc.line, source))
    except csv.Error as exc:  # located where the row starts: where the quote was opened
        problems.append(Problem("", _sheet_problem(str(exc)), end + 1, source))
    if problems:
        raise refused(problems, source)
    return Sheet(rows, frozenset(columns), source)


def _sheet_problem(message: str) -> str:
    if message == "unexpected end of data":
        return 'a quoted cell is never closed: a closing " is missing'
    if message.endswith("expected after '\"'"):
        return 'text after the closing " of a quoted cell: double a " inside a quoted cell'
    return _csv_problem(message)


def _header(header: list[str] | None, source: str) -> list[str]:
    names = [cell.strip().lower() for cell in header or []]
    expected = f"the first line must name the columns {', '.join(COLUMNS[:4])}"
    if not any(names):
        raise _refused(f"no header: {expected}", source, 1 if header is not None else None)
    problems = [Problem(_column(name) if name else f"column {i}", "unknown column: the columns are "
                        f"{', '.join(COLUMNS)}", 1, source)
                for i, name in enumerate(names, start=1) if name not in COLUMNS]
    problems += [Problem(name, "column named twice", 1, source)
                 for name in sorted(set(names), key=names.index) if names.count(name) > 1]
    problems += [Problem(name, f"missing column: {expected}", 1, source)
                 for name in REQUIRED if name not in names]
    if problems:
        raise refused(problems, source)
    return names


def _row(line: int, cells: dict[str, str], problems: list[Problem], source: str
         ) -> SheetRow | None:
    found: list[Problem] = []

    def cell(column: str, max_length: int = LABEL_MAX, *, multiline: bool = False,
             required: bool = False) -> str:
        raw = cells.get(column, "")
        value = (_unescaped(raw) if raw[:1] == "'" else raw).strip()
        if required and not value:
            found.append(Problem(column, f"empty: every row needs a {column}", line, source))
        try:
            return check_text(value, "the cell", max_length, multiline=multiline)
        except InvalidEvent as exc:
            found.append(Problem(column, str(exc), line, source))
            return ""

    topic, level = cell("topic", required=True), cell("level", required=True)
    text = cell("criterion", LONG_TEXT_MAX, multiline=True, required=True)
    example = cell("example", LONG_TEXT_MAX, multiline=True)
    tracks = tuple(t.strip() for t in cell("track").split(TRACKS_SEPARATOR) if t.strip())
    id_ = cell("id") or None
    if id_ is not None and not is_id(id_):
        found.append(Problem("id", f"{shown(id_)} is not an id: use letters, digits, '_', '.' and "
                             "'-' (at most 80, starting with a letter or digit)", line, source))
    raw = cell("proficiency")
    proficiency = int(raw) if re.fullmatch(r"[0-9]{1,3}", raw) else None
    if raw and proficiency is None:
        found.append(Problem("proficiency", f"{shown(raw)} is not a whole number", line,
                             source))
    problems += found
    if found:
        return None
    return SheetRow(line, topic, level, text, example, tracks, id_, proficiency)


# --- building a framework document


@dataclass
class _Criterion:
    line: int
    level: str  # a level id
    text: str
    id: str | None
    proficiency: int | None
    examples: list[str] = field(default_factory=list)


@dataclass
class _Topic:
    id: str | None  # a new topic's once the topics' order is known
    name: str
    line: int
    tracks: list[dict[str, Any]] = field(default_factory=list)
    generic_line: int | None = None  # a row that named no track
    criteria: list[_Criterion] = field(default_factory=list)
    base: dict[str, Any] | None = None  # the topic of --into's file this one replaces


class _Named:
    """Levels, tracks or topics, found by id or by name, whatever the case."""

    def __init__(self, items: Sequence[dict[str, Any]] = ()) -> None:
        self.items: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self._keys: dict[str, dict[str, Any]] = {}
        for item in items:
            self.add(item)

    def add(self, item: dict[str, Any]) -> dict[str, Any]:
        """Add an item; one without an id yet is found by its name only."""
        self.items.append(item)
        if "id" in item:
            self.ids.add(item["id"])
        for key in (item.get("id", ""), item.get("name", "")):
            if key:
                self._keys.setdefault(key.casefold(), item)
        return item

    def find(self, cell: str) -> dict[str, Any] | None:
        return self._keys.get(cell.casefold())

    def listed(self, most: int = 12) -> str:
        ids = [item["id"] for item in self.items if "id" in item]
        more = f" and {len(ids) - most} more" if len(ids) > most else ""
        return (", ".join(ids[:most]) + more) or "none"


def _new_level(cell: str, levels: _Named) -> dict[str, Any]:
    # Level codes (L1, IC3) are kept as written; a name becomes a slug.
    id_ = cell if is_id(cell) else slug(cell, "level")
    return levels.add({"id": unique(id_, set(levels.ids)), "name": cell})


def _track_option(option: str, tracks: _Named) -> None:
    """``--track ID=Name``, or a name (or id) alone."""
    id_, sep, name = option.partition("=")
    id_, name = id_.strip(), name.strip()
    if not sep:
        id_, name = slug(option, "track"), option.strip()
    if not is_id(id_) or not name:
        raise refused([Problem("--track", f"{shown(option)}: give ID=Name or a name")])
    tracks.add({"id": unique(id_, set(tracks.ids)), "name": name})


def document_from_sheet(sheet: Sheet, *, framework_id: str, name: str,
                        tracks: Sequence[str] = (), levels: Sequence[str] = ()
                        ) -> tuple[dict[str, Any], dict[str, int]]:
    """A new framework document from a sheet, and the CSV line of each topic and criterion
    (by document path). ``tracks``: ``ID=Name`` or names, first; the ``track`` column may
    add more. With no track at all, one named after the framework. ``levels``: the level
    order; a row at another level is then a problem. Raises FrameworkInvalid."""
    level_set, track_set = _Named(), _Named()
    for level in levels:
        if level.strip() and level_set.find(level.strip()) is None:
            _new_level(level.strip(), level_set)
    for option in tracks:
        _track_option(option, track_set)
    topics, lines = _gather(sheet, level_set, track_set, _Named(), taken=set(),
                            new_levels=not levels, new_tracks=True, new_topics=True,
                            scale=scale_max({}))
    if not track_set.items:
        track_set.add({"id": framework_id, "name": name})
    tracks_ = [{"id": t["id"], "name": t["name"]} for t in track_set.items]
    document: dict[str, Any] = {"id": framework_id, "name": name, "tracks": tracks_,
                                "levels": level_set.items, "topics": topics,
                                "roles": default_roles(tracks_, level_set.items)}
    return document, lines


def merged_into(sheet: Sheet, base: dict[str, Any], *, add_topics: bool = False
                ) -> tuple[dict[str, Any], dict[str, int]]:
    """``base`` (a framework document) with the sheet's topics: each replaces the topic of
    that id or name, criteria and all; a topic ``base`` lacks is added only with
    ``add_topics``. Its levels and tracks are the only ones a row may name, and its
    criteria the only ones a row's ``id`` may (a blank id is a new criterion)."""
    old_topics = list(base.get("topics") or [])
    known = _Named(old_topics)
    named = {t.casefold() for row in sheet.rows for t in (row.topic, slug(row.topic, "topic"))}
    kept = [t for t in old_topics if not {t["id"].casefold(), t["name"].casefold()} & named]
    taken = {c["id"] for t in kept for c in t.get("criteria", [])}
    topics, lines = _gather(sheet, _Named(base.get("levels", [])),
                            _Named(base.get("tracks", [])), known, taken=taken,
                            new_levels=False, new_tracks=False, new_topics=add_topics,
                            scale=scale_max(base),
                            existing={c["id"] for t in old_topics for c in t.get("criteria", [])})
    replacing = {t["id"]: t for t in topics}
    final = [replacing.pop(t["id"], t) for t in old_topics] + list(replacing.values())
    position = {id(t): i for i, t in enumerate(final)}
    relined: dict[str, int] = {}  # the lines, at the topics' places in the merged list
    for path, line in lines.items():
        found = re.match(r"topics\[(\d+)\]", path)
        assert found is not None  # _documents writes no other path
        relined[f"topics[{position[id(topics[int(found.group(1))])]}]{path[found.end():]}"] \
            = line
    return {**base, "topics": final}, relined


def _gather(sheet: Sheet, levels: _Named, tracks: _Named, known: _Named, *, taken: set[str],
            new_levels: bool, new_tracks: bool, new_topics: bool, scale: int,
            existing: set[str] | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The sheet's topics as document topics, and each one's (and criterion's) line.
    ``existing``: with --into, the criterion ids a row's ``id`` may name."""
    problems: list[Problem] = []
    src = sheet.source
    topics: dict[str, _Topic] = {}  # by the base topic's id, or a new one's name
    by_id: dict[str, tuple[_Topic, _Criterion]] = {}
    by_text: dict[tuple[int, str, str], _Criterion] = {}
    explicit = {row.id for row in sheet.rows if row.id}
    for row in sheet.rows:
        level = levels.find(row.level)
        if level is None and new_levels:
            level = _new_level(row.level, levels)
        if level is None:
            problems.append(Problem("level", f"unknown level {shown(row.level)}: the framework's "
                                    f"levels are {levels.listed()}", row.line, src))
            continue
        named: list[dict[str, Any]] = []
        for cell in row.tracks:
            track = tracks.find(cell)
            if track is None and new_tracks:
                track = tracks.add({"name": cell})  # its id once the order is known
            if track is None:
                problems.append(Problem("track", f"unknown track {shown(cell)}: the framework's "
                                        f"tracks are {tracks.listed()}", row.line, src))
            else:
                named.append(track)
        topic = _topic_of(row, topics, known, new_topics, problems, src)
        if topic is None:
            continue
        for track in named:
            if not any(track is t for t in topic.tracks):
                topic.tracks.append(track)
        if not row.tracks and "track" in sheet.columns:
            topic.generic_line = topic.generic_line or row.line
        if row.proficiency is not None and not 1 <= row.proficiency <= scale:
            problems.append(Problem("proficiency", f"{row.proficiency} is outside 1-{scale}, "
                                    "the framework's proficiency scale", row.line, src))
        if row.id is not None and row.id in taken:
            problems.append(Problem("id", f"criterion id {shown(row.id)} is already a criterion of "
                                    "a topic this file does not replace", row.line, src))
            continue
        if row.id is not None and existing is not None and row.id not in existing:
            # a mistyped id would drop the criterion it meant, and its evidence with it
            problems.append(Problem("id", f"unknown criterion id {shown(row.id)}: the framework "
                                    "has no such criterion (leave the id blank for a new one)",
                                    row.line, src))
            continue
        content = (id(topic), level["id"], row.text)
        if row.id:
            criterion = by_id[row.id][1] if row.id in by_id else None
        else:
            criterion = by_text.get(content)
        if criterion is None:
            criterion = _Criterion(row.line, level["id"], row.text, row.id, row.proficiency)
            topic.criteria.append(criterion)
            by_text.setdefault(content, criterion)
            if row.id:
                by_id[row.id] = (topic, criterion)
        elif row.id and (by_id[row.id][0] is not topic or criterion.level != level["id"]
                         or criterion.text != row.text):
            problems.append(Problem("id", f"duplicate criterion id {shown(row.id)}: line "
                                    f"{criterion.line} has it for another criterion", row.line,
                                    src))
            continue
        elif row.proficiency is not None and criterion.proficiency is None:
            criterion.proficiency = row.proficiency  # one row of a criterion may say it
        elif row.proficiency is not None and criterion.proficiency != row.proficiency:
            problems.append(Problem("proficiency", f"line {criterion.line} gives this "
                                    f"criterion proficiency {criterion.proficiency}, this row "
                                    f"{row.proficiency}", row.line, src))
        if row.example and row.example not in criterion.examples:
            criterion.examples.append(row.example)
    for topic in topics.values():
        if topic.tracks and topic.generic_line is not None:
            problems.append(Problem("track", f"topic {shown(topic.name)} names tracks on line "
                                    f"{topic.line} but none here: blank every row of a "
                                    "generic topic, or none", topic.generic_line, src))
    if problems:
        raise refused(sorted(problems, key=lambda p: p.line or 0), src)
    rank = {lv["id"]: i for i, lv in enumerate(levels.items)}
    ordered = sorted(topics.values(), key=lambda t: min(rank[c.level] for c in t.criteria))
    # New topics and tracks get their ids in the order the document (and so an export of
    # it) has them: the same ids whatever order the rows came in.
    topic_ids = set(known.ids)
    for topic in ordered:
        if topic.id is None:
            topic.id = unique(slug(topic.name, "topic"), topic_ids)
    _name_new_tracks(tracks, ordered, levels)
    return _documents(ordered, rank, taken | explicit, "track" in sheet.columns)


def _topic_of(row: SheetRow, topics: dict[str, _Topic], known: _Named, new_topics: bool,
              problems: list[Problem], src: str) -> _Topic | None:
    """The topic a row is about: one of --into's by id or name, or a new one by name."""
    base = known.find(row.topic) or known.find(slug(row.topic, "topic"))
    key = f"id:{base['id']}" if base is not None else f"name:{row.topic.casefold()}"
    if key in topics:
        return topics[key]
    if base is not None:
        topics[key] = _Topic(base["id"], base["name"], row.line, base=base)
    elif new_topics:
        topics[key] = _Topic(None, row.topic, row.line)
    else:
        problems.append(Problem("topic", f"unknown topic {shown(row.topic)}: the framework's "
                                f"topics are {known.listed()} (--add-topics adds new ones)",
                                row.line, src))
        return None
    return topics[key]


def _name_new_tracks(tracks: _Named, topics: list[_Topic], levels: _Named) -> None:
    """Tracks the sheet named: after the given ones, in the order an export meets them."""
    met: list[dict[str, Any]] = []
    for level in levels.items:
        for topic in topics:
            if any(c.level == level["id"] for c in topic.criteria):
                met += [t for t in topic.tracks if "id" not in t and not any(t is m for m in met)]
    taken = {t["id"] for t in tracks.items if "id" in t}
    for track in met:
        track["id"] = unique(slug(track["name"], "track"), taken)
    tracks.items[:] = [t for t in tracks.items if not any(t is m for m in met)] + met


def _documents(topics: list[_Topic], rank: dict[str, int], taken: set[str], has_tracks: bool
               ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    out: list[dict[str, Any]] = []
    lines: dict[str, int] = {}
    for t, topic in enumerate(topics):
        base = topic.base or {}
        assert topic.id is not None  # named by _gather
        document: dict[str, Any] = {"id": topic.id, "name": topic.name}
        if base.get("description"):
            document["description"] = base["description"]
        tracks = ([track["id"] for track in topic.tracks] if has_tracks
                  else list(base.get("tracks", [])))
        if tracks:
            document["tracks"] = tracks
        criteria = []
        lines[f"topics[{t}]"] = topic.line
        counters: dict[str, int] = {}
        for c, criterion in enumerate(sorted(topic.criteria, key=lambda c: rank[c.level])):
            id_ = criterion.id
            while id_ is None or (criterion.id is None and id_ in taken):
                counters[criterion.level] = counters.get(criterion.level, 0) + 1
                id_ = f"{topic.id}.{criterion.level}.{counters[criterion.level]}"
            taken.add(id_)
            item: dict[str, Any] = {"id": id_, "level": criterion.level,
                                    "text": criterion.text}
            if criterion.examples:
                item["examples"] = criterion.examples
            if criterion.proficiency is not None:
                item["proficiency"] = criterion.proficiency
            criteria.append(item)
            lines[f"topics[{t}].criteria[{c}]"] = criterion.line
        document["criteria"] = criteria
        out.append(document)
    return out, lines


def checked_sheet_document(document: dict[str, Any], lines: dict[str, int], source: str
                           ) -> tuple[Framework, dict[str, Any]]:
    """Check a built document as a framework file, each problem placed at its row and
    column of the sheet."""
    return checked(document, source, path_locator(lines, _COLUMN_OF))


# --- writing


def sheet_text(document: dict[str, Any]) -> str:
    """A framework document's criteria as CSV: level by level, one row per example."""
    topics = document.get("topics") or []
    criteria = [(t, c) for t in topics for c in t.get("criteria", [])]
    if not criteria:
        raise refused([Problem("topics", f"framework {shown(document.get('id'))} has no "
                               "criteria to write as a spreadsheet")])
    with_tracks = any(t.get("tracks") for t in topics)
    with_proficiency = any("proficiency" in c for _, c in criteria)
    columns = ["topic", "level", "criterion", "example"] + ["track"] * with_tracks + ["id"] \
        + ["proficiency"] * with_proficiency
    track_names = {t["id"]: t["name"] for t in document.get("tracks", [])}
    # A topic is named by its name, unless another topic shares it (Monzo's engineering has
    # five "Communication"s for different tracks): then by its id, so the sheet reads back.
    names = Counter(t["name"].casefold() for t in topics)
    label = {id(t): t["name"] if names[t["name"].casefold()] == 1 else t["id"] for t in topics}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for level in document.get("levels", []):
        for topic, criterion in criteria:
            if criterion["level"] != level["id"]:
                continue
            cells = {"topic": label[id(topic)], "level": level["name"],
                     "criterion": criterion["text"], "id": criterion["id"],
                     "track": "; ".join(_track_cell(t, track_names)
                                        for t in topic.get("tracks", [])),
                     "proficiency": str(criterion.get("proficiency", ""))}
            for example in criterion.get("examples") or [""]:
                writer.writerow([_escaped(cells.get(c, example)) for c in columns])
    return out.getvalue()


def _track_cell(track_id: str, names: dict[str, str]) -> str:
    name = names.get(track_id, track_id)
    return track_id if TRACKS_SEPARATOR in name else name


def _refused(message: str, source: str, line: int | None = None) -> FrameworkInvalid:
    return refused([Problem("", message, line, source)], source)
