"""``trellis readiness``, ``trellis pipeline`` and ``trellis promote``: promotion readiness
for a person, for a team or the organization, and a promotion its gates guard."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from trellis.domain.framework import Framework, Role
from trellis.domain.people import Person
from trellis.domain.readiness import Readiness, readiness_to_document, role_to_document
from trellis.errors import PromotionRefused
from trellis.services import readiness as use

from .context import parse_date, state
from .output import console, print_json, table

PersonArg = Annotated[str, typer.Argument(help="Handle, email or id.")]
Json = Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
BAR_WIDTH = 30


def register(app: typer.Typer) -> None:
    app.command("readiness")(readiness)
    app.command("pipeline")(pipeline)
    app.command("promote")(promote)


def readiness(
    ctx: typer.Context,
    person: PersonArg,
    target: Annotated[str | None, typer.Option(
        help="A role id (default: the next level of the person's track).")] = None,
    at: Annotated[str | None, typer.Option(help="Readiness on this date (YYYY-MM-DD).")]
    = None,
    json: Json = False,
) -> None:
    """How ready a person is for a role: score, gates, gap list and an explanation."""
    found = use.readiness_for(state(ctx).open().uow(), person, target, parse_date(at, "--at"))
    r = found.readiness
    if json:
        print_json({"person": _person(found.person), "as_of": found.profile.as_of,
                    "current": role_to_document(found.current, found.framework),
                    **readiness_to_document(r, found.framework),
                    "explanation": found.explanation})
        return
    console.print(f"[bold]{escape(found.person.name)}[/] ({found.person.handle}) on "
                  f"{found.profile.as_of}: {_role(found.current)} -> {_role(r.target)}",
                  highlight=False)
    print_readiness(r)
    console.print(found.explanation, highlight=False, markup=False)


def print_readiness(r: Readiness) -> None:
    """The score bar, its parts, the gates and the gap table."""
    filled = round(BAR_WIDTH * r.score / 100)
    style = "green" if r.ready else ("yellow" if r.gates_hold else "red")
    bar = Text("█" * filled, style) + Text("░" * (BAR_WIDTH - filled), "dim")
    console.print(Text("readiness ") + bar + Text(f" {r.score:g} / 100 (ready at "
                                                  f"{r.ready_at:g} with every gate holding)"))
    console.print(f"  coverage before freshness     {r.coverage:g}", highlight=False)
    discount = round(r.coverage - r.score, 1)
    console.print(f"  freshness discount            {-discount if discount else 0:g}",
                  highlight=False)
    for rule in r.requirements:
        if rule.kind == "expectations":
            continue  # the gap table below says it
        mark = Text("  ✓ ", "green") if rule.met else Text("  ✗ ", "bold red")
        console.print(mark + Text(f"{rule.name}: {rule.detail}"))
    if not r.gates and not r.blocking and not any(
            q.kind != "expectations" for q in r.requirements):
        console.print("  no gates apply", highlight=False)
    if r.criteria_gaps:
        table(f"Criteria: {r.criteria_missing} to show",  # the id names topic and level
              ["statement", "criterion", "self", "manager", "evidence"],
              [[g.text, g.criterion, _assessed(g.self_assessed),
                _assessed(g.manager_assessed), "stale" if g.stale else "none"]
               for g in r.criteria_gaps])
    if r.gaps:
        table(f"Gap: {r.steps_missing} mastery step{'s' if r.steps_missing != 1 else ''} "
              "missing", ["competency", "has", "needs", "steps missing", "evidence"],
              [[f"{g.name} ({g.competency})", g.has, g.needs, g.steps_missing,
                "stale" if g.stale else ("none" if g.has == 0 else "fresh")]
               for g in r.gaps])


def _assessed(proficiency: int | None) -> str:
    return "-" if proficiency is None else str(proficiency)


def pipeline(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option(
        help="A manager: everyone under them (default: the whole organization).")] = None,
    limit: Annotated[int, typer.Option(min=0, help="Show the first N (0: everyone).")] = 25,
    json: Json = False,
) -> None:
    """Everyone's readiness for the next role of their track, the most ready first."""
    found = use.team_readiness(state(ctx).open().uow(), team)
    entries = found.entries[:limit] if limit else found.entries
    if json:
        print_json({
            "as_of": found.as_of,
            "team": found.manager.handle if found.manager else None,
            "total": len(found.entries),
            "ready": sum(1 for e in found.entries if e.readiness.ready),
            "without_next_role": found.without_next_role,
            "people": [_entry(e, found.framework) for e in entries],
        })
        return
    who = f"team of {found.manager.handle}" if found.manager else "the organization"
    ready = sum(1 for e in found.entries if e.readiness.ready)
    shown = f"; the first {len(entries)}" if len(entries) < len(found.entries) else ""
    table(f"Readiness pipeline of {who} on {found.as_of}: {len(found.entries)} people, "
          f"{ready} ready{shown}",
          ["#", "person", "role", "next role", "score", "coverage", "gates", "steps"],
          [[i, e.person.handle, e.role.id, e.readiness.target.id, f"{e.readiness.score:g}",
            f"{e.readiness.coverage:g}", _gates(e.readiness),
            e.readiness.steps_missing + e.readiness.criteria_missing]
           for i, e in enumerate(entries, start=1)],
          caption=f"{found.without_next_role} at the top of their track, not listed"
          if found.without_next_role else None)


