"""The organization overview and the team list on real data, checked against the CSV.

    .venv/bin/python bench/org_real_data.py

Imports the peopleanalyticsdata ``promotion`` dataset (1,134 people; adapters.
peopleanalytics: a hire ``year`` years before a review on 2022-01-01, carriers a month
before it, a promotion six months after it for ``promoted = 1``) into a fresh SQLite file,
then compares what the Organization page says with the same figures computed from the CSV
with pandas: the headcount, the promotions and the share promoted in 2022 (promotions per
person-year worked), the micro-progressions of 2021, and who has never been recognized.
Then times the HR admin's team list (by name; sorted by readiness, first and again) and
the directory search through the app, beside the floor of one read of every current-state
row.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd
from argon2 import PasswordHasher

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.access import Role
from trellis.services import accounts, org_overview
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

PASSWORD = "bench-password"


def main() -> None:
    accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    frame = pa.read_dataset("promotion")
    source = pa.promotion_ledger(frame, role="eng-l1", promoted_to="eng-l2")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'real.db'}"
        trellis = open_trellis(Settings(database_url=url, author="bench"), create=True)
        shipped = shipped_framework_path("software-company")
        assert shipped is not None
        framework, document = read_framework_file(shipped)
        load_framework(trellis.uow(), framework, document, author="bench", activate=True)
        import_ledger(trellis.uow(), source.people, source.events, author="bench")
        accounts.create_user(trellis.uow(), "hr@bench.trellis", PASSWORD, Role.HR_ADMIN,
                             author="bench")
        o = org_overview.overview(trellis.uow())
        trellis.close()
        compare(frame, o)
        time_pages(url)


def compare(frame: pd.DataFrame, o: org_overview.Overview) -> None:
    year_2022 = next(y for y in o.years if y.year == 2022)
    year_2021 = next(y for y in o.years if y.year == 2021)
    days_2022 = (date(2022, 12, 31) - date(2022, 1, 1)).days + 1
    csv = {
        "headcount": len(frame),
        "promotions in 2022": int(frame.promoted.sum()),
        "share promoted in 2022": frame.promoted.sum() / (len(frame) * days_2022
                                                          / org_overview.DAYS_A_YEAR),
        "micro-progressions in 2021": int(frame[["diverse", "flexible", "store"]].sum().sum()),
        "never recognized": int((frame.flexible == 0).sum()),
    }
    page = {
        "headcount": o.active,
        "promotions in 2022": year_2022.promotions,
        "share promoted in 2022": year_2022.promotion_rate or 0.0,
        "micro-progressions in 2021": year_2021.micro_progressions,
        "never recognized": dict(o.gaps)[org_overview.NEVER],
    }
    print("promotion (peopleanalyticsdata), the Organization page against pandas on the CSV:")
    for key, expected in csv.items():
        got = page[key]
        same = abs(got - expected) < 1e-9
        shown = (f"{got:.4f} / {expected:.4f}" if isinstance(expected, float)
                 else f"{got:,} / {expected:,}")
        print(f"  {key:<28} {shown:>20}  {'same' if same else 'DIFFERENT'}")


def time_pages(url: str) -> None:
    from fastapi.testclient import TestClient

    from trellis.entrypoints.web.app import create_app

    app = create_app(Settings(database_url=url, author="bench"))
    with TestClient(app) as client:
        assert client.post("/api/session", json={"email": "hr@bench.trellis",
                                                 "password": PASSWORD}).status_code == 200

        def seconds(path: str) -> float:
            start = time.perf_counter()
            assert client.get(path).status_code == 200, path
            return time.perf_counter() - start

        seconds("/team")  # warm
        first = seconds("/team?sort=readiness")
        again = seconds("/team?sort=readiness&page=2")
        by_name = seconds("/team")
        search = seconds("/people?q=promotion-11")
        start = time.perf_counter()
        with app.state.trellis.uow() as uow:
            uow.state.rows(None, ("person_id", "role", "hired_on", "departed_on"))
        floor = time.perf_counter() - start
    app.state.trellis.close()
    print(f"  HR team list by name {by_name:.3f} s; by readiness, first {first:.3f} s, "
          f"page 2 after {again:.3f} s; directory search {search:.3f} s; floor (every "
          f"current-state row) {floor:.3f} s")


if __name__ == "__main__":
    main()
