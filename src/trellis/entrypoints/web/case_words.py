"""Promotion cases in people's words on the pages: the names and titles of
``domain.case_names``, and the packet's readiness requirements as the team list says them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trellis.domain.case_names import CaseNames
from trellis.domain.framework import Framework
from trellis.domain.readiness import Requirement
from trellis.services.case_documents import names_mentioned
from trellis.services.frameworks import framework_at
from trellis.services.team_list import reason
from trellis.services.unit_of_work import UnitOfWork

from .person_words import Vocabulary, vocabulary


@dataclass(frozen=True, slots=True)
class CaseWords(CaseNames):
    text: Vocabulary  # for the lines Trellis wrote: requirements, packet summaries
    framework: Framework

    def requirement(self, q: Mapping[str, Any], to_role: str) -> str:
        """A readiness requirement of the packet: a failing one as the team list says it
        ("points for the Career level: ..."), a met one as its name and detail."""
        target = self.framework.roles.get(to_role)
        if q["met"] or target is None:
            return self.text.words(f"{q['name']}: {q['detail']}")
        return self.text.words(reason(Requirement(q["kind"], q["name"], q["met"], q["detail"]),
                                      target, self.framework))


def case_words(uow: UnitOfWork, cases: Iterable[Mapping[str, Any]]) -> CaseWords:
    """The names and titles the given case documents mention, in two reads."""
    names = names_mentioned(uow, cases)
    _, framework = framework_at(uow)
    return CaseWords(names, {r.id: r.title for r in framework.roles.values()},
                     vocabulary(framework, names, framework.currency), framework)
