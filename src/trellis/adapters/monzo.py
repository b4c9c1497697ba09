"""Monzo-shaped progression frameworks as a Trellis criteria framework document.

Monzo publishes its progression frameworks (github.com/monzo/progression-framework, MIT) as
markdown files whose YAML front matter holds the framework. Many organizations keep theirs
the same way; this converter reads any file of that shape:

.. code-block:: yaml

    ---
    title: "🛠️ Backend Engineering Framework"
    levels: 6                      # may be blank: the highest level found
    topics:
      - name: "communication"      # "name: description" is split at the colon
        title: "💬 Communication"  # optional display name (emoji are dropped)
        content:
          - level: 1
            criteria: ["Provides regular status updates to their mentor/buddy"]
            exampleCriteria:       # a criterion that comes with examples
              - criteria: "Writes PR descriptions that provide basic context"
                examples: ["I decided to X instead of Y here ..."]
    ---
    Markdown about the framework: kept as the track's description.

A file without ``topics`` may instead write its criteria in the body, as Monzo's design
frameworks do: ``## Level N`` sections holding ``### Topic`` headings, each paragraph under
a topic one criterion.

=====================  =================================================================
source                 Trellis
=====================  =================================================================
one file               a track: id from the file name (``backend``), name from the title
                       without emoji and "Framework"; the body is its description
level N                level ``LN`` ("Level N"); a track's levels run from its lowest to
                       its highest, or further when ``levels:`` declares more
topic                  a topic: id = slug of the name; a criterion per statement, id
                       ``TOPIC.LN.K`` (K counts from 1 within the level, ``criteria``
                       first, then ``exampleCriteria`` with their examples)
track x level          a role ``TRACK-LN`` titled "Backend Engineer, level 3"
=====================  =================================================================

Several files make one framework with several tracks. A topic written identically (same
statements at the same levels) in every file is generic: it has no ``tracks`` and is one
set of criteria every track shares. A topic whose files disagree keeps a variant per group
of identical files: the variant shared by the most files keeps the plain id, unless another
is shared as widely; every other variant's id starts with its first track
(``qualityanalyst.communication``, ``qualityanalyst.communication.L2.1``).

A tab between a list's dash and its item, which YAML forbids, is read as a space: Monzo's
``people.md`` has one. Anything else that does not fit is a FrameworkInvalid naming the
file and line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import yaml
from pydantic import ValidationError

from trellis.adapters.framework_files import (  # the framework reader's own checks and lines
    FrameworkModel,
    _decoded,
    _line_of,
    _read_yaml,
)
from trellis.domain.framework import Framework
from trellis.domain.limits import FRAMEWORK_FILE_MAX
from trellis.errors import FrameworkInvalid, Problem

MONZO_CREDIT = (
    "Converted by Trellis from Monzo's progression framework "
    "(github.com/monzo/progression-framework)"
)

#: The last word of a track's name that names the work, and the person who does it.
PERSON_WORDS = {"Engineering": "Engineer", "Design": "Designer", "Research": "Researcher",
                "Leadership": "Leader", "Management": "Manager"}
#: Last words that already name a person.
PERSON_NOUNS = ("Analyst", "Contributor", "Engineer", "Designer", "Manager", "Researcher",
                "Specialist", "Leader", "Lead", "Assistant")

_TOPIC_ID_MAX = 32  # TRACK.TOPIC.LNNN.KKKKK stays inside an id's 80 characters
_TRACK_ID_MAX = 30
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_DASH_TAB = re.compile(r"^([ ]*-)\t", re.MULTILINE)
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*)")
_LEVEL_HEADING = re.compile(r"Level[ \t]+(\S+)", re.IGNORECASE)
LEVELS_MAX = 100  # far above any ladder; keeps a typo (level: 1000000) from making a million
_RULE = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$")


Locate = Callable[[str], int | None]  # a dotted path of the front matter -> its line


@dataclass(frozen=True, slots=True)
class Statement:
    """A criterion as the source writes it."""

    text: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceTopic:
    key: str
    name: str
    description: str
    levels: tuple[tuple[int, tuple[Statement, ...]], ...]  # by level, lowest first


@dataclass(frozen=True, slots=True)
class SourceTrack:
    """One source file: a track, its levels and its topics."""

    id: str
    name: str
    title: str
    description: str
    levels: range
    topics: tuple[SourceTopic, ...]
    source: str


def monzo_attribution(licence: str, credit: str = MONZO_CREDIT) -> str:
    """The licence notice the source files came with, and where they came from."""
    return f"{licence.strip()}\n\n{credit}".strip()


def build_monzo_document(
    sources: Sequence[Path],
    *,
    framework_id: str,
    name: str,
    attribution: str = "",
    role_titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Read Monzo-shaped files and return one framework document, a track per file.

    ``role_titles`` names the person on a track (``{"product": "Product Manager"}``) where
    the track's name does not say it. Raises FrameworkInvalid naming the file and line of
    every problem found.
    """
    if not sources:
        raise FrameworkInvalid([Problem("", "no source files given")])
    tracks: list[SourceTrack] = []
    problems: list[Problem] = []
    for path in sources:
        try:
            tracks.append(read_source(Path(path)))
        except FrameworkInvalid as exc:
            problems.extend(exc.problems)
    seen: dict[str, str] = {}
    for track in tracks:
        if track.id in seen:
            problems.append(Problem("", f"track '{track.id}' comes from two files (also "
                                    f"{seen[track.id]}): rename one", None, track.source))
        seen[track.id] = track.source
    titles = dict(role_titles or {})
    unknown = sorted(set(titles) - set(seen))
    if unknown and not problems:
        problems.append(Problem("", f"a role title for '{unknown[0]}', which is no track: "
                                f"the tracks are {', '.join(seen)}"))
    if problems:
        raise FrameworkInvalid(problems, problems[0].source)

    low = min(t.levels.start for t in tracks)
    high = max(t.levels.stop for t in tracks)
    return {
        "id": framework_id,
        "name": name,
        "description": "; ".join(t.title for t in tracks) + ".",
        "attribution": attribution,
        "tracks": [_track(t) for t in tracks],
        "levels": [{"id": f"L{n}", "name": f"Level {n}"} for n in range(low, high)],
        "skill_bands": [],
        "topics": _topics(tracks),
        "roles": [
            {"id": f"{t.id}-L{n}", "track": t.id, "level": f"L{n}",
             "title": f"{titles.get(t.id) or person_title(t.name)}, level {n}"}
            for t in tracks for n in t.levels
        ],
    }


