"""Promotion cases as plain documents: the JSON of ``case show --json`` and of the API, and
what the pages and the printable export render."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trellis.domain.cases import Case, Step
from trellis.domain.events import goals_to_plain, ratings_to_plain
from trellis.domain.people import HANDLE_IN_TEXT
from trellis.domain.readiness import readiness_to_document

from .cases import CaseView
from .unit_of_work import UnitOfWork


def step_document(step: Step, handles: Mapping[int, str]) -> dict[str, Any]:
    return {
        "position": step.position, "approver": step.approver.value,
        "signer": "hr" if step.for_hr else handles.get(step.person_id or 0),
        "fell_to_hr": step.fell_to_hr,
        "decision": step.decision.value if step.decision else None,
        "signed_by": step.signed_by,
        "signed_at": step.signed_at.isoformat(timespec="seconds") if step.signed_at else None,
        "reason": step.reason, "override": step.override}


def case_summary(case: Case, handles: Mapping[int, str]) -> dict[str, Any]:
    """A case without its packet: what a list shows."""
    waiting = case.pending
    return {
        "id": case.id, "person": handles.get(case.person_id), "from_role": case.from_role,
        "to_role": case.to_role, "status": case.status.value,
        "nominator": case.nominator.value, "nominated_by": case.nominated_by,
        "effective_on": case.effective_on.isoformat(), "pay": case.pay,
        "currency": case.currency,
        "waiting_for": step_document(waiting, handles) if waiting else None,
        "opened_at": case.opened_at.isoformat(timespec="seconds"),
        "changed_at": case.changed_at.isoformat(timespec="seconds"),
        "event_id": case.event_id}


def case_document(view: CaseView) -> dict[str, Any]:
    """A case in full: its steps, comments, decision and the evidence packet."""
    case, packet = view.case, view.packet
    doc = case_summary(case, view.handles)
    doc.update({
        "person_name": view.person.name,
        "target_title": view.target.title if view.target else None,
        "justification": case.justification, "pay_reason": case.pay_reason,
        "pay_warning": view.pay_warning,
        "pay_band": ({"min": b.min, "mid": b.mid, "max": b.max}
                     if view.target and (b := view.target.pay_band) else None),
        "steps": [step_document(s, view.handles) for s in case.steps],
        "comments": [{"id": c.id, "author": c.author,
                      "at": c.at.isoformat(timespec="seconds"), "text": c.text}
                     for c in case.comments],
        "decided_by": case.decided_by, "decision_reason": case.decision_reason,
        "may_sign": view.may_sign,
        "packet": {
            "since": packet.since.isoformat() if packet.since else None,
            "verified": [_item(i) for i in packet.verified],
            "unverified": packet.unverified,
            "recognitions": [_item(i) for i in packet.recognitions],
            "readiness": (readiness_to_document(view.readiness, view.framework)
                          if view.readiness else None),
            "readiness_note": view.readiness_note,
            "reviews": {cycle: {role: [{"on": r.on.isoformat(), "rating": r.rating,
                                        "calibrated": r.calibrated,
                                        "ratings": ratings_to_plain(r.ratings),
                                        "goals": goals_to_plain(r.goals),
                                        "comment": r.comment} for r in records]
                                for role, records in by_role.items()}
                        for cycle, by_role in view.reviews.items()},
        }})
    return doc


def _item(item: Any) -> dict[str, Any]:
    return {"on": item.on.isoformat(), "kind": item.kind, "summary": item.summary,
            "summary_words": item.said.words, "event_id": item.event_id,
            "verified_by": item.verified_by}


def names_mentioned(uow: UnitOfWork, cases: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The names of the people the case documents mention by handle or email (the person,
    nominator, signers, commenters, verifiers, and handles inside the packet's summaries):
    what a page or the export shows instead."""
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
            mentioned.update(HANDLE_IN_TEXT.findall(item.get("summary") or ""))
    names = {}
    with uow.reading():
        for ref in mentioned:
            person = uow.people.find(ref)
            if person is not None:
                names[ref] = person.name
    return names
