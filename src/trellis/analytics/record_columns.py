"""Records an analysis collects by the hundred thousand, kept as one list per column.

A million records as tuples, then a frame built from them, held the organization's
events three times over at the peak of a rebuild (the tuples, pandas' 2-D object array,
the frame); a list per column is converted one column at a time and let go, into the
frame ``pd.DataFrame(rows, columns=...)`` makes: the same dtypes, the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


class RecordColumns:
    """Records kept as one list per column (a million rows as tuples, then a frame built
    from them, held the organization's events three times over at the peak)."""

    __slots__ = ("_columns", "names")

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._columns: tuple[list[Any], ...] = tuple([] for _ in names)

    def append(self, row: tuple[Any, ...]) -> None:
        for column, value in zip(self._columns, row, strict=True):
            column.append(value)

    def frame(self) -> pd.DataFrame:
        """The records as a frame, each column's values let go once it is converted (the
        values inferred as pandas infers them from rows: same dtypes, same cells)."""
        data: dict[str, pd.Series] = {}
        for name, column in zip(self.names, self._columns, strict=True):
            data[name] = pd.Series(column, dtype=None if column else object)
            column.clear()
        return pd.DataFrame(data, columns=list(self.names))
