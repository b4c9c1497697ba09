"""Where signing in returns to: only a path of this site, whatever text is given."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from trellis.entrypoints.web.return_to import login_url, safe_next

SITE = "https://trellis.example.org/login"


@given(st.text(max_size=60) | st.from_regex(r"[/\\]{1,3}[a-z.:@%]{0,20}", fullmatch=True))
def test_a_kept_value_never_leaves_the_site(value):
    kept = safe_next(value)
    if kept is None:
        return
    # A browser resolves it against the login page: the same scheme and host every time.
    resolved = urlsplit(urljoin(SITE, kept))
    assert (resolved.scheme, resolved.netloc) == ("https", "trellis.example.org")
    assert kept == value and kept.startswith("/") and "\\" not in kept


def test_pages_are_kept_and_other_sites_are_not():
    assert safe_next("/team?sort=level&dir=desc") == "/team?sort=level&dir=desc"
    assert safe_next("/people/ana.lima#plan") == "/people/ana.lima#plan"
    for refused in ("//evil.example", "/\\evil.example", "https://evil.example/x",
                    "javascript:alert(1)", "team", "/login", "/logout", "/a b", "/a\nb", "",
                    None, "/" + "x" * 1000):
        assert safe_next(refused) is None, refused
    assert login_url("/team?q=a b") == "/login"
    assert login_url("/team?q=ana") == "/login?next=/team%3Fq%3Dana"
    assert login_url("/me") == "/login"
