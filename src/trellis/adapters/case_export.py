"""A promotion case as one self-contained, printable HTML page.

The CSS (with print rules) is inline and the page names no external URL and runs no
script, so it opens offline, prints to PDF as it is, and passes the site's CSP when served.
Jinja2 autoescapes every value (names, justifications and comments are user text).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, Template, select_autoescape


@cache
def _template() -> Template:
    env = Environment(loader=PackageLoader("trellis.adapters", "templates"),
                      autoescape=select_autoescape(["j2", "html"]), trim_blocks=True,
                      lstrip_blocks=True)
    return env.get_template("case.html.j2")


def case_html(document: dict[str, Any]) -> str:
    """The page of a case document (services.case_documents.case_document)."""
    return _template().render(c=document)
