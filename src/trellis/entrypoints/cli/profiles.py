"""``trellis profile`` and ``trellis timeline``: a person's career, at a date and over time."""

# No `from __future__ import annotations` here: Typer reads each command's annotations at
# every start, and as strings it would compile every one of them again (eval).

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.text import Text

from trellis.domain.events import Advance, Assessor
from trellis.domain.framework import Framework
from trellis.domain.profile import BandUpgrade, Profile
from trellis.domain.profile_document import profile_to_document
from trellis.domain.rules import RulesReport, rules_to_document
from trellis.domain.verification import would_change
from trellis.services import profiles as use

from .context import parse_date, state
from .output import console, print_json, table

if TYPE_CHECKING:  # the criteria's layers, the timeline and upward reviews load when shown
    from trellis.domain.criteria_layers import CriterionLayer

Person = Annotated[str, typer.Argument(help="Handle, email or id.")]
Json = Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)
    app.command("timeline")(timeline)


def profile(
    ctx: typer.Context,
    person: Person,
    at: Annotated[str | None, typer.Option(help="The profile on this date (YYYY-MM-DD).")]
    = None,
    json: Json = False,
) -> None:
    """A person's state: role, pay, competency layers, duties, recognition, progress."""
    found = use.profile(state(ctx).open().uow(), person, parse_date(at, "--at"))
    p = found.profile
    if json:
        from trellis.domain.upward import without_upward

        rules = found.rules
        print_json({"person": {"id": found.person.id, "handle": found.person.handle,
                               "name": found.person.name},
                    **without_upward(profile_to_document(p)),
                    "rules": rules_to_document(rules) if rules else None})
        return
    status = "left on " + str(p.departed_on) if p.departed_on else (
        "active" if p.hired_on else "not yet hired")
    console.print(f"[bold]{escape(found.person.name)}[/] ({found.person.handle}) on {p.as_of}: "
                  f"{status}", highlight=False)
    if p.role:
        pay = f"{p.pay:,} {p.currency}" if p.pay is not None else "not recorded"
        console.print(
            f"{escape(p.title or '')} ({p.role}), level {p.level}, since {p.role_since} "
            f"({p.months_in_role} months); pay {pay}; hired {p.hired_on}",
            highlight=False,
        )
        console.print(
            (f"promotions: {p.promotions} (last on {p.last_promotion_on}, "
             f"{p.months_since_promotion} months ago)" if p.last_promotion_on else
             f"promotions: none in {p.months_since_promotion} months since the hire")
            + "; micro-progressions: "
            f"{sum(p.micro_progressions.values())} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(p.micro_progressions.items()))})",
            highlight=False,
        )
    if p.mastery:
        table("Competency layers", ["competency", "mastery", "reached", "steps"],
              [[c, layer.mastery, layer.reached_on,
                " ".join(f"{s.to_mastery}@{s.on}" for s in layer.steps)]
               for c, layer in sorted(p.mastery.items())])
    if p.criteria:
        _print_criteria(p, found.framework)
    if p.responsibilities:
        table("Responsibilities", ["function", "share"],
              [[f, f"{s:.0%}"] for f, s in sorted(p.responsibilities.items())])
    rules = found.rules
    if rules is not None:
        _print_rules(rules, p.band_upgrades)
    if p.pending:
        table("Pending verification (counts once someone else runs `trellis verify EVENT`)",
              ["event", "on", "kind", "would change", "evidence"],
              [[e.id, e.effective_on, e.kind.value, would_change(e), e.evidence or "-"]
               for e in p.pending])
    r = p.recognitions
    if r.count:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(r.by_kind.items()))
        table(f"Recognitions: {r.count} ({kinds}), {r.points} points; the latest",
              ["on", "kind", "points", "from", "for"],
              [[e.on, e.recognition_kind, e.points, e.giver, e.citation]
               for e in r.recent[-5:]])


