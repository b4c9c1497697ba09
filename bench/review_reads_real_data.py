"""A real dataset's reviews read back through the web API, as an HR admin would.

    .venv/bin/python bench/review_reads_real_data.py

``salespeople`` (peopleanalyticsdata: 350 salespeople, a performance rating 1-4) becomes
people, hires and one manager review each (bench/reviews_real_data.py's ledger), a review
cycle holds them all, and an HR admin reads the cycle's progress
(``GET /api/review-cycles/{name}/progress``) and every person's reviews
(``GET /api/people/{ref}/reviews``, each read audited). The script checks the ratings read
back against the dataset's own column (counted with pandas, not through Trellis), that
there is one ``reviews.read`` audit entry per read, and prints the time per read against
a floor measured in the same run: ``GET /api/people/{ref}`` (a directory entry) for the
same people.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from reviews_real_data import CYCLE, fresh  # the bench folder's sibling

from trellis.adapters import peopleanalytics as pa
from trellis.domain.access import Role
from trellis.domain.framework import ReviewForm
from trellis.entrypoints.web.app import create_app
from trellis.services import accounts, reviews
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

PASSWORD = "a long bench password"


def main() -> dict[str, object]:
    frame = pa.read_dataset("salespeople")
    source, skipped = pa.salespeople_ledger(frame, role="eng-l2", promoted_to="eng-l3",
                                            cycle=CYCLE)
    expected = Counter(int(v) for v in frame.dropna(
        subset=["performance", "sales", "customer_rate"])["performance"])
    accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sales.db"
        trellis = fresh(path)
        import_ledger(trellis.uow(), source.people, source.events, author="bench")
        reviews.open_cycle(trellis.uow(), CYCLE, date(2021, 1, 1), date(2021, 12, 31),
                           forms=[ReviewForm.MANAGER], author="bench")
        accounts.create_user(trellis.uow(), "hr@bench.org", PASSWORD, Role.HR_ADMIN,
                             author="bench")
        handles = [p.handle for p in source.people]
        trellis.close()
        app = create_app(Settings(database_url=f"sqlite:///{path}", author="bench"))
        with TestClient(app) as client:
            r = client.post("/api/session", json={"email": "hr@bench.org",
                                                  "password": PASSWORD})
            assert r.status_code == 200, r.text
            progress = client.get(f"/api/review-cycles/{CYCLE}/progress").json()["people"]
            done = sum(1 for p in progress if p["submitted"] == ["manager"])
            read, floor, ratings = [], [], Counter[int]()
            for handle in handles:
                start = time.perf_counter()
                doc = client.get(f"/api/people/{handle}/reviews").json()
                read.append(time.perf_counter() - start)
                ratings.update(r["rating"] for r in doc["cycles"][CYCLE]["manager"])
                start = time.perf_counter()
                assert client.get(f"/api/people/{handle}").status_code == 200
                floor.append(time.perf_counter() - start)
            with app.state.trellis.uow() as uow:
                audited = sum(1 for e in uow.accounts.audit_entries()
                              if e["action"] == "reviews.read")
        app.state.trellis.close()
    same = ratings == expected
    per_read, per_floor = statistics.median(read), statistics.median(floor)
    print(f"salespeople: {len(handles):,} people in cycle '{CYCLE}' ({skipped} row(s) "
          f"without a rating left out); progress: {done:,} of {len(progress):,} with the "
          "manager review in")
    print("ratings read back through GET /api/people/{ref}/reviews: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(ratings.items()))
          + "; the dataset's column: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(expected.items()))
          + f"; same: {same}")
    print(f"reviews.read audit entries: {audited:,} for {len(handles):,} reads")
    print(f"median read {per_read * 1000:.1f} ms; floor (GET /api/people/{{ref}}) "
          f"{per_floor * 1000:.1f} ms; ratio {per_read / per_floor:.1f}x")
    return {"people": len(handles), "done": done, "same": same, "audited": audited,
            "read_ms": per_read * 1000, "floor_ms": per_floor * 1000}


if __name__ == "__main__":
    main()
