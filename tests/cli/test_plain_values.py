"""Option values read without pydantic (cli.plain_values) are read as typer reads them.

Every text, whole-number and number parameter of every command is given the same values
two ways: through the plain reading the CLI installs and through typer's own adapter. Both
give the same value, or both refuse it with the same message.
"""

from __future__ import annotations

import pytest
import typer.main
from typer import _click as click
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from trellis.entrypoints.cli.app import app
from trellis.entrypoints.cli.plain_values import PlainValue, is_plain, read_plainly

VALUES = ("12", "+12", "-3", "007", "0", "98000", "1.5", "-0.25", ".5", "5.", "1e3", "1E-2",
          " 5 ", "1_000", "12.0", "abc", "", "nan", "inf", "٣", "99999999999999999999999",
          "me", "2024-01-31", "--", "a b")


def every_command() -> list[tuple[str, click.Command]]:
    root = typer.main.get_command(app)
    root.load_all()  # type: ignore[attr-defined]
    found: list[tuple[str, click.Command]] = []

    def walk(path: str, command: click.Command) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(f"{path} {name}".strip(), sub)

    walk("", root)
    return found


def reading(param: click.Parameter, value: object, ctx: click.Context) -> tuple[str, object]:
    try:
        return "value", param.process_value(ctx, value)
    except BadParameter as exc:
        return "refused", exc.format_message()


def test_every_plain_parameter_reads_every_value_as_typer_does():
    compared = 0
    for path, command in every_command():
        ctx = click.Context(command, info_name=path or "trellis")
        read_plainly(command, ctx)
        for param in command.params:
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor is None or not is_plain(descriptor) or param.callback is not None:
                continue
            assert isinstance(param._runtime_param, PlainValue), (path, param.name)
            for value in VALUES:
                plain = reading(param, value, ctx)
                param._runtime_param = build_runtime_param(descriptor)  # typer's own
                own = reading(param, value, ctx)
                param._runtime_param = None
                read_plainly(command, ctx)
                # repr: the same type and value, nan included
                assert repr(plain) == repr(own), (path, param.name, value)
                compared += 1
    assert compared > 1000  # every command's text and number options, not a few


@pytest.mark.parametrize("pay", ["lots", "1e5", "12.5", ""])
def test_a_malformed_number_is_refused_in_one_line_naming_the_option(cli, tmp_path, pay):
    db = tmp_path / "journal.db"
    assert cli("--db", db, "init", "--framework", "software-company").code == 0
    assert cli("--db", db, "person", "add", "me", "--name", "Me", "--role", "eng-l2",
               "--hired", "2023-04-01", "--pay", "98000").code == 0
    done = cli("--db", db, "log", "promotion", "me", "--role", "eng-l3", "--pay", pay)
    assert done.code == 2
    assert done.err == ("error: Invalid value for '--pay': Input should be a valid integer, "
                        "unable to parse string as an integer\n")
    assert cli("--db", db, "timeline", "me").out.count("promotion") == 0
