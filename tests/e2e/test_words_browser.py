"""The refusals of the main forms read in people's words, and so does every page an
employee, a manager and an HR admin reach (test_crawl_browser checks those with the patterns
here): no command-line text (``--flag``, `` `trellis ...` ``), no file paths
(``docs/ledger.md``), no "event 123", no ISO days, no handles or ids (``eng-l6``, ``system_design``,
``leila.wang``) where a name or title belongs, no email as a label (an email shows only as a
mailto link: someone's address), no raw long decimals.

What is checked is the text a person reads (``innerText``, with every ``<details>`` open);
screenshots of the refusals go to TRELLIS_E2E_SCREENSHOTS. The demo site, the browser and
signing in come from ``test_browser``; ``.ci/run`` installs chromium, elsewhere this skips.
"""

from __future__ import annotations

import re

import pytest

from e2e import site_pages, test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site

CLI_TEXT = {
    "a command-line option": re.compile(r"(?<![\w-])--[a-z][\w-]*"),
    "a command": re.compile(r"`trellis|\btrellis (?:init|log|plan|person|framework|refresh|"
                            r"case|comp|calibrate|review|checkin|profile|timeline|import)\b"),
    "a file path": re.compile(r"\bdocs/|\b[\w-]+\.md\b"),
    "an event id": re.compile(r"\bevents? #?\d+", re.IGNORECASE),
    "an email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "an ISO day": re.compile(r"\b\d{4}-\d\d-\d\d\b"),  # pages write "2 Dec 2026"
    "an approval step's id": re.compile(r"\bskip_level\b"),
    # three or more decimals, except a p-value's ("p = 0.048", "p < 0.001")
    "a raw decimal": re.compile(r"(?<!p = )(?<!p < )(?<![\d.])\d+\.\d{3,}\b"),
}
READABLE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  // an email is someone's address only as a mailto link: its text is not a label
  document.querySelectorAll('a[href^="mailto:"]').forEach(a => { a.textContent = 'ADDRESS'; });
  return document.body.innerText;
}"""


def identifiers(page, site: str) -> re.Pattern[str]:
    """The demo's handles and the framework's ids that hold '-', '_' or '.' (an id like
    ``coding`` is also a word), as whole words."""
    people = page.request.get(f"{site}/api/people?limit=1000").json()
    framework = page.request.get(f"{site}/api/frameworks/active").json()["document"]
    found = {p["handle"] for p in people}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), str) and re.search(r"[-_.]", node["id"]):
                found.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(framework)
    words = "|".join(re.escape(w) for w in sorted(found, key=len, reverse=True))
    return re.compile(rf"(?<![\w.@/-])(?:{words})(?![\w@-]|\.\w)")


def findings(where: str, text: str, ids: re.Pattern[str]) -> list[str]:
    out = []
    for what, pattern in [*CLI_TEXT.items(), ("a handle or id", ids)]:
        for m in pattern.finditer(text):
            around = " ".join(text[max(0, m.start() - 50):m.end() + 30].split())
            out.append(f"{where}: {what} {m.group(0)!r} in “…{around}…”")
    return out


def readable(page) -> str:
    return str(page.evaluate(READABLE))


@pytest.fixture(scope="module")
def hr_page(browser, site):
    return test_browser.sign_in(browser, site, site_pages.ROLES["hr"])


@pytest.fixture(scope="module")
def ids(hr_page, site) -> re.Pattern[str]:
    return identifiers(hr_page, site)


# --- the refusals of the main forms


def submit(page, form: str, values: dict[str, str], button: str | None = None) -> None:
    """Fill ``form`` (a selector) with ``values`` by name, past the browser's own checks
    (required, min, max), and send it as its button would; wait for the answer."""
    page.evaluate("""([form, values]) => {
      const f = document.querySelector(form);
      f.noValidate = true;
      for (const [name, value] of Object.entries(values)) {
        for (const input of f.querySelectorAll(`[name="${name}"]`)) {
          input.removeAttribute('required');
          input.value = value;
        }
      }
    }""", [form, values])
    with page.expect_navigation():
        if button:
            page.locator(form).get_by_role("button", name=button).click()
        else:
            page.evaluate("form => document.querySelector(form).requestSubmit()", form)


def refusal(page, where: str, ids: re.Pattern[str], shot: str) -> list[str]:
    """The refusal's text (an alert) checked for command-line words; a screenshot of it."""
    alerts = page.locator("[role=alert]")
    assert alerts.count() >= 1, f"{where}: no refusal shown ({page.url})"
    page.screenshot(path=str(test_browser.SHOTS / f"trellis-refusal-{shot}.png"),
                    full_page=False)
    text = "\n".join(alerts.all_inner_texts())
    return findings(f"{where} ({text!r})", text, ids)


