"""How the CLI prints: Rich tables for people, stable JSON for programs."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson
from rich.console import Console
from rich.markup import escape
from rich.text import Text

# No emoji codes: a name or a note written ":smile:" is shown as written (and Rich's table
# of emoji codes is not loaded by every command that prints).
console = Console(emoji=False)
errors = Console(stderr=True, emoji=False)


def print_json(data: Any) -> None:
    sys.stdout.write(
        orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
                     default=_default).decode() + "\n"
    )


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          *, caption: str | None = None) -> None:
    from rich.table import Table  # here: a command that prints one line needs no table

    t = Table(title=title, caption=caption, header_style="bold", title_justify="left")
    for column in columns:
        numeric = column.lower() in {"pay", "mastery", "points", "events", "#", "count", "share"}
        t.add_column(column, justify="right" if numeric else "left")
    for row in rows:  # plain values are shown as they are: user text is never markup
        t.add_row(*(v if isinstance(v, Text) else Text("" if v is None else str(v))
                    for v in row))
    console.print(t)


def fail(message: str, code: int = 1) -> None:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise SystemExit(code)


def summary_of_bug(exc: BaseException, limit: int = 200) -> str:
    """An unexpected exception as its type and the first line of its message. A database
    error's own text goes on with the SQL and its parameters, or the failing row: a whole
    event, pay included, so only the driver's first line is kept."""
    from sqlalchemy.exc import StatementError  # only when reporting a bug

    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    first = lines[0] if lines else ""
    if len(first) > limit:
        first = first[:limit] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
