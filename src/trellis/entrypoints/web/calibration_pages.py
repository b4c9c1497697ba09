"""Calibration pages (HR admins): the sessions, and one session's distribution against the
target (server-rendered SVG bars), its 9-box and the list sorted by rating with a change
form per person. Managers do not see them: a session sets ratings from outside their chain
side by side. HR opens a session from the list's form. Every view and every change is
audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trellis.domain.access import Role, User
from trellis.domain.calibration_sessions import (
    BANDS,
    READINESS_HIGH,
    READINESS_MID,
    CalibrationSession,
    GroupKind,
    RatingShare,
    group_words,
)
from trellis.domain.framework import Framework
from trellis.domain.limits import EMAIL_MAX, LONG_TEXT_MAX, NAME_MAX
from trellis.errors import InvalidEvent, NotAuthenticated, NotFound, TrellisError
from trellis.services import accounts, clock, reviews
from trellis.services import calibration_sessions as use
from trellis.services.frameworks import version_in_force

from . import compensation_views as views
from . import feedback
from .deps import CurrentUser, Uow
from .errors import status_of
from .feedback import Notice
from .fields import LINE, TEXT, SessionId
from .pages import render
from .people_names import name_of, names_of_everyone

router = APIRouter(include_in_schema=False)

BAR_WIDTH = 320  # the widest bar, in its SVG's units (the SVG stretches to its row)


@router.get("/org/calibration", response_class=HTMLResponse)
def sessions_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return _sessions(request, user, uow)


def _sessions(request: Request, user: User, uow: Uow, *, notice: Notice | None = None,
              status: int = 200) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    groups = _groups(uow)
    words = _choice_words(groups)
    names = names_of_everyone(uow())
    found = []
    for s, n in use.sessions(uow()):
        group = _group_words(words, s)
        found.append((s, n, group, s.title(group, names)))
    return render(request, "calibration_list.html", status, sessions=found, notice=notice,
                  cycles=[c.name for c, _ in reversed(reviews.cycles(uow()))], groups=groups)


def session_titles(uow: Uow, names: Mapping[str, str]) -> dict[int, str]:
    """Every session's title as its page shows it, by id (the audit log names them so)."""
    words = _choice_words(_groups(uow))
    return {s.id: s.title(_group_words(words, s), names) for s, _ in use.sessions(uow())}


def _choice_words(groups: list[tuple[str, list[tuple[str, str]]]]) -> dict[str, str]:
    return {value: label for _, options in groups for value, label in options}


def _group_words(words: dict[str, str], session: CalibrationSession) -> str:
    """The session's group as the form's choices name it ("Meg Manager's team"); its id
    when it is not among them (a manager since erased, a level no longer in force)."""
    return words.get(f"{session.group_kind}:{session.group}", session.group_label)


def _groups(uow: Uow) -> list[tuple[str, list[tuple[str, str]]]]:
    """The groups a session may be for, as the form's choices ("team:mgr", "Meg Manager's
    team"): every manager's team by name, the framework's levels and tracks."""
    managers = views.directory(uow).managers
    u = uow()
    try:
        with u.reading():
            framework = u.frameworks.catalog[version_in_force(u, clock.today()).id]
    except NotFound:  # no framework loaded: teams only
        framework = None
    levels = (sorted(framework.levels.values(), key=lambda lv: lv.rank) if framework
              else [])
    tracks = list(framework.tracks.values()) if framework else []
    return [("A manager's team", [(f"team:{h}", group_words(GroupKind.TEAM, n))
                                  for h, n in managers]),
            ("A level", [(f"level:{lv.id}", group_words(GroupKind.LEVEL, lv.name))
                         for lv in levels]),
            ("A track", [(f"track:{t.id}", group_words(GroupKind.TRACK, t.name))
                         for t in tracks])]


