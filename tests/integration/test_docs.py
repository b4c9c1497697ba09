"""The documentation keeps up with the code: every command, option and setting is documented.

Commands must appear in the README's command table; options in the README or docs/*.md;
settings (their environment variables) in the README.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
import typer.main

from trellis.entrypoints.cli.app import app
from trellis.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "\n".join(p.read_text(encoding="utf-8")
                          for p in sorted((ROOT / "docs").glob("*.md")))


def is_group(command) -> bool:
    return hasattr(command, "commands")


def walk(command, path: tuple[str, ...] = ()):
    """Every (path, command) under a Click command (Typer vendors its own Click)."""
    yield path, command
    if is_group(command):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                yield from walk(sub, (*path, name))


ROOT_COMMAND = typer.main.get_command(app)
ROOT_COMMAND.load_all()  # the root imports a command's module only when it runs
COMMANDS = [(path, cmd) for path, cmd in walk(ROOT_COMMAND)
            if path and not is_group(cmd)]
OPTIONS = sorted({
    (path, opt)
    for path, cmd in walk(ROOT_COMMAND)
    for param in cmd.params
    if param.param_type_name == "option" and not getattr(param, "hidden", False)
    for opt in param.opts if opt.startswith("--") and opt != "--help"
})


def command_table() -> list[str]:
    """The first cells of the table under '## Commands' in the README."""
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    return [line.split("|")[1] for line in section.splitlines()
            if line.startswith("|") and "`trellis" in line]


def test_the_walk_finds_the_commands():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"init", "log", "retract", "profile", "timeline", "import", "export",
            "framework validate", "framework load", "framework list", "framework show",
            "framework schema", "framework import-onet", "person add", "person list",
            "person show", "person erase"} <= names
    assert ((), "--db") in OPTIONS and (("log",), "--on") in OPTIONS


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_is_in_the_readme_command_table(path):
    *group, name = path
    prefix = " ".join(("trellis", *group))
    rows = [row for row in command_table() if f"`{prefix} " in row or f"`{prefix}`" in row]
    assert any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])",
                         row.split(prefix, 1)[1]) for row in rows), \
        f"`trellis {' '.join(path)}` is missing from the README's command table"


@pytest.mark.parametrize(("path", "option"), OPTIONS,
                         ids=[" ".join((*p, o)) for p, o in OPTIONS])
def test_every_option_is_documented(path, option):
    assert re.search(rf"{re.escape(option)}(?![\w-])", DOCS), \
        f"`{option}` of `trellis {' '.join(path)}` is not in the README or docs/"


@pytest.mark.parametrize("name", sorted(f.name for f in fields(Settings)))
def test_every_setting_is_in_the_readme(name):
    prefix = ENV_PREFIX
    variable = f"{prefix}{name}".upper()
    assert variable in README, f"setting {name} ({variable}) is not documented in the README"
