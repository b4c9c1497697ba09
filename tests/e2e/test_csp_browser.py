"""End to end in headless Chromium: under the Content-Security-Policy every page still
works (its charts drawn by /static scripts) and the browser reports no violation, on the
pages with charts and on the API docs (Swagger UI from the installed package).
"""

from __future__ import annotations

from .test_browser import SHOTS, pytestmark, sign_in, site  # noqa: F401

PAGES = [("/me", "#timeline-chart.ready"), ("/org/evidence", "[data-chart] .plot-container"),
         ("/simulate?run=1&runs=200&years=2&seed=0&cohort=stage%3Dearly",
          "[data-chart] .plot-container"), ("/team", "main")]


def watch_violations(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_the_pages_draw_their_charts_under_the_policy(browser, site):  # noqa: F811
    page = sign_in(browser, site, "hr@demo.trellis")
    seen = watch_violations(page)
    for path, ready in PAGES:
        response = page.goto(f"{site}{path}")
        assert response is not None and "script-src 'self'" in response.headers[
            "content-security-policy"]
        page.wait_for_selector(ready, timeout=20_000)
    assert seen == []


def test_the_api_docs_render_under_the_policy(browser, site):  # noqa: F811
    page = browser.new_page()
    seen = watch_violations(page)
    page.goto(f"{site}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=str(SHOTS / "trellis-docs.png"))
    assert seen == []
