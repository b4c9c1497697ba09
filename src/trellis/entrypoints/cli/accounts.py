"""``trellis admin create EMAIL`` and ``trellis audit``: accounts for the web service."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from trellis.domain.access import Role
from trellis.errors import TrellisError
from trellis.services import accounts as use

from .context import state
from .output import console, print_json, table

admin = typer.Typer(help="Accounts of the web service.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(admin, name="admin")
    app.command("audit")(audit)


@admin.command("create")
def create(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's email (their login).")],
    person: Annotated[str | None, typer.Option(help="Link the user to this person.",
                                               metavar="HANDLE")] = None,
    role: Annotated[Role, typer.Option(help="employee, manager or hr_admin.")]
    = Role.HR_ADMIN,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create a user (by default an HR admin: the first account of a new site)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < use.MIN_PASSWORD:
        raise TrellisError(f"a password needs at least {use.MIN_PASSWORD} characters")
    cli = state(ctx)
    user = use.create_user(cli.open().uow(), email, password, role, person=person,
                           author=cli.settings.author)
    console.print(f"created {user.role.value} {user.email} (user {user.id})"
                  + (f", linked to {person}" if person else ""), highlight=False,
                  markup=False)


def audit(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many entries (0: all).")]
    = 100,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The audit log: every write and every read of pay, newest first."""
    entries = use.audit_log(state(ctx).open().uow(), limit or None)
    if json:
        print_json(entries)
        return
    table(f"Audit log ({len(entries)} newest)", ["at", "who", "action", "resource", "detail"],
          [[e["at"], e["user_email"] or "anonymous", e["action"], e["resource"],
            ", ".join(f"{k}={v}" for k, v in e["detail"].items())] for e in entries])