def read_monzo_framework(
    sources: Sequence[Path],
    *,
    framework_id: str,
    name: str,
    attribution: str = "",
    role_titles: Mapping[str, str] | None = None,
) -> tuple[Framework, dict[str, Any]]:
    """Build the document from Monzo-shaped files and validate it into a Framework."""
    document = build_monzo_document(sources, framework_id=framework_id, name=name,
                                    attribution=attribution, role_titles=role_titles)
    where = ", ".join(str(p) for p in sources)
    try:
        model = FrameworkModel.model_validate(document)
    except ValidationError as exc:
        raise FrameworkInvalid([
            Problem(".".join(str(p) for p in err["loc"]), err["msg"], None, where)
            for err in exc.errors()], where) from None
    framework, problems = model.to_domain()
    if framework is None:
        raise FrameworkInvalid([Problem(p.path, p.message, None, where) for p in problems],
                               where)
    return framework, document


def to_yaml(document: dict[str, Any]) -> str:
    """The document as YAML, multi-line texts as literal blocks so a person can read them."""
    return yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True,
                     width=100)


class _BlockDumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None  # YAML falls back by itself where | cannot be
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BlockDumper.add_representer(str, _represent_text)


# --- one source file


def read_source(path: Path) -> SourceTrack:
    """One Monzo-shaped file as a track; FrameworkInvalid names its line if it is not."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(FRAMEWORK_FILE_MAX + 1)
    except OSError as exc:
        raise _problem("", f"cannot read file: {exc.strerror or exc}", source, None) from None
    text = _decoded(data, source).replace("\r\n", "\n")
    fences = list(_FENCE.finditer(text))
    if not fences or fences[0].start() != 0:
        raise _problem("", "no front matter: the file must start with a '---' line", source, 1)
    if len(fences) < 2:
        raise _problem("", "the front matter has no closing '---' line", source, 1)
    opening, closing = fences[0], fences[1]
    # from the end of the opening fence: its line stays, blank, so YAML's lines are the file's
    front = _DASH_TAB.sub(r"\1 ", text[opening.end():closing.start()])
    body_line = text.count("\n", 0, closing.end()) + 2
    body = text[closing.end() + 1:]
    document, lines, repeated = _read_yaml(front.encode("utf-8"), source)
    if repeated:
        path_, line = repeated[0]
        raise _problem(path_, "key repeated", source, line)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise _problem("", "the front matter is not a mapping of fields", source, 2)

    def at(where: str) -> int | None:
        return _line_of(lines, where)

    title = _strip_emoji(_plain(document.get("title"), "title", source, at)) or path.stem
    declared = document.get("levels")
    if declared is not None and not _in_range(declared):
        raise _problem("levels", f"'{declared}' is not a number of levels (1-{LEVELS_MAX})",
                       source, at("levels"))
    topics_field = document.get("topics")
    if topics_field is None:
        topics, body = _body_topics(body, body_line, source), ""
    else:
        topics = _front_topics(topics_field, source, at)
    found = sorted({level for topic in topics for level, _ in topic.levels})
    low, high = found[0], found[-1]
    if declared is not None:
        if high - low + 1 > declared:
            raise _problem("levels", f"levels {low}-{high} are more than the {declared} the "
                           "file declares", source, at("levels"))
        high = max(high, low + declared - 1)
    track_name = _track_name(title)
    track_id = _slug(path.stem)[:_TRACK_ID_MAX].strip("-")
    if not track_id:
        raise _problem("", "the file name needs a letter or digit: it names the track", source,
                       None)
    return SourceTrack(track_id, track_name, title, body.strip(), range(low, high + 1),
                       tuple(topics), source)


def _front_topics(value: Any, source: str, at: Locate) -> list[SourceTopic]:
    if not isinstance(value, list) or not value:
        raise _problem("topics", "expected a list of topics", source, at("topics"))
    topics: list[SourceTopic] = []
    keys: set[str] = set()
    for t, raw in enumerate(value):
        where = f"topics[{t}]"
        if not isinstance(raw, dict):
            raise _problem(where, "expected a topic with name and content", source,
                           at(where))
        label = _plain(raw.get("name"), f"{where}.name", source, at)
        if not label:
            raise _problem(f"{where}.name", "a topic needs a name", source, at(where))
        head, _, tail = label.partition(":")
        key = _slug(head)[:_TOPIC_ID_MAX].strip("-")
        if not key:
            raise _problem(f"{where}.name", f"'{label}' needs a letter or digit", source,
                           at(f"{where}.name"))
        if key in keys:
            raise _problem(f"{where}.name", f"topic '{key}' appears twice", source,
                           at(f"{where}.name"))
        keys.add(key)
        display = _strip_emoji(_plain(raw.get("title"), f"{where}.title", source, at))
        description = tail.strip()
        topics.append(SourceTopic(
            key, display or _humane(head), description[:1].upper() + description[1:],
            _content(raw.get("content"), f"{where}.content", source, at)))
    return topics


def _content(value: Any, where: str, source: str, at: Locate
             ) -> tuple[tuple[int, tuple[Statement, ...]], ...]:
    if not isinstance(value, list) or not value:
        raise _problem(where, "expected a list of levels with criteria", source, at(where))
    levels: dict[int, list[Statement]] = {}
    for i, cell in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(cell, dict):
            raise _problem(here, "expected a level with criteria", source, at(here))
        level = cell.get("level")
        if not _in_range(level):
            raise _problem(f"{here}.level", "required field is missing" if level is None
                           else f"'{level}' is not a level (1-{LEVELS_MAX})", source,
                           at(f"{here}.level"))
        statements = levels.setdefault(level, [])
        plain = cell.get("criteria") or []
        if not isinstance(plain, list):
            raise _problem(f"{here}.criteria", "expected a list of statements", source,
                           at(f"{here}.criteria"))
        for k, text in enumerate(plain):
            statements.append(Statement(_statement(text, f"{here}.criteria[{k}]", source, at)))
        rich = cell.get("exampleCriteria") or []
        if not isinstance(rich, list):
            raise _problem(f"{here}.exampleCriteria", "expected a list of criteria with "
                           "examples", source, at(f"{here}.exampleCriteria"))
        for k, item in enumerate(rich):
            spot = f"{here}.exampleCriteria[{k}]"
            if not isinstance(item, dict):
                raise _problem(spot, "expected criteria and examples", source, at(spot))
            examples = item.get("examples") or []
            if not isinstance(examples, list):
                raise _problem(f"{spot}.examples", "expected a list of examples", source,
                               at(f"{spot}.examples"))
            statements.append(Statement(
                _statement(item.get("criteria"), f"{spot}.criteria", source, at),
                tuple(_statement(e, f"{spot}.examples[{j}]", source, at, "an example")
                      for j, e in enumerate(examples))))
        if not plain and not rich:
            raise _problem(here, f"level {level} has no criteria", source, at(here))
    return tuple((level, tuple(levels[level])) for level in sorted(levels))


def _body_topics(body: str, first_line: int, source: str) -> list[SourceTopic]:
    """Criteria written in markdown: ``## Level N``, ``### Topic``, a paragraph each."""
    cells: dict[str, dict[int, list[Statement]]] = {}
    names: dict[str, str] = {}
    level: int | None = None
    topic: str | None = None
    paragraph: list[str] = []
    level_line = 0

    def close() -> None:
        if paragraph and level is not None and topic is not None:
            cells[topic].setdefault(level, []).append(Statement("\n".join(paragraph)))
        paragraph.clear()

    for number, line in enumerate(body.split("\n"), start=first_line):
        heading = _HEADING.match(line)
        if heading or not line.strip() or _RULE.match(line):
            close()
        if heading:
            depth, text = len(heading.group(1)), _heading_text(heading.group(2))
            levelled = _LEVEL_HEADING.match(text) if depth == 2 else None
            if levelled:
                value = levelled.group(1)
                if not (value.isascii() and value.isdigit() and 0 < int(value[:4]) <= LEVELS_MAX):
                    raise _problem("", f"'## Level {value}': '{value}' is not a level "
                                   f"(1-{LEVELS_MAX})", source, number)
                level, topic, level_line = int(value), None, number
            elif depth == 3 and level is not None:
                topic = _slug(text)[:_TOPIC_ID_MAX].strip("-")
                if not topic:
                    raise _problem("", f"'### {text}' needs a letter or digit", source, number)
                names.setdefault(topic, _strip_emoji(text) or text)
                cells.setdefault(topic, {})
            elif depth <= 2:
                level, topic = None, None  # a section that holds no criteria
        elif line.strip() and not _RULE.match(line) and level is not None:
            if topic is None:
                raise _problem("", f"text under '## Level {level}' (line {level_line}) before "
                               "any '### Topic' heading", source, number)
            paragraph.append(line.strip())
    close()
    topics = [SourceTopic(key, names[key], "",
                          tuple((n, tuple(s)) for n, s in sorted(cells[key].items())))
              for key in cells if cells[key]]
    if not topics:
        raise _problem("", "no topics: the front matter has no 'topics' and the body no "
                       "'## Level N' sections with '### Topic' paragraphs", source, 1)
    return topics


