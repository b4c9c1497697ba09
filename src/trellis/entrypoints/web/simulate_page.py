"""The strategy simulator's page (``/simulate``): a form in the words people use, its fan
chart, a table and the sentence that says what the table shows.

The form asks for a person by name (or handle, or email), or, for HR admins, a cohort by
career stage, track and level from lists; strategies are ticked, with an optional mix of
one's own. It composes the same ``person``, ``cohort`` and ``strategy`` the API and the CLI
take (services.simulation), so an address written by hand (``?cohort=stage=early``) still
works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from trellis.domain.access import Role
from trellis.domain.framework import Framework
from trellis.domain.limits import EMAIL_MAX, NAME_MAX
from trellis.errors import NotAuthenticated, PermissionDenied, TrellisError
from trellis.services import accounts
from trellis.services.frameworks import framework_at

from .deps import CurrentUser, Uow, analysis
from .fields import LINE, Short
from .formatting import STRATEGIES, money, percent
from .formatting import strategy as strategy_label
from .pages import render
from .person_lookup import Person, find_person, typed_as, unmatched
from .views import WEB_MAX_RUNS
from .views import simulate as simulate_view

router = APIRouter(include_in_schema=False)

STAGES = {"early": "Early career", "mid": "Mid career", "late": "Late career"}

Number = Annotated[str, Query(max_length=20, pattern=LINE)]


@dataclass
class SimulateForm:
    """What the form holds, as typed; ``problem`` is what is wrong with it, in words."""

    person: str = ""
    stage: str = ""
    track: str = ""
    level: str = ""
    cohort: str = ""  # a hand-written filter (an older link); the selects win when set
    strategies: list[str] = field(default_factory=lambda: list(STRATEGIES))
    mix: str = ""
    years: str = "10"
    runs: str = "10000"
    seed: str = "0"

    def cohort_filter(self) -> str | None:
        picked = [f"{k}={v}" for k, v in (("stage", self.stage), ("track", self.track),
                                          ("level", self.level)) if v]
        return ",".join(picked) or self.cohort.strip() or None

    def strategy(self) -> str:
        """The strategies as services.simulation reads them: "promotion,micro,0.3"."""
        chosen = list(self.strategies)  # a hand-written one is checked by the simulation
        if self.mix.strip():
            chosen.append(str(float(self.mix) / 100))
        return ",".join(chosen)

    def numbers(self) -> dict[str, int]:
        return {"years": int(self.years), "runs": int(self.runs), "seed": int(self.seed)}

    def problem(self) -> str | None:
        try:
            n = self.numbers()
        except ValueError:
            return "years, trajectories and the seed are whole numbers"
        if not 1 <= n["years"] <= 30:
            return "years: from 1 to 30"
        if not 100 <= n["runs"] <= WEB_MAX_RUNS:
            return f"trajectories per strategy: from 100 to {WEB_MAX_RUNS:,}"
        if self.mix.strip():
            try:
                share = float(self.mix)
            except ValueError:
                share = -1.0
            if not 0 <= share <= 100:
                return "your own mix: a share of effort from 0 to 100%"
        if not self.strategy():
            return "tick at least one strategy, or give a mix of your own"
        return None


def subject_words(form: SimulateForm, person: Person | None, framework: Framework) -> str:
    """Who was simulated, in words: a name, or "Early-career individual contributors at
    the Senior level in Software engineering"."""
    if person is not None:
        return person.name
    if not (form.stage or form.track or form.level):
        cohort = form.cohort.strip()
        return f"People matching {cohort}" if cohort else "Every active individual contributor"
    level, track = framework.levels.get(form.level), framework.tracks.get(form.track)
    who = " ".join(filter(None, (
        f"{form.stage}-career" if form.stage else "", "individual contributors",
        f"at the {level.name} level" if level else "", f"in {track.name}" if track else "")))
    return who[0].upper() + who[1:]


def leaving_words(doc: dict[str, Any]) -> str:
    """What the simulation assumed of leaving, as advice says it: the measured ratio of
    frequent to rare micro-progressors' voluntary departures, per cohort, where the
    organization's history decides it; else that it assumes no difference."""
    effects = doc.get("leaving_effects") or []
    if not effects:
        return ("Leaving: the organization's history does not tell whether frequent "
                "micro-progressors leave more or less often, so every strategy leaves at "
                "the same rate.")
    parts = [f"{e['ratio']:.2f} times as often as rare ones among {e['stage']}-career "
             f"people on {e['role_type']} tracks (above {e['threshold']:g} "
             "micro-progressions a quarter)" for e in effects]
    return ("Leaving: as this organization's history measured it, frequent "
            "micro-progressors leave voluntarily " + "; ".join(parts) + ".")


def pay(outcome: dict[str, Any]) -> float:
    """A strategy's median pay at the horizon."""
    return float(outcome["horizon"]["pay"]["p50"])