def test_the_refusals_of_the_main_forms_read_in_human_words(browser, site, ids):
    found: list[str] = []
    employee = test_browser.sign_in(browser, site, site_pages.ROLES["employee"])
    # a skill step that goes down, and one in nothing
    submit(employee, "#log-form", {"kind": "skill_step", "from_mastery": "3",
                                   "to_mastery": "1", "evidence": "x"})
    found += refusal(employee, "log a step down", ids, "log-down")
    employee.goto(f"{site}/me")
    submit(employee, "#log-form", {"kind": "certification", "certification": "",
                                   "evidence": ""})
    found += refusal(employee, "log an empty certification", ids, "log-empty")
    employee.goto(f"{site}/me")
    submit(employee, "#plan-form", {"capacity": "40"})
    found += refusal(employee, "a plan of 40 steps a quarter", ids, "plan")

    manager = test_browser.sign_in(browser, site, site_pages.ROLES["manager"])
    manager.goto(f"{site}/team")
    with manager.expect_navigation():
        manager.locator("table tbody a[href^='/people/']").first.click()
    report = manager.url.split("#")[0]  # a person of the manager's team
    form = manager.locator("form.retract-form").first
    form.evaluate("f => f.id = 'retract-me'")
    submit(manager, "#retract-me", {"reason": ""})
    if manager.get_by_role("button", name=re.compile("^Yes")).count():  # confirm, no reason
        manager.evaluate("""() => document.querySelectorAll('input[name=reason]')
                            .forEach(i => { i.removeAttribute('required'); i.value = ''; })""")
        with manager.expect_navigation():
            manager.get_by_role("button", name=re.compile("^Yes")).click()
    found += refusal(manager, "retract without a reason", ids, "retract")

    # an off-cycle raise of 90% with no reason, from the person's page
    manager.goto(report)
    submit(manager, "#log-form", {"kind": "compensation", "percent": "90", "reason": ""})
    found += refusal(manager, "a raise of 90% with no reason", ids, "raise")
    manager.goto(report)
    submit(manager, "#log-form", {"kind": "compensation", "percent": "three", "reason": "x"})
    found += refusal(manager, "a raise of 'three' percent", ids, "raise-text")
    # a promotion case proposing pay far above the band, with no reason for it
    manager.goto(report)
    submit(manager, "#propose-form", {})  # the next role up: the case to confirm
    found += findings("a new case", readable(manager), ids)
    submit(manager, "#case-form", {"pay": "9000000", "pay_reason": "",
                                   "justification": "ready"})
    found += refusal(manager, "a case paid above the band with no reason", ids, "case-pay")

    hr = test_browser.sign_in(browser, site, site_pages.ROLES["hr"])
    hr.goto(f"{site}/comp")
    submit(hr, "form[action^='/comp/cycles#']", {"name": "2027 merit",
                                                 "effective_on": "2027-01-01",
                                                 "budget_percent": "0"})
    found += refusal(hr, "a pay cycle with a budget of 0%", ids, "cycle-budget")
    # the demo's open case: its requirements fail, so approving without an override is
    # refused; declining without a reason too
    hr.goto(f"{site}/cases")
    cases = hr.eval_on_selector_all("a[href^='/cases/']", "els => els.map(a => a.getAttribute"
                                    "('href')).filter(h => /^\\/cases\\/\\d+$/.test(h))")
    assert cases, "the demo has a promotion case"
    for path in cases:
        hr.goto(f"{site}{path}")
        if hr.locator("#approve-form").count():
            break
    if hr.locator("#approve-form").count():
        case_url = hr.url
        submit(hr, "#approve-form", {"override": ""})
        if hr.get_by_role("button", name=re.compile("^Yes")).count():
            with hr.expect_navigation():
                hr.get_by_role("button", name=re.compile("^Yes")).click()
        if hr.locator("[role=alert]").count():
            found += refusal(hr, "approve a case a requirement stops", ids, "case-approve")
        hr.goto(case_url)
        if hr.locator("#decline-form").count():
            submit(hr, "#decline-form", {"reason": ""})
            found += refusal(hr, "decline a case with no reason", ids, "case-decline")

    hr.goto(f"{site}/org/calibration")
    with hr.expect_navigation():
        hr.locator("a[href^='/org/calibration/']").first.click()
    change = hr.locator("#members form").first
    if change.count():
        change.evaluate("f => f.id = 'change-me'")
        submit(hr, "#change-me", {"reason": ""})
        found += refusal(hr, "a calibration change without a reason", ids, "calibrate")

    for path, what in (("/simulate?run=1&years=99", "a simulation of 99 years"),
                       ("/org/compare?team=dennis.pham&person=leila.wang",
                        "a team and a person compared at once")):
        hr.goto(f"{site}{path}")
        found += refusal(hr, what, ids, what.split()[1])
    assert found == [], "\n".join(found)
