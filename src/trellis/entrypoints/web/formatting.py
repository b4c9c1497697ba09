"""One number and date format for every page, as Jinja filters.

``install(env)`` adds them to a Jinja environment (``pages.templates()`` does); each is a
plain function too, for code that builds text for a page:

    {{ on|day }}                   2 Mar 2024 (a date, a datetime or an ISO string)
    {{ last|day("never") }}        never       what a missing day means, where it means something
    {{ at|moment }}                2 Mar 2024, 14:05 UTC  a moment keeps its time (an audit entry)
    {{ 0.526|percent }}            53%         a share from 0 to 1 (``percent(0.0526, 1)``: 5.3%)
    {{ 45000|money("EUR") }}       €45,000     pay: currency and thousands separators
    {{ 1234.5|number(1) }}         1,234.5
    {{ 0.048365|pvalue }}          p = 0.048   (below 0.001: p < 0.001)
    {{ 11.014|months }}            about 11 months (24 or more: about 2.1 years)
    {{ 15.2|years_months }}        1 year 3 months   a stay (time in a level), whole months
    {{ "skill_step"|kind }}        Skill step  an event kind (or any snake_case word) in words
    {{ message|sentence }}         Give a reason: ...  a message (lowercase by convention,
                                   errors.py) as a page's sentence

None shows as an en dash, so a missing value never prints "None".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from jinja2 import Environment

from trellis.analytics.propensity_words import p_value
from trellis.domain import money as pay
from trellis.domain.days import day_words, moment_words
from trellis.domain.events import kind_words

MISSING = "\u2013"  # an en dash


def day(value: date | datetime | str | None, missing: str = MISSING) -> str:
    """A day as "2 Mar 2024": the one date format of the pages (``missing`` for None)."""
    if value is None or value == "":
        return missing
    if isinstance(value, str):
        try:
            on = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        on = value.date() if isinstance(value, datetime) else value
    return day_words(on)


def moment(value: datetime | None, missing: str = MISSING) -> str:
    """A moment as its day and time, UTC (stored naive in UTC): "2 Mar 2024, 14:05 UTC"."""
    return missing if value is None else moment_words(value)


def percent(share: float | None, digits: int = 0) -> str:
    """A share from 0 to 1 as a percentage: 0.526 -> "53%"."""
    if share is None:
        return MISSING
    return f"{share * 100:,.{digits}f}%"


def number(value: float | None, digits: int = 0) -> str:
    """A number with thousands separators and ``digits`` decimals."""
    if value is None:
        return MISSING
    return f"{value:,.{digits}f}"


def money(amount: float | None, currency: str | None = None, digits: int = 0) -> str:
    """Pay with its currency: "$45,000", "€1,200", "CHF 98,000" (a code with no symbol of
    its own), "45,000" when no currency is known; a negative amount as "-$500"."""
    return MISSING if amount is None else pay.money(amount, currency, digits)


def pvalue(p: float | None) -> str:
    """A p-value as people read it, as the analyses' documents write it: "p < 0.001",
    else two significant figures below 0.1 ("p = 0.048") and two decimals above."""
    return MISSING if p is None else p_value(p)


def months(value: float | None) -> str:
    """A duration in months in words: "about 11 months", "about 2.1 years" from 24 on."""
    if value is None:
        return MISSING
    if value >= 24:
        return f"about {value / 12:.1f} years"
    whole = max(1, round(value))
    return f"about {whole} month" + ("" if whole == 1 else "s")


def years_months(value: float | None) -> str:
    """A stay in whole months as years and months: 15.2 -> "1 year 3 months", 0.4 -> "0
    months" (a stay is not rounded up, unlike ``months``)."""
    if value is None:
        return MISSING
    years, rest = divmod(int(value), 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " ".join(parts)


def kind(value: str | None) -> str:
    """An event kind (or any snake_case word) in words: "skill_step" -> "Skill step"."""
    if not value:
        return MISSING
    return kind_words(value).capitalize()


_WORD = re.compile(r"[a-z][a-z'-]*[:,;]?(\s|$)")


def sentence(text: str | None) -> str:
    """A message as a sentence on its own, its first word capitalized. Messages start lower
    case so that they read inside another (the command line's "error: ..."); one that
    starts with a name as written (an email, a file) keeps it."""
    if not text:
        return ""
    return text[0].upper() + text[1:] if _WORD.match(text) else text


STRATEGIES = {"promotion": "Promotion-focused", "micro": "Micro-progression",
              "balanced": "Balanced"}


def strategy(name: str) -> str:
    """A simulated strategy by name: "promotion" -> "Promotion-focused", "mix 0.3" -> "Own
    mix (30%)"."""
    if name in STRATEGIES:
        return STRATEGIES[name]
    try:
        return f"Own mix ({percent(float(name.removeprefix('mix ')))})"
    except ValueError:
        return name


FILTERS: dict[str, Any] = {"day": day, "moment": moment, "percent": percent,
                           "number": number, "money": money, "pvalue": pvalue,
                           "months": months, "years_months": years_months, "kind": kind,
                           "sentence": sentence, "strategy": strategy}


def install(env: Environment) -> Environment:
    """Add the filters to ``env`` (an existing filter of the same name is replaced)."""
    env.filters.update(FILTERS)
    return env
