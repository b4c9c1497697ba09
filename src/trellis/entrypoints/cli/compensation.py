"""``trellis comp ...``: compensation cycles, raise proposals and their approval.

``trellis log compensation`` still records a raise directly, for a personal journal or
for history imported from elsewhere; ``comp`` is how an organization decides one.
"""

from __future__ import annotations

from typing import Annotated

import typer

from trellis.domain.compensation import (
    CompCycleStatus,
    Proposal,
    RaiseKind,
    amount_from_text,
    budget_percent_from_text,
    percent_from_text,
)
from trellis.errors import InvalidEvent
from trellis.services import compensation as use

from .context import parse_date, state
from .output import console, print_json, table

app = typer.Typer(help="Compensation cycles and raises that need an approver.",
                  no_args_is_help=True)
cycle_app = typer.Typer(help="Open, close, reopen, apply and list compensation cycles.",
                        no_args_is_help=True)
app.add_typer(cycle_app, name="cycle")

By = Annotated[str, typer.Option("--by", help="Who does it: a person (handle, email or id), "
                                 "or an HR account's email.", metavar="WHO")]
Percent = Annotated[str | None, typer.Option(help="The raise as a percent of base pay.")]
Amount = Annotated[str | None, typer.Option(help="The raise as an amount of base pay.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="comp")


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@cycle_app.command("open")
def open_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The cycle's name, e.g. 2026-merit.")],
    effective: Annotated[str, typer.Option(help="When the raises take effect, YYYY-MM-DD.")],
    budget_percent: Annotated[str, typer.Option(help="Each group's budget, as a percent of "
                                                "its payroll.")],
    team: Annotated[str | None, typer.Option(help="Only everyone under this manager "
                                             "(default: everyone active).",
                                             metavar="MGR")] = None,
) -> None:
    """Open a compensation cycle for everyone active with a known pay, or a manager's org."""
    on = parse_date(effective, "--effective")
    assert on is not None
    percent = budget_percent_from_text(budget_percent)
    cli = state(ctx)
    cycle, count = use.open_cycle(cli.open().uow(), name, on, percent, team=team,
                                  author=cli.settings.author)
    _say(f"opened compensation cycle '{cycle.name}' (effective {cycle.effective_on}, budget "
         f"{cycle.budget_percent:g}% of payroll) for {count:,} people")


@cycle_app.command("close")
def close(ctx: typer.Context,
          name: Annotated[str, typer.Argument(help="The cycle's name.")]) -> None:
    """Close a cycle: no new proposals (approvals go on) until it is reopened."""
    cli = state(ctx)
    cycle = use.set_status(cli.open().uow(), name, CompCycleStatus.CLOSED,
                           author=cli.settings.author)
    _say(f"closed compensation cycle '{cycle.name}'")


@cycle_app.command("reopen")
def reopen(ctx: typer.Context,
           name: Annotated[str, typer.Argument(help="The cycle's name.")]) -> None:
    """Reopen a closed cycle."""
    cli = state(ctx)
    cycle = use.set_status(cli.open().uow(), name, CompCycleStatus.OPEN,
                           author=cli.settings.author)
    _say(f"reopened compensation cycle '{cycle.name}'")


@cycle_app.command("apply")
def apply(ctx: typer.Context,
          name: Annotated[str, typer.Argument(help="The cycle's name.")]) -> None:
    """Write the approved raises as compensation events at the effective date, all at once."""
    cli = state(ctx)
    events = use.apply_cycle(cli.open().uow(), name, author=cli.settings.author)
    _say(f"applied compensation cycle '{name.strip()}': {len(events):,} raise(s) written")


@cycle_app.command("list")
def list_(ctx: typer.Context,
          json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every compensation cycle, earliest effective date first."""
    found = use.cycles(state(ctx).open().uow())
    if json:
        print_json([use.cycle_document(c, n, k) for c, n, k in found])
        return
    table("Compensation cycles", ["cycle", "effective", "budget", "status", "people",
                                  "proposals"],
          [(c.name, c.effective_on, f"{c.budget_percent:g}%", c.status, f"{n:,}", f"{k:,}")
           for c, n, k in found])


def _change(amount: str | None, percent: str | None) -> tuple[int | None, float | None]:
    if (amount is None) == (percent is None):
        raise InvalidEvent("give exactly one of --percent or --amount")
    return (amount_from_text(amount) if amount is not None else None,
            percent_from_text(percent) if percent is not None else None)


def _said(p: Proposal, handle: str) -> str:
    what = f"{p.percent:+g}% ({p.amount:+,})" if p.percent is not None else f"{p.amount:+,}"
    nxt = p.next_step
    waits = (f", awaiting step {nxt.index + 1} ({nxt.approver})" if nxt is not None else "")
    notes = "".join(f"; warning: {w}" for w in (p.band_warning,) if w)
    notes += "; over budget" if p.over_budget else ""
    return f"proposal {p.id}: {p.kind} raise of {what} for {handle}, {p.status}{waits}{notes}"


@app.command()
def propose(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="The cycle's name.")],
    person: Annotated[str, typer.Argument(help="Who gets the raise (handle, email or id).")],
    by: By,
    kind: Annotated[RaiseKind, typer.Option(help="merit, adjustment or promotion.")]
    = RaiseKind.MERIT,
    percent: Percent = None,
    amount: Amount = None,
    reason: Annotated[str | None, typer.Option(help="Why; required outside the pay band "
                                               "or over budget.")] = None,
) -> None:
    """Propose a raise in a cycle: checked against the pay band and the group's budget."""
    money, share = _change(amount, percent)
    uow = state(ctx).open().uow
    done = use.propose(uow(), cycle, person, kind, amount=money, percent=share,
                       reason=reason, by=use.signer_for(uow(), by))
    _say(_said(done.proposal, done.person.handle))


@app.command("raise")
def raise_(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who gets the raise (handle, email or id).")],
    reason: Annotated[str, typer.Option(help="Why the raise, outside any cycle.")],
    by: By,
    kind: Annotated[RaiseKind, typer.Option(help="merit, adjustment or promotion.")]
    = RaiseKind.ADJUSTMENT,
    percent: Percent = None,
    amount: Amount = None,
) -> None:
    """Propose an off-cycle raise: written to the ledger only once the chain approves it."""
    money, share = _change(amount, percent)
    if not reason.strip():
        raise InvalidEvent("give --reason: an off-cycle raise says why")
    uow = state(ctx).open().uow
    done = use.propose(uow(), None, person, kind, amount=money, percent=share,
                       reason=reason, by=use.signer_for(uow(), by))
    extra = f" (event {done.event.id})" if done.event else ""
    _say(_said(done.proposal, done.person.handle) + extra)


@app.command()
def approve(ctx: typer.Context,
            proposal: Annotated[int, typer.Argument(help="The proposal's id.", metavar="ID")],
            by: By) -> None:
    """Sign a proposal's next step; an off-cycle raise is written once the last one signs."""
    uow = state(ctx).open().uow
    done = use.approve(uow(), proposal, by=use.signer_for(uow(), by))
    extra = f" (event {done.event.id})" if done.event else ""
    _say(_said(done.proposal, done.person.handle) + extra)


@app.command()
def decline(ctx: typer.Context,
            proposal: Annotated[int, typer.Argument(help="The proposal's id.", metavar="ID")],
            by: By,
            reason: Annotated[str, typer.Option(help="Why it is declined.")]) -> None:
    """Decline a proposal, with a reason (its current step's approver)."""
    uow = state(ctx).open().uow
    done = use.decline(uow(), proposal, reason, by=use.signer_for(uow(), by))
    _say(_said(done.proposal, done.person.handle))


@app.command()
def withdraw(ctx: typer.Context,
             proposal: Annotated[int, typer.Argument(help="The proposal's id.", metavar="ID")],
             by: By,
             reason: Annotated[str | None, typer.Option(
                 help="Why the approved raise is withdrawn (required).")] = None) -> None:
    """Withdraw an approved raise before its cycle is applied (its proposer, the proposer's
    managers or HR); an applied raise is corrected by a new event instead."""
    uow = state(ctx).open().uow
    done = use.withdraw(uow(), proposal, reason, by=use.signer_for(uow(), by))
    w = done.proposal.withdrawal
    assert w is not None
    _say(_said(done.proposal, done.person.handle) + f" by {w.by}: {w.reason}")


@app.command()
def show(ctx: typer.Context,
         cycle: Annotated[str, typer.Argument(help="The cycle's name.")],
         json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A cycle per group (payroll, budget, proposed, approved, remaining) and per person."""
    view = use.cycle_view(state(ctx).open().uow(), cycle)
    if json:
        print_json(use.view_document(view))
        return
    c = view.cycle
    _say(f"{c.name}: effective {c.effective_on}, budget {c.budget_percent:g}% of payroll, "
         f"{c.status}")
    table("Budget per group", ["group", "payroll", "budget", "proposed", "approved",
                               "remaining"],
          [(view.group_names[g], f"{s.payroll:,}", f"{s.budget:,}", f"{s.proposed:,}",
            f"{s.approved:,}", f"{s.remaining:,}") for g, s in view.groups.items()])
    table("People", ["person", "group", "pay", "band position", "proposal", "status"],
          [(r.person.handle, view.group_names[r.group_id],
            f"{r.pay:,}" if r.pay is not None else "-",
            f"{r.position:.0%}" if r.position is not None else "-",
            (f"{r.proposal.amount:+,}" + (f" ({r.proposal.percent:+g}%)"
                                          if r.proposal.percent is not None else ""))
            if r.proposal else "-",
            f"{r.proposal.status} (#{r.proposal.id})" if r.proposal else "-")
           for r in view.rows])
    if view.withdrawn:
        table("Withdrawn raises", ["proposal", "person", "raise", "withdrawn by", "on",
                                   "reason"],
              [(f"#{r.proposal.id}", r.person.handle, f"{r.proposal.amount:+,}",
                r.proposal.withdrawal.by, f"{r.proposal.withdrawal.at:%Y-%m-%d %H:%M}",
                r.proposal.withdrawal.reason)
               for r in view.withdrawn if r.proposal and r.proposal.withdrawal])
