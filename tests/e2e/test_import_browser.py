"""End to end in headless Chromium: an HR admin imports a file on the Import page, watches
its progress and the summary without leaving the page, finds the new person, and sees a
second upload of the same file refused line by line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from .test_browser import SHOTS, pytestmark, sign_in, site  # noqa: F401

NEWCOMER = [
    {"record": "person", "handle": "browser-newcomer", "name": "Brow Newcomer"},
    {"record": "event", "person": "browser-newcomer", "kind": "hire",
     "effective_on": "2024-02-05", "role": "eng-l1", "pay": 50000},
    {"record": "event", "person": "browser-newcomer", "kind": "certification",
     "effective_on": "2024-06-03", "certification": "Imported in a browser"},
]
# What the page's label says, phase by phase (static/app.js).
LABELS = ["Uploading", "Reading lines", "Checking rows", "Replaying careers",
          "Writing events", "Rebuilding profiles", "Done"]
WATCH_LABEL = """() => {
  window.labels = [];
  new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(
      n => window.labels.push(n.textContent)))
  ).observe(document.getElementById("import-phase"), {childList: true});
}"""


def people_count(page, site: str) -> int:  # noqa: F811
    page.goto(f"{site}/org")
    found = re.search(r"(\d+) people", page.locator("main").inner_text())
    assert found
    return int(found.group(1))


def test_an_hr_admin_imports_a_file_and_watches_it_go(browser, site, tmp_path: Path):  # noqa: F811
    page = sign_in(browser, site, "hr@demo.trellis")
    before = people_count(page, site)
    upload = tmp_path / "newcomer.jsonl"
    upload.write_text("".join(json.dumps(row) + "\n" for row in NEWCOMER), encoding="utf-8")

    page.goto(f"{site}/org/import")
    page.evaluate(WATCH_LABEL)
    page.set_input_files("#import-file", str(upload))
    page.get_by_role("button", name="Validate and import").click()
    summary = page.locator("#import-status p.ok")
    summary.wait_for()
    assert summary.inner_text() == ("Imported newcomer.jsonl: 1 people and 2 events; "
                                    "1 profiles rebuilt.")
    # Still the same document: the script sent the file, the form did not post.
    assert page.evaluate("Array.isArray(window.labels)")
    bar = page.locator("progress#import-bar")
    expect(bar).to_be_visible()
    assert bar.evaluate("b => b.value === b.max")
    labels = page.evaluate("window.labels")
    phases = list(dict.fromkeys(label.split(":")[0] for label in labels))
    assert phases == LABELS, labels
    assert "Reading lines: 3 of 3" in labels and "Writing events: 2 of 2" in labels
    page.screenshot(path=str(SHOTS / "trellis-import.png"), full_page=True)

    again = page.locator("#import-file")
    again.set_input_files(str(upload))
    page.get_by_role("button", name="Validate and import").click()
    refusal = page.get_by_role("alert")
    refusal.wait_for()
    assert "newcomer.jsonl: 2 bad row(s); nothing was imported" in refusal.inner_text()
    assert refusal.locator("li").all_inner_texts() == [
        "line 1: a person with handle 'browser-newcomer' already exists",
        "line 2: hire on 2024-02-05: already hired on 2024-02-05"]
    expect(bar).to_be_hidden()
    assert page.locator("#import-status p.ok").count() == 0

    assert people_count(page, site) == before + 1
    page.goto(f"{site}/people/browser-newcomer")
    assert "Brow Newcomer" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("li.event", has_text="Certified: Imported in a browser").count() == 1
