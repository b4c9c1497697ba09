"""The compensation pages: the cycles (HR opens one from a form), a cycle's page for a
manager (budget used per group, each person's pay and band position, a form to propose a
raise, a button to withdraw an approved one with a reason, the withdrawn raises as the
cycle's history; HR closes, reopens and applies it) and the approvals page of whoever must sign (HR
sees every proposal awaiting). People by name, pay in its currency, each action answered
next to what was acted on (``feedback``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from trellis.domain import compensation as rules
from trellis.domain.access import Role, User
from trellis.domain.compensation import CompCycleStatus, RaiseKind
from trellis.domain.limits import EMAIL_MAX, LONG_TEXT_MAX, NAME_MAX
from trellis.errors import InvalidEvent, NotAuthenticated, NotFound, TrellisError
from trellis.services import accounts, clock, comp_list, team_list
from trellis.services import compensation as use
from trellis.services.frameworks import version_in_force

from . import compensation_views as views
from . import feedback
from .deps import CurrentUser, Uow
from .errors import status_of
from .feedback import Notice
from .fields import (
    LINE,
    ROW_ID_MAX,
    TEXT,
    FormShort,
    ProposalId,
    Short,
    list_link,
    page_number,
)
from .formatting import day, money
from .pages import render
from .routers.compensation import CycleCreate

router = APIRouter(include_in_schema=False)
Line = Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)]

KIND_WORDS = {RaiseKind.MERIT: "Merit", RaiseKind.ADJUSTMENT: "Adjustment",
              RaiseKind.PROMOTION: "Promotion"}
CYCLE_WORDS = {"open": "Open for proposals", "closed": "Closed to new proposals",
               "applied": "Applied: the raises are recorded"}
APPROVER_WORDS = {"manager": "the manager's", "skip_level": "the skip level's",
                  "hr": "HR's"}


def status_words(p: dict[str, Any], signer: str | None = None) -> str:
    """A proposal's status as a sentence: "Awaiting the skip level's approval (Ann Lee)";
    ``signer`` is who signs next, "" for an HR admin, None when not known."""
    status = str(p["status"])
    if status == "proposed":
        step = next((s for s in p["steps"] if s["decision"] is None), None)
        whose = APPROVER_WORDS.get(step["approver"], "the next") if step else "the next"
        if step and signer == "" and step["approver"] != "hr":
            signer = "an HR admin"  # nobody in the chart may sign it: it fell to HR
        return f"Awaiting {whose} approval" + (f" ({signer})" if signer else "")
    if status == "approved":
        return "Approved: recorded when the cycle is applied"
    if status == "withdrawn":
        return "Withdrawn after approval: not recorded"
    return {"declined": "Declined", "applied": "Applied"}.get(status, status.capitalize())


def withdrawal_words(p: dict[str, Any], folks: views.Directory) -> str:
    """"Withdrawn by Bob Boss on 10 January 2025: budget cut" (empty when not withdrawn)."""
    w = p.get("withdrawal")
    if not w:
        return ""
    return f"Withdrawn by {folks.name(w['by'])} on {day(w['at'])}: {w['reason']}"


def raise_words(p: dict[str, Any], currency: str | None, *, on: bool = False) -> str:
    """"+$1,350 (+3%)", with " on $45,000" (the pay before) when ``on``."""
    amount = money(p["amount"], currency)
    text = ("+" if p["amount"] >= 0 else "") + amount
    if p["percent"] is not None:
        text += f" ({p['percent']:+g}%)"
    return text + (f" on {money(p['pay_before'], currency)}" if on else "")


def _page(name: str, values: dict[str, str] | None = None, **changes: str) -> str:
    """A cycle's page, with its list's filters (``values``, changed by ``changes``) where
    they are not the defaults."""
    return list_link(f"/comp/cycles/{quote(name, safe='')}", values or {}, {"page": "1"},
                     **changes)


def _list_values(q: str = "", team: str = "", state: str = "", page: str = "1"
                 ) -> dict[str, str]:
    """The people list's filters as given (a page number, checked)."""
    return {"q": q.strip(), "team": team, "state": state,
            "page": str(page_number("page", page))}


def _moved(notice: Notice, target: str) -> Notice:
    return Notice(notice.text, target, notice.ok, notice.values)


# --- the cycles


@router.get("/comp", response_class=HTMLResponse)
def cycles_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return _cycles(request, user, uow)


def _cycles(request: Request, user: User, uow: Uow, *, notice: Notice | None = None,
            status: int = 200) -> HTMLResponse:
    found = views.cycles(uow, user)
    for c in found:
        c["status_words"] = CYCLE_WORDS.get(c["status"], c["status"])
    return render(request, "comp.html", status, cycles=found, cycle=None, notice=notice,
                  managers=views.directory(uow).managers if user.is_hr else [])


