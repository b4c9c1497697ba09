"""Everything the person page shows, gathered from the use cases for one viewer: the summary
(role, level, pay to those who may see it, readiness with its requirements in words, the
plan's next three steps, the latest recognition), then the sections' contents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import orjson

from trellis.domain.access import SELF_RECORDED, User
from trellis.domain.approvals import Signer
from trellis.domain.events import EventKind, RecognitionKind
from trellis.domain.framework import Framework
from trellis.domain.layers import layers_to_document
from trellis.domain.limits import EMAIL_MAX
from trellis.domain.readiness import readiness_to_document
from trellis.errors import TrellisError
from trellis.services import accounts, cases, lattice, layers, plans, readiness
from trellis.services.case_documents import case_summary
from trellis.services.frameworks import framework_at
from trellis.services.unit_of_work import UnitOfWork

from .case_words import case_words
from .feedback import Notice
from .formatting import kind as kind_words
from .person_view import TimelineQuery, plan_steps, timeline_page
from .person_words import Vocabulary, vocabulary
from .routers.plans import plan_document
from .schemas import EventPublic
from .views import UowFactory, plan_targets, profile_view, timeline_view

SELF_KINDS = sorted(k.value for k in SELF_RECORDED)
# What a manager logs from the form; the rest has a place of its own on the page or
# elsewhere: promotions through a case, reviews and calibration on their pages, check-ins,
# recognition, verification and retraction beside what they concern.
MANAGER_KINDS = [k.value for k in EventKind if k not in (
    EventKind.HIRE, EventKind.RETRACTION, EventKind.VERIFICATION, EventKind.CHECK_IN,
    EventKind.RECOGNITION, EventKind.PROMOTION, EventKind.REVIEW, EventKind.CALIBRATION)]
RECOGNITION_KINDS = [(k.value, kind_words(k.value)) for k in RecognitionKind]
NEXT_STEPS = 3
GAPS_SHOWN = 3


def person_context(uow: UowFactory, user: User, ref: str, query: TimelineQuery, *,
                   notice: Notice | None = None, plan_form: dict[str, Any] | None = None,
                   log: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The person page's template context. ``plan_form`` brings back a refused plan form,
    ``log`` the log form's values to show it open with (a "mark done" link's)."""
    seen = accounts.access_to(uow(), user, ref)
    handle = seen.person.handle
    profile = profile_view(uow, user, handle)
    doc = profile.profile
    entries = timeline_view(uow, user, handle)
    layer_doc = layers_to_document(layers.layers(uow(), handle, every_competency=True).view)
    framework = framework_in_force(uow)
    manager_handle = _manager_handle(uow(), seen.person.manager_id)
    mentioned = _mentioned(entries, doc, user) | ({manager_handle} if manager_handle else set())
    words = vocabulary(framework, {**_names(uow(), mentioned), handle: seen.person.name},
                       doc["pay"].get("currency"))
    may_retract = accounts.may_retract(uow(), user, handle)
    manages = not seen.is_self and (user.is_hr or seen.private)
    ready, ready_note = _readiness(uow, handle, words) if seen.private else (None, None)
    plan, plan_note, steps = None, None, []
    options = None
    if seen.private:
        try:
            plan = plan_document(plans.show_plan(uow(), handle))
            steps = plan_steps(plan, entries, words)
            plan["milestones"] = [{**m, "items": [steps[i] for i in m["steps"]]}
                                  for m in plan["milestones"]]
            plan["target_words"] = _target_words(plan["target"], words)
        except TrellisError as exc:
            plan_note = str(exc)
        options = _options(uow, handle)
    page = timeline_page(entries, query, words, hired_on=_day(doc.get("hired_on")),
                         viewer=user.email, may_retract=may_retract, may_verify=manages)
    if notice is not None and notice.target.startswith("event-") and \
            not any(r.anchor == notice.target for r in page.rows):
        notice = Notice(notice.text, "timeline", notice.ok, notice.values)
    may_log = seen.is_self or manages
    editable = _editable(uow, user, handle)
    shown = {"summary", "timeline", "recognition", *(r.anchor for r in page.rows if r.anchor)}
    shown |= {"log"} if may_log else set()
    shown |= {"plan", "details"} if seen.private else set()
    shown |= {"checkin"} if manages and seen.private else set()
    shown |= {"details"} if editable else set()
    if notice is not None and notice.target not in shown:  # its form is not on this page
        notice = Notice(notice.text, "summary", notice.ok, notice.values)
    if notice is not None and not notice.ok:  # a refusal the use cases wrote: in words
        text = words.plain(notice.text).replace(f"{user.email} may", "you may")
        notice = Notice(text, notice.target, False, notice.values)
    log_values = dict(notice.values) if notice and notice.is_for("log") else dict(log or {})
    chart = [{"on": e.effective_on.isoformat(), "advance": e.advance,
              "summary": r_text} for e, r_text in _chart_points(entries, words)]
    return {
        "person": seen.person, "seen": seen, "profile": profile, "doc": doc,
        "words": words, "layers": layer_doc, "readiness": ready, "readiness_note": ready_note,
        "manages": manages, "may_log": may_log, "may_retract": may_retract,
        "self_kinds": SELF_KINDS, "manager_kinds": MANAGER_KINDS, "notice": notice,
        "today": date.today().isoformat(), "plan": plan, "plan_note": plan_note,
        "next_steps": [s for s in steps if s["status"] != "done"][:NEXT_STEPS],
        "options": options, "recognition_kinds": RECOGNITION_KINDS,
        "cases": _cases(uow, user, handle) if seen.private else [],
        "chart_json": orjson.dumps(chart).decode(),
        "plan_form": _plan_form(uow, doc, plan, plan_form) if seen.private else None,
        "claimed": _claimed(doc), "timeline": page, "log_values": log_values,
        "log_open": bool(log_values) or bool(notice and notice.is_for("log")),
        "latest_recognition": (doc["recognitions"]["recent"] or [None])[-1],
        "editable": editable, "level_name": _level_name(framework, doc["role"].get("level")),
        "manager_handle": manager_handle, "manager_name": words.person(manager_handle),
    }


