"""The person page in people's words: names for handles, emails, competency, track and
role ids; a timeline entry's line without event ids; pay with its currency.

A timeline line is the domain's words reading of the entry (``domain.timeline.line``),
built from the details the viewer may see; the summary (the command line's reading, with
ids) only stands for an entry whose details are hidden ("Pay change (hidden)"). Prose
Trellis wrote elsewhere (readiness gates, refusals, a plan stored with ids) goes through
the rewrites below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from trellis.domain.events import EventKind, details_from_trusted
from trellis.domain.framework import Framework
from trellis.domain.profile import BandUpgrade
from trellis.domain.timeline import Wording, line, upgrade_line

from .formatting import day
from .formatting import kind as kind_words
from .people_names import name_of
from .schemas import EventPublic


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What ids and handles read as on a page."""

    people: Mapping[str, str] = field(default_factory=dict)  # handle or email -> name
    terms: Mapping[str, str] = field(default_factory=dict)  # competency/track/role id -> name
    roles: Mapping[str, str] = field(default_factory=dict)  # role id -> title
    currency: str | None = None
    pattern: re.Pattern[str] | None = None  # every term, as a whole word
    framework: Framework | None = None  # what timeline lines name roles and criteria from

    def term(self, term_id: str) -> str:
        return self.terms.get(term_id, term_id)

    def titles(self, role_ids: list[str]) -> list[str]:
        return [self.roles.get(r, r) for r in role_ids]

    def person(self, who: str | None) -> str | None:
        """A handle or email as the person's name (an author who is nobody in the
        directory, such as a script, as given)."""
        return None if who is None else name_of(self.people, who)

    def words(self, text: str) -> str:
        """Text Trellis wrote (a readiness gate, an explanation) with "(role-id)" after a
        title dropped, ids replaced by names, and ASCII arrows as arrows. Not for what
        people typed: "coding" in a citation is a word, not a competency."""
        for role_id in self.roles:
            text = text.replace(f" ({role_id})", "")
        if self.pattern is not None:  # a name matches first, so "design" in "System design"
            text = self.pattern.sub(lambda m: self.terms.get(m.group(0), m.group(0)), text)
        return dated(text)

    def dated(self, text: str) -> str:
        """Prose Trellis wrote with no ids in it (advice's reasons): only its dates and
        arrows as the pages write them, so "no strategy leads" keeps its word even where a
        competency's id is "strategy"."""
        return dated(text)

    def plain(self, text: str) -> str:
        """A message Trellis wrote (a refusal of the ledger's rules) for a page: event
        kinds, handles and ids as words. (An error names its options and commands in
        words already: ``trellis.errors``.)"""
        text = _KIND_IDS.sub(lambda m: kind_words(m.group(0)), text)
        return self.words(self.named(text))

    def named(self, text: str) -> str:
        """A line that may hold what people typed (a kudos' reason): only handles become
        names and dates read as the pages write them; no word is taken for an id."""
        for handle, name in self.people.items():
            if "@" not in handle:
                text = re.sub(rf"(?<![\w.@-]){re.escape(handle)}(?![\w@-]|\.\w)", name,
                              text)
        return self.dated(text)


_KIND_IDS = re.compile(r"\b(?:" + "|".join(k.value for k in EventKind if "_" in k.value)
                       + r")\b")


def arrows(text: str) -> str:
    return text.replace(" -> ", " → ")


def dated(text: str) -> str:
    """Prose Trellis wrote, its ISO days and ASCII arrows as the pages write them."""
    return arrows(_ISO_DAY.sub(lambda m: day(m.group(0)), text))


def vocabulary(framework: Framework | None, people: Mapping[str, str],
               currency: str | None) -> Vocabulary:
    if framework is None:
        return Vocabulary(people, {}, {}, currency)
    terms = {c.id: c.name for c in framework.competencies.values()}
    terms.update({t.id: t.name for t in framework.tracks.values()})
    terms.update({r.id: r.title for r in framework.roles.values()})
    # every id and name, longest first, as a whole word (ids hold '-' and '.'): names are
    # kept as they are, ids become names
    every = set(terms) | set(terms.values())
    alternatives = "|".join(re.escape(t) for t in sorted(every, key=len, reverse=True))
    pattern = (re.compile(rf"(?<![\w.@-])(?:{alternatives})(?![\w@-]|\.\w)") if terms
               else None)
    return Vocabulary(people, terms, {r.id: r.title for r in framework.roles.values()},
                      currency or framework.currency, pattern, framework)


_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def summary(entry: EventPublic, by_id: Mapping[int, EventPublic], words: Vocabulary) -> str:
    """A timeline entry's line on the page: names, titles, pay with its currency, and an
    event it refers to by what it was and when."""
    if entry.details is None:  # hidden from this viewer: the summary says only that
        return entry.summary

    def event_named(event_id: int) -> str:
        other = by_id.get(event_id)
        if other is None:  # retracted out of sight, or an upward review kept apart
            return "an earlier event"
        return f"“{summary(other, {}, words)}” of {day(other.effective_on)}"

    wording = Wording(words.people, words.currency, event_named)
    d = dict(entry.details)
    if entry.kind == "band_upgrade":
        return upgrade_line(BandUpgrade(entry.effective_on, d["band"], d["from_level"],
                                        d["to_level"], d["trigger_event_id"],
                                        d.get("pay_before"), d.get("pay_after")),
                            words.framework, wording).words
    details = details_from_trusted(EventKind(entry.kind), d)
    return line(details, words.framework, evidence=entry.evidence, wording=wording).words
