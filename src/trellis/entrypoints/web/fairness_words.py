"""The fairness audit in plain sentences: what each table shows, and whether a gap is
larger than chance would make it. Written from the audit's document, for the page; the
command line keeps the audit's own one-line warnings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .formatting import percent, pvalue

CHANCE = 0.05  # below this p-value a gap is called unlikely by chance alone
Doc = Mapping[str, Any]


def outcome_takeaway(audit: Doc) -> str:
    """The sentence under an outcome's table: each group below four-fifths of the
    reference group's rate, with its exact test; else that every group judged is within."""
    groups = audit["groups"]
    ref = next((g for g in groups if g["reference"]), None)
    if ref is None:
        return ("No group is large enough to judge, or nobody had the outcome."
                if groups else "Nobody in the window has this attribute recorded.")
    below = [g for g in groups if g["status"] == "below 0.8"]
    if not below:
        return (f"Every group judged is within four-fifths of the highest rate "
                f"({ref['group']}, {_share(ref)}).")
    return " ".join(_below(audit, g, ref) for g in below)


def outcome_warnings(doc: Doc) -> list[str]:
    """One line per group below four-fifths, for the summary at the top of the page."""
    out = []
    for audit in doc["outcomes"]:
        ref = next((g for g in audit["groups"] if g["reference"]), None)
        out += [f"{audit['outcome'].capitalize()}, by {audit['attribute']}: "
                f"{_below(audit, g, ref)}" for g in audit["groups"]
                if ref is not None and g["status"] == "below 0.8"]
    for s in doc["scores"]:
        judged = [g for g in s["groups"] if g["ratio"] is not None]
        best = max(judged, key=lambda g: g["ratio"], default=None)
        out += [f"{s['score'].capitalize()} at equal evidence, by {s['attribute']}: "
                f"{g['group']} scores {percent(g['ratio'])} of {best['group']}'s, below "
                "four-fifths." for g in judged if best and g["status"] == "below 0.8"]
    return out


def _below(audit: Doc, g: Doc, ref: Doc) -> str:
    p = g.get("p_value")
    if p is None:
        chance = ""
    elif p < CHANCE:
        chance = (f" A gap this large is unlikely by chance alone (Fisher's exact test, "
                  f"{pvalue(p)}).")
    else:
        chance = (f" With groups this size, a gap this large can be chance (Fisher's exact "
                  f"test, {pvalue(p)}): watch it, but it proves nothing yet.")
    return (f"{g['group']}: {_share(g)} {audit['outcome']}, against {_share(ref)} of "
            f"{ref['group']}; {percent(g['impact_ratio'])} of their rate, below four-fifths."
            + chance)


def _share(g: Doc) -> str:
    return f"{percent(g['rate'], 1)} ({g['positives']:,} of {g['people']:,})"
