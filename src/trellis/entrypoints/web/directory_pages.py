"""The people directory (``/people``): everyone active, searched by name, for every
signed-in user, each entry showing only what the viewer may see (services.directory)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from trellis.domain.limits import NAME_MAX
from trellis.errors import InvalidEvent
from trellis.services import directory

from .deps import CurrentUser, Uow, analysis
from .fields import LINE, list_link
from .pages import render

router = APIRouter(include_in_schema=False)


def link(q: str, page: int) -> str:
    return list_link("/people", {"q": q, "page": str(page)}, {"page": "1"})


@router.get("/people", response_class=HTMLResponse)
async def people_directory(request: Request, user: CurrentUser, uow: Uow,
                           q: Annotated[str, Query(max_length=NAME_MAX, pattern=LINE)] = "",
                           page: Annotated[str, Query(max_length=20, pattern=LINE)] = "1"
                           ) -> HTMLResponse:
    try:
        number = int(page or "1")
    except ValueError:
        raise InvalidEvent(f"page: '{page}' is not a page number") from None
    if number < 1:
        raise InvalidEvent("a page number is 1 or more")
    found = await analysis(request, directory.search, uow(), user, q.strip(), number)
    return render(request, "directory.html", found=found, q=q.strip(), link=link)
