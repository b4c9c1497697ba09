"""Evidence on the demo organization, whose true model is known (trellis.demo.generator).

The generator promotes people more readily as they meet the next role's expectations
(skill steps toward it), less readily at higher levels, and makes departures depend on
time since the last progression, not on micro-progressions. The evidence should find
that, and say so through the command too.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.evidence import evidence
from trellis.settings import Settings

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY


def test_evidence_on_a_thousand_person_demo_org(cli, sqlite_url: str, tmp_path: Path
                                                ) -> None:
    trellis = open_trellis(Settings(database_url=sqlite_url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=1000, years=4,
             seed=7, author="tester", today=clock.today())
    try:
        found = evidence(trellis.uow())
    finally:
        trellis.close()

    promotion = {h.covariate: h for h in found.promotion.covariates}
    assert found.promotion.sufficient and found.promotion.events > 200
    skill = promotion["skill_steps_per_year"]
    assert skill.hazard_ratio > 1 and skill.ci_low > 1  # steps toward the next role pay

    departure = {h.covariate: h for h in found.departure.covariates}
    assert found.departure.sufficient and found.departure.events > 100
    kudos = departure["recognitions_per_year"]  # departures follow stagnation, not kudos
    assert kudos.ci_low < 1 < kudos.ci_high

    prop = found.propensity
    # the demo promotes all year round: quarter ends from its first promotion, no earlier
    assert found.window == "quarters" and prop.sufficient and prop.folds == 5
    assert prop.first is not None and prop.first >= min(
        found.spells["end"][found.spells["promoted"]]) - timedelta(days=92)
    for name in ("logistic", "gradient_boosting"):
        model = prop.model(name)
        assert model is not None and model.auc_mean is not None and model.auc_mean > 0.65
        assert len(model.fold_aucs) == 5 and len(model.calibration) == 10
        assert model.time_ordered is not None and model.time_ordered.value > 0.6
        assert model.pooled is not None and model.pooled.low < model.pooled.value
        rate = prop.positives / prop.snapshots  # better than the base rate for everyone
        assert model.brier is not None and model.brier < rate * (1 - rate)
    logistic_bins = prop.model("logistic").calibration  # type: ignore[union-attr]
    # calibrated to within a few points on average; a linear logit bends away from the
    # generator's own form in the most promotable decile, by no more than ten points
    gaps = [abs(b.predicted - b.observed) for b in logistic_bins]
    assert sum(g * b.snapshots for g, b in zip(gaps, logistic_bins, strict=True)) / sum(
        b.snapshots for b in logistic_bins) < 0.03
    assert max(gaps) < 0.10
    assert prop.split_on is not None and prop.train_snapshots and prop.test_snapshots
    effects = {e.feature: e for e in prop.effects}
    assert effects["level_rank"].ci_high < 1  # higher levels promote less
    assert effects["readiness"].ci_low > 1  # meeting the next role's expectations pays
    assert {prop.effects[0].feature, prop.importances[0].feature} <= {"level_rank",
                                                                     "readiness"}
    # the top of a track (no next role) is never promoted in the demo: no odds ratio
    assert prop.not_identifiable["coverage missing"] == (
        "separates the outcome: no snapshot with coverage missing was promoted (the odds "
        "ratio is zero: not identifiable)")
    assert prop.effects[0].feature.replace("_", " ") in prop.takeaway

    assert all(c.sufficient for c in found.time_in_level)
    assert [c.group for c in found.time_in_level] == ["low", "middle", "high"]

    chart = tmp_path / "km.png"
    result = cli("--db", sqlite_url, "evidence", "--json", "--plot", str(chart))
    assert result.code == 0, result.err
    doc = orjson.loads(result.out)
    assert doc["promotion_model"]["covariates"][0]["covariate"] == "skill_steps_per_year"
    logistic = prop.model("logistic")
    assert logistic is not None and logistic.auc_mean is not None
    assert doc["propensity"]["models"][0]["auc_mean"] == round(logistic.auc_mean, 4)
    assert doc["propensity"]["effects"][0]["in_words"].startswith(
        f"{prop.effects[0].feature.replace('_', ' ')}: each ")
    assert chart.stat().st_size > 10_000

    text = cli("--db", sqlite_url, "evidence", "--window", "reviews")
    assert text.code == 0, text.err
    assert "Cox model of promotion" in text.out and "hazard ratio" in text.out
    assert "Two models side by side" in text.out and "Takeaway:" in text.out
    assert "p < 0.001" in text.out
    bad = cli("--db", sqlite_url, "evidence", "--plot", str(tmp_path / "km.gif"))
    assert bad.code == 1 and "use a .png or .svg file" in bad.err
    for args, message in ((["--window", "weekly"], "unknown --window 'weekly'"),
                          (["--at", "1990-01-01"], "is before the ledger's first event"),
                          (["--split", "2099-01-01"], "is outside the decision points"),
                          (["--since", "2099-01-01"], "is after the date analysed")):
        bad = cli("--db", sqlite_url, "evidence", *args)
        assert bad.code == 1 and message in bad.err, (args, bad.err)
        assert len(bad.err.strip().splitlines()) == 1
