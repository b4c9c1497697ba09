"""Every action on a page answers next to what was acted on, without needing JavaScript.

A *notice* is one message (success or refusal) with the id of the element it belongs to
(its *target*: a form, a section, a timeline row) and, on a refusal, the values the form
was sent with, so the form comes back filled in.

Success, post/redirect/get::

    return feedback.done(request, f"/people/{handle}", "Recorded: Certified: AWS",
                         target="event-12")

answers 303 to ``/people/emp#event-12`` with the notice in a signed one-shot cookie
(HMAC with the app's secret, for that path only, 2 minutes). ``pages.render`` takes it for
every page (``take``) and passes it to the template as ``notice``; the cookie is cleared
in the same response, so a reload shows the page without it.

Refusal: render the same page again with the 4xx status and
``notice=feedback.refused("Not recorded: give a certification", "log", form)``.
Forms post to an action ending in ``#target``, so the browser lands on the message, and
the template fills the form from ``notice.value(name, default)``.

In a template::

    {% from "feedback.html" import notice_at %}
    {{ notice_at(notice, "log") }}   {# the message here if its target is "log" #}
    <input name="evidence" value="{{ notice.value('evidence') if notice else '' }}">

Confirmation of a weighty action (retract, close, erase): the action's form posts once
without ``confirmed``; the handler answers ``feedback.confirm(request, ...)``, a page saying
what will happen, repeating the sent values as hidden fields, with "Yes, ..." and a
Cancel link back; its form posts again with ``confirmed=yes`` (``feedback.confirmed``).
A confirmation may also ask for what the action needs and should not travel as a hidden
field (``asks``: a new password), and comes back with ``refusal`` when that is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

COOKIE = "trellis_notice"
MAX_AGE = 120  # seconds: a redirect is followed at once
TEXT_MAX = 600


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for the element with id ``target``: ``ok`` a success, else a refusal."""

    text: str
    target: str
    ok: bool = True
    values: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        """What the refused form sent as ``name`` (``default`` when it sent nothing)."""
        return self.values.get(name, default)

    def is_for(self, target: str) -> bool:
        return self.target == target


def refused(text: str, target: str, values: Mapping[str, Any] | None = None) -> Notice:
    """A refusal for ``target``, keeping the form's one-line text values (no files)."""
    kept = {k: v for k, v in (values or {}).items() if isinstance(v, str) and k != "csrf_token"}
    return Notice(text, target, ok=False, values=kept)


def _sign(request: Request, body: bytes) -> str:
    key: str = request.app.state.secret
    return hmac.new(key.encode(), b"notice:" + body, hashlib.sha256).hexdigest()


def done(request: Request, url: str, text: str, target: str,
         status_code: int = 303) -> RedirectResponse:
    """Redirect to ``url#target`` with a success notice for the page at ``url``'s path."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    body = orjson.dumps({"text": text[:TEXT_MAX], "target": target, "path": path})
    value = base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + _sign(request, body)
    response = RedirectResponse(f"{url.split('#', 1)[0]}#{target}", status_code=status_code)
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, path=path, httponly=True,
                        samesite="lax", secure=request.app.state.secure_cookies)
    return response


def take(request: Request) -> Notice | None:
    """The success notice sent for this page, if any (a forged or stale one is ignored);
    ``settle`` then clears it."""
    raw = request.cookies.get(COOKIE)
    if not raw or "." not in raw:
        return None
    request.state.notice_taken = True
    encoded, signature = raw.rsplit(".", 1)
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _sign(request, body)):
        return None
    found = orjson.loads(body)
    if found.get("path") != request.url.path:
        return None
    return Notice(str(found["text"]), str(found["target"]))


def settle(request: Request, response: Response) -> Response:
    """Clear the one-shot cookie on the response that showed its notice."""
    if getattr(request.state, "notice_taken", False):
        response.delete_cookie(COOKIE, path=request.url.path)
    return response


@dataclass(frozen=True, slots=True)
class Ask:
    """A field the confirmation page itself asks for (empty each time it is shown)."""

    name: str
    label: str
    type: str = "text"
    help: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)  # autocomplete, minlength


def confirmed(form: Mapping[str, Any]) -> bool:
    """The second post of a confirmed action."""
    return form.get("confirmed") == "yes"


def confirm(request: Request, *, title: str, question: str, action: str,
            fields: Mapping[str, Any], button: str, back: str,
            facts: list[tuple[str, str]] | None = None, asks: list[Ask] | None = None,
            refusal: str | None = None, status_code: int = 200) -> HTMLResponse:
    """The confirmation page of a weighty action: ``question`` (what will happen), the
    ``facts`` (label, value) it concerns, a form posting ``fields`` again to ``action`` with
    confirmed=yes, its ``button`` ("Yes, retract") and a Cancel link to ``back``; the
    ``asks`` fields and, after a refused confirmed post, the ``refusal`` above the form."""
    from .pages import render  # pages imports this module

    asked = {a.name for a in asks or ()}
    hidden = {k: v for k, v in fields.items()
              if isinstance(v, str) and k not in ("csrf_token", "confirmed", *asked)}
    return render(request, "confirm.html", status_code, title=title, question=question,
                  action=action, fields=hidden, button=button, back=back, facts=facts or [],
                  asks=asks or [], refusal=refusal)
