"""``trellis admin create / list / disable / enable / password`` and ``trellis audit``:
accounts of the web service. Whoever runs the command on the database acts as an HR admin
would (the author setting is recorded in the audit log)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from trellis.domain.access import Role
from trellis.errors import TrellisError
from trellis.services import account_admin
from trellis.services import accounts as use
from trellis.services.audit_trail import actor

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


def _password(password_stdin: bool) -> str | None:
    """A password from standard input, or None to have one generated."""
    if not password_stdin:
        return None
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < use.MIN_PASSWORD:
        raise TrellisError(f"a password needs at least {use.MIN_PASSWORD} characters")
    return password


@admin.command("list")
def list_accounts(ctx: typer.Context,
                  json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every account: role, person, disabled or not, API tokens."""
    found = account_admin.list_accounts(state(ctx).open().uow())
    if json:
        print_json([{"id": a.id, "email": a.email, "role": a.role.value, "person": a.handle,
                     "created_at": a.created_at, "disabled_at": a.disabled_at,
                     "must_change_password": a.must_change_password,
                     "tokens": list(a.tokens)} for a in found])
        return
    table(f"Accounts ({len(found)})", ["email", "role", "person", "status", "API tokens"],
          [[a.email, a.role.value, a.person or "", _status(a),
            ", ".join(t["name"] for t in a.tokens)] for a in found])


def _status(account: account_admin.Account) -> str:
    if account.disabled_at:
        return "disabled"
    return "active, must choose a password" if account.must_change_password else "active"


@admin.command("disable")
def disable(ctx: typer.Context,
            email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Disable an account: its sessions end and its API tokens stop, until enabled."""
    cli = state(ctx)
    target = account_admin.change_disabled(cli.open().uow(), email, True,
                                           author=cli.settings.author)
    console.print(f"disabled {target.email}", highlight=False, markup=False)


@admin.command("enable")
def enable(ctx: typer.Context,
           email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Enable a disabled account again."""
    cli = state(ctx)
    target = account_admin.change_disabled(cli.open().uow(), email, False,
                                           author=cli.settings.author)
    console.print(f"enabled {target.email}", highlight=False, markup=False)


@admin.command("password")
def password(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The account's email.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the new password from standard input; without it "
        "one is generated and printed once.")] = False,
) -> None:
    """Give an account a new password (its sessions end; its API tokens keep working). It
    lets them in once: at that sign-in they choose their own."""
    cli = state(ctx)
    target, fresh = account_admin.change_password(cli.open().uow(), email,
                                                  _password(password_stdin),
                                                  author=cli.settings.author)
    console.print(f"new password for {target.email}" + (f": {fresh}" if fresh else "")
                  + "\nthey choose their own password when they next sign in",
                  highlight=False, markup=False)


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
          [[e["at"], actor(e) or "anonymous", e["action"], e["resource"],
            ", ".join(f"{k}={v}" for k, v in e["detail"].items())] for e in entries])
