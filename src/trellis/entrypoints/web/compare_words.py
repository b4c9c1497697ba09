"""The comparison table (analytics.compare) as the page shows it: columns and figures in
words, one number format, and the sentence under the table that says what it found.

The JSON document keeps its plain numbers (a share is 0.178, a pay change 9.489 percent);
the page writes "18%" and "9.5%".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .formatting import MISSING, number, percent

COLUMNS = {"promotion": "Promotions", "micro_progression": "Micro-progressions",
           "few_micro": "People with few micro-progressions",
           "many_micro": "People with many micro-progressions"}


def column_name(column: str) -> str:
    return COLUMNS.get(column, column.replace("_", " ").capitalize())


def figure(value: float | None, unit: str) -> str:
    """One cell's value in the page's format: shares and pay changes as percentages,
    months and engagement points with one or two decimals, counts whole."""
    if value is None:
        return MISSING
    if unit == "share":
        return percent(value)
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "months":
        return f"{value:.1f} months"
    if unit == "points":
        return f"{value:+.2f} points"
    return number(value, 0 if float(value).is_integer() else 2)


def _value(doc: Mapping[str, Any], measure: str, column: str) -> float | None:
    for feature in doc["features"]:
        for m in feature["measures"]:
            if m["id"] == measure and column in m["cells"]:
                value = m["cells"][column]["value"]
                return None if value is None else float(value)
    return None


def takeaway(doc: Mapping[str, Any]) -> str:
    """What the table says, in two or three sentences; a figure the table does not show
    (too few cases) is left out of it rather than guessed."""
    said = []
    promo_pay = _value(doc, "median_pay_change", "promotion")
    micro_pay = _value(doc, "median_pay_change", "micro_progression")
    if promo_pay is not None and micro_pay is not None:
        said.append(f"A promotion raised base pay by {promo_pay:.1f}% (the median), a "
                    f"pay-changing micro-progression by {micro_pay:.1f}%.")
    share = _value(doc, "share_of_growth", "micro_progression")
    if share is not None:
        said.append(f"Micro-progressions brought {percent(share)} of all base-pay growth, "
                    f"promotions {percent(1 - share)}.")
    few, many = (_value(doc, "promotions", "few_micro"),
                 _value(doc, "promotions", "many_micro"))
    if few is not None and many is not None:
        said.append(f"People with many micro-progressions were promoted {many:.2f} times a "
                    f"year against {few:.2f} for those with few; the split does not account "
                    "for tenure or level (the evidence page does).")
    if not said:
        return ("Too few promotions and pay changes are recorded here for the table to "
                "compare them yet.")
    return " ".join(said)
