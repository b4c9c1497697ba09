"""SQLite and PostgreSQL accept exactly the same framework files, and give back what they
stored. Validation alone decides: NaN months once loaded on SQLite ("82.8 of inf months")
and crashed `framework load` on PostgreSQL, whose JSON column refuses NaN."""

from __future__ import annotations

import pytest

from conftest import TINY
from trellis.adapters.framework_files import parse_framework
from trellis.errors import FrameworkInvalid
from trellis.services import frameworks

BASE = TINY.read_text(encoding="utf-8")


def edited(*changes: tuple[str, str]) -> str:
    text = BASE
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


L2 = "  - {id: L2, name: Mid}\n"
ENG1 = "title: Engineer I,"
PAY = "pay_band: {min: 40000, mid: 45000, max: 50000}}"
ACCEPTED = {
    "as-shipped": BASE,
    "at-every-bound": edited(
        (L2, "  - {id: L2, name: Mid, min_months: 600}\n"),
        (PAY, "pay_band: {min: 0, mid: 1000000000000, max: 1000000000000}}"),
        ("name: Tiny Co\n", "name: Tiny Co\nreadiness: {fresh_months: 600, stale_weight: 0, "
         "ready_at: 100}\nlattice: {lanes: 20, weights: {vertical: 600, lateral: 0}}\n"),
    ),
    "tiny-and-exact-floats": edited(
        (L2, "  - {id: L2, name: Mid, min_months: 1.0e-300}\n"),
        ("name: Tiny Co\n", "name: Tiny Co\nreadiness: {stale_weight: 0.1, ready_at: "
         "99.99999999999999}\nlattice: {lanes: 2.5e-5}\n"),
    ),
    "unicode": edited(
        ("name: Tiny Co\n", "name: Tiny 株式会社 😀 Ünïcödé שלום e\u0301\n"
         "description: \"two\\nlines, a tab\\t, U+2028 \\u2028 and U+FEFF \\ufeff\"\n"),
        (ENG1, "title: Ingénieur·e I 🛠,"),
    ),
    "long-description": edited(
        ("name: Tiny Co\n", f"name: Tiny Co\ndescription: '{'é' * 99_999}x'\n")),
}
POINTS = "name: Tiny Co\npoints: [{id: p, mastery_points: @}]\n"
BAND = "    name: Craft\n"
REFUSED = {
    "nan-months": edited((L2, "  - {id: L2, name: Mid, min_months: .nan}\n")),
    "infinite-months": edited((L2, "  - {id: L2, name: Mid, min_months: .inf}\n")),
    "string-months": edited((L2, "  - {id: L2, name: Mid, min_months: '12'}\n")),
    "1e308-move-weight": edited(("name: Tiny Co\n", "name: Tiny Co\nlattice: {weights: "
                                                     "{lateral: 1.0e+308}}\n")),
    "nan-points": edited(("name: Tiny Co\n", POINTS.replace("@", "[0, 1, .nan]"))),
    "negative-points": edited(("name: Tiny Co\n", POINTS.replace("@", "[-5, 0, 1]"))),
    "bool-raise": edited((BAND, f"{BAND}    levels: [{{name: B, average: 1, pay_step: "
                                "{percent: true}}]\n")),
    "scale-5.0": edited(("currency: EUR\n", "currency: EUR\nmastery_scale: {max: 5.0}\n")),
    "pay-past-int64": edited((PAY, "pay_band: {min: 0, mid: 45000, max: 9223372036854775808}}")),
    "nul-in-text": edited(("name: Tiny Co\n", 'name: Tiny Co\ndescription: "a\\0b"\n')),
    "5000-digits": edited((PAY, f"pay_band: {{min: 0, mid: 45000, max: {'9' * 5_000}}}}}")),
    "recursive-alias": edited(("name: Tiny Co\n", "name: Tiny Co\ndescription: &d [*d]\n")),
}
CASES = [(name, text, True) for name, text in ACCEPTED.items()] + [
    (name, text, False) for name, text in REFUSED.items()]


@pytest.mark.parametrize(("name", "text", "accepted"), CASES, ids=[c[0] for c in CASES])
def test_both_engines_accept_and_refuse_the_same_files(trellis, name, text, accepted):
    before = frameworks.list_versions(trellis.uow())
    try:
        framework, document = parse_framework(text, f"{name}.yaml")
    except FrameworkInvalid as exc:
        assert not accepted, str(exc)
        assert len(str(exc).splitlines()) == 1 and "\n" not in str(exc)
        assert frameworks.list_versions(trellis.uow()) == before
        return
    assert accepted, f"{name} should have been refused"
    loaded = frameworks.load_framework(trellis.uow(), framework, document, author="tester")
    assert loaded.changed == (name != "as-shipped")
    version, stored = frameworks.framework_at(trellis.uow(), key=framework.key)
    assert version.id == loaded.version.id
    assert stored == framework
    assert frameworks.framework_document(trellis.uow(), version.id) == document
