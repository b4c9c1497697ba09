"""A command starts without what it does not use: `trellis log` runs many times a day.

pandas, scipy, scikit-learn, lifelines, matplotlib and numpy load only inside the commands
that analyse (compare, advise, evidence, simulate, report, the lattice); `trellis --help`
imports no command module, no SQLAlchemy and no pydantic (the root lists the commands from
``commands.COMMANDS``); `trellis log` and `trellis profile` import their own module and
the ledger's, nothing of another command, and no pydantic; on a database at the newest
schema they load no Alembic, and with the framework kept parsed no YAML and no framework
file models, nor the tables beside the ledger (``adapters.workflow_tables``). Issue
15's aims are measured by bench/cli_start.py, never asserted as a time here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer.main

import trellis.errors
from trellis.adapters import database
from trellis.analytics.evidence import MIN_MONTHS
from trellis.entrypoints.cli.app import app
from trellis.entrypoints.cli.commands import COMMANDS

ANALYSIS = ("pandas", "scipy", "sklearn", "lifelines", "matplotlib", "numpy", "plotly",
            "fastapi", "uvicorn", "jinja2", "alembic", "argon2", "pydantic_settings",
            "sqlalchemy.dialects.postgresql")  # on SQLite, PostgreSQL's dialect is not needed
# A database at HEAD needs no migration tool, and a version's framework kept parsed needs
# neither YAML nor the pydantic models of the file format (adapters.framework_files)
JOURNAL = (*ANALYSIS, "yaml", "trellis.adapters.framework_files", "trellis.domain.plan",
           "pydantic",  # settings are a dataclass; typer reads plain option values without it
           # the tables beside the ledger (accounts, cases, reviews, pay, ...) load on first use
           "trellis.adapters.workflow_tables")
# `trellis profile` shows no timeline, and its criteria tables only when there are criteria
PROFILE = (*JOURNAL, "trellis.domain.timeline", "trellis.domain.upward",
           "trellis.domain.access", "trellis.domain.criteria_layers")
AT_HELP = (*ANALYSIS, "sqlalchemy", "pydantic", "yaml", "trellis.bootstrap",
           "trellis.settings")
SOURCE = str(Path(trellis.errors.__file__).parents[1])
CLI = "trellis.entrypoints.cli."


def loaded_after(argv: list[str], watch: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Run the CLI with ``argv`` in a fresh interpreter: which of ``watch`` it imported, and
    which command modules."""
    probe = ("import sys, json\nfrom trellis.entrypoints.cli.app import main\n"
             f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
             f"print(json.dumps([[m for m in {watch!r} if m in sys.modules], sorted(m for m "
             f"in sys.modules if m.startswith({CLI!r}))]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"PYTHONPATH": SOURCE, "COLUMNS": "100",
                               "TRELLIS_AUTHOR": "tester"}, check=True)
    heavy, modules = json.loads(done.stdout.splitlines()[-1])
    return heavy, [m.removeprefix(CLI) for m in modules]


def test_starting_the_cli_loads_no_analysis_library():
    heavy, modules = loaded_after([], AT_HELP)
    assert heavy == []
    assert modules == ["app", "commands", "output", "plain_values"]


def test_the_root_help_lists_every_command_without_importing_one():
    heavy, modules = loaded_after(["--help"], AT_HELP)
    assert heavy == []
    assert modules == ["app", "commands", "output", "plain_values"]


@pytest.fixture
def journal(tmp_path: Path, cli) -> Path:
    db = tmp_path / "journal.db"
    assert cli("--db", db, "init", "--framework", "software-company").code == 0
    assert cli("--db", db, "person", "add", "me", "--name", "Me", "--role", "eng-l2",
               "--hired", "2023-04-01", "--pay", "98000").code == 0
    return db


@pytest.mark.parametrize(("argv", "module", "watch"), [
    (["log", "certification", "me", "--certification", "AWS"], "ledger", JOURNAL),
    (["profile", "me"], "profiles", PROFILE),
    (["timeline", "me"], "profiles", JOURNAL),
])
def test_a_journal_command_imports_its_module_and_no_analysis(journal, argv, module, watch):
    heavy, modules = loaded_after(["--db", str(journal), *argv], watch)
    assert heavy == []
    assert modules == sorted(["app", "commands", "context", "output", "plain_values", module])


