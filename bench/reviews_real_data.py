"""A real dataset's performance ratings as ``review`` events, imported and exported again.

    .venv/bin/python bench/reviews_real_data.py

``salespeople`` (peopleanalyticsdata: 350 salespeople with a performance rating 1-4 and
whether they were promoted) becomes people, hires, one manager review each and the
promotions (adapters.peopleanalytics.salespeople_ledger), under the software-company
framework with a 1-4 review scale. It is imported into a fresh SQLite file, exported to
CSV (ratings in JSON cells), and that CSV imported into a second file; the script prints
the counts, the ratings the profiles hold, the promotion rate per rating, and whether the
two databases hold the same reviews.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import parse_framework, shipped_framework_path
from trellis.adapters.ledger_files import read_ledger_file, write_ledger_file
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.profile_document import profile_to_document
from trellis.services.frameworks import load_framework
from trellis.services.transfer import export_records, import_ledger
from trellis.settings import Settings

CYCLE = "salespeople-2021"


def framework_text() -> str:
    shipped = shipped_framework_path("software-company")
    assert shipped is not None
    document = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    document["reviews"] = {"rating": {"min": 1, "max": 4}, "forms": ["manager"]}
    return yaml.safe_dump(document, sort_keys=False)


def fresh(path: Path) -> Trellis:
    trellis = open_trellis(Settings(database_url=f"sqlite:///{path}", author="bench"),
                           create=True)
    framework, document = parse_framework(framework_text(), "software-company+reviews")
    load_framework(trellis.uow(), framework, document, author="bench", activate=True)
    return trellis


def reviews_of(trellis: Trellis) -> dict[int, dict]:
    with trellis.uow() as uow:
        return {p.id: profile_to_document(uow.state.current(p.id))["reviews"]
                for p in uow.people.all()}


def main() -> dict[str, object]:
    source, skipped = pa.salespeople_ledger(pa.read_dataset("salespeople"), role="eng-l2",
                                            promoted_to="eng-l3", cycle=CYCLE)
    with tempfile.TemporaryDirectory() as folder:
        first = fresh(Path(folder) / "first.db")
        start = time.perf_counter()
        summary = import_ledger(first.uow(), source.people, source.events, author="bench")
        seconds = time.perf_counter() - start
        exported = Path(folder) / "salespeople.csv"
        rows = write_ledger_file(exported, export_records(first.uow()))
        people, events, problems = read_ledger_file(exported)
        assert not problems, problems[:3]
        second = fresh(Path(folder) / "second.db")
        import_ledger(second.uow(), people, events, author="bench")
        before, after = reviews_of(first), reviews_of(second)
        with first.uow() as uow:
            promoted = {r["person_id"] for r in uow.state.rows(columns=["person_id",
                                                                        "promotions"])
                        if r["promotions"]}
        first.close()
        second.close()
    ratings = {pid: doc[CYCLE]["manager"][0]["rating"] for pid, doc in before.items() if doc}
    by_rating = Counter(ratings.values())
    rate = {r: sum(1 for p, v in ratings.items() if v == r and p in promoted) / n
            for r, n in sorted(by_rating.items())}
    print(f"salespeople: {summary.people:,} people, {summary.events:,} events imported in "
          f"{seconds:.2f}s ({skipped} row(s) without a rating left out)")
    print(f"reviews in profiles: {len(ratings):,}; by rating: "
          + ", ".join(f"{r}: {n}" for r, n in sorted(by_rating.items())))
    print("promotion rate by rating: "
          + ", ".join(f"{r}: {v:.1%}" for r, v in rate.items()))
    same = before == after
    print(f"CSV round trip: {rows:,} rows exported, re-imported, same reviews: {same}")
    return {"people": summary.people, "reviews": len(ratings), "skipped": skipped,
            "by_rating": dict(by_rating), "promotion_rate": rate, "round_trip": same}


if __name__ == "__main__":
    main()
