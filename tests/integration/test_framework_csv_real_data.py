"""Monzo's real frameworks (MIT) as a people team's spreadsheet: CSV -> framework -> CSV and
CASE -> the same framework, on every file, with the statements' own quotes and punctuation."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from trellis.adapters.framework_case import case_text, document_from_case
from trellis.adapters.framework_csv import (
    checked_sheet_document,
    document_from_sheet,
    sheet_from_bytes,
    sheet_text,
)

ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the checkout (GUIDE.md), or beside the folder of worktrees
MONZO = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
              if (p / "data" / "frameworks" / "monzo").is_dir()),
             ROOT.parent / "shared") / "data" / "frameworks" / "monzo"
FILES = sorted(MONZO.rglob("*.md")) if MONZO.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"no Monzo frameworks at {MONZO}")


def spreadsheet(path: Path) -> str:
    """The front matter's topics as rows: topic, level, criterion, example."""
    matter = path.read_text(encoding="utf-8").split("---")[1]
    front = yaml.safe_load(matter.replace("\t", " "))  # people.md indents one item by a tab
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Topic", "Level", "Criterion", "Example"])
    for topic in front.get("topics") or []:
        for cell in topic.get("content") or []:
            level = f"L{cell['level']}"
            for text in cell.get("criteria") or []:
                writer.writerow([topic["name"], level, text, ""])
            for item in cell.get("exampleCriteria") or []:
                for example in item.get("examples") or [""]:
                    writer.writerow([topic["name"], level, item["criteria"], example])
    return out.getvalue()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_real_framework_survives_csv_and_case(path):
    text = spreadsheet(path)
    if text.count("\n") < 2:
        pytest.skip("no criteria in the front matter")
    built, lines = document_from_sheet(sheet_from_bytes(text.encode(), path.name),
                                       framework_id=f"monzo-{path.stem}", name=path.stem)
    framework, document = checked_sheet_document(built, lines, path.name)
    assert framework.criteria and document == built

    again, _ = document_from_sheet(sheet_from_bytes(sheet_text(document).encode(), "x.csv"),
                                   framework_id=f"monzo-{path.stem}", name=path.stem)
    assert again == document
    package = case_text(document, datetime(2025, 1, 1))
    assert document_from_case(package.encode(), "x.json")[0] == document
