"""``trellis case ...``: promotion cases, from nomination to decision.

Who acts is ``--by WHO``: an account's email, or a person's handle (an HR admin when an HR
account is linked to them). ``trellis promote`` still records a promotion decided outside
Trellis (history, a personal journal); a case is how one is decided inside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trellis.adapters.case_export import case_html
from trellis.domain.approvals import Signer
from trellis.domain.case_names import CaseNames
from trellis.domain.cases import CaseStatus, Decision
from trellis.errors import InvalidEvent
from trellis.services import cases as use
from trellis.services.case_documents import case_document, case_summary, names_mentioned

from .context import CliState, parse_date, state
from .output import console, print_json, table

app = typer.Typer(help="Promotion cases: nominate, comment, approve, decline, defer.",
                  no_args_is_help=True)

CaseId = Annotated[int, typer.Argument(help="The case's id.", metavar="ID")]
By = Annotated[str, typer.Option("--by", help="Who signs: an account email or a handle.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="case")


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


def _operator(cli: CliState) -> Signer:
    """Whoever runs the command: it holds the database, so it reads every case (signing
    always names someone with --by)."""
    return Signer(None, cli.settings.author, is_hr=True)


@app.command("open")
def open_(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who is nominated (handle, email or id).")],
    to: Annotated[str, typer.Option("--to", help="The target role's id.")],
    justification: Annotated[str, typer.Option(help="Why: the case for the promotion.")],
    pay: Annotated[int | None, typer.Option(help="Proposed base pay (default: the current "
                                            "pay raised to the band's minimum).")] = None,
    pay_reason: Annotated[str | None, typer.Option(help="Why, when the pay is outside the "
                                                   "target role's band.")] = None,
    on: Annotated[str | None, typer.Option(help="Effective date, YYYY-MM-DD (default: "
                                           "today).")] = None,
    by: Annotated[str | None, typer.Option(help="Who nominates: the person, a manager in "
                                           "their chain or an HR admin (default: their "
                                           "manager).")] = None,
) -> None:
    """Open a promotion case: nothing is promoted until its approvers sign."""
    effective = parse_date(on, "--on")
    uow = state(ctx).open().uow
    nominator = use.signer_named(uow(), by) if by else use.manager_of(uow(), person)
    opened = use.open_case(uow(), person, to, justification=justification, by=nominator,
                           pay=pay, pay_reason=pay_reason, on=effective)
    c = opened.case
    chain = ", ".join(s.approver.value + (" (falls to HR)" if s.fell_to_hr else "")
                      for s in c.steps)
    _say(f"opened case {c.id}: {person.strip()} to {c.to_role} on {c.effective_on}"
         + (f", pay {c.pay:,}" if c.pay is not None else "") + f"; approvals: {chain}")
    if opened.warning:
        _say(f"warning: {opened.warning} (reason: {c.pay_reason})")


@app.command()
def comment(ctx: typer.Context, case_id: CaseId,
            text: Annotated[str, typer.Argument(help="The comment.")],
            by: Annotated[str | None, typer.Option(help="Who writes it (default: "
                                                   "TRELLIS_AUTHOR).")] = None) -> None:
    """Comment on a case."""
    cli = state(ctx)
    uow = cli.open().uow
    who = use.signer_named(uow(), by) if by else _operator(cli)
    comment_id = use.comment(uow(), case_id, text, by=who)
    _say(f"commented on case {case_id} (comment {comment_id})")


@app.command()
def approve(ctx: typer.Context, case_id: CaseId, by: By,
            override: Annotated[str | None, typer.Option(help="Go past a failing readiness "
                                                         "gate, with this reason.")] = None
            ) -> None:
    """Sign the waiting step; the last approval records the promotion."""
    uow = state(ctx).open().uow
    done = use.approve(uow(), case_id, by=use.signer_named(uow(), by), override=override)
    went_past = f" past {', '.join(done.overridden)}" if done.overridden else ""
    if done.event is not None:
        _say(f"approved case {case_id}{went_past}: promotion to {done.case.to_role} recorded "
             f"on {done.case.effective_on} (event {done.event.id})")
        return
    waiting = done.case.pending
    assert waiting is not None
    _say(f"approved step {waiting.position - 1} of case {case_id}{went_past}; waiting for "
         f"step {waiting.position} ({waiting.approver})")


def _decide(ctx: typer.Context, case_id: int, by: str, reason: str,
            decision: Decision) -> None:
    uow = state(ctx).open().uow
    case = use.decide(uow(), case_id, decision, by=use.signer_named(uow(), by), reason=reason)
    _say(f"{case.status} case {case_id}: {case.decision_reason}")


@app.command()
def decline(ctx: typer.Context, case_id: CaseId, by: By,
            reason: Annotated[str, typer.Option(help="Why (required).")]) -> None:
    """Decline a case at its waiting step: nothing is promoted."""
    _decide(ctx, case_id, by, reason, Decision.DECLINED)


@app.command()
def defer(ctx: typer.Context, case_id: CaseId, by: By,
          reason: Annotated[str, typer.Option(help="Why, and until when (required).")]
          ) -> None:
    """Defer a case at its waiting step: not now, nothing is promoted."""
    _decide(ctx, case_id, by, reason, Decision.DEFERRED)


@app.command()
def withdraw(ctx: typer.Context, case_id: CaseId, by: By,
             reason: Annotated[str, typer.Option(help="Why (required).")]) -> None:
    """The proposer (or an HR admin) takes an open case back."""
    uow = state(ctx).open().uow
    use.withdraw(uow(), case_id, by=use.signer_named(uow(), by), reason=reason)
    _say(f"withdrew case {case_id}")


@app.command()
def show(ctx: typer.Context, case_id: CaseId,
         json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A case with its steps, comments and the evidence packet from the ledger."""
    cli = state(ctx)
    doc = case_document(use.show_case(cli.open().uow(), case_id, _operator(cli)))
    if json:
        print_json(doc)
        return
    _say(f"case {doc['id']}: {doc['person']} {doc['from_role']} -> {doc['to_role']}, "
         f"{doc['status']}, effective {doc['effective_on']}")
    pay = f"{doc['pay']:,} {doc['currency'] or ''}".strip() if doc["pay"] is not None \
        else "unchanged"
    _say(f"nominated by {doc['nominated_by']} ({doc['nominator']}); pay {pay}"
         + (f" - {doc['pay_warning']}: {doc['pay_reason']}" if doc["pay_warning"] else ""))
    _say(f"justification: {doc['justification']}")
    table("Approvals", ["step", "approver", "decision", "signed by", "notes"],
          [(s["position"], s["approver"] + (f": {s['signer']}" if s["signer"] != "hr"
                                            else ""),
            s["decision"] or "waiting", s["signed_by"] or "",
            " ".join(filter(None, [f"override: {s['override']}" if s["override"] else "",
                                   s["reason"] or ""])))
           for s in doc["steps"]])
    p = doc["packet"]
    r = p["readiness"]
    if r:
        _say(f"readiness for {doc['to_role']}: {r['score']} / 100, "
             f"{'ready' if r['ready'] else 'not yet ready'}"
             + ("" if r["gates_hold"] else " (a gate fails)"))
    elif p["readiness_note"]:
        _say(f"readiness: {p['readiness_note']}")
    _say(f"verified micro-progressions since {p['since']}: {len(p['verified'])} "
         f"({p['unverified']} not verified); recognitions: {len(p['recognitions'])}; "
         f"review cycles: {len(p['reviews'])}")
    for c in doc["comments"]:
        _say(f"comment by {c['author']} at {c['at']}: {c['text']}")


