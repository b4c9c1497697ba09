"""Option values written plainly (text, a whole number, a number) read without pydantic.

Typer reads every parameter of the command that runs through a pydantic ``TypeAdapter`` it
builds on first use, an option left out included: ``trellis log`` has some thirty options,
and importing pydantic and building their adapters was about a fifth of its start. Here a
text, whole-number or number parameter (no range, parser, choice, path or list) whose value
is written plainly gets the value typer's adapter would give it; any other value, and every
other parameter, goes to typer's own adapter, so its values and its error messages stay
typer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param

if TYPE_CHECKING:
    from typer import _click as click
    from typer.core import _TyperParameter

WHOLE = re.compile(r"[+-]?[0-9]+")
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def plain(annotation: Any, value: Any) -> Any:
    """``value`` as a parameter of type ``annotation`` takes it, or None when typer decides
    (None is no value: ``RuntimeParam.coerce`` handles it before asking)."""
    if type(value) is annotation:
        return value
    if type(value) is not str:
        return None
    if annotation is str:
        return value
    if annotation is int and WHOLE.fullmatch(value):
        return int(value)
    if annotation is float and NUMBER.fullmatch(value):
        return float(value)
    return None


@dataclass(frozen=True)
class PlainValue(RuntimeParam):
    """A parameter's reading: plain values here, any other by typer's adapter."""

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: click.Context) -> Any:
        read = plain(self.annotation, value)
        if read is not None:
            return read
        return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)


def is_plain(descriptor: TypeDescriptor) -> bool:
    info = descriptor.parameter_info
    return (descriptor.annotation in (str, int, float, bool) and info.parser is None
            and info.min is None and info.max is None and descriptor.file_annotation is None
            and not descriptor.is_path and not descriptor.is_choice)


def read_param_plainly(param: click.Parameter) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if getattr(param, "_runtime_param", False) is None and \
            isinstance(descriptor, TypeDescriptor) and is_plain(descriptor):
        param._runtime_param = PlainValue(  # type: ignore[attr-defined]
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
            descriptor=descriptor)


def read_plainly(command: click.Command, ctx: click.Context) -> None:
    """Have ``command``'s plain parameters, and its subcommands', read without pydantic,
    its --help flag included: ``ctx`` is its parent's, whose help option names a command's
    context inherits unless its own settings name others (then typer makes its flag)."""
    for param in command.params:
        read_param_plainly(param)
    if "help_option_names" in command.context_settings:
        return
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        read_param_plainly(help_option)
    for sub in getattr(command, "commands", {}).values():
        read_plainly(sub, ctx)
