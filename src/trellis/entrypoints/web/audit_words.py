"""The audit log as the organization page shows it: who by name, what they did and on what
in words ("read pay", "Leila Wang's timeline"), not the stored action and resource keys
("pay.read", "person/leila.wang/timeline"), which the API and the CLI keep as they are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trellis.services.audit_trail import is_upward

from .formatting import day, moment
from .people_names import name_of

ACTIONS = {
    "pay.read": "read pay", "login": "signed in", "login.failed": "failed to sign in",
    "check_in": "recorded a check-in", "recognition": "recognized someone",
    "ledger.import": "imported a file", "framework.load": "loaded a framework",
    "comp.cycle.open": "opened a pay cycle", "comp.cycle.apply": "applied a pay cycle",
    "review_cycle.open": "opened a review cycle", "user.password_change": "changed a password",
    "user.password_refused": "was refused a password", "user.password_reset":
    "gave a new password",
}
VERBS = {"read": "read", "list": "listed", "set": "set", "unset": "removed", "open": "opened",
         "close": "closed", "change": "changed", "approve": "approved", "comment":
         "commented on", "export": "exported", "withdraw": "withdrew", "retract": "retracted",
         "verify": "verified", "add": "added", "create": "created", "revoke": "revoked",
         "submit": "submitted", "nominate": "nominated peers for", "propose": "proposed",
         "decline": "declined"}
NOUNS = {"attribute": "an attribute", "attributes": "attributes", "calibration": "a calibration",
         "case": "a promotion case", "comp": "a raise", "event": "an event", "fairness":
         "the fairness audit", "person": "a person", "plan": "a plan", "review": "a review",
         "reviews": "reviews", "token": "an API token", "user": "an account"}
PARTS = {"timeline": "timeline", "profile": "profile", "advice": "advice", "plan": "plan",
         "reviews": "reviews", "cases": "promotion cases", "attributes": "attributes",
         "proposals": "raise", "events": "event", "case": "new case", "compare": "comparison",
         "simulation": "simulation"}


def action_words(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    noun, _, verb = action.rpartition(".")
    if verb in VERBS and noun in NOUNS:
        return f"{VERBS[verb]} {NOUNS[noun]}"
    return action.replace(".", " ").replace("_", " ")


def resource_words(resource: str, names: Mapping[str, str],
                   detail: Mapping[str, Any] | None = None,
                   subjects: Mapping[str, str] | None = None) -> str:
    """``detail``: the entry's own, where an account entry keeps the account's email;
    ``subjects``: what a numbered resource is in words ("case/12": "Leila Wang's promotion
    case for Senior Engineer"), which only a read of the cases and sessions knows."""
    if subjects and resource in subjects:
        return subjects[resource]
    parts = resource.split("/")
    head = parts[0]
    if head == "person" and len(parts) > 1:
        who = name_of(names, parts[1])
        if len(parts) == 2:
            return who
        return f"{who}'s {PARTS.get(parts[2], parts[2].replace('_', ' '))}"
    if head == "team" and len(parts) == 3:
        return f"{name_of(names, parts[1])}'s team's {PARTS.get(parts[2], parts[2])}"
    if head == "cohort":
        return f"a group's {PARTS.get(parts[-1], parts[-1])}"
    if head == "case" and len(parts) == 2:  # not among the subjects: no longer on record
        return "a promotion case"
    if head == "calibration" and len(parts) == 2:
        return "a calibration session"
    if head == "compensation" and len(parts) == 2:
        return "raises awaiting approval" if parts[1] == "proposals" else f"pay cycle {parts[1]}"
    if head == "organization" and len(parts) == 2:
        return f"the organization's {PARTS.get(parts[1], parts[1])}"
    if head == "cases":
        return "promotion cases"
    if head == "session":
        return ""
    if head == "user" and len(parts) == 2:
        email = (detail or {}).get("email")
        return f"{name_of(names, email)}'s account" if email else "an account"
    if head == "token" and len(parts) == 2:
        return "an API token"
    if len(parts) == 2 and head in ("framework", "import", "review-cycles"):
        return parts[1]
    return resource


def _who(entry: Mapping[str, Any], names: Mapping[str, str]) -> str:
    if is_upward(entry):  # an upward review's writer is never named (docs/reviews.md)
        return f"a report of {name_of(names, str(entry['resource']).split('/')[1])}"
    return name_of(names, entry.get("user_email")) or "not signed in"


def audit_rows(entries: list[dict[str, Any]], names: Mapping[str, str],
               subjects: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """Each entry as (when, who, did, on) in words; an upward review's entry by its day
    only, as it is kept."""
    return [{"when": day(e["at"]) if is_upward(e) else moment(e["at"]), "who": _who(e, names),
             "did": action_words(str(e["action"])),
             "on": resource_words(str(e["resource"]), names, e.get("detail"), subjects)}
            for e in entries]
