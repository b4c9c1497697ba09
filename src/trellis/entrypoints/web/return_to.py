"""Where to go after signing in: ``/login?next=/team?sort=level`` returns to the page asked
for, and only to a page of this site.

A value is kept only when it is a relative path of this site: one leading slash (``//host``
is another site), no backslash (browsers read ``/\\host`` as ``//host``), no scheme or host,
no control characters or spaces, and not the login page itself.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

NEXT_MAX = 1000


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a same-site relative path to return to, else None."""
    if not value or len(value) > NEXT_MAX or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(c <= " " or c == "\x7f" for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return None
    return value


PASSWORD_PAGE = "/account/password"


def password_url(path_and_query: str) -> str:
    """The change-password page, going on to ``path_and_query`` afterwards when safe."""
    kept = safe_next(path_and_query)
    if kept is None or kept in ("/", "/me") or kept.startswith(PASSWORD_PAGE):
        return PASSWORD_PAGE
    return PASSWORD_PAGE + "?next=" + quote(kept, safe="/")


def login_url(path_and_query: str) -> str:
    """The login page, returning to ``path_and_query`` afterwards when that is safe."""
    kept = safe_next(path_and_query)
    if kept is None or kept in ("/", "/me"):  # where signing in lands anyway
        return "/login"
    return "/login?next=" + quote(kept, safe="/")
