"""Where charts go: every chart is written as PNG or SVG, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from trellis.errors import TrellisError

FORMATS = {".png": "png", ".svg": "svg"}


def check_target(path: Path) -> str:
    """The format for ``path``, or a one-line error before any work is done."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TrellisError(f"cannot draw a chart as '{path.suffix or path.name}': "
                           "use a .png or .svg file")
    if not path.parent.is_dir():
        raise TrellisError(f"cannot write the chart to {path}: no such directory "
                           f"{path.parent}")
    return fmt
