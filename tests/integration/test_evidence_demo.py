"""Evidence on the demo organization, whose true model is known (trellis.demo.generator).

The generator promotes people more readily as they meet the next role's expectations
(skill steps toward it), less readily at higher levels, and makes departures depend on
time since the last progression, not on micro-progressions. The evidence should find
that, and say so through the command too.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.evidence import evidence
from trellis.settings import Settings


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
    assert prop.sufficient and prop.auc_mean is not None and prop.auc_mean > 0.6
    assert prop.folds == 5 and len(prop.fold_aucs) == 5 and len(prop.calibration) == 10
    top = prop.features[0]
    assert top.name == "level_rank" and top.coef < 0  # higher levels promote less often
    assert next(f for f in prop.features if f.name == "skill_steps_in_level").coef > 0
    for b in prop.calibration:  # calibrated to within a few points in every decile
        assert abs(b.predicted - b.observed) < 0.06

    assert all(c.sufficient for c in found.time_in_level)
    assert [c.group for c in found.time_in_level] == ["low", "middle", "high"]

    chart = tmp_path / "km.png"
    result = cli("--db", sqlite_url, "evidence", "--json", "--plot", str(chart))
    assert result.code == 0, result.err
    doc = orjson.loads(result.out)
    assert doc["promotion_model"]["covariates"][0]["covariate"] == "skill_steps_per_year"
    assert doc["propensity"]["auc_mean"] == round(prop.auc_mean, 4)
    assert chart.stat().st_size > 10_000

    text = cli("--db", sqlite_url, "evidence", "--since", str(clock.today()))
    assert text.code == 0, text.err
    assert "Cox model of promotion" in text.out and "hazard ratio" in text.out
    assert "insufficient data" in text.out  # no snapshot has a known next year since today
    bad = cli("--db", sqlite_url, "evidence", "--plot", str(tmp_path / "km.gif"))
    assert bad.code == 1 and "use a .png or .svg file" in bad.err
