"""The real CLI, in-process: every bad input is one line and a non-zero exit; happy paths work.

Exit codes: 0 success, 1 an error the user can fix (one ``error:`` line on stderr), 2 a
usage error (an unknown option, a value of the wrong type, a missing confirmation).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import TINY, run_cli

ONET = Path(os.environ.get("TRELLIS_ONET_DIR")
            or Path(__file__).resolve().parents[2].parent / "shared" / "data" / "onet")


def no_traceback(result) -> None:
    assert "Traceback" not in result.out and "Traceback" not in result.err
    assert "internal error" not in result.err


def one_error(result, *, code: int = 1) -> str:
    """The single stderr line of a failed command, without its 'error: ' prefix."""
    no_traceback(result)
    assert result.code == code, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    return lines[0].removeprefix("error: ")


def usage_error(result) -> str:
    """The single stderr line of a usage error (exit 2), without its 'error: ' prefix."""
    return one_error(result, code=2)


def ok(result) -> str:
    no_traceback(result)
    assert result.code == 0, result.err
    return result.out


def build_ada(url: str) -> None:
    ok(run_cli("--db", url, "init", "--framework", TINY))
    ok(run_cli("--db", url, "person", "add", "ada", "--name", "Ada Lovelace", "--role", "eng1",
               "--hired", "2020-01-06", "--pay", "45000", "--email", "ada@example.com"))


@pytest.fixture
def db(cli, sqlite_templates, tmp_path):
    """Run a command against a database holding TINY and Ada (eng1, hired 2020-01-06): a
    copy of one the CLI built once per worker."""
    sqlite_url = sqlite_templates.copy_to("cli_errors_ada", build_ada, tmp_path / "trellis.db")

    def run(*args):
        return cli("--db", sqlite_url, *args)

    return run


# --- bad input: one line, exit 1 ----------------------------------------------------------


def test_unknown_person(db):
    assert one_error(db("log", "check_in", "zed", "--on", "2021-01-04")) == \
        "unknown person 'zed'"
    assert one_error(db("profile", "zed")) == "unknown person 'zed'"
    assert one_error(db("timeline", "zed")) == "unknown person 'zed'"
    assert one_error(db("person", "show", "zed")) == "unknown person 'zed'"
    assert one_error(db("person", "erase", "zed", "--yes")) == "unknown person 'zed'"
    assert one_error(db("person", "list", "--team", "zed")) == "unknown person 'zed'"


def test_unknown_role(db):
    assert one_error(db("person", "add", "bob", "--name", "Bob", "--role", "cto",
                        "--hired", "2021-01-04")) == \
        "bob: hire on 2021-01-04: unknown role 'cto'"
    assert one_error(db("log", "promotion", "ada", "--role", "cto", "--on", "2021-01-04")) == \
        "ada: promotion on 2021-01-04: unknown role 'cto'"
    assert "bob" not in ok(db("person", "list"))


def test_unknown_competency(db):
    assert one_error(db("log", "skill_step", "ada", "--competency", "juggling", "--from", "0",
                        "--to", "1", "--on", "2021-01-04")) == \
        "ada: skill_step on 2021-01-04: unknown competency 'juggling'"


def test_unknown_kind_and_options_that_do_not_apply(db):
    assert one_error(db("log", "level_up", "ada")).startswith(
        "unknown event kind 'level_up' (known: hire, promotion, ")
    assert one_error(db("log", "skill_step", "ada", "--role", "eng2")) == \
        "--role does not apply to skill_step"
    assert one_error(db("log", "check_in", "ada", "--for", "x")) == \
        "--for does not apply to check_in"
    assert one_error(db("log", "retraction", "ada")) == \
        "use `trellis retract EVENT_ID --reason ...` to retract an event"


def test_missing_and_invalid_fields(db):
    assert one_error(db("log", "skill_step", "ada", "--competency", "coding", "--to", "1")) == \
        "skill_step: from_mastery is required"
    assert one_error(db("log", "compensation", "ada", "--on", "2021-01-04")) == \
        "compensation: give exactly one of amount or percent"
    assert one_error(db("log", "recognition", "ada", "--for", "x",
                        "--recognition-kind", "medal")) == \
        "recognition: recognition_kind must be one of kudos, award, spot_bonus, got 'medal'"
    assert one_error(db("log", "responsibility", "ada", "--function", "eng",
                        "--share", "1.5")) == \
        "responsibility: share must be between 0 and 1, got 1.5"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "check_in", "ada", "--on", "2021-13-01"),
         "malformed --on '2021-13-01': use YYYY-MM-DD"),
        (("log", "check_in", "ada", "--on", "04/01/2021"),
         "malformed --on '04/01/2021': use YYYY-MM-DD"),
        (("profile", "ada", "--at", "2020-02-30"),
         "malformed --at '2020-02-30': use YYYY-MM-DD"),
        (("person", "add", "bob", "--name", "Bob", "--role", "eng1", "--hired", "yesterday"),
         "malformed --hired 'yesterday': use YYYY-MM-DD"),
        (("framework", "load", str(TINY), "--effective", "2021-1-1x"),
         "malformed --effective '2021-1-1x': use YYYY-MM-DD"),
        (("framework", "show", "--at", "soon"), "malformed --at 'soon': use YYYY-MM-DD"),
    ],
)
def test_malformed_dates(db, args, message):
    assert one_error(db(*args)) == message


def test_event_before_the_hire_and_after_a_departure(db):
    assert one_error(db("log", "certification", "ada", "--certification", "CKA",
                        "--on", "2019-12-31")) == \
        "ada: certification on 2019-12-31 is before the hire"
    ok(db("log", "departure", "ada", "--on", "2022-06-30"))
    assert one_error(db("log", "check_in", "ada", "--on", "2022-07-01")) == \
        "ada: check_in on 2022-07-01 is after the departure on 2022-06-30"


def test_event_in_the_future(db):
    message = one_error(db("log", "check_in", "ada", "--on", "2150-01-01"))
    assert message == "check_in on 2150-01-01: the date is in the future"


def test_promotion_to_the_same_or_a_lower_level(db):
    assert one_error(db("log", "promotion", "ada", "--role", "des1", "--on", "2021-01-04")) \
        == "ada: promotion on 2021-01-04 to 'des1' (level L1) is not above the current level L1"
    ok(db("log", "promotion", "ada", "--role", "eng3", "--on", "2021-01-04"))
    assert one_error(db("log", "promotion", "ada", "--role", "eng2", "--on", "2021-06-01")) \
        == "ada: promotion on 2021-06-01 to 'eng2' (level L2) is not above the current level L3"
    assert one_error(db("log", "lateral-move", "ada", "--role", "eng3",
                        "--on", "2021-06-01")) == \
        "ada: lateral_move on 2021-06-01: already in role 'eng3'"


def test_skill_step_that_disagrees_with_current_mastery(db):
    ok(db("log", "skill_step", "ada", "--competency", "coding", "--from", "0", "--to", "2",
          "--on", "2020-06-01"))
    assert one_error(db("log", "skill_step", "ada", "--competency", "coding", "--from", "1",
                        "--to", "3", "--on", "2020-09-01")) == \
        "ada: skill_step on 2020-09-01: coding is at mastery 2, not 1"
    profile = json.loads(ok(db("profile", "ada", "--json")))
    assert profile["competencies"]["coding"]["mastery"] == 2


def test_retraction_of_an_unknown_or_already_retracted_event(db):
    assert one_error(db("retract", "999", "--reason", "typo")) == "unknown event 999"
    out = ok(db("log", "check_in", "ada", "--engagement", "2", "--on", "2021-01-04"))
    assert out.strip() == "recorded check_in for ada on 2021-01-04 (event 2)"
    assert ok(db("retract", "2", "--reason", "wrong person")).strip() == \
        "retracted event 2 (retraction is event 3)"
    assert one_error(db("retract", "2", "--reason", "again")) == \
        "event 2 was already retracted by event 3"
    assert one_error(db("retract", "3", "--reason", "undo")) == \
        "event 3 is a retraction and cannot be retracted"
    timeline = json.loads(ok(db("timeline", "ada", "--json")))
    assert [(e["id"], e["kind"], e["retracted_by"]) for e in timeline] == \
        [(1, "hire", None), (2, "check_in", 3), (3, "retraction", None)]


def test_erase_needs_confirmation(db):
    message = usage_error(db("person", "erase", "ada"))
    assert "add --yes to confirm" in message
    ok(db("person", "show", "ada"))


def test_usage_errors_exit_2(db):
    assert "--from" in usage_error(db("log", "skill_step", "ada", "--from", "x", "--to", "2"))
    assert "--frobnicate" in usage_error(db("log", "check_in", "ada", "--frobnicate"))
    assert "No such command" in usage_error(db("frobnicate", "ada"))
    assert "Missing option '--to'" in usage_error(db("promote", "ada"))


def test_an_unknown_option_is_one_line(db):
    result = db("person", "list", "--frobnicate")
    assert result.out == ""
    assert usage_error(result) == "No such option: --frobnicate"


def test_a_missing_required_option_or_argument_is_one_line(db):
    assert usage_error(db("person", "add", "bob", "--role", "eng1",
                          "--hired", "2021-01-04")) == "Missing option '--name'."
    assert usage_error(db("person", "add")) == "Missing argument 'handle'."
    assert "bob" not in ok(db("person", "list"))


def test_a_non_integer_pay_is_one_line(db):
    message = usage_error(db("person", "add", "bob", "--name", "Bob", "--role", "eng1",
                             "--hired", "2021-01-04", "--pay", "lots"))
    assert message.startswith("Invalid value for '--pay': ")
    assert "bob" not in ok(db("person", "list"))


def test_usage_errors_before_any_command(cli):
    assert usage_error(cli("--frobnicate")) == "No such option: --frobnicate"
    assert usage_error(cli("--db")) == "Option '--db' requires an argument."


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("TRELLIS_ENVIRONMENT", "staging",
     "TRELLIS_ENVIRONMENT must be development or production, not 'staging'"),
    ("trellis_environment", "Production",
     "TRELLIS_ENVIRONMENT must be development or production, not 'Production'"),
    ("TRELLIS_API_DOCS", "maybe", "TRELLIS_API_DOCS must be true or false, not 'maybe'"),
])
def test_a_bad_setting_is_one_line_naming_its_variable(db, monkeypatch, variable, value,
                                                       message):
    monkeypatch.setenv(variable, value)
    assert one_error(db("person", "list")) == message


def test_help_still_prints_and_exits_0(cli):
    for args, shown in ((("--help",), "--db"), (("person", "add", "--help"), "--name"),
                        (("log", "--help"), "--on")):
        result = cli(*args)
        out = ok(result)
        assert "Usage:" in out and shown in out and "Error" not in out
        assert result.err == ""


def test_a_group_without_a_command_shows_its_help(cli):
    result = cli("person")
    no_traceback(result)
    assert result.code == 2
    assert "Usage:" in result.out and "add" in result.out and result.err == ""


def test_duplicate_handle_and_email(db):
    assert one_error(db("person", "add", "ada", "--name", "Ada", "--role", "eng1",
                        "--hired", "2021-01-04")) == "a person with handle 'ada' already exists"
    assert one_error(db("person", "add", "ada2", "--name", "Ada", "--role", "eng1",
                        "--hired", "2021-01-04", "--email", "ada@example.com")) == \
        "a person with email 'ada@example.com' already exists"
    assert one_error(db("person", "add", "Bad Handle", "--name", "X", "--role", "eng1",
                        "--hired", "2021-01-04")).startswith("invalid handle 'Bad Handle'")


# --- not a Trellis database ---------------------------------------------------------------


def test_a_text_file_is_not_a_trellis_database(cli, tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes\n" * 50)
    for args in (("person", "list"), ("profile", "ada"), ("init",)):
        message = one_error(cli("--db", path, *args))
        assert message == f"sqlite:///{path} is not a Trellis database: file is not a database"
    assert path.read_text() == "these are my notes\n" * 50


def test_an_sqlite_file_of_another_application(cli, tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    message = one_error(cli("--db", path, "person", "list"))
    assert message == f"sqlite:///{path} is not a Trellis database (run `trellis init` to " \
        "create one)"
    assert one_error(cli("--db", path, "framework", "load", TINY)) == message
    # init does not move in with another application's tables
    assert one_error(cli("--db", path, "init")) == (
        f"sqlite:///{path} is not a Trellis database: it already holds other tables "
        "(recipes); use an empty database")
    with sqlite3.connect(path) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'table'")}
    assert tables == {"recipes"}


def test_a_missing_database_file(cli, tmp_path):
    path = tmp_path / "nowhere" / "trellis.db"
    assert one_error(cli("--db", path, "person", "list")) == \
        f"no database at {path}: run `trellis init` first"
    assert not path.parent.exists()


def test_an_empty_database_without_a_framework(cli, sqlite_url):
    ok(cli("--db", sqlite_url, "init"))
    assert one_error(cli("--db", sqlite_url, "person", "add", "ada", "--name", "Ada",
                         "--role", "eng1", "--hired", "2021-01-04")) == \
        "no framework is loaded: run `trellis framework load FILE` first"
    assert one_error(cli("--db", sqlite_url, "framework", "show")) == \
        "no framework is loaded: run `trellis framework load FILE` first"


# --- framework files -----------------------------------------------------------------------


def test_framework_validate_prints_every_problem_with_path_and_line(cli, tmp_path):
    text = TINY.read_text()
    text = text.replace("{id: L2, name: Mid}", "{id: L1, name: Mid}")
    text = text.replace("{id: communication, name: Communication}",
                        "{id: communication, name: Communication, prerequisites: [design_systems]}")
    text = text.replace("{id: coding, name: Coding}",
                        "{id: coding, name: Coding, prerequisites: [communication]}")
    text = text.replace("title: Designer I,", "title: Designer I, track: nowhere,") \
        .replace("{id: des1, track: design,", "{id: des1,")
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    result = cli("framework", "validate", path)
    no_traceback(result)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    *problems, summary = lines
    assert summary == f"error: {path}: {len(problems)} problems"
    assert len(problems) >= 3
    for problem in problems:
        assert problem.startswith(f"{path}:"), problem
        assert problem.split(":")[1].isdigit(), problem
    joined = "\n".join(problems)
    assert "duplicate id 'L1'" in joined
    assert "cycle" in joined
    assert "nowhere" in joined


def test_framework_validate_and_load_a_missing_file(cli, sqlite_url, tmp_path):
    missing = tmp_path / "missing.yaml"
    result = cli("framework", "validate", missing)
    no_traceback(result)
    assert result.code == 1
    assert result.err.strip().splitlines()[-1] == f"error: {missing}: 1 problem"
    ok(cli("--db", sqlite_url, "init"))
    message = one_error(cli("--db", sqlite_url, "framework", "load", missing))
    assert str(missing) in message and "cannot read file" in message


# --- import with bad rows -------------------------------------------------------------------


def test_import_lists_every_bad_row_and_writes_nothing(db, tmp_path):
    path = tmp_path / "bad.jsonl"
    rows = [
        {"record": "person", "handle": "bob", "name": "Bob", "manager": "nobody"},
        {"record": "event", "person": "zed", "kind": "check_in", "effective_on": "2021-01-04"},
        {"record": "event", "person": "ada", "kind": "check_in", "effective_on": "2021-02-30"},
        {"record": "event", "person": "ada", "kind": "promotion", "effective_on": "2021-03-01",
         "role": "eng1"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    before = ok(db("person", "list", "--json"))
    result = db("import", path)
    no_traceback(result)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines == [
        f"{path}:1: unknown manager 'nobody'",
        f"{path}:2: unknown person 'zed'",
        f"{path}:3: malformed effective_on '2021-02-30': use YYYY-MM-DD",
        f"{path}:4: promotion on 2021-03-01 to 'eng1' (level L1) is not above the current "
        "level L1",
        f"{path}:5: not valid JSON: invalid literal, expected 'null'",
        f"error: {path}: 5 bad row(s); nothing was imported",
    ]
    assert ok(db("person", "list", "--json")) == before
    assert len(json.loads(ok(db("timeline", "ada", "--json")))) == 1


def test_import_of_an_unknown_file_type_or_missing_file(db, tmp_path):
    assert one_error(db("import", tmp_path / "people.xlsx")) == (
        f"{tmp_path / 'people.xlsx'}: unknown file type '.xlsx': use .csv or .jsonl")
    message = one_error(db("import", tmp_path / "gone.csv"))
    assert "cannot read file" in message and "gone.csv" in message


def test_export_to_an_unknown_file_type(db, tmp_path):
    message = one_error(db("export", "--out", tmp_path / "ledger.txt"))
    assert "unknown file type '.txt': use .csv or .jsonl" in message
    assert "import" not in message  # an export error must not talk about an import
    assert not (tmp_path / "ledger.txt").exists()


def test_import_csv_with_an_unknown_column(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("record,handle,name,salary\nperson,bob,Bob,100\n")
    result = db("import", path)
    no_traceback(result)
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"{path}:1: unknown column(s): salary",
        f"error: {path}: 1 bad row(s); nothing was imported",
    ]


# --- happy paths ------------------------------------------------------------------------


def test_every_command_on_a_small_career(db, cli, tmp_path):
    # framework commands
    out = ok(cli("framework", "validate", TINY))
    assert out.strip() == (f"{TINY}: valid framework 'tiny': 2 tracks, 3 levels, 5 roles, "
                           "2 skill bands, 4 competencies")
    assert ok(db("framework", "load", TINY)).strip() == "'tiny' is unchanged (version 1) [active]"
    versions = json.loads(ok(db("framework", "list", "--json")))
    assert [(v["key"], v["version"], v["active"], v["effective_from"]) for v in versions] == \
        [("tiny", 1, True, None)]
    assert "tiny" in ok(db("framework", "list"))
    shown = ok(db("framework", "show"))
    assert "Tiny Co (tiny v1)" in shown and "Senior Engineer" in shown and "54,000 EUR" in shown
    document = json.loads(ok(db("framework", "show", "--json")))
    assert document["id"] == "tiny" and len(document["roles"]) == 5
    assert "id: tiny" in ok(db("framework", "show", "tiny", "--yaml"))
    schema = json.loads(ok(cli("framework", "schema")))
    assert schema["type"] == "object" and "roles" in schema["properties"]

    # people and events
    ok(db("person", "add", "bob", "--name", "Bob Builder", "--role", "eng3", "--hired",
          "2018-03-01", "--pay", "80000"))
    ok(db("person", "add", "cy", "--name", "Cy Young", "--role", "des1", "--hired",
          "2021-02-01", "--manager", "bob"))
    for args in (
        ("skill_step", "ada", "--competency", "coding", "--from", "0", "--to", "1",
         "--on", "2020-03-02", "--evidence", "https://example.com/pr/1", "--verifier", "bob"),
        ("compensation", "ada", "--percent", "4", "--on", "2021-01-04"),
        ("recognition", "ada", "--for", "release rescue", "--giver", "bob", "--points", "10",
         "--on", "2021-02-01"),
        ("responsibility", "ada", "--function", "design", "--share", "0.25",
         "--on", "2021-03-01"),
        ("certification", "ada", "--certification", "CKA", "--issuer", "CNCF",
         "--on", "2021-04-01"),
        ("project_leadership", "ada", "--project", "Atlas", "--team-size", "4",
         "--on", "2021-05-03"),
        ("promotion", "ada", "--role", "eng2", "--pay", "54000", "--on", "2021-07-01"),
        ("check_in", "ada", "--engagement", "4", "--notes", "good", "--on", "2021-09-01"),
        ("lateral_move", "cy", "--role", "eng1", "--on", "2021-08-02"),
        ("departure", "cy", "--departure-kind", "voluntary", "--on", "2022-01-31"),
    ):
        assert ok(db("log", *args)).startswith(f"recorded {args[0]} for {args[1]} on ")

    profile = json.loads(ok(db("profile", "ada", "--json")))
    assert profile["person"] == {"id": 1, "handle": "ada", "name": "Ada Lovelace"}
    assert profile["role"]["id"] == "eng2" and profile["pay"]["base"] == 54000
    assert profile["competencies"]["coding"]["mastery"] == 1
    assert profile["responsibilities"] == {"design": 0.25}
    assert profile["micro_progressions"]["total"] == 6
    past = json.loads(ok(db("profile", "ada", "--at", "2021-06-30", "--json")))
    assert (past["as_of"], past["role"]["id"], past["pay"]["base"]) == \
        ("2021-06-30", "eng1", 46800)  # 45000 + 4%
    text = ok(db("profile", "ada"))
    assert "Ada Lovelace (ada)" in text and "Engineer II (eng2)" in text
    assert "Competency layers" in text and "Responsibilities" in text

    timeline = json.loads(ok(db("timeline", "ada", "--json")))
    assert [e["kind"] for e in timeline] == [
        "hire", "skill_step", "compensation", "recognition", "responsibility",
        "certification", "project_leadership", "promotion", "check_in"]
    assert timeline[1]["evidence"] == "https://example.com/pr/1"
    assert timeline[1]["verifier"] == "bob"
    assert timeline[7]["advance"] == "promotion" and timeline[1]["advance"] == \
        "micro_progression"
    assert "Timeline of Ada Lovelace (ada)" in ok(db("timeline", "ada"))

    people = json.loads(ok(db("person", "list", "--json")))
    assert [p["handle"] for p in people] == ["ada", "bob"]  # cy has left
    everyone = json.loads(ok(db("person", "list", "--all", "--json")))
    assert {p["handle"]: p["manager"] for p in everyone} == \
        {"ada": None, "bob": None, "cy": "bob"}
    assert "Ada Lovelace" in ok(db("person", "list"))
    shown = json.loads(ok(db("person", "show", "ada", "--json")))
    assert (shown["handle"], shown["email"], shown["role"], shown["title"]) == \
        ("ada", "ada@example.com", "eng2", "Engineer II")
    assert "handle: ada" in ok(db("person", "show", "1"))

    # export, then import into a fresh database: the same profiles
    for suffix in (".csv", ".jsonl"):
        out = tmp_path / f"ledger{suffix}"
        assert ok(db("export", "--out", out)).strip() == f"wrote 16 records to {out}"
        fresh = ("--db", tmp_path / f"fresh{suffix}.db")
        ok(cli(*fresh, "init", "--framework", TINY))
        assert ok(cli(*fresh, "import", out)).strip() == \
            f"imported 3 people and 13 events from {out}"
        for handle in ("ada", "bob", "cy"):
            assert ok(cli(*fresh, "profile", handle, "--json")) == \
                ok(db("profile", handle, "--json"))
            assert ok(cli(*fresh, "profile", handle, "--at", "2021-05-01", "--json")) == \
                ok(db("profile", handle, "--at", "2021-05-01", "--json"))

    # erasure
    assert ok(db("person", "erase", "cy", "--yes")).strip() == \
        "erased cy: identity and 3 events removed"
    assert one_error(db("profile", "cy")) == "unknown person 'cy'"


def test_a_changed_framework_loads_as_version_2(db, tmp_path):
    changed = tmp_path / "tiny2.yaml"
    changed.write_text(TINY.read_text().replace("name: Tiny Co", "name: Tiny Company"))
    assert ok(db("framework", "load", changed)).strip() == "loaded 'tiny' version 2 [active]"
    versions = json.loads(ok(db("framework", "list", "--json")))
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["effective_from"] is None and versions[1]["effective_from"] is not None
    assert "Tiny Company (tiny v2)" in ok(db("framework", "show"))
    assert "Tiny Co (tiny v1)" in ok(db("framework", "show", "--at", "2020-01-01"))


@pytest.mark.skipif(not (ONET / "Skills.tsv").is_file(), reason="O*NET extract not found")
def test_framework_import_onet(db, tmp_path):
    out = tmp_path / "onet.yaml"
    result = ok(db("framework", "import-onet", ONET, "--out", out, "--load"))
    assert f"wrote {out}" in result
    assert "loaded 'onet' version 1: 879 roles, 22 tracks, 35 competencies" in result
    assert out.read_text().startswith("#") or "id: onet" in out.read_text()
    keys = {v["key"] for v in json.loads(ok(db("framework", "list", "--json")))}
    assert keys == {"tiny", "onet"}


@pytest.mark.skipif(not (ONET / "Skills.tsv").is_file(), reason="O*NET extract not found")
def test_framework_import_onet_out_alone_only_writes_the_file(cli, tmp_path):
    """No database exists, and none is needed (nor made) to write the file."""
    out, database = tmp_path / "onet.json", tmp_path / "none.db"
    result = cli("--db", f"sqlite:///{database}", "framework", "import-onet", ONET,
                 "--out", out)
    assert result.code == 0, result.err
    assert result.out.strip() == f"wrote {out}" and result.err == ""
    assert json.loads(out.read_text())["id"] == "onet"
    assert not database.exists()


def test_framework_import_onet_from_an_empty_folder(db, tmp_path):
    message = one_error(db("framework", "import-onet", tmp_path))
    assert message.startswith("invalid framework: ") and "missing O*NET file" in message


def test_user_text_with_square_brackets_is_printed_as_is(db):
    """Names and references are user text, never console markup."""
    assert one_error(db("log", "check_in", "[/x]")) == "unknown person '[/x]'"
    assert one_error(db("profile", "[bold]zed[/bold]")) == "unknown person '[bold]zed[/bold]'"
    ok(db("person", "add", "bob", "--name", "Bob [admin]", "--role", "eng1", "--hired",
          "2021-01-04"))
    assert "name: Bob [admin]" in ok(db("person", "show", "bob"))
    assert "Bob [admin] (bob)" in ok(db("profile", "bob"))


def test_user_text_with_emoji_codes_is_printed_as_is(db):
    """An emoji code in a name or a reference is text: Rich does not turn it into one."""
    assert one_error(db("profile", ":smile:")) == "unknown person ':smile:'"
    ok(db("person", "add", "bob", "--name", "Bob :smile: :thumbs_up:", "--role", "eng1",
          "--hired", "2021-01-04"))
    assert "Bob :smile: :thumbs_up: (bob)" in ok(db("profile", "bob"))
    assert "name: Bob :smile: :thumbs_up:" in ok(db("person", "show", "bob"))