@app.command("list")
def list_(ctx: typer.Context,
          status: Annotated[str | None, typer.Option(help="open, approved, declined, "
                                                     "deferred or withdrawn.")] = None,
          person: Annotated[str | None, typer.Option(help="Only this person's.")] = None,
          json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Promotion cases, newest first."""
    chosen = None
    if status is not None:
        try:
            chosen = CaseStatus(status.strip().lower())
        except ValueError:
            raise InvalidEvent(f"--status must be one of {', '.join(CaseStatus)}") from None
    cli = state(ctx)
    found, handles = use.list_cases(cli.open().uow(), _operator(cli), status=chosen,
                                    person_ref=person)
    docs = [case_summary(c, handles) for c in found]
    if json:
        print_json(docs)
        return
    table("Promotion cases", ["id", "person", "to", "status", "effective", "waiting for"],
          [(d["id"], d["person"], d["to_role"], d["status"], d["effective_on"],
            (d["waiting_for"]["approver"] + (f": {d['waiting_for']['signer']}"
                                             if d["waiting_for"]["signer"] != "hr" else ""))
            if d["waiting_for"] else "") for d in docs])


@app.command()
def export(ctx: typer.Context, case_id: CaseId,
           out: Annotated[Path, typer.Option(help="The HTML file to write.")]) -> None:
    """Write a case as one self-contained, printable HTML page."""
    cli = state(ctx)
    trellis = cli.open()
    view = use.show_case(trellis.uow(), case_id, _operator(cli))
    doc = case_document(view)
    words = CaseNames(names_mentioned(trellis.uow(), [doc]),
                      {r.id: r.title for r in view.framework.roles.values()})
    out.write_text(case_html(doc, words), encoding="utf-8")
    _say(f"wrote case {case_id} to {out}")
