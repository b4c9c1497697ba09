"""The import templates: people and events as CSV with example rows in the organization's
framework, downloadable from the import page and printed by `trellis import --template`;
imported as they are, they add their person and career."""

from __future__ import annotations

import csv
import io

from trellis.adapters.import_templates import EXAMPLE_PERSON

from .test_import_page import events_of, lines, stream


def test_the_import_page_links_both_templates(clients):
    page = clients["hr"].get("/org/import").text
    assert 'href="/org/import/template/people.csv"' in page
    assert 'href="/org/import/template/events.csv"' in page


def test_the_templates_import_as_they_are(app, clients):
    hr = clients["hr"]
    people = hr.get("/org/import/template/people.csv")
    events = hr.get("/org/import/template/events.csv")
    for got, kind in ((people, "people"), (events, "events")):
        assert got.status_code == 200
        assert got.headers["content-type"] == "text/csv; charset=utf-8"
        assert got.headers["content-disposition"] == \
            f'attachment; filename="trellis-{kind}-template.csv"'
    rows = list(csv.DictReader(io.StringIO(events.text)))
    assert {r["kind"] for r in rows} >= {"hire", "skill_step", "certification"}
    hire = next(r for r in rows if r["kind"] == "hire")
    assert hire["role"] == "eng1" and hire["pay"] == "45000"  # tiny.yaml's first role, mid
    step = next(r for r in rows if r["kind"] == "skill_step")
    assert step["competency"] == "coding"  # what eng1 expects
    first = lines(stream(hr, "people.csv", people.content))[-1]
    assert first == {"result": {"file": "people.csv", "people": 1, "events": 0,
                                "profiles": 0}}
    second = lines(stream(hr, "events.csv", events.content))[-1]
    assert second["result"]["events"] == len(rows), second
    assert events_of(app, EXAMPLE_PERSON) == len(rows)


def test_an_unknown_template_is_404_and_only_hr_downloads(clients):
    assert clients["hr"].get("/org/import/template/pay.csv").status_code == 404
    assert clients["employee"].get("/org/import/template/people.csv").status_code == 403


def test_the_command_prints_the_same_templates(cli, clients, web_url):
    for kind in ("people", "events"):
        done = cli("--db", web_url, "import", "--template", kind)
        assert done.code == 0
        assert done.out == clients["hr"].get(f"/org/import/template/{kind}.csv").text


def test_the_command_refuses_an_unknown_template_or_nothing_to_do(cli, web_url):
    done = cli("--db", web_url, "import", "--template", "pay")
    assert done.code == 1 and done.err.strip() == \
        "error: no template 'pay': choose people or events"
    done = cli("--db", web_url, "import")
    assert done.code == 1 and "give the FILE to import" in done.err