def _print_criteria(p: Profile, framework: Framework | None) -> None:
    """Criteria met per topic, each with its self, manager and peer assessments side by
    side (never averaged)."""
    from trellis.domain.criteria_layers import topic_layers

    role = framework.roles.get(p.role) if framework and p.role else None
    topics = topic_layers(p.criteria, framework, role.criteria if role else (), p.track)
    for topic in topics:
        met = (f"{topic.met_expected} of the {topic.expected} criteria the role expects met"
               if topic.expected else f"{topic.met} met")
        table(f"{topic.name}: {met}",
              ["criterion", "met", "demonstrated", "self", "manager", "peer"],
              [[c.text, _met(c),
                f"{c.demonstrated_on} x{c.demonstrations}" if c.demonstrated_on else "-",
                *(_assessment(c, who) for who in Assessor)]
               for c in topic.criteria])
    if framework is not None:
        policy = framework.criteria_policy
        words = ", ".join(f"{m} {policy.scale.describe(m).split(':', 1)[0]}"
                          for m in range(policy.scale.max + 1))
        console.print(f"proficiency: {words}; an assessment meets a criterion at "
                      f"{policy.met_at} or its own proficiency"
                      + ("" if policy.self_assessment_counts else
                         " (a self-assessment alone does not)"), highlight=False)


def _met(c: "CriterionLayer") -> Text:
    return Text(str(c.met_on), "green") if c.met_on else Text("no", "dim")


def _assessment(c: "CriterionLayer", who: Assessor) -> str:
    found = c.assessments.get(who.value)
    return "-" if found is None else f"{found.proficiency} ({found.on})"


def _print_rules(rules: RulesReport, upgrades: tuple[BandUpgrade, ...]) -> None:
    for e in rules.expectations:
        if not e.expected:
            continue  # a role that expects criteria only: the criteria tables say it
        gaps = ", ".join(f"{c} {has}/{need}" for c, (has, need) in e.gaps.items())
        console.print(f"expectations of {e.role} ({escape(e.title)}): {e.met} of {e.expected} "
                      f"met" + (f"; short: {gaps}" if gaps else ""), highlight=False)
    for pts in rules.points:
        bands = ", ".join(f"{b} {v:g}" for b, v in pts.per_band.items() if v)
        console.print(f"points ({pts.rule}): {pts.total:g} [{bands}] -> level "
                      f"{pts.level or 'none'}; eligible: "
                      f"{', '.join(pts.eligible_titles) or 'none'}", highlight=False,
                      markup=False)
    if rules.bands:
        last = {u.band: u.on for u in upgrades}
        table("Skill bands", ["band", "level", "since", "next"],
              [[b.band, f"{b.level} {b.level_name or ''}".strip(), last.get(b.band),
                b.next_level or "top level"] for b in rules.bands])


def timeline(ctx: typer.Context, person: Person, json: Json = False) -> None:
    """Every event in order: promotions and micro-progressions marked apart.

    Upward reviews are left out: they are anonymous to the manager, and ``review show``
    gives them aggregated."""
    from trellis.domain.timeline import entry_document
    from trellis.domain.upward import upward_events

    found, entries = use.timeline(state(ctx).open().uow(), person)
    hidden = upward_events(e.event for e in entries if e.event is not None)
    entries = [e for e in entries if e.event is None or e.event.id not in hidden]
    if json:
        print_json([entry_document(e) for e in entries])
        return
    marks = {Advance.PROMOTION: Text("▲ promotion", "bold green"),
             Advance.MICRO: Text("• micro", "cyan"), Advance.NONE: Text("  -", "dim")}
    table(f"Timeline of {found.name} ({found.handle})", ["id", "on", "advance", "what"],
          [[e.id if e.id is not None else "", e.on, marks[e.advance],
            Text(f"{e.summary} (retracted by {e.retracted_by})", "strike dim")
            if e.retracted_by else f"{e.summary} (pending verification)" if e.pending
            else e.summary]
           for e in entries])
