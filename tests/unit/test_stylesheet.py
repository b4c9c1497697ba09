"""The stylesheet's blocks close where they should.

An unclosed ``@media (max-width: 40rem) {`` once swallowed the rest of app.css: every rule
after it (the person page, the timeline, the phone tables) applied on phones only, and the
desktop person page lost its layout with nothing failing. Trellis's CSS does not nest
rules, so a block inside an at-rule block is that mistake.
"""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

STYLESHEET = files("trellis.entrypoints.web") / "static" / "app.css"


def blocks(css: str) -> list[tuple[str, int]]:
    """(selector or at-rule, depth) of every block opened, comments and strings removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r'"[^"]*"|\'[^\']*\'', '""', css)
    opened, depth, start = [], 0, 0
    for i, ch in enumerate(css):
        if ch == "{":
            opened.append((css[start:i].strip().split(";")[-1].strip(), depth))
            depth += 1
            start = i + 1
        elif ch == "}":
            depth -= 1
            assert depth >= 0, f"app.css: '}}' with no block open at character {i}"
            start = i + 1
        elif ch == ";":
            start = i + 1
    assert depth == 0, f"app.css ends with {depth} block(s) still open"
    return opened


def test_every_block_of_the_stylesheet_is_closed_and_none_nests_in_a_rule():
    opened = blocks(STYLESHEET.read_text())
    for head, depth in opened:
        if depth == 1:
            assert not head.startswith("@"), f"app.css: '{head}' opens inside another at-rule"
        assert depth <= 1, f"app.css: '{head}' is nested {depth} blocks deep"
    at_top = {head for head, depth in opened if depth == 0}
    for general in (".person-glance", "details.log-progress", "table.alerts td", ".tools"):
        assert any(head.startswith(general) for head in at_top), f"{general} is in a block"


def test_the_check_finds_an_unclosed_media_block():
    with pytest.raises(AssertionError, match="still open"):
        blocks("@media (max-width: 40rem) { .a { color: red; }\n.b { color: blue; }")