@router.post("/comp/cycles", response_class=HTMLResponse)
async def open_cycle(request: Request, user: CurrentUser, uow: Uow) -> Response:
    """Open a cycle from the form, as POST /api/compensation/cycles does (same audit)."""
    accounts.require_role(user, Role.HR_ADMIN)
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    try:
        body = CycleCreate.model_validate({
            "name": form.get("name", "").strip(), "effective_on": form.get("effective_on", ""),
            "budget_percent": form.get("budget_percent", "").strip(),
            "team": form.get("team", "").strip() or None})
        cycle, count = use.open_cycle(uow(), body.name, body.effective_on,
                                      body.budget_percent, team=body.team, author=user.email)
    except (TrellisError, ValidationError) as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        text, code = _problem(exc)
        return _cycles(request, user, uow, status=code,
                       notice=feedback.refused(f"Not opened: {text}", "open-cycle", form))
    return feedback.done(
        request, _page(cycle.name),
        f"Opened {cycle.name}: {count} {'person' if count == 1 else 'people'}, effective "
        f"{day(cycle.effective_on)}, a budget of {cycle.budget_percent:g}% of each team's "
        "payroll.", "cycle")


FIELD_WORDS = {"name": "the name", "effective_on": "the effective date",
               "budget_percent": "the budget", "team": "the team"}


