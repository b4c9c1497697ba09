"""A calibration session over a real dataset's ratings.

    .venv/bin/python bench/calibration_real_data.py

``salespeople`` (peopleanalyticsdata: 350 salespeople, performance 1-4, promoted or not) is
imported as in ``bench/reviews_real_data.py`` (one manager review each in cycle
'salespeople-2021', the promotions six months later), under the software-company framework
with a 1-4 review scale and a target distribution of 15/35/35/15 percent. A review cycle of
that name is opened, then a session for the engineering track (everyone). The script prints
the distribution against the target and the 9-box, and checks the counts, the target's
counts and the high-performance third independently with pandas on the CSV itself.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import yaml
from reviews_real_data import CYCLE

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import parse_framework, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.calibration_sessions import BANDS
from trellis.services import calibration_sessions, reviews
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

TARGET = {1: 15.0, 2: 35.0, 3: 35.0, 4: 15.0}


def framework_text() -> str:
    shipped = shipped_framework_path("software-company")
    assert shipped is not None
    document = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    document["reviews"] = {"rating": {"min": 1, "max": 4}, "forms": ["manager"],
                           "target_distribution": TARGET}
    return yaml.safe_dump(document, sort_keys=False)


def main() -> dict[str, object]:
    frame = pa.read_dataset("salespeople")
    source, skipped = pa.salespeople_ledger(frame, role="eng-l2", promoted_to="eng-l3",
                                            cycle=CYCLE)
    with tempfile.TemporaryDirectory() as folder:
        trellis = open_trellis(Settings(database_url=f"sqlite:///{Path(folder) / 'sp.db'}",
                                        author="bench"), create=True)
        framework, document = parse_framework(framework_text(), "software-company+target")
        load_framework(trellis.uow(), framework, document, author="bench", activate=True)
        import_ledger(trellis.uow(), source.people, source.events, author="bench")
        reviews.open_cycle(trellis.uow(), CYCLE, date(2021, 1, 1), date(2021, 12, 31),
                           author="bench")
        session, members = calibration_sessions.open_session(
            trellis.uow(), CYCLE, track="engineering", author="bench")
        view = calibration_sessions.view(trellis.uow(), session.name)
        trellis.close()
    print(f"salespeople: {members} people in session '{session.name}' ({skipped} row(s) "
          f"without a rating left out); {view.rated} rated")
    print("rating  count  share   target  target count  difference")
    for d in view.distribution:
        print(f"{d.rating:>6}  {d.count:>5}  {d.percent:>5.1f}%  {d.target_percent:>5.1f}%  "
              f"{d.target_count:>12}  {d.difference:>+10}")
    print("9-box (performance rows, readiness columns low / mid / high):")
    for p in reversed(BANDS):
        print(f"  {p.value:>4}: " + "  ".join(f"{len(view.boxes[(p, r)]):>4}" for r in BANDS))
    # independently, on the CSV: the same rows, counted by pandas
    rated = frame.dropna(subset=["performance", "sales", "customer_rate"])
    counts = rated["performance"].astype(int).value_counts().sort_index()
    n = len(rated)
    exact = pd.Series(TARGET) * n / 100
    whole = exact.astype(int)
    left = n - int(whole.sum())
    remainders = (exact - whole).sort_values(ascending=False, kind="stable")
    whole[remainders.index[:left]] += 1
    high_third = int((rated["performance"].astype(int) >= 3).sum())  # 1-4: 3 and 4 are high
    ours = {d.rating: d.count for d in view.distribution}
    same = (ours == counts.to_dict() and
            {d.rating: d.target_count for d in view.distribution} == whole.to_dict())
    placed_high = sum(len(view.boxes[(BANDS[2], r)]) for r in BANDS)
    promoted = rated.groupby(rated["performance"].astype(int) >= 3)["promoted"].mean()
    print(f"pandas on the CSV: counts {counts.to_dict()}, target counts {whole.to_dict()}, "
          f"high third {high_third}; the same as the view: "
          f"{same and placed_high == high_third}")
    print(f"promotion rate in the CSV: high third {promoted[True]:.1%}, the rest "
          f"{promoted[False]:.1%}")
    return {"members": members, "distribution": ours, "same": same,
            "high_third": high_third}


if __name__ == "__main__":
    main()
