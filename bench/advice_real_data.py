"""Advice and the comparison table on ledgers built from real HR datasets, checked against
the same question asked of the CSV directly.

    .venv/bin/python bench/advice_real_data.py

Two ``peopleanalyticsdata`` datasets become ledgers (adapters.peopleanalytics; their
micro-progressions are carriers of the CSV's covariates, not claims about what people did):

- ``promotion`` (1,134 people in one role, ``year`` years in it at a review; ``diverse``,
  ``flexible`` and ``store`` as one micro-progression each a month before the review;
  ``promoted`` six months after it): are people with micro-progressions promoted more
  *at the same years in role*? The CSV answer: the promotion share of people with at
  least one carrier against those with none, within each ``year``, as a Mantel-Haenszel
  risk difference.
- ``job_retention`` (3,770 people over 12 months; ``intention`` to leave as that many
  recognitions a month; ``left``): do frequent micro-progressors leave more? The CSV
  answer: departures per person-year of people above the median ``intention`` against
  those at or below it.

For each it prints what ``trellis advise`` says for one person (the promotion and leaving
reasons, the simulation's retention), what the stored ``strategy_effects`` model holds for
every stage and role type, the leaving effect the simulation applies (with the share of
its balanced trajectories' person-quarters that are frequent, against the observed share
it is scaled by), the organization's comparison table's crude promotion rates,
and the CSV's own figures, so the two can be read side by side.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis
from trellis.services import clock, org_models
from trellis.services.advice import advise
from trellis.services.compare import compare
from trellis.services.frameworks import load_framework
from trellis.services.simulation import STRATEGY_EFFECTS, simulate
from trellis.services.transfer import import_ledger
from trellis.settings import Settings


def fresh(path: Path) -> Trellis:
    trellis = open_trellis(Settings(database_url=f"sqlite:///{path}", author="bench"),
                           create=True)
    shipped = shipped_framework_path("software-company")
    assert shipped is not None
    framework, document = read_framework_file(shipped)
    load_framework(trellis.uow(), framework, document, author="bench", activate=True)
    return trellis


def csv_promotion(frame: pd.DataFrame) -> str:
    micro = (frame["diverse"] + frame["flexible"] + frame["store"]) > 0
    num = den = 0.0
    for _, g in frame.groupby("year"):
        m = micro[g.index]
        a, b = g.loc[m, "promoted"], g.loc[~m, "promoted"]
        if len(a) and len(b):
            w = len(a) * len(b) / len(g)
            num += w * (a.mean() - b.mean())
            den += w
    crude = frame.loc[micro, "promoted"].mean(), frame.loc[~micro, "promoted"].mean()
    return (f"CSV: promoted {crude[0]:.1%} with a carrier ({int(micro.sum())} people) against "
            f"{crude[1]:.1%} without ({int((~micro).sum())}); within the same years in role "
            f"(Mantel-Haenszel) {100 * num / den:+.1f} points")


def csv_retention(frame: pd.DataFrame) -> str:
    high = frame["intention"] > frame["intention"].median()
    rate = {k: frame.loc[m, "left"].sum() / (frame.loc[m, "month"].sum() / 12)
            for k, m in (("high", high), ("low", ~high))}
    return (f"CSV: intention above the median {rate['high']:.1%} left a person-year "
            f"({int(high.sum())} people), at or below {rate['low']:.1%} "
            f"({int((~high).sum())})")


def run(name: str, source: pa.SourceLedger, check: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        trellis = fresh(Path(folder) / f"{name}.db")
        import_ledger(trellis.uow(), source.people, source.events, author="bench")
        clock.now = lambda: datetime.combine(source.as_of, datetime.min.time())  # type: ignore[assignment]
        started = time.perf_counter()
        with trellis.uow() as uow:
            active = next(r["person_id"] for r in uow.state.rows(
                None, ["person_id", "departed_on"]) if r["departed_on"] is None)
        found = advise(trellis.uow(), str(active))
        seconds = time.perf_counter() - started
        effects = org_models.load(trellis.uow(), STRATEGY_EFFECTS).value
        balanced = simulate(trellis.uow(), person=found.handle, strategy="balanced",
                            years=5, runs=2_000, seed=1, bands=False)
        table = compare(trellis.uow()).table
        trellis.close()
    print(f"== {name}: {len(source.people):,} people, {len(source.events):,} events, "
          f"as of {source.as_of} (the first advice, fitting the models: {seconds:.1f}s)")
    print(f"advice for {found.handle} ({found.stage}, {found.role_type}): "
          f"{found.recommendation.strategy} ({found.recommendation.promotion_effort:.0%})")
    for reason in found.recommendation.reasons[2:]:
        print(f"  - {reason}")
    for (stage, role_type), c in sorted(effects.cohorts.items()):
        for comp in (c.promotion, c.departure):
            if comp is None:
                continue
            verdict = "decided" if comp.decided else "the data does not decide"
            print(f"  model {stage}/{role_type} {comp.outcome}: frequent "
                  f"{comp.frequent_rate:.1%} ({comp.frequent_events}, {comp.frequent_people} "
                  f"people) rare {comp.rare_rate:.1%} ({comp.rare_events}, "
                  f"{comp.rare_people}); same time in level and year "
                  f"{100 * comp.difference:+.2f} points "
                  f"[{100 * comp.ci_low:+.2f}, {100 * comp.ci_high:+.2f}]: {verdict}")
    for (stage, role_type), e in sorted(balanced.leaving.items()):
        share = balanced.outcomes[0].extra.get("leaving_frequent_share")
        print(f"  simulated leaving effect {stage}/{role_type}: x{e.ratio:.3f} above "
              f"{e.threshold:g} a quarter; frequent share of person-years observed "
              f"{e.frequent_share:.1%}, simulated at balanced "
              + ("n/a" if share is None else f"{share:.1%}"))
    growth = table.feature("growth").measure("promotions").cells
    print("  comparison table, promotions per person-year: "
          + ", ".join(f"{k} {c.text('{:.3f}')}" for k, c in growth.items()))
    print(f"  {check}")


def main() -> None:
    np.seterr(all="ignore")
    promotion = pa.read_dataset("promotion")
    run("promotion", pa.promotion_ledger(promotion, role="eng-l1", promoted_to="eng-l2"),
        csv_promotion(promotion))
    retention = pa.read_dataset("job_retention")
    run("job_retention", pa.job_retention_ledger(retention, role="eng-l1"),
        csv_retention(retention))


if __name__ == "__main__":
    main()
