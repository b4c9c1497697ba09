"""Spreadsheet templates of an import: the columns a file of people or of events takes, with
example rows that import as they are into the organization's framework (its first role and
competency or criterion), so a person starts from a file that works and changes the rows.

Both are the CSV shape ``trellis import`` reads (docs/ledger.md); importing the people
template, then the events one, adds one person and a few events of their career.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from trellis.domain.framework import Framework, Role
from trellis.errors import TrellisError

KINDS = ("people", "events")
EXAMPLE_PERSON = "ada.lovelace"
HIRED_ON = "2024-01-08"

PEOPLE_COLUMNS = ("record", "handle", "name", "email", "manager")
EVENT_COLUMNS = ("record", "person", "kind", "effective_on", "evidence", "role", "pay",
                 "currency", "competency", "from_mastery", "to_mastery", "certification",
                 "issuer", "project", "team_size", "criterion", "citation", "notes")


def template_csv(kind: str, framework: Framework | None) -> str:
    """The template for ``kind`` (``people`` or ``events``) as CSV text."""
    if kind == "people":
        return _csv(PEOPLE_COLUMNS, [
            {"record": "person", "handle": EXAMPLE_PERSON, "name": "Ada Lovelace",
             "email": "ada@example.org"}])
    if kind == "events":
        return _csv(EVENT_COLUMNS, _career(framework))
    raise TrellisError(f"no template '{kind}': choose {' or '.join(KINDS)}")


def _career(framework: Framework | None) -> list[dict[str, object]]:
    role = _first_role(framework)
    pay = role.pay_band.mid if role is not None and role.pay_band is not None else 50000
    rows: list[dict[str, object]] = [
        {"kind": "hire", "effective_on": HIRED_ON, "role": role.id if role else "ROLE-ID",
         "pay": pay},
    ]
    # what the role expects first, so that the example reads as a real first step
    competency = next(iter(role.expects if role and role.expects else
                           framework.competencies if framework else ()), None)
    criterion = next(iter(role.criteria if role and role.criteria else
                          framework.criteria if framework else ()), None)
    if competency is not None or framework is None:
        rows.append({"kind": "skill_step", "effective_on": "2024-04-02",
                     "competency": competency or "COMPETENCY-ID", "from_mastery": 0,
                     "to_mastery": 1, "evidence": "https://example.org/design-review"})
    if criterion is not None:
        rows.append({"kind": "demonstrated", "effective_on": "2024-05-06",
                     "criterion": criterion, "evidence": "https://example.org/incident"})
    rows += [
        {"kind": "certification", "effective_on": "2024-06-03",
         "certification": "AWS Solutions Architect", "issuer": "Amazon Web Services"},
        {"kind": "project_leadership", "effective_on": "2024-09-02",
         "project": "Checkout rewrite", "team_size": 4},
        {"kind": "recognition", "effective_on": "2024-10-01",
         "citation": "Calm, clear incident lead"},
        {"kind": "check_in", "effective_on": "2024-12-16", "notes": "Quarter went well"},
    ]
    return [{"record": "event", "person": EXAMPLE_PERSON, **row} for row in rows]


def _first_role(framework: Framework | None) -> Role | None:
    if framework is None or not framework.roles:
        return None
    # the first role of the lowest level, in the order the file declares them
    return min(framework.roles.values(), key=lambda r: framework.rank_of(r.id))


def _csv(columns: Sequence[str], rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
