"""Security headers on every response, as one ASGI middleware.

    Content-Security-Policy    scripts and everything else only from this site; no inline
                               script (the pages have none: their JavaScript is in /static),
                               no plugins, no <base>, forms post here, never framed
    X-Frame-Options: DENY      the same for browsers that predate frame-ancestors
    X-Content-Type-Options     nosniff: a response is only what its Content-Type says
    Referrer-Policy            same-origin: URLs (handles, queries) never leave the site
    Cache-Control: no-store    unless a response sets its own (static assets do): pages and
                               documents hold careers and pay
    Strict-Transport-Security  production only: browsers keep to HTTPS for a year

Styles may be inline (``'unsafe-inline'`` in style-src): plotly.js and Swagger UI set
style attributes; styles cannot run code.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Adds HEADERS (and HSTS when ``https``) to every HTTP response that does not set its
    own value of one."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = {**HEADERS, **({"Strict-Transport-Security": HSTS} if https else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
