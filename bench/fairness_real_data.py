"""The fairness audit on real data: two public datasets imported as Trellis ledgers.

    .venv/bin/python bench/fairness_real_data.py [--keep FOLDER]

- ``employee_performance`` (peopleanalyticsdata: 366 salespeople, a performance rating 1-3,
  gender and region): people, hires and one manager review each
  (adapters.peopleanalytics.employee_performance_ledger) under the software-company
  framework with a 1-3 review scale; gender and region imported as attributes from a CSV
  (``trellis person attribute import``). Audited: the share rated 3 (the top of a 3-point
  scale, the default "high") by gender and by region.
- ``promotion`` (1,134 people: diverse, flexible, promoted): promotion_ledger, with
  ``diverse`` and ``flexible`` as attributes. Audited: the share promoted in the year after
  the review, by diverse and by flexible; and the propensity score at equal evidence (the
  evidence's decision-point model, services.fairness_scores, scoring everyone's profile
  today), with the model it scores with and each group's raw mean score beside the same
  mean taken with pandas over the stored scores and the CSV's groups.

Each impact ratio is printed beside the same figure computed directly with pandas on the
CSV, and the two must agree. With ``--keep`` the two databases stay in FOLDER, to run
``trellis --db FOLDER/performance.db fairness ...`` on them (the commands are printed).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.attribute_files import read_attribute_csv
from trellis.adapters.framework_files import parse_framework, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis
from trellis.services import org_models
from trellis.services.attributes import import_attributes
from trellis.services.fairness import FairnessReport, fairness
from trellis.services.fairness_scores import SCORE_MODEL, PropensityScores
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

CYCLE = "performance-2021"
REVIEW_ON = date(2022, 1, 1)


def framework_text() -> str:
    shipped = shipped_framework_path("software-company")
    assert shipped is not None
    document = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    document["reviews"] = {"rating": {"min": 1, "max": 3}, "forms": ["manager"]}
    return yaml.safe_dump(document, sort_keys=False)


def fresh(path: Path) -> Trellis:
    trellis = open_trellis(Settings(database_url=f"sqlite:///{path}", author="bench"),
                           create=True)
    framework, document = parse_framework(framework_text(), "software-company+reviews")
    load_framework(trellis.uow(), framework, document, author="bench", activate=True)
    return trellis


def write_attributes(path: Path, values: list[tuple[str, str, str]]) -> None:
    names = list(dict.fromkeys(n for _, n, _ in values))
    rows: dict[str, dict[str, str]] = {}
    for handle, name, value in values:
        rows.setdefault(handle, {})[name] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["handle", *names])
        writer.writerows([h, *(r.get(n, "") for n in names)] for h, r in rows.items())


def load(trellis: Trellis, source: pa.SourceLedger, values: list[tuple[str, str, str]],
         csv_path: Path) -> None:
    import_ledger(trellis.uow(), source.people, source.events, author="bench")
    write_attributes(csv_path, values)
    rows, problems = read_attribute_csv(csv_path)
    import_attributes(trellis.uow(), rows, source=str(csv_path), author="bench",
                      problems=problems)


def direct(frame: pd.DataFrame, by: str, outcome: pd.Series) -> dict[str, float]:
    """The impact ratio per group, straight from the CSV."""
    rates = outcome.groupby(frame[by]).mean()
    return (rates / rates.max()).to_dict()


def ratios(report: FairnessReport, outcome: str, attribute: str) -> dict[str, float | None]:
    audit = next(a for a in report.outcomes if a.outcome == outcome and a.attribute == attribute)
    return {g.group: g.impact_ratio for g in audit.groups}


def show(report: FairnessReport, outcome: str, attribute: str,
         expected: dict[str, float]) -> bool:
    audit = next(a for a in report.outcomes if a.outcome == outcome and a.attribute == attribute)
    same = True
    print(f"  {outcome} by {attribute} ({audit.population:,} people):")
    for g in audit.groups:
        check = expected[g.group]
        ok = g.impact_ratio is not None and abs(g.impact_ratio - check) < 1e-9
        same &= ok
        fisher = "" if g.p_value is None else f", Fisher's exact p = {g.p_value:.2g}"
        print(f"    {g.group:>6}: {g.positives:>4} of {g.people:>4} = {g.rate:6.1%}, impact "
              f"ratio {g.impact_ratio:.3f} (pandas {check:.3f}) {g.status}{fisher}")
    return same


def show_scores(report: FairnessReport, model: PropensityScores, handles: dict[int, str],
                frame: pd.DataFrame, seconds: float) -> bool:
    """The propensity audit by diverse and flexible, each group's raw mean beside pandas's
    mean of the stored scores by the CSV's group (handles are promotion-N, row N)."""
    print(f"  audited with scores in {seconds:.1f} s (the evidence and score models built)")
    if model.insufficient is not None:
        print(f"  propensity is not audited: {model.insufficient}")
        return True
    print(f"  {model.describe()}")
    rows = frame.assign(person=[f"promotion-{i}" for i in range(1, len(frame) + 1)])
    same = True
    for attribute in ("diverse", "flexible"):
        audit = next(s for s in report.scores
                     if s.score == "propensity" and s.attribute == attribute)
        print(f"  propensity by {attribute} at equal evidence ({audit.covered:,} of "
              f"{audit.people:,} people in strata {', '.join(audit.strata_used)}):")
        scores = model.scores.set_index("person_id")["score"]
        group = rows.set_index("person")[attribute]
        means = scores.groupby(group.reindex([handles[p] for p in scores.index]).to_numpy()
                               ).mean()
        for g in audit.groups:
            ok = abs(g.mean - float(means[g.group])) < 1e-9
            same &= ok
            standardized = ("" if g.standardized_mean is None
                            else f", standardized {g.standardized_mean:.4f}")
            ratio = "" if g.ratio is None else f", ratio {g.ratio:.3f}"
            print(f"    {g.group:>6}: {g.people:>4} people, mean {g.mean:.4f} (pandas "
                  f"{means[g.group]:.4f}){standardized}{ratio} {g.status}")
    return same


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="Keep the databases in this folder.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        perf_csv = pa.read_dataset("employee_performance")
        source, values = pa.employee_performance_ledger(perf_csv, role="eng-l2", cycle=CYCLE,
                                                        review_on=REVIEW_ON)
        perf = fresh(folder / "performance.db")
        start = time.perf_counter()
        load(perf, source, values, folder / "performance-attributes.csv")
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        first = fairness(perf.uow(), cycle=CYCLE, since=REVIEW_ON, until=source.as_of,
                         scores=False)
        audited = time.perf_counter() - start
        perf.close()
        promo_csv = pa.read_dataset("promotion")
        psource = pa.promotion_ledger(promo_csv, role="eng-l2", promoted_to="eng-l3",
                                      review_on=REVIEW_ON)
        promo = fresh(folder / "promotion.db")
        load(promo, psource, pa.promotion_attributes(promo_csv),
             folder / "promotion-attributes.csv")
        second = fairness(promo.uow(), since=REVIEW_ON, until=psource.as_of, scores=False)
        start = time.perf_counter()
        scored = fairness(promo.uow(), since=REVIEW_ON, until=psource.as_of)
        with_scores = time.perf_counter() - start
        model = org_models.load(promo.uow(), SCORE_MODEL).value
        with promo.uow().reading() as uow:
            handles = {p.id: p.handle for p in uow.people.all()}
        promo.close()
    print(f"employee_performance: {len(perf_csv):,} people imported with their ratings and "
          f"attributes in {loaded:.2f} s; audited in {audited:.2f} s "
          f"(cycle {first.cycle}, high = {first.high_rating} on the 1-3 scale)")
    high = perf_csv["rating"] >= first.high_rating
    same = show(first, "rated 3 or above", "gender", direct(perf_csv, "gender", high))
    same &= show(first, "rated 3 or above", "region", direct(perf_csv, "region", high))
    print(f"promotion: {len(promo_csv):,} people, promotions in {second.since} to "
          f"{second.until}")
    promoted = promo_csv["promoted"] == 1
    yes_no = promo_csv.assign(diverse=promo_csv["diverse"].map({1: "yes", 0: "no"}),
                              flexible=promo_csv["flexible"].map({1: "yes", 0: "no"}))
    same &= show(second, "promoted", "diverse", direct(yes_no, "diverse", promoted))
    same &= show(second, "promoted", "flexible", direct(yes_no, "flexible", promoted))
    same &= show_scores(scored, model, handles, yes_no, with_scores)
    print("warnings:")
    for w in [*first.warnings, *second.warnings, *(w for a in scored.scores
                                                    for w in a.warnings)]:
        print(f"  {w}")
    print(f"every impact ratio and mean score equals the direct pandas figure: {same}")
    if args.keep:
        print(f"  trellis --db {args.keep / 'performance.db'} fairness --cycle {CYCLE} "
              f"--since {REVIEW_ON} --until {source.as_of} --no-scores")
        print(f"  trellis --db {args.keep / 'promotion.db'} fairness --since {REVIEW_ON} "
              f"--until {psource.as_of} --no-scores")
    return {"same": same, "performance": ratios(first, "rated 3 or above", "gender"),
            "promotion": ratios(second, "promoted", "diverse")}


if __name__ == "__main__":
    main()
