"""The Organization page for HR admins: the overview as charts a slide could hold (each with
a takeaway sentence and its figures as a table), the frameworks and their upload, and the
newest audit entries."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from trellis.adapters.framework_files import locate_in_bytes, parse_framework_bytes
from trellis.domain.access import Role, User
from trellis.domain.approvals import Signer
from trellis.errors import FrameworkInvalid, LedgerRuleBroken
from trellis.services import accounts, cases, frameworks, org_overview
from trellis.services.org_overview import Overview
from trellis.services.team_list import BANDS

from .audit_words import audit_rows
from .calibration_pages import session_titles
from .case_words import case_words
from .deps import CurrentUser, Uow, analysis
from .formatting import percent
from .pages import render
from .people_names import name_of, names_of_everyone
from .team_pages import readiness_memo

router = APIRouter(include_in_schema=False)


@router.get("/org", response_class=HTMLResponse)
async def org_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return await org(request, user, uow)


async def org(request: Request, user: User, uow: Uow,
              problems: list[str] | None = None, message: str | None = None,
              status: int = 200) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    found = await analysis(request, org_overview.overview, uow(),
                           memo=readiness_memo(request))
    versions, active = frameworks.list_versions(uow())
    names = names_of_everyone(uow())
    audit = audit_rows(accounts.audit_log(uow(), 30), names, audit_subjects(uow, user, names))
    u = uow()
    with u.reading():  # a framework by its name ("Software company"), not its key
        titles = {v.key: u.frameworks.catalog[v.id].name for v in versions}
    return render(request, "org.html", status, versions=versions, active=active, audit=audit,
                  framework_names=titles, who=lambda ref: name_of(names, ref),
                  overview=found, charts=charts(found), problems=problems or [],
                  message=message)


def audit_subjects(uow: Uow, user: User, names: dict[str, str]) -> dict[str, str]:
    """The audit log's numbered resources in words: a promotion case by whose it is and the
    role it is for, a calibration session by its title."""
    subjects = {f"calibration/{i}": f"calibration session “{title}”"
                for i, title in session_titles(uow, names).items()}
    found, handles = cases.list_cases(uow(), Signer.of(user))
    if found:  # then a framework is loaded, and names the roles
        roles = case_words(uow(), [])
        subjects |= {f"case/{c.id}": f"{name_of(names, handles.get(c.person_id))}'s "
                                     f"promotion case for {roles.role(c.to_role)}"
                     for c in found}
    return subjects


def _share(part: int, whole: int) -> str:
    return percent(part / whole) if whole else "\u2013"


def charts(o: Overview) -> list[dict[str, Any]]:
    """The overview's four charts: what each draws (as JSON for the page's script), its
    takeaway and the same figures as a table (the chart's text alternative)."""
    return [_headcount(o), _rates(o), _pipeline(o), _gaps(o)]


def _chart(key: str, title: str, takeaway: str, spec: dict[str, Any],
           head: list[str], rows: list[list[str]]) -> dict[str, Any]:
    return {"id": key, "title": title, "takeaway": takeaway, "head": head, "rows": rows,
            "json": orjson.dumps(spec).decode()}


def _headcount(o: Overview) -> dict[str, Any]:
    levels = [(lid, name) for lid, name in o.levels
              if any(o.headcount.get((lid, t), 0) for t, _ in o.tracks)]
    tracks = [(tid, name) for tid, name in o.tracks
              if any(o.headcount.get((lv, tid), 0) for lv, _ in o.levels)]
    by_level = {lid: sum(o.headcount.get((lid, t), 0) for t, _ in tracks) for lid, _ in levels}
    by_track = {tid: sum(o.headcount.get((lv, tid), 0) for lv, _ in levels) for tid, _ in tracks}
    takeaway = "Nobody is active yet."
    if o.active and levels and tracks:
        top_level = max(levels, key=lambda lv: by_level[lv[0]])
        top_track = max(tracks, key=lambda t: by_track[t[0]])
        takeaway = (f"{o.active:,} people are active. The largest level is {top_level[1]} "
                    f"({_share(by_level[top_level[0]], o.active)} of everyone), the largest "
                    f"track {top_track[1]} ({_share(by_track[top_track[0]], o.active)}).")
    spec = {"type": "bar", "stacked": True, "horizontal": True,
            "x": [name for _, name in levels],
            "y_title": "people", "series": [
                {"name": name, "y": [o.headcount.get((lid, tid), 0) for lid, _ in levels]}
                for tid, name in tracks]}
    rows = [[name, *(f"{o.headcount.get((lid, tid), 0):,}" for tid, _ in tracks),
             f"{by_level[lid]:,} ({_share(by_level[lid], o.active)})"] for lid, name in levels]
    return _chart("headcount", "Headcount by level and track", takeaway, spec,
                  ["Level", *(name for _, name in tracks), "All tracks"], rows)


def _rates(o: Overview) -> dict[str, Any]:
    years = [y for y in o.years if y.person_years >= 1]
    full = [y for y in years if not y.partial]
    takeaway = "Not a full year of history yet."
    if full:
        last = full[-1]
        takeaway = (f"In {last.year}, {percent(last.promotion_rate)} of people were promoted "
                    f"and each made {last.micro_rate or 0:.1f} micro-progressions on average")
        if len(full) > 1:
            before = full[-2]
            now, then = last.promotion_rate or 0.0, before.promotion_rate or 0.0
            direction = ("up from" if now > then else "down from" if now < then
                         else "the same as")
            takeaway += f"; promotions were {direction} {percent(before.promotion_rate)} in " \
                        f"{before.year}"
        takeaway += "."
    labels = [f"{y.year}{' (so far)' if y.partial else ''}" for y in years]
    spec = {"type": "rates", "x": labels, "series": [
        {"name": "promoted in the year", "y": [y.promotion_rate for y in years],
         "percent": True},
        {"name": "micro-progressions a person", "y": [y.micro_rate for y in years],
         "axis": 2}]}
    rows = [[label, f"{y.person_years:,.0f}", f"{y.promotions:,}", percent(y.promotion_rate, 1),
             f"{y.micro_progressions:,}", f"{y.micro_rate or 0:.1f}"]
            for label, y in zip(labels, years, strict=True)]
    return _chart("rates", "Promotions and micro-progressions, year by year", takeaway, spec,
                  ["Year", "Person-years worked", "Promotions", "Promoted", "Micro-progressions",
                   "A person"], rows)


def _pipeline(o: Overview) -> dict[str, Any]:
    total = sum(o.bands.values())
    b = o.bands
    takeaway = (f"{b['ready']:,} of {total:,} people ({_share(b['ready'], total)}) are ready "
                f"for their next role now; {b['close']:,} ({_share(b['close'], total)}) are "
                f"close, and {b['top']:,} {'is' if b['top'] == 1 else 'are'} at the top of "
                f"their track.") if total else \
        "Nobody to assess."
    names = [BANDS[k] for k in b]
    spec = {"type": "bar", "horizontal": True, "x": names, "y_title": "people",
            "series": [{"name": "people", "y": list(b.values())}]}
    rows = [[BANDS[k], f"{n:,}", _share(n, total)] for k, n in b.items()]
    return _chart("pipeline", "Readiness for the next role", takeaway, spec,
                  ["Readiness", "People", "Share"], rows)


def _gaps(o: Overview) -> dict[str, Any]:
    total = sum(n for _, n in o.gaps)
    counts = dict(o.gaps)
    late = sum(n for name, n in o.gaps if name not in ("within 30 days", "31 to 90 days"))
    takeaway = (f"{late:,} people ({_share(late, total)}) have not been recognized in the last "
                f"90 days, {counts[org_overview.NEVER]:,} of them never.") if total else \
        "Nobody is active yet."
    spec = {"type": "bar", "horizontal": True, "x": [name for name, _ in o.gaps],
            "y_title": "people",
            "series": [{"name": "people", "y": [n for _, n in o.gaps]}]}
    rows = [[name, f"{n:,}", _share(n, total)] for name, n in o.gaps]
    return _chart("gaps", "Time since the last recognition", takeaway, spec,
                  ["Last recognized", "People", "Share"], rows)


@router.post("/org/frameworks", response_class=HTMLResponse)
async def upload_framework(request: Request, user: CurrentUser, uow: Uow) -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    form = await request.form()
    upload = form.get("file")
    data = str(form.get("text") or "").encode("utf-8", errors="surrogatepass")
    source = "upload"
    if isinstance(upload, UploadFile) and upload.filename:
        data, source = await upload.read(), upload.filename
    if isinstance(upload, UploadFile):
        await upload.close()
    if not data.strip():
        return await org(request, user, uow, message="choose a file or paste a framework",
                         status=422)
    try:  # a large file takes a while to check: not on the loop that serves every request
        framework, document = await run_in_threadpool(parse_framework_bytes, data, source)
    except FrameworkInvalid as exc:
        return await org(request, user, uow, problems=[str(p) for p in exc.problems],
                         message="the framework was not loaded:", status=422)
    try:  # its replaces are checked against the stored versions, its carry on the ledger
        frameworks.load_framework(uow(), framework, document, author=user.email,
                                           activate=form.get("activate") == "on")
    except FrameworkInvalid as exc:
        located = locate_in_bytes(exc.problems, data, source)
        return await org(request, user, uow, problems=[str(p) for p in located.problems],
                         message="the framework was not loaded:", status=422)
    except LedgerRuleBroken as exc:
        return await org(request, user, uow, message=f"the framework was not loaded: {exc}",
                         status=422)
    return RedirectResponse("/org", status_code=303)
