"""``trellis plan PERSON``, ``trellis plan show PERSON`` and ``trellis checkin PERSON``.

``plan`` is a group whose default command is ``new``: ``trellis plan alice`` means
``trellis plan new alice``, and ``trellis plan show alice`` shows her plan (a person whose
handle is ``new`` or ``show`` is reached with ``trellis plan new new``).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from trellis.domain.plan import (
    Milestone,
    Plan,
    PlannedStep,
    StepKind,
    StepStatus,
    plan_to_document,
)
from trellis.errors import PlanRejected
from trellis.services import plan_backtest
from trellis.services import plans as use

from .context import parse_date, state
from .output import console, print_json, table

Person = Annotated[str, typer.Argument(help="Handle, email or id.")]
Json = Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
STATEMENT_SHOWN = 120  # characters of a criterion's statement in the table


class _DefaultNew(TyperGroup):
    """A group that runs ``new`` when its first argument is not one of its commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Typer vendors click
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["new", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_DefaultNew, no_args_is_help=True,
                  help="Micro-promotion maps: nano-steps in quarterly milestones, forecast.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="plan")
    root.command("checkin")(checkin)


@app.command("new")
def new(
    ctx: typer.Context,
    person: Person,
    target: Annotated[str | None, typer.Option(
        help="Target role (default: the next role up the person's track).")] = None,
    band: Annotated[str | None, typer.Option(help="Target a skill band level: the band.")]
    = None,
    level: Annotated[str | None, typer.Option(help="With --band: the band level (number "
                                              "or name).")] = None,
    competencies: Annotated[str | None, typer.Option(
        help="Target competencies: comma-separated competency=mastery.")] = None,
    capacity: Annotated[int | None, typer.Option(
        help="Plan at a committed pace of this many median steps a quarter (1-12) instead "
             "of the throughput learned from comparable people and the person's own.")]
    = None,
    quarters: Annotated[int | None, typer.Option(
        help="Refuse a plan longer than this many quarters (default: no limit).")] = None,
    json: Json = False,
) -> None:
    """Plan the nano-steps to a role, a band level or competencies, by quarter."""
    cli = state(ctx)
    view = use.create_plan(cli.open().uow(), person, role=target, band=band,
                           band_level=level, competencies=_pairs(competencies),
                           capacity=capacity, quarters=quarters, author=cli.settings.author)
    _print(view, json)


@app.command("show")
def show(ctx: typer.Context, person: Person, json: Json = False) -> None:
    """Progress against the active plan: steps done, missed, due and upcoming."""
    _print(use.show_plan(state(ctx).open().uow(), person), json)


@app.command("backtest")
def backtest(
    ctx: typer.Context,
    at: Annotated[str, typer.Option(help="Plan for everyone from their profile on this "
                                    "date (YYYY-MM-DD).")],
    limit: Annotated[int, typer.Option(help="People shown (0: none).", min=0)] = 20,
    refreshes: Annotated[bool, typer.Option(
        "--refreshes", help="Count refreshes of stale evidence on both sides.")] = False,
    json: Json = False,
) -> None:
    """Plan for everyone from DATE and score the forecasts against what happened."""
    day = parse_date(at, "--at")
    assert day is not None
    found = plan_backtest.backtest(state(ctx).open().uow(), day, refreshes=refreshes)
    if json:
        print_json(plan_backtest.backtest_to_document(found))
        return
    doc = plan_backtest.backtest_to_document(found, limit=limit)
    out = doc["outcomes"]
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(doc["skipped"].items()))
    lines = [
        f"plans on {doc['at']} scored against the ledger to {doc['ledger_end']}"
        + (", refreshes counted" if refreshes else ""),
        f"employed {doc['employed']}, planned {doc['planned']}"
        + (f" (no plan: {skipped})" if skipped else ""),
        f"reached readiness {doc['reached']}, censored {doc['censored']}; scored "
        f"{doc['scored']}: inside [P10, P90] {out['inside']}, early {out['early']}, late "
        f"{out['late']}; undecided (censored before P90) {out['undecided']}",
        "coverage of [P10, P90]: " + ("n/a" if found.coverage is None
                                      else f"{found.coverage:.1%} (aim 80%)"),
        "coverage counting the undecided: " + (
            "n/a" if found.censored_coverage is None
            else f"{found.censored_coverage:.1%} (Kaplan-Meier over everyone planned)"),
        f"spread {found.spread:g}, likely between {found.spread_range[0]:g} and "
        f"{found.spread_range[1]:g} (fitted on plans before the date)",
        "median P50 error: " + ("n/a" if found.median_error is None else
                                f"{found.median_error:+.1f} months (absolute "
                                f"{found.median_abs_error:.1f}), over the people who "
                                "reached readiness"),
    ]
    for line in lines:
        console.print(line, highlight=False, markup=False)
    rows = [[c["person"], c["target"], str(c["steps"]), c["p10"], c["p50"], c["p90"],
             c["reached_on"] or f"censored {c['censored_on']} ({c['censored_by']})",
             c["outcome"]] for c in doc["cases"]]
    if rows:
        table(f"First {len(rows)} of {doc['planned']}",
              ["person", "target", "steps", "P10", "P50", "P90", "ready", "outcome"], rows)


