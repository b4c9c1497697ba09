"""The profile as a stable, documented JSON document (see docs/profile-json.md).

Used by ``trellis profile --json``, the API, and the current-state table, so the three
never disagree. ``profile_from_document`` reverses it exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from .events import (
    Event,
    details_from_trusted,
    details_to_mapping,
    goals_from_plain,
    goals_to_plain,
    kind_from_text,
    ratings_from_plain,
    ratings_to_plain,
)
from .profile import (
    Assessment,
    BandUpgrade,
    CompetencyLayer,
    CriterionRecord,
    LayerStep,
    Milestone,
    Profile,
    RecognitionEntry,
    RecognitionSummary,
    ReviewRecord,
)
from .verification import would_change

SCHEMA_VERSION = 1


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def profile_to_document(p: Profile) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "person_id": p.person_id,
        "as_of": p.as_of.isoformat(),
        "active": p.active,
        "hired_on": _d(p.hired_on),
        "departed_on": _d(p.departed_on),
        "role": {
            "id": p.role,
            "title": p.title,
            "track": p.track,
            "level": p.level,
            "level_rank": p.level_rank,
            "since": _d(p.role_since),
            "months_in_role": p.months_in_role,
        },
        "pay": {"base": p.pay, "currency": p.currency, "bonuses": p.bonuses},
        "promotions": {
            "count": p.promotions,
            "last_on": _d(p.last_promotion_on),
            "months_since_last": p.months_since_promotion,
        },
        "micro_progressions": {
            "total": sum(p.micro_progressions.values()),
            "by_kind": dict(sorted(p.micro_progressions.items())),
        },
        "competencies": {
            comp: {
                "mastery": layer.mastery,
                "reached_on": layer.reached_on.isoformat(),
                "steps": [
                    {"on": s.on.isoformat(), "from": s.from_mastery, "to": s.to_mastery,
                     "event_id": s.event_id}
                    for s in layer.steps
                ],
            }
            for comp, layer in sorted(p.mastery.items())
        },
        "responsibilities": dict(sorted(p.responsibilities.items())),
        "recognitions": {
            "count": p.recognitions.count,
            "points": p.recognitions.points,
            "by_kind": dict(sorted(p.recognitions.by_kind.items())),
            "last_on": _d(p.recognitions.last_on),
            "recent": [
                {"on": r.on.isoformat(), "event_id": r.event_id, "kind": r.recognition_kind,
                 "points": r.points, "citation": r.citation, "giver": r.giver}
                for r in p.recognitions.recent
            ],
        },
        "certifications": [_milestone(m) for m in p.certifications],
        "projects_led": [_milestone(m) for m in p.projects],
        "bands": dict(sorted(p.bands.items())),
        "band_upgrades": [
            {"on": u.on.isoformat(), "band": u.band, "from": u.from_level, "to": u.to_level,
             "trigger_event_id": u.trigger, "pay_before": u.pay_before,
             "pay_after": u.pay_after}
            for u in p.band_upgrades
        ],
        "criteria": {
            c: {"demonstrated_on": _d(r.demonstrated_on),
                "demonstrated_event_id": r.demonstrated_event,
                "demonstrations": r.demonstrations,
                "assessments": {who: {"on": a.on.isoformat(), "proficiency": a.proficiency,
                                      "event_id": a.event_id}
                                for who, a in sorted(r.assessments.items())}}
            for c, r in sorted(p.criteria.items())
        },
        "reviews": {
            cycle: {role: [_review(r) for r in records]
                    for role, records in sorted(by_role.items())}
            for cycle, by_role in sorted(p.reviews.items())
        },
        "engagement": p.engagement,
        "last_event_on": _d(p.last_event_on),
        "framework_version": p.framework_version,
        "pending": [_pending(e) for e in p.pending],
    }


def _pending(e: Event) -> dict[str, Any]:
    """A held event: what the person and their manager see, and what a fold resumed from
    a stored profile needs to release it later."""
    return {"event_id": e.id, "kind": e.kind.value, "on": e.effective_on.isoformat(),
            "would_change": would_change(e), "details": details_to_mapping(e.details),
            "evidence": e.evidence, "verifier": e.verifier, "author": e.author,
            "recorded_at": e.recorded_at.isoformat(), "framework_version": e.framework_version}


def _pending_back(person_id: int, doc: dict[str, Any]) -> Event:
    return Event(doc["event_id"], person_id, date.fromisoformat(doc["on"]),
                 details_from_trusted(kind_from_text(doc["kind"]), dict(doc["details"])),
                 datetime.fromisoformat(doc["recorded_at"]), doc["author"], doc["evidence"],
                 doc["verifier"], doc["framework_version"], self_reported=True)


def _review(r: ReviewRecord) -> dict[str, Any]:
    doc = {"on": r.on.isoformat(), "event_id": r.event_id, "rating": r.rating,
           "ratings": ratings_to_plain(r.ratings), "goals": goals_to_plain(r.goals),
           "comment": r.comment}
    if r.calibrated is not None:  # only a calibrated manager review carries the two keys,
        # so documents (and stored checkpoints) from before calibration read unchanged
        doc.update(calibrated=r.calibrated, calibration_event_id=r.calibration_event)
    return doc


def _review_back(r: dict[str, Any]) -> ReviewRecord:
    return ReviewRecord(date.fromisoformat(r["on"]), r["event_id"], r["rating"],
                        ratings_from_plain(r["ratings"]), goals_from_plain(r["goals"]),
                        r["comment"], r.get("calibrated"), r.get("calibration_event_id"))


def _milestone(m: Milestone) -> dict[str, Any]:
    doc: dict[str, Any] = {"on": m.on.isoformat(), "event_id": m.event_id, "title": m.title}
    if m.competency is not None:
        doc["competency"] = m.competency
    return doc


def profile_from_document(doc: dict[str, Any], *, history: bool = True,
                          reviews: bool = True) -> Profile:
    """The profile a document describes. ``history=False`` leaves out each competency
    layer's steps (its mastery and date stay) and the recent recognitions, for org-wide
    reads that only need where each person stands; ``reviews=False`` the reviews too
    (readiness never reads them; they are a fifth of reading a profile back)."""
    role, pay, promotions = doc["role"], doc["pay"], doc["promotions"]
    return Profile(
        person_id=doc["person_id"],
        as_of=date.fromisoformat(doc["as_of"]),
        hired_on=_date(doc["hired_on"]),
        departed_on=_date(doc["departed_on"]),
        role=role["id"],
        title=role["title"],
        track=role["track"],
        level=role["level"],
        level_rank=role["level_rank"],
        pay=pay["base"],
        currency=pay["currency"],
        role_since=_date(role["since"]),
        last_promotion_on=_date(promotions["last_on"]),
        promotions=promotions["count"],
        mastery={
            comp: CompetencyLayer(
                comp,
                layer["mastery"],
                date.fromisoformat(layer["reached_on"]),
                tuple(
                    LayerStep(date.fromisoformat(s["on"]), s["from"], s["to"], s["event_id"])
                    for s in layer["steps"]
                ) if history else (),
            )
            for comp, layer in doc["competencies"].items()
        },
        responsibilities=dict(doc["responsibilities"]),
        recognitions=RecognitionSummary(
            doc["recognitions"]["count"],
            doc["recognitions"]["points"],
            dict(doc["recognitions"]["by_kind"]),
            tuple(
                RecognitionEntry(date.fromisoformat(r["on"]), r["event_id"], r["kind"],
                                 r["points"], r["citation"], r["giver"])
                for r in doc["recognitions"]["recent"]
            ) if history else (),
        ),
        certifications=tuple(_milestone_back(m) for m in doc["certifications"]),
        projects=tuple(_milestone_back(m) for m in doc["projects_led"]),
        micro_progressions=dict(doc["micro_progressions"]["by_kind"]),
        bonuses=pay["bonuses"],
        engagement=doc["engagement"],
        last_event_on=_date(doc["last_event_on"]),
        framework_version=doc["framework_version"],
        bands=dict(doc.get("bands", {})),
        band_upgrades=tuple(
            BandUpgrade(date.fromisoformat(u["on"]), u["band"], u["from"], u["to"],
                        u["trigger_event_id"], u["pay_before"], u["pay_after"])
            for u in doc.get("band_upgrades", [])
        ),
        criteria={c: _criterion_back(c, r) for c, r in doc.get("criteria", {}).items()},
        reviews={cycle: {role: tuple(_review_back(r) for r in records)
                         for role, records in by_role.items()}
                 for cycle, by_role in doc.get("reviews", {}).items()} if reviews else {},
        # Absent from profiles stored before pending verification: nothing was held then.
        pending=tuple(_pending_back(doc["person_id"], e) for e in doc.get("pending", ())),
    )


_NO_ASSESSMENTS: Mapping[str, Assessment] = MappingProxyType({})
_fromisoformat = date.fromisoformat


def _criterion_back(criterion: str, r: dict[str, Any]) -> CriterionRecord:
    # The hot path of an org-wide readiness on a criteria framework (300 records a person):
    # tuple.__new__ skips the named tuple's Python-level constructor.
    said = r["assessments"]
    shown = r["demonstrated_on"]
    return tuple.__new__(CriterionRecord, (
        criterion, _fromisoformat(shown) if shown else None, r["demonstrated_event_id"],
        r["demonstrations"],
        {who: Assessment(_fromisoformat(a["on"]), a["proficiency"], a["event_id"])
         for who, a in said.items()} if said else _NO_ASSESSMENTS))


def _milestone_back(m: dict[str, Any]) -> Milestone:
    return Milestone(date.fromisoformat(m["on"]), m["event_id"], m["title"],
                     m.get("competency"))