# --- several tracks: one framework


def _track(track: SourceTrack) -> dict[str, Any]:
    out: dict[str, Any] = {"id": track.id, "name": track.name}
    if track.description:
        out["description"] = track.description
    return out


def _topics(tracks: Sequence[SourceTrack]) -> list[dict[str, Any]]:
    """Topics in first-seen order; a topic's identical copies become one, shared."""
    variants: dict[str, list[tuple[tuple[Any, ...], list[SourceTrack], SourceTopic]]] = {}
    for track in tracks:
        for topic in track.topics:
            groups = variants.setdefault(topic.key, [])
            group = next((g for g in groups if g[0] == topic.levels), None)
            if group is None:
                groups.append((topic.levels, [track], topic))
            else:
                group[1].append(track)
    out: list[dict[str, Any]] = []
    for key, groups in variants.items():
        widest = max(len(g[1]) for g in groups)
        plain = [g for g in groups if len(g[1]) == widest]
        for _, members, topic in groups:
            shared_by_all = len(members) == len(tracks)
            keeps_id = len(groups) == 1 or (len(plain) == 1 and plain[0][1] is members)
            topic_id = key if keeps_id else f"{members[0].id}.{key}"
            document: dict[str, Any] = {"id": topic_id, "name": topic.name}
            if topic.description:
                document["description"] = topic.description
            if not shared_by_all:
                document["tracks"] = [t.id for t in members]
            document["criteria"] = [
                _criterion(f"{topic_id}.L{level}.{k}", level, statement)
                for level, statements in topic.levels
                for k, statement in enumerate(statements, start=1)
            ]
            out.append(document)
    return out


