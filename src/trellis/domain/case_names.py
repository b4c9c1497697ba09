"""A promotion case document as people read it: names for the handles and emails it holds,
titles for its role ids, approval steps as "Skip-level manager: Isla Tanaka".

The document (services.case_documents) names people by handle and roles by id, as the API
and the command line do; the case pages and the printable export read it through these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .people import name_of

APPROVERS = {"manager": "Manager", "skip_level": "Skip-level manager", "hr": "HR admin"}
NOMINATORS = {"manager": "their management chain", "self": "themselves", "hr": "HR"}


@dataclass(frozen=True, slots=True)
class CaseNames:
    names: Mapping[str, str]  # handle or email -> name
    titles: Mapping[str, str]  # role id -> title

    def person(self, who: str | None) -> str:
        """A handle or email by name; as recorded when it is no one's."""
        return name_of(self.names, who)

    def role(self, role_id: str | None) -> str:
        return self.titles.get(role_id or "", role_id or "")

    def status(self, status: str) -> str:
        return status.capitalize()

    def nominator(self, nominator: str) -> str:
        return NOMINATORS.get(nominator, nominator)

    def step(self, step: Mapping[str, Any]) -> str:
        """Who signs a step: "Skip-level manager: Isla Tanaka", "HR admin", "Manager (falls
        to HR)"."""
        label = APPROVERS.get(step["approver"], step["approver"])
        if step["signer"] and step["signer"] != "hr":
            return f"{label}: {self.person(step['signer'])}"
        return f"{label} (falls to HR)" if step.get("fell_to_hr") else label
