"""Records an analysis collects by the hundred thousand, kept as one list per column.

A million records as tuples, then a frame built from them, held the organization's
events three times over at the peak of a rebuild (the tuples, pandas' 2-D object array,
the frame); a list per column is converted one column at a time and let go, into the
frame pandas makes of the records: the same dtypes, the same cells. ``RecordColumns``
takes tuples (``pd.DataFrame(rows, columns=...)``), ``RowColumns`` dicts
(``pd.DataFrame.from_records``).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


class RecordColumns:
    """Tuples of the columns ``names``, kept as one list per column."""

    __slots__ = ("_columns", "names")

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._columns: tuple[list[Any], ...] = tuple([] for _ in names)

    def append(self, row: tuple[Any, ...]) -> None:
        for column, value in zip(self._columns, row, strict=True):
            column.append(value)

    def frame(self, dtypes: Mapping[str, str] | None = None) -> pd.DataFrame:
        """The records as a frame, each column's values let go once it is converted (the
        values inferred as pandas infers them from rows: same dtypes, same cells; a column
        named in ``dtypes`` is stored as that type instead, for a caller whose figures do
        not change with it, e.g. ``category`` for a few repeated names). The frame keeps
        each column's array as it is (``copy=False``): consolidating them into blocks would
        copy the whole table once more while the columns are still held."""
        data: dict[str, pd.Series] = {}
        for name, column in zip(self.names, self._columns, strict=True):
            dtype = (dtypes or {}).get(name) if column else object
            data[name] = pd.Series(column, dtype=dtype)
            column.clear()
        return pd.DataFrame(data, columns=list(self.names), copy=False)


class RowColumns:
    """Rows (dicts) kept as one list per key: what ``pd.DataFrame.from_records`` makes of
    the rows, the same columns in the same order, a missing key NaN, each column inferred
    as pandas infers it, without a dict per row alive until the end (a snapshot's row
    is some twenty keys: a dict each held the table several times over). A column whose
    every value is a float is kept in a typed array (8 bytes a value, not a float object
    and its pointer: most of a snapshot's cells) until a value of another type arrives."""

    def __init__(self) -> None:
        self._columns: dict[str, list[object] | array[float]] = {}
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def _put(self, key: str, value: object) -> None:
        column = self._columns.get(key)
        if column is None:
            column = self._columns[key] = (array("d", [math.nan] * self._n)
                                           if type(value) is float else [math.nan] * self._n)
        if isinstance(column, array):
            if isinstance(value, float) and type(value) is float:
                column.append(value)
                return
            values: list[object] = list(column.tolist())
            column = self._columns[key] = values
        column.append(value)

    def extend(self, rows: Iterable[Mapping[str, object]]) -> None:
        columns = self._columns
        for row in rows:
            for key, value in row.items():
                self._put(key, value)
            self._n += 1
            if len(row) != len(columns):
                for key, column in list(columns.items()):
                    if len(column) < self._n:
                        self._put(key, math.nan)

    def pop_columns(self, prefix: str) -> dict[str, list[object] | array[float]]:
        """The columns whose key starts with ``prefix``, taken out of the frame to come."""
        return {key: self._columns.pop(key) for key in list(self._columns)
                if key.startswith(prefix)}

    def frame(self) -> pd.DataFrame:
        """The frame (the lists let go as each column is converted)."""
        data: dict[str, pd.Series] = {}
        for key in list(self._columns):
            column = self._columns.pop(key)
            data[key] = pd.Series(np.array(column, dtype=float) if isinstance(column, array)
                                  else column)
            del column
        self._n = 0
        return pd.DataFrame(data, columns=list(data))