def framework_in_force(uow: UowFactory) -> Framework | None:
    """The framework the page names roles, competencies and criteria from (None: none
    loaded yet)."""
    try:
        return framework_at(uow())[1]
    except TrellisError:
        return None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _mentioned(entries: Iterable[EventPublic], doc: Mapping[str, Any], user: User) -> set[str]:
    """The handles and emails the page names: givers, verifiers, authors."""
    found = {user.email}
    for e in entries:
        giver = (e.details or {}).get("giver")
        found.update(x for x in (giver, e.verified_by, e.author) if isinstance(x, str))
    found.update(r["giver"] for r in doc["recognitions"]["recent"] if r.get("giver"))
    return {f for f in found if f != "hidden" and len(f) <= EMAIL_MAX}


def _names(uow: UnitOfWork, refs: Iterable[str]) -> dict[str, str]:
    """Each handle or email that is a person, as their name (one read)."""
    names: dict[str, str] = {}
    with uow.reading():
        for ref in refs:
            person = uow.people.find(ref)
            if person is not None and not ref.isdigit():
                names[ref] = person.name
    return names


def _manager_handle(uow: UnitOfWork, manager_id: int | None) -> str | None:
    if manager_id is None:
        return None
    with uow.reading():
        found = uow.people.get(manager_id)
    return found.handle if found else None


def _level_name(framework: Framework | None, level: str | None) -> str | None:
    found = framework.levels.get(level) if framework and level else None
    return found.name if found and found.name != level else None


def _readiness(uow: UowFactory, handle: str, words: Vocabulary
               ) -> tuple[dict[str, Any] | None, str | None]:
    """Readiness for the next role, its requirements in words: the gates that fail, the
    rules not met, the competencies short of what the role expects."""
    try:
        found = readiness.readiness_for(uow(), handle)
    except TrellisError as exc:
        return None, words.plain(str(exc))
    return readiness_in_words(found, words), None


