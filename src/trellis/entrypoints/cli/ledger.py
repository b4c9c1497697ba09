"""``trellis log KIND PERSON`` and ``trellis retract EVENT``: append to the ledger."""

# No `from __future__ import annotations` here: Typer reads each command's annotations at
# every start, and as strings it would compile every one of them again (eval).

from typing import Annotated, Any

import typer

from trellis.domain.events import DETAILS, EventKind, kind_from_text
from trellis.errors import InvalidEvent
from trellis.services import clock
from trellis.services import ledger as use

from .context import parse_date, state
from .output import console

# CLI option -> details field. Options are shared across kinds; each kind takes only its own.
OPTION_FIELDS = {
    "role": "role", "pay": "pay", "currency": "currency", "competency": "competency",
    "from_": "from_mastery", "to": "to_mastery", "certification": "certification",
    "issuer": "issuer", "project": "project", "team_size": "team_size",
    "function": "function", "share": "share", "description": "description",
    "citation": "citation", "recognition_kind": "recognition_kind", "points": "points",
    "giver": "giver", "amount": "amount", "percent": "percent",
    "compensation_kind": "compensation_kind", "engagement": "engagement", "notes": "notes",
    "departure_kind": "departure_kind", "override_reason": "override_reason",
    "criterion": "criterion", "proficiency": "proficiency", "assessor": "assessor",
}


def register(app: typer.Typer) -> None:
    app.command("log")(log)
    app.command("retract")(retract)
    app.command("verify")(verify)


def log(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="Event kind: " + ", ".join(
        k.value for k in EventKind
        if k not in (EventKind.RETRACTION, EventKind.VERIFICATION, EventKind.REVIEW,
                     EventKind.CALIBRATION)))],
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    on: Annotated[str | None, typer.Option(help="Effective date (default: today).")] = None,
    evidence: Annotated[str | None, typer.Option(help="Text or URL backing the event.")]
    = None,
    verifier: Annotated[str | None, typer.Option(help="Who verified the evidence.")] = None,
    role: Annotated[str | None, typer.Option(help="hire, promotion, lateral_move")] = None,
    pay: Annotated[int | None, typer.Option(help="New annual base pay.")] = None,
    currency: Annotated[str | None, typer.Option(help="hire")] = None,
    competency: Annotated[str | None, typer.Option(help="skill_step, certification")] = None,
    from_: Annotated[int | None, typer.Option("--from", help="skill_step: mastery before.")]
    = None,
    to: Annotated[int | None, typer.Option(help="skill_step: mastery after.")] = None,
    certification: Annotated[str | None, typer.Option(help="certification name")] = None,
    issuer: Annotated[str | None, typer.Option(help="certification issuer")] = None,
    project: Annotated[str | None, typer.Option(help="project_leadership")] = None,
    team_size: Annotated[int | None, typer.Option(help="project_leadership")] = None,
    function: Annotated[str | None, typer.Option(help="responsibility: a track id")] = None,
    share: Annotated[float | None, typer.Option(help="responsibility: share of time 0-1")]
    = None,
    description: Annotated[str | None, typer.Option(help="responsibility")] = None,
    citation: Annotated[str | None, typer.Option("--for", help="recognition: what for")]
    = None,
    recognition_kind: Annotated[str | None, typer.Option(
        help="recognition: kudos, award, spot_bonus")] = None,
    points: Annotated[int | None, typer.Option(help="recognition points")] = None,
    giver: Annotated[str | None, typer.Option(help="recognition: who gave it")] = None,
    amount: Annotated[int | None, typer.Option(help="compensation or spot bonus amount")]
    = None,
    percent: Annotated[float | None, typer.Option(help="compensation: percent of base")]
    = None,
    compensation_kind: Annotated[str | None, typer.Option(
        help="compensation: merit, adjustment, bonus, promotion")] = None,
    engagement: Annotated[int | None, typer.Option(help="check_in: 1-5")] = None,
    notes: Annotated[str | None, typer.Option(help="check_in, departure")] = None,
    departure_kind: Annotated[str | None, typer.Option(
        help="departure: voluntary, involuntary, retirement")] = None,
    override_reason: Annotated[str | None, typer.Option(help="promotion")] = None,
    criterion: Annotated[str | None, typer.Option(help="demonstrated, assessed: a criterion "
                                                  "id")] = None,
    proficiency: Annotated[int | None, typer.Option(
        help="assessed: on the framework's proficiency scale")] = None,
    assessor: Annotated[str | None, typer.Option(
        help="assessed: self, manager (default) or peer")] = None,
) -> None:
    """Record an event: a promotion, a micro-progression, a check-in or a departure."""
    event_kind = kind_from_text(kind)
    if event_kind is EventKind.RETRACTION:
        raise InvalidEvent("use `trellis retract EVENT_ID --reason ...` to retract an event")
    if event_kind is EventKind.VERIFICATION:
        raise InvalidEvent("use `trellis verify EVENT_ID` to verify an event's evidence")
    if event_kind is EventKind.REVIEW:
        raise InvalidEvent("use `trellis review submit CYCLE PERSON ...` to submit a review")
    if event_kind is EventKind.CALIBRATION:
        raise InvalidEvent("use `trellis calibrate change SESSION PERSON ...` to calibrate a "
                           "rating")
    given = {k: v for k, v in locals().items() if k in OPTION_FIELDS and v is not None}
    accepted = {f for f in DETAILS[event_kind].__dataclass_fields__}
    fields: dict[str, Any] = {}
    for option, value in given.items():
        field = OPTION_FIELDS[option]
        if field not in accepted:
            flag = "--" + option.rstrip("_").replace("_", "-")
            flag = "--for" if option == "citation" else flag
            raise InvalidEvent(f"{flag} does not apply to {event_kind}")
        fields[field] = value
    cli = state(ctx)
    event = use.record_event(cli.open().uow(), person, event_kind,
                             parse_date(on, "--on") or clock.today(), fields,
                             author=cli.settings.author, evidence=evidence, verifier=verifier)
    console.print(f"recorded {event.kind} for {person} on {event.effective_on} "
                  f"(event {event.id})", highlight=False, markup=False)


def retract(
    ctx: typer.Context,
    event_id: Annotated[int, typer.Argument(help="The id of the event to cancel.")],
    reason: Annotated[str, typer.Option(help="Why it is retracted (kept on the ledger).")],
) -> None:
    """Cancel an earlier event with a reason; the ledger keeps both."""
    cli = state(ctx)
    event = use.retract_event(cli.open().uow(), event_id, reason, author=cli.settings.author)
    console.print(f"retracted event {event_id} (retraction is event {event.id})")


def verify(
    ctx: typer.Context,
    event_id: Annotated[int, typer.Argument(help="The event whose evidence you checked.")],
    notes: Annotated[str | None, typer.Option(help="What you checked.")] = None,
) -> None:
    """Vouch for an event's evidence (as TRELLIS_AUTHOR; not the event's own author)."""
    cli = state(ctx)
    event = use.verify_event(cli.open().uow(), event_id, author=cli.settings.author,
                             notes=notes)
    console.print(f"verified event {event_id} (verification is event {event.id})")