def checkin(
    ctx: typer.Context,
    person: Person,
    notes: Annotated[str, typer.Option(help="What was discussed, done and missed.")],
    engagement: Annotated[int | None, typer.Option(help="Engagement 1-5.")] = None,
    on: Annotated[str | None, typer.Option(help="Date of the check-in (default: today).")]
    = None,
    early: Annotated[bool, typer.Option(
        "--early", help="Close the plan's current quarter before it has ended.")] = False,
    json: Json = False,
) -> None:
    """Record a check-in; once the plan's quarter has ended (or with --early), close it and
    re-plan what is left."""
    cli = state(ctx)
    result = use.checkin(cli.open().uow(), person, notes=notes, engagement=engagement,
                         on=parse_date(on, "--on"), early=early, author=cli.settings.author)
    closed, new_plan = result.closed, result.replanned
    if json:
        print_json({
            "event_id": result.event.id,
            "closed": plan_to_document(new_plan.plan)["checkins"][-1]
            if closed is not None and new_plan is not None else None,
            "plan_version": new_plan.version if new_plan else None,
            "plan": plan_to_document(new_plan.plan) if new_plan else None,
            "open_until": result.open_until.isoformat() if result.open_until else None,
        })
        return
    console.print(f"recorded check_in for {result.person.handle} on "
                  f"{result.event.effective_on} (event {result.event.id})",
                  highlight=False, markup=False)
    if result.open_until is not None:
        console.print(f"the plan's quarter runs until {result.open_until}: nothing closed "
                      "(--early closes it now)", highlight=False, markup=False)
        return
    if closed is None or new_plan is None:
        console.print("no open plan quarter to close", highlight=False)
        return
    console.print(f"closed quarter {closed.quarter}: done {len(closed.done)}"
                  + (f" ({', '.join(closed.done)})" if closed.done else "")
                  + f", missed {len(closed.missed)}"
                  + (f" ({', '.join(closed.missed)})" if closed.missed else "")
                  + (f", ahead {len(closed.ahead)}" if closed.ahead else ""),
                  highlight=False, markup=False)
    p = new_plan.plan
    if p.complete:
        console.print(f"target reached: {p.target.label}; plan version {new_plan.version}",
                      highlight=False, markup=False)
    else:
        console.print(f"re-planned {len(p.steps)} steps from quarter {p.first_quarter} as "
                      f"version {new_plan.version}" + _forecast_text(p), highlight=False,
                      markup=False)


def _pairs(text: str | None) -> dict[str, int] | None:
    if text is None:
        return None
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not value.strip().lstrip("-").isdigit():
            raise PlanRejected(f"malformed --competencies '{part}': use competency=mastery")
        out[name.strip()] = int(value)
    return out


