"""A promotion case as one self-contained, printable HTML page.

The CSS (with print rules) is inline and the page names no external URL and runs no
script, so it opens offline, prints to PDF as it is, and passes the site's CSP when served.
Jinja2 autoescapes every value (names, justifications and comments are user text). It is
read by people (a committee, the person): names for handles and emails, titles for role
ids, days as pages write them, pay with its currency.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, Template, select_autoescape

from trellis.domain.case_names import CaseNames
from trellis.domain.days import day_words, moment_words
from trellis.domain.money import money
from trellis.domain.people import named_in


@cache
def _template() -> Template:
    env = Environment(loader=PackageLoader("trellis.adapters", "templates"),
                      autoescape=select_autoescape(["j2", "html"]), trim_blocks=True,
                      lstrip_blocks=True)
    return env.get_template("case.html.j2")


def case_html(document: dict[str, Any], words: CaseNames | None = None) -> str:
    """The page of a case document (services.case_documents.case_document), with ``words``
    for the handles, emails and role ids it holds (an id they lack is shown as it is)."""
    words = words or CaseNames({}, {})
    return _template().render(c=document, w=words, day=_day, moment=_moment, money=money,
                              named=lambda text: named_in(text or "", words.names))


def _day(value: str | None) -> str:
    return day_words(date.fromisoformat(value[:10])) if value else ""


def _moment(value: str | None) -> str:
    """An ISO moment as "2 Dec 2026, 17:45 UTC" (stored naive in UTC)."""
    return moment_words(datetime.fromisoformat(value)) if value else ""