def _problem(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = FIELD_WORDS.get(str(first["loc"][0]) if first["loc"] else "", "the form")
        if where == "the budget":
            return (f"the budget is a percentage of payroll above 0 and at most "
                    f"{rules.BUDGET_PERCENT_MAX:g}", 422)
        if where == "the effective date":
            return "the effective date must be a day (YYYY-MM-DD)", 422
        return f"{where}: {first['msg']}", 422
    if isinstance(exc, TrellisError):
        return str(exc), status_of(exc)[0]
    raise exc


# --- one cycle


def _titles(uow: Uow) -> dict[str, str]:
    """Each role id of the framework in force as its title (none without a framework)."""
    u = uow()
    try:
        with u.reading():
            framework = u.frameworks.catalog[version_in_force(u, clock.today()).id]
    except NotFound:
        return {}
    return {r.id: r.title for r in framework.roles.values()}


@router.get("/comp/cycles/{name}", response_class=HTMLResponse)
def cycle_page(name: str, request: Request, user: CurrentUser, uow: Uow, q: Short = "",
               team: Short = "", state: Short = "", page: Short = "1") -> HTMLResponse:
    """A cycle, its people 50 a page, searched by name and filtered by team and by where
    each raise stands; a bad filter is a one-line 422."""
    return _cycle(name, request, user, uow, values=_list_values(q, team, state, page))


def _cycle(name: str, request: Request, user: User, uow: Uow, *,
           values: dict[str, str] | None = None, notice: Notice | None = None,
           status: int = 200) -> HTMLResponse:
    values = values or _list_values()
    doc = views.cycle(uow, user, name[:NAME_MAX])
    query = comp_list.CompQuery(values["q"], values["team"], values["state"]).check(
        [g["group"] for g in doc["groups"]])
    folks = views.directory(uow)
    currency = {p["group"]: p["currency"] for p in doc["people"]}
    for g in doc["groups"]:
        g["currency"] = currency.get(g["group"])
        g["label"] = (f"{folks.name(g['manager'])}'s team" if g["manager"]
                      else "People with no manager")
    titles = _titles(uow)
    for p in doc["people"] + doc["withdrawn"]:
        p["name"] = folks.name(p["person"])
        p["title"] = titles.get(p["role"], p["role"]) if p.get("role") else None
        x = p["proposal"]
        if x:
            x["kind_words"] = KIND_WORDS.get(RaiseKind(x["kind"]), x["kind"])
            x["status_words"] = status_words(x)
            x["raise_words"] = raise_words(x, p["currency"])
            x["withdrawal_words"] = withdrawal_words(x, folks)
            x["withdrawer"] = folks.name(x["withdrawal"]["by"]) if x["withdrawal"] else ""
            x["approvers"] = ", ".join(folks.name(s["decided_by"]) for s in x["steps"]
                                       if s["decision"] == "approved")
    withdrawable = views.may_withdraw(uow, user, [p["proposal"] for p in doc["people"]
                                                  if p["proposal"]])
    for p in doc["people"]:
        if p["proposal"]:
            p["proposal"]["can_withdraw"] = p["proposal"]["id"] in withdrawable
    doc["cycle"]["status_words"] = CYCLE_WORDS.get(doc["cycle"]["status"], "")
    matching = comp_list.rows_of(doc["people"], query)
    shown, page, pages = team_list.page_of(matching, int(values["page"]))
    values = {**values, "page": str(page)}
    rows = {f"row-{p['person']}" for p in shown}
    notice = notice or feedback.take(request)  # an answer, from the action redirected here
    if notice and notice.target.startswith("row-") and notice.target not in rows:
        notice = _moved(notice, "people")  # someone the page does not show
    return render(request, "comp.html", status, cycles=None, cycle=doc, notice=notice,
                  kinds=[(k.value, KIND_WORDS[k]) for k in RaiseKind], shown=shown,
                  matching=len(matching), page=page, pages=pages, values=values,
                  first=(page - 1) * team_list.PAGE_SIZE + 1, states=comp_list.STATES,
                  link=lambda **changes: _page(doc["cycle"]["name"], values, **changes))


@router.post("/comp/cycles/{name}/propose", response_class=HTMLResponse)
def propose(name: str, request: Request, user: CurrentUser, uow: Uow, person: Line,
            kind: Line = "merit", percent: Line = "", amount: Line = "",
            reason: Annotated[str, Form(max_length=LONG_TEXT_MAX, pattern=TEXT)] = "",
            q: FormShort = "", team: FormShort = "", state: FormShort = "",
            page: FormShort = "1") -> Response:
    shown = _list_values(q, team, state, page)
    target = f"row-{person}"
    values = {"person": person, "kind": kind, "percent": percent, "amount": amount,
              "reason": reason}
    try:
        try:
            raise_kind = RaiseKind(kind)
        except ValueError:
            raise InvalidEvent(f"a raise is one of {', '.join(RaiseKind)}") from None
        done = views.propose(
            uow, user, name, person, raise_kind,
            percent=rules.percent_from_text(percent) if percent.strip() else None,
            amount=rules.amount_from_text(amount) if amount.strip() else None,
            reason=reason.strip() or None)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _cycle(name, request, user, uow, values=shown, status=status_of(exc)[0],
                      notice=feedback.refused(f"Not proposed: {exc}", target, values))
    folks = views.directory(uow)
    words = raise_words(done, folks.currency.get(done["person"]), on=True)
    return feedback.done(
        request, _page(name, shown),
        f"Proposed {words} for {folks.name(done['person'])}: "
        f"{status_words(done).lower()}. Nothing is recorded until the chain signs and "
        "the cycle is applied.", f"row-{done['person']}")


@router.post("/comp/cycles/{name}/withdraw", response_class=HTMLResponse)
def withdraw(name: str, request: Request, user: CurrentUser, uow: Uow,
             proposal: Annotated[int, Form(ge=1, le=ROW_ID_MAX)], person: Line = "",
             reason: Annotated[str, Form(max_length=LONG_TEXT_MAX, pattern=TEXT)] = "",
             confirmed: Annotated[str, Form(max_length=8)] = "", q: FormShort = "",
             team: FormShort = "", state: FormShort = "", page: FormShort = "1"
             ) -> Response:
    """Withdraw an approved raise of the cycle, with a reason, after a confirmation (its
    proposer, the proposer's managers, HR admins: the service decides)."""
    shown = _list_values(q, team, state, page)
    target = f"row-{person}" if person else "people"
    values = {"reason": reason}
    here = _page(name)
    try:
        if not reason.strip():
            raise InvalidEvent("give a reason: why the approved raise is withdrawn")
        if not feedback.confirmed({"confirmed": confirmed}):
            doc = views.cycle(uow, user, name[:NAME_MAX])
            row = next((p for p in doc["people"] if p["proposal"]
                        and p["proposal"]["id"] == proposal), None)
            if row is None:
                raise NotFound(f"no raise of {name[:NAME_MAX]} to withdraw here")
            folks = views.directory(uow)
            words = raise_words(row["proposal"], row["currency"], on=True)
            return feedback.confirm(
                request, title="Withdraw this approved raise?",
                question=(f"The raise of {words} for {folks.name(row['person'])} will not "
                          "be recorded when the cycle is applied. Who withdrew it, when and "
                          "why stay on the cycle's history."),
                action=f"{here}/withdraw",
                fields={"proposal": str(proposal), "person": person, "reason": reason,
                        **shown},
                facts=[("Person", folks.name(row["person"])), ("Raise", words),
                       ("Reason", reason.strip())],
                button="Yes, withdraw the raise", back=f"{_page(name, shown)}#{target}")
        done = views.withdraw(uow, user, proposal, reason)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _cycle(name, request, user, uow, values=shown, status=status_of(exc)[0],
                      notice=feedback.refused(f"Not withdrawn: {exc}", target, values))
    folks = views.directory(uow)
    words = raise_words(done, folks.currency.get(done["person"]))
    return feedback.done(
        request, _page(name, shown),
        f"Withdrawn: the raise of {words} for {folks.name(done['person'])} will not be "
        "recorded. You can propose another while the cycle is open.",
        f"row-{done['person']}")


@router.post("/comp/cycles/{name}/status", response_class=HTMLResponse)
def change_cycle(name: str, request: Request, user: CurrentUser, uow: Uow,
                 action: Annotated[str, Form(max_length=NAME_MAX)],
                 confirmed: Annotated[str, Form(max_length=8)] = "") -> Response:
    """Close, reopen or apply a cycle (HR admins), as the API's endpoints do; closing and
    applying ask first."""
    accounts.require_role(user, Role.HR_ADMIN)
    here = _page(name)
    questions = {
        "close": ("Close this cycle?", f"No new raise can be proposed in {name}; the "
                  "proposals made go on to their approvers.", "Yes, close it"),
        "apply": ("Apply this cycle?", f"Every approved raise of {name} is recorded as a "
                  "pay change at the cycle's effective date, all at once; the cycle then "
                  "never changes again.", "Yes, apply the raises")}
    if action in questions and not feedback.confirmed({"confirmed": confirmed}):
        title, question, button = questions[action]
        return feedback.confirm(request, title=title, question=question,
                                action=f"{here}/status", fields={"action": action},
                                button=button, back=here)
    try:
        if action == "apply":
            events = use.apply_cycle(uow(), name, author=user.email)
            text = (f"Applied: {len(events)} raise{'' if len(events) == 1 else 's'} "
                    "recorded.")
        elif action in ("close", "reopen"):
            to = CompCycleStatus.CLOSED if action == "close" else CompCycleStatus.OPEN
            use.set_status(uow(), name, to, author=user.email)
            text = "Closed to new proposals." if action == "close" else "Reopened."
        else:
            raise InvalidEvent("the action is one of close, reopen or apply")
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _cycle(name, request, user, uow, status=status_of(exc)[0],
                      notice=feedback.refused(f"Not done: {exc}", "cycle"))
    return feedback.done(request, here, text, "cycle")


# --- approvals


@router.get("/comp/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return _approvals(request, user, uow)


def _approvals(request: Request, user: User, uow: Uow, *, notice: Notice | None = None,
               status: int = 200) -> HTMLResponse:
    waiting = views.proposals(uow, user, awaiting=True)
    folks = views.directory(uow)
    for p in waiting:
        _words(p, folks)
    mine = [p for p in waiting if p["can_sign"]]
    others = [p for p in waiting if not p["can_sign"]]
    rows = {f"proposal-{p['id']}" for p in waiting}
    if notice and notice.target.startswith("proposal-") and notice.target not in rows:
        notice = _moved(notice, "signed")  # a proposal the page does not show
    return render(request, "comp_approvals.html", status, mine=mine, others=others,
                  notice=notice)


def _words(p: dict[str, Any], folks: views.Directory) -> None:
    p["name"] = folks.name(p["person"])
    p["kind_words"] = KIND_WORDS.get(RaiseKind(p["kind"]), p["kind"])
    p["raise_words"] = raise_words(p, folks.currency.get(p["person"]), on=True)
    p["status_words"] = status_words(p, folks.name(p.get("signer")) if p.get("signer")
                                     else "")
    p["proposer"] = folks.name(p["proposed_by"])
    for s in p["steps"]:
        s["decider"] = folks.name(s["decided_by"])


@router.post("/comp/proposals/{proposal_id}/approve", response_class=HTMLResponse)
def approve(proposal_id: ProposalId, request: Request, user: CurrentUser, uow: Uow) -> Response:
    return _decide(proposal_id, request, user, uow, approve=True, reason=None)


@router.post("/comp/proposals/{proposal_id}/decline", response_class=HTMLResponse)
def decline(proposal_id: ProposalId, request: Request, user: CurrentUser, uow: Uow,
            reason: Annotated[str, Form(max_length=LONG_TEXT_MAX, pattern=TEXT)] = ""
            ) -> Response:
    return _decide(proposal_id, request, user, uow, approve=False, reason=reason)


def _decide(proposal_id: int, request: Request, user: User, uow: Uow, *, approve: bool,
            reason: str | None) -> Response:
    target = f"proposal-{proposal_id}"
    try:
        done: dict[str, Any] = views.decide(uow, user, proposal_id, approve=approve,
                                            reason=reason)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _approvals(request, user, uow, status=status_of(exc)[0], notice=feedback.refused(
            f"Not signed: {exc}", target, {"reason": reason or ""}))
    folks = views.directory(uow)
    words = raise_words(done, folks.currency.get(done["person"]))
    verb = "Approved" if approve else "Declined"
    return feedback.done(
        request, "/comp/approvals",
        f"{verb}: {words} for {folks.name(done['person'])} "
        f"({status_words(done).lower()}).", "signed")
