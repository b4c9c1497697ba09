"""Pay as people write it, in one format for pages, the command line and the warnings the
domain writes: "$45,000", "€1,200", "CHF 98,000" (a code with no symbol of its own),
"45,000" when no currency is known, a negative amount as "-$500"."""

from __future__ import annotations

# Symbols only where one symbol means one currency; the rest print their ISO code.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def money(amount: float, currency: str | None = None, digits: int = 0) -> str:
    figure = f"{abs(amount):,.{digits}f}"
    sign = "-" if amount < 0 else ""
    code = (currency or "").upper()
    if code in SYMBOLS:
        return f"{sign}{SYMBOLS[code]}{figure}"
    return f"{sign}{code} {figure}" if code else f"{sign}{figure}"


def money_range(low: float, high: float, currency: str | None = None) -> str:
    """A band: "$121,000-$163,000"."""
    return f"{money(low, currency)}-{money(high, currency)}"