def readiness_in_words(found: readiness.PersonReadiness, words: Vocabulary) -> dict[str, Any]:
    """The readiness document with its explanation, gates, rules and gaps in words (the
    person page's summary and competencies, the promotion proposal)."""
    doc: dict[str, Any] = readiness_to_document(found.readiness, found.framework)
    gates = found.readiness.gates  # in the document's order; each detail also in words
    failing = [words.words(g.in_words) for g in gates if not g.holds]
    rules = [f"{words.words(q['name'])}: {words.words(q['detail'])}"
             for q in doc["requirements"]
             if q["kind"] in ("criteria", "points", "title") and not q["met"]]
    # the summary's gaps: those no failing gate already names
    short = [g for g in doc["gaps"] if g["steps_missing"] > 0
             and not any(f.startswith(f"{g['name']} at mastery") for f in failing)]
    gaps = [f"{g['name']}: mastery {g['has']}, needs {g['needs']}" for g in short]
    return {**doc, "explanation": words.words(found.explanation), "failing": failing,
            "rules": rules, "short": gaps[:GAPS_SHOWN],
            "more_gaps": max(0, len(gaps) - GAPS_SHOWN),
            "gates_words": [{**d, "words": words.words(g.in_words)}
                            for d, g in zip(doc["gates"], gates, strict=True)],
            "rules_words": [{**q, "words": f"{words.words(q['name'])}: "
                                           f"{words.words(q['detail'])}"}
                            for q in doc["requirements"]
                            if q["kind"] in ("criteria", "points", "title")]}


def _target_words(target: Mapping[str, Any], words: Vocabulary) -> str:
    if target.get("role"):
        return words.roles.get(target["role"], target["role"])
    if target.get("band"):
        return f"{words.term(target['band'])} level {target.get('band_level')}"
    return words.words(str(target.get("label") or "the chosen competencies"))


def _options(uow: UowFactory, handle: str) -> dict[str, Any] | None:
    try:
        found = lattice.explore(uow(), person=handle, limit=3)
    except TrellisError:
        return None
    options: dict[str, Any] = {kind.value: [lattice.destination_document(d)
                                            for d in found.of(kind)] for kind in found.kinds}
    options["top_of_track"] = found.top_of_track
    return options


def _cases(uow: UowFactory, user: User, handle: str) -> list[dict[str, Any]]:
    """The person's promotion cases (pay and ratings inside: the private circle's)."""
    found, named = cases.list_cases(uow(), Signer.of(user), person_ref=handle)
    summaries = [case_summary(c, named) for c in found]
    words = case_words(uow(), summaries) if summaries else None
    for c in summaries:  # who signs next as the cases page says it: "Skip-level manager: ..."
        c["waiting_words"] = words.step(c["waiting_for"]) if words and c["waiting_for"] else ""
    if summaries:
        accounts.audit(uow(), user, "case.list", f"person/{handle}/cases",
                       {"count": len(summaries)})
    return summaries


def _plan_form(uow: UowFactory, doc: Mapping[str, Any], plan: dict[str, Any] | None,
               refused: dict[str, Any] | None) -> dict[str, Any] | None:
    """The make-a-plan form: a re-plan keeps the active plan's role and capacity."""
    if doc["departed_on"] is not None:
        return None
    targets, following = plan_targets(uow, doc["role"]["id"])
    if not targets:
        return None
    aimed = plan["target"]["role"] if plan else None
    return {"role": aimed if aimed in {t["id"] for t in targets} else following or "",
            "capacity": str(plan["capacity"] or "") if plan else "",
            **(refused or {}), "targets": targets, "next": following}


def _claimed(doc: Mapping[str, Any]) -> dict[str, int]:
    """The mastery the ledger claims, pending steps included: the next step builds on it."""
    claimed: dict[str, int] = {}
    for held in doc.get("pending", []):
        if held["kind"] == "skill_step":
            comp = held["details"]["competency"]
            claimed[comp] = max(claimed.get(comp, 0), held["details"]["to_mastery"])
    return claimed


def _chart_points(entries: Iterable[EventPublic], words: Vocabulary
                  ) -> list[tuple[EventPublic, str]]:
    from .person_words import summary

    by_id = {e.id: e for e in entries if e.id is not None}
    return [(e, summary(e, by_id, words)) for e in entries
            if e.retracted_by is None and e.kind != "retraction"]


def _editable(uow: UowFactory, user: User, handle: str) -> tuple[str, ...]:
    try:
        return accounts.require_details(uow(), user, handle)[1]
    except TrellisError:
        return ()