def _done_by_end(m: Milestone) -> str:
    """The forecast's count of steps done by the quarter's end: eight in ten plans have
    done between its P10 and P90 (a plan stored before the range: the mean)."""
    low, high = m.likely
    return f"{low}-{high} done" if high else f"{m.expected:.1f} on average"


def _pace_text(p: Plan) -> str:
    t = p.throughput
    if t is None:
        return ""
    if t.committed:
        return f"; committed pace {t.rate:g} median steps a quarter"
    own = f"own {t.own_rate:g} over {t.own_quarters:.1f} quarters" if t.own_rate is not None \
        else "no record of their own yet"
    return (f"; throughput {t.rate:.2f} median steps a quarter ({t.prior.group} "
            f"{t.prior.rate:.2f}, worth {t.prior.strength:g} quarters; {own}; "
            f"weight {t.weight:g}); comparable people put {t.focus:.0%} of theirs into "
            "their next role's gaps" + ("" if t.last_focus is None else
                                        f", {t.last_focus:.0%} with one lane of them left")
            + f"; this plan gets {t.plan_focus:.0%}, by the lanes open at each step")


def _forecast_text(p: Plan) -> str:
    f = p.forecast
    if f is None:
        return ""
    return (f"; ready P10 {f.dates[0]}, P50 {f.dates[1]}, P90 {f.dates[2]} "
            f"({f.months[1]:g} months median)")


def _step_text(s: PlannedStep) -> str:
    """A mastery step by its label; a criterion by its statement, in words."""
    if s.criterion is None:
        return s.label
    text = s.text if len(s.text) <= STATEMENT_SHOWN else s.text[:STATEMENT_SHOWN - 3] + "..."
    again = " (again)" if s.kind is StepKind.REFRESH else ""
    return f'demonstrate{again} {s.criterion} ({s.level}): "{text}"'


def _print(view: use.PlanView, json: bool) -> None:
    p, stored = view.stored.plan, view.stored
    if json:
        doc: dict[str, Any] = plan_to_document(p)
        print_json({"person": {"id": view.person.id, "handle": view.person.handle},
                    "version": stored.version, "versions": view.versions,
                    "status": stored.status, "created_at": stored.created_at,
                    "author": stored.author, "readiness_now": view.readiness.score,
                    "progress": [s.value for s in view.statuses], **doc})
        return
    done = sum(s is StepStatus.DONE for s in view.statuses)
    console.print(f"[bold]Plan for {escape(view.person.name)}[/] ({view.person.handle}): "
                  f"{escape(p.target.label)}, version {stored.version} of {view.versions}, "
                  f"from {p.start}", highlight=False)
    console.print(f"readiness {p.readiness:g} at the start, {view.readiness.score:g} now; "
                  f"{done} of {len(p.steps)} steps done" + _pace_text(p) + _forecast_text(p),
                  highlight=False, markup=False)
    if p.note.command:
        console.print(f"note: {p.note.command}", highlight=False, markup=False)
    if p.complete:
        console.print("nothing left to plan" if "plan closed" in p.note.command
                      else "target reached: nothing left to plan", highlight=False)
    rows = []
    for m in p.milestones:
        for k, i in enumerate(m.steps):
            s = p.steps[i]
            rows.append([f"Q{m.quarter} {m.starts}..{m.ends}" if k == 0 else "",
                         _step_text(s), f"{s.months:.1f} ({s.difficulty:g}, {s.source})",
                         view.statuses[i].value, s.reason,
                         f"{m.readiness:g} by {m.forecast_p50} ({_done_by_end(m)})"
                         if k == 0 else ""])
    if rows:
        table("Milestones", ["quarter", "step", "months (difficulty)", "status", "why",
                             "readiness (steps done, 8 in 10)"], rows)
    for c in p.checkins:
        console.print(f"check-in {c.on} closed Q{c.quarter}: done {len(c.done)}, missed "
                      f"{len(c.missed)}" + (f" ({', '.join(c.missed)})" if c.missed else "")
                      + (f"; engagement {c.engagement}" if c.engagement else "")
                      + f"; {c.notes}", highlight=False, markup=False)