def _gates(r: Readiness) -> Text:
    failed = [g.name.removeprefix("must have ") for g in r.blocking]
    return Text("✓", "green") if not failed else Text("✗ " + ", ".join(failed), "red")


def promote(
    ctx: typer.Context,
    person: PersonArg,
    to: Annotated[str, typer.Option("--to", help="The role promoted into.")],
    pay: Annotated[int | None, typer.Option(
        help="New annual base pay (default: the current pay, raised to the role's pay band "
             "minimum).")] = None,
    on: Annotated[str | None, typer.Option(help="Effective date (default: today).")] = None,
    override: Annotated[str | None, typer.Option(
        help="Promote although a gate fails; the reason is recorded on the event.",
        metavar="REASON")] = None,
    evidence: Annotated[str | None, typer.Option(help="Text or URL backing the promotion.")]
    = None,
) -> None:
    """Record a promotion, refused with the gap list when a readiness gate fails."""
    cli = state(ctx)
    try:
        done = use.promote(cli.open().uow(), person, to, pay=pay, on=parse_date(on, "--on"),
                           override=override, evidence=evidence, author=cli.settings.author)
    except PromotionRefused as refused:
        r = refused.readiness
        console.print(f"Promotion to {_role(r.target)} refused: "
                      f"{len(r.blocking)} requirement(s) fail.",
                      highlight=False, markup=False)
        print_readiness(r)
        raise
    r, p = done.assessed.readiness, done.assessed.profile
    pay_text = f"{done.pay:,} {p.currency}" if done.pay is not None else "not recorded"
    console.print(f"promoted {done.assessed.person.handle} from {_role(done.assessed.current)} "
                  f"to {_role(r.target)} on {done.event.effective_on}, pay {pay_text} "
                  f"(event {done.event.id}); readiness was {r.score:g}%",
                  highlight=False, markup=False)
    if done.overridden:
        console.print(f"override recorded for {', '.join(done.overridden)}: {override}",
                      highlight=False, markup=False)
    elif override:
        console.print("every gate holds: the override was not needed and is not recorded",
                      highlight=False, markup=False)


def _role(role: Role) -> str:
    return f"{role.title} ({role.id}, {role.level})"


def _person(person: Person) -> dict[str, Any]:
    return {"id": person.id, "handle": person.handle, "name": person.name}


def _entry(e: use.PipelineEntry, framework: Framework) -> dict[str, Any]:
    r = e.readiness
    return {
        "person": _person(e.person),
        "role": e.role.id,
        "target": r.target.id,
        "score": r.score,
        "coverage": r.coverage,
        "ready": r.ready,
        "gates_hold": r.gates_hold,
        "failed_gates": [g.name for g in r.blocking],
        "steps_missing": r.steps_missing,
        "criteria_missing": r.criteria_missing,
    }