def test_the_tables_beside_the_ledger_load_on_first_use_and_all_of_them():
    probe = ("import sys\nfrom trellis.adapters import tables\n"
             "before = 'trellis.adapters.workflow_tables' in sys.modules\n"
             "users = tables.users\n"
             "from trellis.adapters import workflow_tables as w\n"
             "print(before, users is w.users, sorted(tables.WORKFLOW_TABLES) == sorted(\n"
             "    n for n, v in vars(w).items() if isinstance(v, tables.Table)),\n"
             "    set(tables.metadata.tables) == {\n"
             "    v.name for m in (tables, w) for v in vars(m).values()\n"
             "    if isinstance(v, tables.Table)})\n"
             "try:\n    tables.frobnicated\nexcept AttributeError as exc:\n    print(exc)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"PYTHONPATH": SOURCE}, check=True)
    assert done.stdout.splitlines() == [
        "False True True True",
        "module 'trellis.adapters.tables' has no attribute 'frobnicated'"]


def test_the_whole_metadata_is_every_table(tmp_path: Path):
    """``tables.metadata`` (Alembic's, the erasure's, ``demo --replace``'s) names every
    table a migrated database holds, the lazily loaded ones included."""
    from trellis.adapters import tables

    engine = database.make_engine(f"sqlite:///{tmp_path / 'new.db'}", create_dir=True)
    try:
        database.migrate(engine)
        from sqlalchemy import inspect

        migrated = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert set(tables.metadata.tables) == migrated
    assert len(migrated) > len(tables.WORKFLOW_TABLES) > 0


def downgrade(db: Path, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    engine = database.make_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def previous_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    found = ScriptDirectory.from_config(config).get_revision(database.HEAD).down_revision
    assert isinstance(found, str)
    return found


def test_a_journal_behind_is_upgraded_by_its_next_command_then_starts_without_alembic(
        journal, cli):
    downgrade(journal, previous_revision())
    engine = database.make_engine(f"sqlite:///{journal}")
    try:
        assert database.revision(engine) == previous_revision()
        heavy, _ = loaded_after(["--db", str(journal), "log", "certification", "me",
                                 "--certification", "AWS"], JOURNAL)
        assert "alembic" in heavy  # the upgrade needed it
        assert database.revision(engine) == database.HEAD
    finally:
        engine.dispose()
    for argv in (["log", "certification", "me", "--certification", "GCP"], ["profile", "me"]):
        heavy, _ = loaded_after(["--db", str(journal), *argv], JOURNAL)
        assert heavy == []
    shown = cli("--db", journal, "timeline", "me")
    assert shown.code == 0 and "AWS" in shown.out and "GCP" in shown.out


def console_script(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """The CLI as the installed `trellis` runs it: the pyproject's entry point."""
    entry = tomllib.loads((Path(SOURCE).parent / "pyproject.toml").read_text()
                          )["project"]["scripts"]["trellis"]
    module, _, function = entry.partition(":")
    return subprocess.run([sys.executable, "-c", f"import sys; sys.argv[1:] = {argv!r}\n"
                           f"from {module} import {function}; {function}()"],
                          capture_output=True, text=True, env={
                              "PYTHONPATH": SOURCE, "COLUMNS": "200",
                              "TRELLIS_AUTHOR": "tester"})


def test_the_console_script_prints_and_exits_as_main_does(journal, cli):
    """It ends the process without the last sweep of the collector: nothing else differs."""
    db = ["--db", str(journal)]
    for argv, code in ((["log", "certification", "me", "--certification", "AWS"], 0),
                       (["profile", "me", "--json"], 0), (["profile", "nobody"], 1),
                       (["log", "frobnicated", "me"], 1), (["frobnicate"], 2)):
        done = console_script([*db, *argv])
        expected = cli(*db, *argv)
        assert done.returncode == expected.code == code, (argv, done.stderr)
        assert done.stderr == expected.err, argv
        # each recorded its own event: the same line but for the event's id
        assert re.sub(r"event \d+", "event N", done.stdout) == \
            re.sub(r"event \d+", "event N", expected.out), argv
    assert cli(*db, "timeline", "me").out.count("AWS") == 2


def test_the_command_does_its_work_with_the_collector_on(journal):
    """The console script pauses the collector for the start only: a long command (an
    import, a demo, the web service) collects its garbage as usual."""
    probe = ("import gc, sys\n"
             "def where(): print('collector on' if gc.isenabled() else 'collector off')\n"
             "import trellis.entrypoints.cli.context as context\n"
             "opened = context.CliState.open\n"
             "def open_(self, **kw):\n    where()\n    return opened(self, **kw)\n"
             "context.CliState.open = open_\n"
             f"sys.argv[1:] = ['--db', {str(journal)!r}, 'profile', 'me']\n"
             "from trellis.entrypoints.cli.__main__ import run\nrun()")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"PYTHONPATH": SOURCE, "TRELLIS_AUTHOR": "tester"}, check=True)
    assert done.stdout.splitlines()[0] == "collector on"


def test_the_journal_commands_still_do_their_work(journal, cli):
    assert cli("--db", journal, "log", "certification", "me", "--certification",
               "AWS").code == 0
    shown = cli("--db", journal, "timeline", "me")
    assert shown.code == 0 and "AWS" in shown.out


def real_commands() -> dict[str, str]:
    """Every root command's own first help paragraph, every module imported."""
    root = typer.main.get_command(app)
    root.load_all()
    return {name: (command.short_help or command.help or "").split("\n\n")[0]
            for name, command in root.commands.items()}


def test_the_table_of_commands_is_every_command_with_its_own_help():
    assert {name: entry.help for name, entry in COMMANDS.items()} == real_commands()


def test_the_root_help_shows_every_command(cli):
    done = cli("--help")
    assert done.code == 0
    listed = {line.split()[1] for line in done.out.splitlines()
              if line.startswith("│ ") and len(line.split()) > 2}
    assert set(COMMANDS) <= listed


def test_an_unknown_command_is_one_line_naming_it(cli):
    done = cli("frobnicate")
    assert done.code == 2
    assert done.err.strip() == "error: No such command 'frobnicate'."


def test_the_evidence_help_states_the_analyses_default(cli):
    done = cli("evidence", "--help")
    assert done.code == 0
    assert f"(default: {MIN_MONTHS:g} months)" in " ".join(done.out.split())
