"""The ``trellis`` command: a thin layer that parses, calls a use case, and prints.

Library errors (``TrellisError``) become one red line and exit code 1 (75 for a database
another writer held too long: try again); usage errors (an unknown option, a missing
argument, a value of the wrong type) one line and exit code 2.
"""

# No `from __future__ import annotations` here: Typer reads each command's annotations at
# every start, and as strings it would compile every one of them again (eval).

import gc
import os
import sys
from typing import Annotated

import typer
from rich.markup import escape

from trellis.adapters.sqlite_writers import waiting_behind_imports
from trellis.errors import Busy, TrellisError

from .commands import LazyCommands
from .output import errors, fail, summary_of_bug

app = typer.Typer(
    name="trellis",
    help="Career progression from one append-only ledger: promotions and micro-progressions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyCommands,  # each command's module is imported only when it runs
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database file or URL (default: TRELLIS_DATABASE_URL or "
                     "~/.local/share/trellis/trellis.db).", metavar="PATH_OR_URL"),
    ] = None,
) -> None:
    if not gc.isenabled():  # paused for the start by __main__.run: the command begins
        gc.freeze()
        gc.enable()
    # here, not at the top: `trellis --help` needs no SQLAlchemy
    from trellis.settings import Settings, database_url

    from .context import CliState

    settings = Settings(database_url=database_url(db)) if db else Settings()
    ctx.obj = cli = CliState(settings)
    ctx.call_on_close(cli.close)  # the engine's connections go with the command


IMPORT_WAIT_SECONDS = 600.0
"""How long a command waits behind a running import (SQLite): one command holds up nothing
else, so it waits for the import to finish, saying so, rather than give up at once."""
EX_TEMPFAIL = 75  # sysexits.h: a temporary failure, worth trying again


def main(argv: list[str] | None = None) -> None:
    """Run the ``trellis`` command with ``argv`` (default: the process's arguments)."""
    try:
        # Not standalone: Typer raises usage errors (instead of printing its multi-line
        # box and exiting) so they are reported below as one line, and returns the code
        # of a ``typer.Exit`` (0 after --help) instead of exiting.
        with waiting_behind_imports(IMPORT_WAIT_SECONDS, notice=waiting):
            code = app(args=argv, standalone_mode=False)
    except typer.TyperException as exc:  # the public base of every click/Typer usage error
        usage_error(exc)
    except typer.Abort:  # end of input at a prompt
        fail("aborted")
    except Busy as exc:
        fail(exc.on_command_line(), EX_TEMPFAIL)
    except TrellisError as exc:  # in the command line's words: options, handles, commands
        fail(exc.on_command_line())
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:  # a bug: say so in one line, keep the traceback opt-in
        if os.environ.get("TRELLIS_DEBUG"):
            raise
        errors.print(f"[bold red]internal error:[/] {escape(summary_of_bug(exc))} "
                     "(set TRELLIS_DEBUG=1 for a traceback, and please report it)",
                     highlight=False)
        sys.exit(70)
    if isinstance(code, int) and code:
        sys.exit(code)


def waiting(message: str) -> None:
    errors.print(f"[yellow]waiting:[/] {escape(message)}", highlight=False, soft_wrap=True)


def usage_error(exc: typer.TyperException) -> None:
    """Report a usage error as one ``error:`` line (exit 2), or show the help it stands for."""
    # A group run without a command has already printed its help: Typer itself tells this
    # error apart by name, as its class is only importable from the vendored click.
    if type(exc).__name__ == "NoArgsIsHelpError":
        sys.exit(exc.exit_code)
    fail(" ".join(exc.format_message().split()), exc.exit_code)


def run() -> None:
    """``main``, then the process ends without the collector sweeping every object left
    once more (the system frees the memory anyway): that sweep cost a fifth of a short
    command's CPU. For ``python -m`` of this module and the console script of an earlier
    install; ``trellis.entrypoints.cli.__main__`` also pauses the collector for the start.
    Tests call ``main``, many times in one process, so it stays as it is."""
    try:
        main()
    finally:
        gc.freeze()  # what is left is never collected again: the interpreter is ending


if __name__ == "__main__":  # pragma: no cover
    run()
