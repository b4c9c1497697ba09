"""The import page's streamed import: progress as JSON lines, then the counts or the bad
rows; HR admins only, with the session's CSRF token, and nothing written unless all is."""

from __future__ import annotations

import json

from .conftest import signed_in

STREAM = "/org/import/stream"
PHASES = ["reading", "checking", "replaying", "writing", "rebuilding"]


def jsonl(*rows: dict) -> bytes:
    return ("\n".join(json.dumps(r) for r in rows) + "\n").encode()


def newcomer(handle: str, manager: str = "mgr") -> list[dict]:
    return [{"record": "person", "handle": handle, "name": handle.title(), "manager": manager},
            {"record": "event", "person": handle, "kind": "hire",
             "effective_on": "2023-01-02", "role": "eng1", "pay": 44000},
            {"record": "event", "person": handle, "kind": "certification",
             "effective_on": "2023-05-02", "certification": "First aid"}]


def stream(client, name: str, body: bytes, **kw):
    return client.post(STREAM, files={"file": (name, body, "application/octet-stream")}, **kw)


def lines(response) -> list[dict]:
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def events_of(app, handle: str) -> int | None:
    with app.state.trellis.uow() as uow:
        person = uow.people.find(handle)
        return None if person is None else len(uow.events.for_person(person.id))


def test_progress_streams_then_the_counts_and_the_events_are_in_the_database(app, clients):
    r = stream(clients["hr"], "two.jsonl", jsonl(*newcomer("stream1"), *newcomer("stream2"),
                                                 {"record": "event", "person": "emp",
                                                  "kind": "check_in",
                                                  "effective_on": "2023-06-01"}))
    assert r.status_code == 200, r.text
    found = lines(r)
    *progress, last = found
    assert last == {"result": {"file": "two.jsonl", "people": 2, "events": 5,
                               "profiles": 3}}
    assert all(set(p) == {"phase", "done", "total"} and 0 <= p["done"] <= p["total"]
               for p in progress)
    assert list(dict.fromkeys(p["phase"] for p in progress)) == PHASES
    final = {p["phase"]: (p["done"], p["total"]) for p in progress}  # each phase's last
    assert final == {"reading": (7, 7), "checking": (7, 7), "replaying": (3, 3),
                     "writing": (5, 5), "rebuilding": (3, 3)}
    assert events_of(app, "stream1") == 2 and events_of(app, "stream2") == 2
    timeline = clients["hr"].get("/api/people/stream2/timeline").json()
    assert [e["kind"] for e in timeline] == ["hire", "certification"]
    audit = clients["hr"].get("/api/audit?limit=20").json()
    assert any(e["action"] == "ledger.import" and e["resource"] == "import/two.jsonl"
               and e["detail"] == {"people": 2, "events": 5} for e in audit)


def test_a_bad_file_streams_every_bad_line_and_writes_nothing(app, clients):
    rows = [*newcomer("nogood1"), {"record": "event", "person": "nogood1",
                                   "kind": "skill_step", "effective_on": "2023-02-30"},
            {"record": "event", "person": "nobody", "kind": "check_in",
             "effective_on": "2023-03-01"}]
    r = stream(clients["hr"], "bad.jsonl", jsonl(*rows) + b"{not json\n")
    assert r.status_code == 200
    *progress, last = lines(r)
    assert progress and all(p["phase"] in PHASES[:3] for p in progress)
    rejected = last["rejected"]
    assert rejected["message"] == "bad.jsonl: 3 bad row(s); nothing was imported"
    assert [p["line"] for p in rejected["problems"]] == [4, 5, 6]
    assert "unknown person 'nobody'" in rejected["problems"][1]["message"]
    assert rejected["more"] == 0
    assert events_of(app, "nogood1") is None


def test_at_most_500_bad_rows_are_listed_and_the_rest_counted(clients):
    bad = [{"record": "event", "person": f"ghost{i}", "kind": "check_in",
            "effective_on": "2023-03-01"} for i in range(620)]
    rejected = lines(stream(clients["hr"], "ghosts.jsonl", jsonl(*bad)))[-1]["rejected"]
    assert len(rejected["problems"]) == 500 and rejected["more"] == 120
    assert rejected["problems"][0]["line"] == 1


def test_bad_uploads_get_one_clear_line_on_both_paths(clients):
    hr = clients["hr"]
    cases = [("people.txt", b"x", "people.txt: use a .csv or .jsonl file"),
             ("latin.csv", "record,handle,name\nperson,jose,José\n".encode("latin-1"),
              "latin.csv: line 2 is not UTF-8 text; save the file as UTF-8")]
    for name, body, message in cases:
        r = stream(hr, name, body)
        assert r.status_code == 422 and lines(r) == [{"error": message}]
        page = hr.post("/org/import", files={"file": (name, body, "text/plain")})
        assert page.status_code == 422 and message in page.text
    r = hr.post(STREAM, data={"note": "no file"})
    assert r.status_code == 422 and lines(r) == [{"error": "choose a .csv or .jsonl file"}]


def test_a_byte_order_mark_is_not_part_of_the_first_column(app, clients):
    body = "\ufeffrecord,handle,name\nperson,bommed,Bo Mmed\n".encode()
    assert lines(stream(clients["hr"], "bom.csv", body))[-1]["result"]["people"] == 1


def test_only_hr_admins_import(app, clients):
    for who in ("manager", "employee"):
        r = stream(clients[who], "x.jsonl", jsonl(*newcomer(f"by{who}")))
        assert r.status_code == 403, who
        assert events_of(app, f"by{who}") is None


def test_the_csrf_token_is_required(app, anonymous):
    c = signed_in(app, "hr")
    token = c.headers.pop("X-CSRF-Token")
    # Without a file part: deps reads the form for its csrf_token field and, refusing, would
    # leave an uploaded file's temporary file open.
    assert c.post(STREAM, files={"note": (None, "no token")}).status_code == 403
    assert stream(c, "x.jsonl", jsonl(*newcomer("nocsrf")),
                  headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert events_of(app, "nocsrf") is None
    # The page's form field does as well as the header.
    r = c.post(STREAM, data={"csrf_token": token},
               files={"file": ("x.jsonl", jsonl(*newcomer("formcsrf")), "text/plain")})
    assert lines(r)[-1]["result"]["people"] == 1
    signed_out = anonymous.post(STREAM, files={"file": ("x.jsonl", b"{}\n", "text/plain")},
                                follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/login"