@router.post("/org/calibration", response_class=HTMLResponse)
def open_session(request: Request, user: CurrentUser, uow: Uow,
                 cycle: Annotated[str, Form(max_length=NAME_MAX, pattern=LINE)] = "",
                 group: Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)] = "",
                 name: Annotated[str, Form(max_length=NAME_MAX, pattern=LINE)] = ""
                 ) -> Response:
    """Open a session from the form, as POST /api/calibration does (same audit)."""
    accounts.require_role(user, Role.HR_ADMIN)
    values = {"cycle": cycle, "group": group, "name": name}
    kind, _, value = group.partition(":")
    try:
        if not cycle.strip():
            raise InvalidEvent("choose the review cycle")
        if kind not in ("team", "level", "track") or not value:
            raise InvalidEvent("choose the group: a manager's team, a level or a track")
        session, count = use.open_session(
            uow(), cycle, team=value if kind == "team" else None,
            level=value if kind == "level" else None,
            track=value if kind == "track" else None, name=name.strip() or None,
            author=user.email)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _sessions(request, user, uow, status=status_of(exc)[0],
                         notice=feedback.refused(f"Not opened: {exc}", "open-session", values))
    group = _group_words({v: label for _, options in _groups(uow) for v, label in options},
                         session)
    return feedback.done(request, f"/org/calibration/{session.id}",
                         f"Opened {session.title(group, names_of_everyone(uow()))}: {count} "
                         f"{'person' if count == 1 else 'people'} to calibrate.", "session")


@router.get("/org/calibration/{session_id}", response_class=HTMLResponse)
def session_page(session_id: SessionId, request: Request, user: CurrentUser, uow: Uow
                 ) -> HTMLResponse:
    return _show(session_id, request, user, uow)


def _show(session_id: SessionId, request: Request, user: User, uow: Uow, *,
          message: str | None = None, status: int = 200) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    session = use.session_named(uow(), session_id)
    view = use.view(uow(), session.name)
    accounts.audit(uow(), user, "calibration.read", f"calibration/{session.id}",
                   {"members": len(view.members)})
    scale = view.framework.reviews.rating
    words = _choice_words(_groups(uow))
    names = names_of_everyone(uow())
    group = _group_words(words, session)
    changed = request.query_params.get("changed")
    changes = [{**c, "person": name_of(names, c["person"]), "by": name_of(names, c["by"])}
               for c in use.changes_of(uow(), session.name)]
    return render(request, "calibration.html", status, view=view, session=session,
                  group=group, title=session.title(group, names),
                  bars=_bars(view.distribution), bar_width=BAR_WIDTH, bands=BANDS,
                  rows=list(reversed(BANDS)),
                  ratings=list(range(scale.min, scale.max + 1)),
                  changes=changes, message=message,
                  changed=name_of(names, changed) if changed else None,
                  subject=lambda what: _subject_words(view.framework, what),
                  thresholds=(READINESS_MID, READINESS_HIGH))


def _subject_words(framework: Framework, what: str) -> str:
    """A micro-progression's subject as the page says it: a competency, criterion, track or
    role by its name (what people typed, a certification or a project, as typed)."""
    if what in framework.competencies:
        return framework.competencies[what].name
    if what in framework.tracks:
        return framework.tracks[what].name
    if what in framework.roles:
        return framework.roles[what].title
    if what in framework.criteria:
        return f"“{framework.criteria[what].text}”"
    return what


def _bars(rows: tuple[RatingShare, ...]) -> list[dict[str, Any]]:
    """Each rating's bar and its target's, scaled to the widest (widths for the SVG's
    attributes: no inline script or style needed)."""
    top = max([r.count for r in rows] + [r.target_count or 0 for r in rows] + [1])
    return [{"row": r, "width": round(BAR_WIDTH * r.count / top),
             "target": (round(BAR_WIDTH * r.target_count / top)
                        if r.target_count is not None else None)} for r in rows]


@router.post("/org/calibration/{session_id}/changes", response_class=HTMLResponse)
def change(session_id: SessionId, request: Request, user: CurrentUser, uow: Uow,
           person: Annotated[str, Form(min_length=1, max_length=EMAIL_MAX, pattern=LINE)],
           rating: Annotated[int, Form(ge=0, le=1_000)],
           reason: Annotated[str, Form(max_length=LONG_TEXT_MAX, pattern=TEXT)] = ""
           ) -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    session = use.session_named(uow(), session_id)
    try:
        done = use.change_rating(uow(), session.name, person, rating, reason,
                                 author=user.email)
    except NotAuthenticated:
        raise
    except TrellisError as exc:
        return _show(session_id, request, user, uow, message=f"Not changed: {exc}",
                     status=status_of(exc)[0])
    return RedirectResponse(f"/org/calibration/{session.id}?changed={done.person.handle}"
                            "#list", status_code=303)
