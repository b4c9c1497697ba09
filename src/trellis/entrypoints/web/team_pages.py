"""The Team page (a manager's people; HR admins': everyone, or one manager's with
``?manager=``) and its alerts page.

The list sorts, filters, searches and pages on the server with plain query parameters, so
it works without JavaScript and every view has a link. Fragmentation and recognition
alerts read every member's history, so they are a page of their own (``/team/alerts``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from trellis.domain.access import User
from trellis.domain.limits import EMAIL_MAX
from trellis.errors import InvalidEvent, TrellisError
from trellis.services import accounts, team_list
from trellis.services.fragmentation import line_document as fragmentation_line
from trellis.services.frameworks import framework_at
from trellis.services.recognition import line_document as recognition_line
from trellis.services.team_alerts import (
    RISKS,
    SEVERITIES,
    AlertsMemo,
    AlertsQuery,
    alerts_view,
)
from trellis.services.team_alerts import team_alerts as alerts_of

from .alert_words import SEVERITY, fragmentation_reasons, recognition_reasons
from .deps import CurrentUser, Uow, analysis
from .fields import LINE, Short, list_link, page_number
from .pages import render

router = APIRouter(include_in_schema=False)
# The filters and their defaults, in the order a link spells them.
DEFAULTS = {"manager": "", "q": "", "track": "", "level": "", "band": "", "failing": "",
            "unrecognized": "", "sort": "name", "dir": "", "page": "1"}


def readiness_memo(request: Request) -> team_list.ReadinessMemo:
    """This worker's memo of readiness assessments (services.team_list.ReadinessMemo)."""
    memo: team_list.ReadinessMemo | None = getattr(request.app.state, "readiness_memo", None)
    if memo is None:
        memo = request.app.state.readiness_memo = team_list.ReadinessMemo()
    return memo


def alerts_memo(request: Request) -> AlertsMemo:
    """This worker's memo of each person's alerts (services.team_alerts.AlertsMemo)."""
    memo: AlertsMemo | None = getattr(request.app.state, "alerts_memo", None)
    if memo is None:
        memo = request.app.state.alerts_memo = AlertsMemo()
    return memo


def _query(values: dict[str, str]) -> team_list.TeamQuery:
    page = page_number("page", values["page"])
    if values["dir"] not in ("", "asc", "desc"):
        raise InvalidEvent("dir: asc or desc")
    return team_list.TeamQuery(
        sort=values["sort"] or "name",
        descending=values["dir"] == "desc" or (values["dir"] == "" and values["sort"]
                                               == "readiness"),
        search=values["q"].strip(), track=values["track"], level=values["level"],
        band=values["band"], failing=bool(values["failing"]),
        unrecognized=bool(values["unrecognized"]), page=page)


def link(values: dict[str, str], **changes: str) -> str:
    """This list's address with ``changes``; default values are left out."""
    return list_link("/team", values, DEFAULTS, **changes)


@router.get("/team", response_class=HTMLResponse)
async def team(request: Request, user: CurrentUser, uow: Uow,
               manager: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = "",
               q: Short = "", track: Short = "", level: Short = "", band: Short = "",
               failing: Short = "", unrecognized: Short = "", sort: Short = "name",
               dir: Short = "", page: Short = "1") -> HTMLResponse:
    """The team list, one page of 50 at a time; a bad filter is a one-line 422."""
    values = {"manager": manager.strip(), "q": q, "track": track, "level": level,
              "band": band, "failing": failing, "unrecognized": unrecognized,
              "sort": sort, "dir": dir, "page": page}
    query = _query(values)
    found = await analysis(request, _team, uow, user, values["manager"] or None, query,
                           readiness_memo(request))
    values["page"] = str(found.query.page)
    sorts = {}
    for key in team_list.SORTS:
        descending = found.query.sort == key and not found.query.descending
        sorts[key] = link(values, sort=key, page="1", dir="desc" if descending else "asc")
    return render(request, "team.html", team=found, values=values, link=link,
                  sorts=sorts, bands=team_list.BANDS, sort_names=team_list.SORTS,
                  unrecognized_days=team_list.UNRECOGNIZED_DAYS)


def _team(uow: Uow, user: User, manager: str | None, query: team_list.TeamQuery,
          memo: team_list.ReadinessMemo) -> team_list.TeamList:
    root = accounts.team_root(uow(), user, manager)
    return team_list.team_list(uow(), root, query, memo=memo)


ALERT_DEFAULTS = {"manager": "", "q": "", "risk": "", "severity": "", "fpage": "1",
                  "rpage": "1"}


def alerts_link(values: dict[str, str], anchor: str = "", **changes: str) -> str:
    """The alerts page's address with ``changes``; default values are left out."""
    return list_link("/team/alerts", values, ALERT_DEFAULTS, anchor, **changes)


@router.get("/team/alerts", response_class=HTMLResponse)
async def team_alerts(request: Request, user: CurrentUser, uow: Uow,
                      manager: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = "",
                      q: Short = "", risk: Short = "", severity: Short = "",
                      fpage: Short = "1", rpage: Short = "1") -> HTMLResponse:
    """Fragmentation and recognition alerts, 50 of each list a page: reports over each
    member's history, so they run as an analysis, beside the requests (each person's
    answers kept by the worker's memo until their history moves)."""
    values = {"manager": manager.strip(), "q": q.strip(), "risk": risk, "severity": severity,
              "fpage": fpage, "rpage": rpage}
    query = AlertsQuery(values["q"], risk, severity,
                        page_number("fpage", fpage), page_number("rpage", rpage)).check()
    found = await analysis(request, _alerts, uow, user, values["manager"] or None, query,
                           alerts_memo(request))
    view = found["view"]
    if view is not None:
        values["fpage"] = str(view.fragmentation.page)
        values["rpage"] = str(view.recognition.page)
    back = alerts_link(values)
    return render(request, "team_alerts.html", back=back, values=values, link=alerts_link,
                  risks=RISKS, severities=SEVERITIES, **found)


def _alerts(uow: Uow, user: User, manager: str | None, query: AlertsQuery,
            memo: AlertsMemo) -> dict[str, Any]:
    root = accounts.team_root(uow(), user, manager)
    view = fragmented = recognition_alerts = None
    note = None
    try:
        alerts = alerts_of(uow(), root, memo=memo)
        view = alerts_view(alerts, query)
        tracks = _track_names(uow)
        window = alerts.fragmentation.rules.window_months
        rules = alerts.recognition.rules
        fragmented = [{**p, "reasons": fragmentation_reasons(p, tracks, window)}
                      for p in map(fragmentation_line, view.fragmentation.rows)]
        recognition_alerts = [{**p, "alerts": recognition_reasons(
                                  p, rules.threshold_days, rules.team_factor)}
                              for p in map(recognition_line, view.recognition.rows)]
    except TrellisError as exc:
        note = str(exc)
    name = None
    if root is not None:
        with uow().reading() as u:
            found = u.people.find(root)
            name = found.name if found else root
    return {"root": root, "root_name": name, "note": note, "view": view,
            "fragmented": fragmented, "recognition_alerts": recognition_alerts,
            "severity_words": SEVERITY}


def _track_names(uow: Uow) -> dict[str, str]:
    """The functions of the fragmentation report are the framework's tracks."""
    return {t.id: t.name for t in framework_at(uow())[1].tracks.values()}
