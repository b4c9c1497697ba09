"""Promotion cases in people's words: names for the handles and emails a case document
holds, role titles for role ids, approval steps as "Skip-level manager: Isla Tanaka".

The case document (services.case_documents) names people by handle and roles by id, as
the API and the command line do; the pages read them through ``CaseWords``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trellis.domain.framework import Framework
from trellis.domain.readiness import Requirement
from trellis.services.frameworks import framework_at
from trellis.services.team_list import reason
from trellis.services.unit_of_work import UnitOfWork

from .people_names import name_of
from .person_words import Vocabulary, vocabulary

APPROVERS = {"manager": "Manager", "skip_level": "Skip-level manager", "hr": "HR admin"}
NOMINATORS = {"manager": "their management chain", "self": "themselves", "hr": "HR"}
STATUSES = {"open": "Open", "approved": "Approved", "declined": "Declined",
            "deferred": "Deferred", "withdrawn": "Withdrawn"}
DECISIONS = {"approved": "approved", "declined": "declined", "deferred": "deferred"}


@dataclass(frozen=True, slots=True)
class CaseWords:
    names: Mapping[str, str]  # handle or email -> name
    titles: Mapping[str, str]  # role id -> title
    text: Vocabulary  # for the lines Trellis wrote: requirements, packet summaries
    framework: Framework

    def person(self, who: str | None) -> str:
        return name_of(self.names, who)

    def role(self, role_id: str | None) -> str:
        return self.titles.get(role_id or "", role_id or "")

    def requirement(self, q: Mapping[str, Any], to_role: str) -> str:
        """A readiness requirement of the packet: a failing one as the team list says it
        ("points for the Career level: ..."), a met one as its name and detail."""
        target = self.framework.roles.get(to_role)
        if q["met"] or target is None:
            return self.text.words(f"{q['name']}: {q['detail']}")
        return self.text.words(reason(Requirement(q["kind"], q["name"], q["met"], q["detail"]),
                                      target, self.framework))

    def status(self, status: str) -> str:
        return STATUSES.get(status, status.capitalize())

    def step(self, step: Mapping[str, Any]) -> str:
        """Who signs a step: "Skip-level manager: Isla Tanaka", "HR admin", "Manager (falls
        to HR)"."""
        label = APPROVERS.get(step["approver"], step["approver"])
        if step["signer"] and step["signer"] != "hr":
            return f"{label}: {self.person(step['signer'])}"
        return f"{label} (falls to HR)" if step.get("fell_to_hr") else label


def case_words(uow: UnitOfWork, cases: Iterable[Mapping[str, Any]]) -> CaseWords:
    """The names and titles the given case documents mention, in two reads."""
    mentioned: set[str] = set()
    for c in cases:
        mentioned.update(filter(None, (c.get("person"), c.get("nominated_by"),
                                       c.get("decided_by"))))
        steps = list(c.get("steps", [])) + ([c["waiting_for"]] if c.get("waiting_for") else [])
        for s in steps:
            mentioned.update(filter(None, (s.get("signer"), s.get("signed_by"))))
        mentioned.update(m["author"] for m in c.get("comments", ()) if m.get("author"))
        packet = c.get("packet") or {}
        mentioned.update(i["verified_by"] for i in packet.get("verified", ())
                         if i.get("verified_by"))
        for item in list(packet.get("verified", ())) + list(packet.get("recognitions", ())):
            mentioned.update(_HANDLE.findall(item.get("summary") or ""))
    _, framework = framework_at(uow)
    names = {}
    with uow.reading():
        for ref in mentioned:
            person = uow.people.find(ref)
            if person is not None:
                names[ref] = person.name
    return CaseWords(names, {r.id: r.title for r in framework.roles.values()},
                     vocabulary(framework, names, framework.currency), framework)


# what may be a handle in a summary ("Kudos from elena.larsen: ..."): looked up, and
# replaced only when it is someone's
_HANDLE = re.compile(r"(?<![\w.@-])[a-z][\w-]*\.[\w.-]*[a-z0-9](?![\w@-])")