def _criterion(criterion_id: str, level: int, statement: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {"id": criterion_id, "level": f"L{level}", "text": statement.text}
    if statement.examples:
        out["examples"] = list(statement.examples)
    return out


# --- names


def person_title(track_name: str) -> str:
    """Who works on a track, from its name: "Backend Engineering" -> "Backend Engineer"."""
    head, _, last = track_name.rpartition(" ")
    if last in PERSON_WORDS:
        return f"{head} {PERSON_WORDS[last]}".strip()
    if last in PERSON_NOUNS:
        return track_name
    return f"{track_name} team member"


def _track_name(title: str) -> str:
    name = _strip_emoji(title)
    name = re.sub(r"\s+framework$", "", name, flags=re.IGNORECASE).strip()
    return name or title


def _strip_emoji(text: str) -> str:
    """Text without emoji and the joiners, selectors and skin tones that build them."""
    kept = "".join(
        ch for ch in text
        if unicodedata.category(ch) != "So"
        and ch not in "\u200d\ufe0e\ufe0f\u20e3"
        and not 0x1F3FB <= ord(ch) <= 0x1F3FF
        and not 0xE0020 <= ord(ch) <= 0xE007F
    )
    return " ".join(kept.split())


def _humane(name: str) -> str:
    words = " ".join(re.split(r"[-_\s]+", name.strip()))
    return words[:1].upper() + words[1:]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --- checks


def _in_range(value: object) -> TypeGuard[int]:
    """A level or a count of levels: a whole number from 1 to LEVELS_MAX."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= LEVELS_MAX


def _heading_text(text: str) -> str:
    """A heading's text without markdown's optional closing hashes (``## Level 2 ##``)."""
    text = text.rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip(" \t")
    return text


def _plain(value: Any, where: str, source: str, at: Locate) -> str:
    """An optional one-line text field; blank is empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _problem(where, f"expected text, not {type(value).__name__}", source,
                       at(where))
    return value.strip()


def _statement(value: Any, where: str, source: str, at: Locate, what: str = "a criterion"
               ) -> str:
    if value is not None and not isinstance(value, str):
        raise _problem(where, f"expected text, not {type(value).__name__}", source,
                       at(where))
    if value is None or not value.strip():
        raise _problem(where, f"{what} needs its text", source, at(where))
    return value.strip()


def _problem(path: str, message: str, source: str, line: int | None) -> FrameworkInvalid:
    return FrameworkInvalid([Problem(path, message, line, source)], source)