def takeaway(outcomes: list[dict[str, Any]], years: int, currency: str) -> str:
    """The sentence under the table: which strategy pays most at the horizon and which keeps
    the most people employed, or that they are about even (within 2%)."""
    paid = [o for o in outcomes if o["horizon"]["pay"]["p50"] is not None]
    if not paid:
        return "No pay is recorded for these people, so the simulation cannot compare pay."
    best, worst = max(paid, key=pay), min(paid, key=pay)
    kept, lost = (max(outcomes, key=lambda o: o["survival"]),
                  min(outcomes, key=lambda o: o["survival"]))
    if len(outcomes) == 1:
        said = (f"the median pay is {money(pay(best), currency)} and "
                f"{percent(kept['survival'])} are still employed")
    else:
        said = (f"the strategies' median pay is within 2% of each other "
                f"({money(pay(worst), currency)} to {money(pay(best), currency)})"
                if pay(best) - pay(worst) < 0.02 * pay(best) else
                f"{strategy_label(best['strategy'])} has the highest median pay "
                f"({money(pay(best), currency)}, against {money(pay(worst), currency)} for "
                f"{strategy_label(worst['strategy'])})")
        said += ("; about as many are still employed under each "
                 f"({percent(lost['survival'])} to {percent(kept['survival'])})"
                 if kept["survival"] - lost["survival"] < 0.02 else
                 f"; {strategy_label(kept['strategy'])} keeps the most still employed "
                 f"({percent(kept['survival'])}, against {percent(lost['survival'])})")
    return (f"After {years} years, {said}. The bands show how widely single careers differ "
            "from the median.")


@router.get("/simulate", response_class=HTMLResponse)
async def simulate_page(request: Request, user: CurrentUser, uow: Uow,
                        person: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = "",
                        stage: Short = "", track: Short = "", level: Short = "",
                        cohort: Short = "",
                        strategy: Annotated[list[str] | None, Query()] = None,
                        mix: Number = "", years: Number = "10", runs: Number = "10000",
                        seed: Number = "0",
                        run: Annotated[str, Query(max_length=20)] = "") -> HTMLResponse:
    """The form and, once run, the fan chart (managers: one person of their team; HR
    admins: anyone or a cohort). Bad input is shown in place, with the form as typed."""
    accounts.require_role(user, Role.MANAGER, Role.HR_ADMIN)
    chosen = [part.strip() for s in (strategy or []) for part in s[:NAME_MAX].split(",")
              if part.strip()]
    form = SimulateForm(person=person.strip(), stage=stage, track=track, level=level,
                        cohort=cohort, mix=mix, years=years, runs=runs, seed=seed,
                        **({"strategies": chosen} if strategy is not None else {}))
    if "all" in form.strategies:
        form.strategies = list(STRATEGIES)
    _, framework = await analysis(request, framework_at, uow())
    result: dict[str, Any] | None = None
    message: str | None = None
    found: Person | None = None
    choices: list[Person] = []
    status = 200
    if form.person:
        found, choices = await analysis(request, find_person, uow(), user, form.person)
        choices = choices if run else []
    if run:
        message = form.problem()
        if message is None and form.person and found is None:
            message, status = unmatched(form.person, choices, "simulate")
        if message is None:
            try:
                result = (await analysis(
                    request, simulate_view, uow, user, person=found.handle if found else None,
                    cohort=None if found else form.cohort_filter(), strategy=form.strategy(),
                    **form.numbers())).document
            except TrellisError as exc:
                if isinstance(exc, NotAuthenticated):
                    raise
                status = 403 if isinstance(exc, PermissionDenied) else 422
                message = str(exc)
        status = 422 if message and status == 200 else status
    if found is not None:  # the field reads as the person, not the link's handle
        form.person = await analysis(request, typed_as, uow(), user, form.person, found)
    chart = sentence = None
    if result is not None:
        for o in result["strategies"]:
            o["label"] = strategy_label(o["strategy"])
        chart = orjson.dumps([{"strategy": o["label"], "effort": o["promotion_effort"],
                               "pay": o["over_time"]["pay"],
                               "survival": o["over_time"]["survival"],
                               "pay_words": money(o["horizon"]["pay"]["p50"], framework.currency)
                               if o["horizon"]["pay"]["p50"] is not None else "no pay data"}
                              for o in result["strategies"]]).decode()
        sentence = takeaway(result["strategies"], result["years"], framework.currency)
    return render(request, "simulate.html", status, form=form, result=result,
                  subject=subject_words(form, found, framework) if result else None,
                  message=message, choices=choices, chart_json=chart, takeaway=sentence,
                  framework=framework, strategies=STRATEGIES, stages=STAGES,
                  max_runs=WEB_MAX_RUNS,
                  leaving=leaving_words(result) if result is not None else None)
