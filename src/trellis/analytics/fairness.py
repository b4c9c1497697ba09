"""The fairness audit: outcome rates per group of an HR attribute, and the impact ratio.

For each outcome (promoted, rated high, recognized, raised, ...) and each attribute (gender,
location, ...), a group's **rate** is the share of its people in the population who had the
outcome, and its **impact ratio** is its rate over the highest rate of any group judged:
the four-fifths rule of adverse-impact analysis (the US Uniform Guidelines, and NYC Local
Law 144's bias audits: ratio = group rate / highest group rate). A judged group whose ratio
is below ``FOUR_FIFTHS`` gets a warning.

A group of fewer than ``MIN_GROUP`` people is shown as "too few to judge": its rate is
reported, but it is neither the reference nor warned about, since one person more or less
would swing it by several points.

The four-fifths rule alone flags small groups by chance, so each judged group other than
the reference also gets the two-sided p-value of Fisher's exact test of its 2x2 table
against the reference group's (the practice beside the rule in adverse-impact analysis):
a warning then says whether a gap that large is unlikely by chance alone.

Scores (readiness, promotion propensity) are audited *at equal evidence*: people are put in
strata of how much evidence they have (micro-progressions in their current level,
``EVIDENCE_EDGES``); each group's mean score is standardized to the whole population's mix
of strata (direct standardization over the strata where every judged group has people), and
the ratio of a group's standardized mean to the highest one says whether the score ranks
groups differently when the evidence is the same.

Everything here is vectorized pandas over one frame per question; no ledger, no ORM.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact  # type: ignore[import-untyped]

FOUR_FIFTHS = 0.8
MIN_GROUP = 20  # people: a smaller group is shown, never judged
EVIDENCE_EDGES = (0, 1, 3, 6, 11)  # strata: 0, 1-2, 3-5, 6-10, 11+ micro-progressions in level
OK, BELOW, TOO_FEW, NO_OUTCOMES = "ok", "below 0.8", "too few to judge", "no outcomes"
ALL_ZERO = "every score 0"  # a score audit in which no judged group scores above 0


@dataclass(frozen=True, slots=True)
class GroupRate:
    group: str
    people: int
    positives: int
    rate: float
    impact_ratio: float | None  # None: too few to judge, or no group had the outcome
    status: str  # ok | below 0.8 | too few to judge | no outcomes
    reference: bool = False  # the highest-rate judged group
    p_value: float | None = None  # Fisher's exact test against the reference group


@dataclass(frozen=True, slots=True)
class Audit:
    """One outcome by one attribute: a row per group, largest group first."""

    outcome: str
    attribute: str
    population: int  # people in the outcome's population with the attribute recorded
    unrecorded: int  # people in the population without a value for the attribute
    groups: tuple[GroupRate, ...]

    @property
    def warnings(self) -> list[str]:
        return [warning(self.outcome, self.attribute, g) for g in self.groups
                if g.status == BELOW]


def warning(outcome: str, attribute: str, g: GroupRate) -> str:
    assert g.impact_ratio is not None
    return (f"{outcome}: {attribute} = {g.group} has an impact ratio of {g.impact_ratio:.2f} "
            f"(rate {g.rate:.1%} of {g.people} people), below the four-fifths rule's 0.8")


def impact_ratios(groups: pd.Series, outcome: pd.Series, min_group: int = MIN_GROUP
                  ) -> tuple[GroupRate, ...]:
    """Each group's rate and impact ratio. ``groups`` and ``outcome`` are aligned: the
    group of each person in the population (NaN: unrecorded, left out) and whether they had
    the outcome."""
    frame = pd.DataFrame({"g": groups.to_numpy(), "y": outcome.to_numpy(dtype=bool)})
    frame = frame[frame["g"].notna()]
    if frame.empty:
        return ()
    stats = frame.groupby("g", sort=True)["y"].agg(["size", "sum"])
    return _rates(stats.index.astype(str), stats["size"].to_numpy(),
                  stats["sum"].to_numpy(), min_group)


def _rates(names: Sequence[str], people: np.ndarray, positives: np.ndarray,
           min_group: int) -> tuple[GroupRate, ...]:
    rate = positives / np.maximum(people, 1)
    judged = people >= min_group
    best = float(rate[judged].max()) if judged.any() else 0.0
    # the reference: the largest of the judged groups with the highest rate
    top = [i for i in np.flatnonzero(judged) if math.isclose(float(rate[i]), best)]
    ref = max(top, key=lambda i: int(people[i])) if top else None
    out = []
    for name, n, k, r, j in zip(names, people, positives, rate, judged, strict=True):
        if not j:
            out.append(GroupRate(str(name), int(n), int(k), float(r), None, TOO_FEW))
        elif best <= 0:
            out.append(GroupRate(str(name), int(n), int(k), float(r), None, NO_OUTCOMES))
        else:
            ratio = float(r) / best
            reference = math.isclose(float(r), best)
            p = None if reference or ref is None else fisher_p(
                int(k), int(n), int(positives[ref]), int(people[ref]))
            out.append(GroupRate(str(name), int(n), int(k), float(r), ratio,
                                 BELOW if ratio < FOUR_FIFTHS else OK,
                                 reference=reference, p_value=p))
    return tuple(sorted(out, key=lambda g: (-g.people, g.group)))


def fisher_p(positives: int, people: int, ref_positives: int, ref_people: int) -> float:
    """The two-sided p-value of Fisher's exact test: a group's outcomes against the
    reference group's."""
    table = [[positives, people - positives], [ref_positives, ref_people - ref_positives]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


def audit_outcome(outcome: str, population: pd.DataFrame, attributes: pd.DataFrame,
                  names: Sequence[str], min_group: int = MIN_GROUP) -> list[Audit]:
    """``population``: person_id and a bool ``outcome`` column, a row per person in the
    outcome's population; ``attributes``: person_id and a column per attribute name."""
    joined = population.merge(attributes, on="person_id", how="left")
    out = []
    for name in names:
        column = joined[name] if name in joined else pd.Series(np.nan, index=joined.index)
        recorded = int(column.notna().sum())
        out.append(Audit(outcome, name, recorded, len(joined) - recorded,
                         impact_ratios(column, joined["outcome"], min_group)))
    return out


# --- scores at equal evidence


def evidence_stratum(counts: pd.Series) -> pd.Series:
    """The stratum label of each count of micro-progressions ("0", "1-2", ..., "11+")."""
    edges = list(EVIDENCE_EDGES)
    labels = [f"{lo}-{hi - 1}" if hi - 1 > lo else f"{lo}"
              for lo, hi in itertools.pairwise(edges)] + [f"{edges[-1]}+"]
    index = np.searchsorted(np.asarray(edges), counts.to_numpy(dtype=float), side="right") - 1
    found = np.asarray(labels, dtype=object)[np.clip(index, 0, len(labels) - 1)]
    return pd.Series(pd.Categorical(found, categories=labels, ordered=True),
                     index=counts.index)


@dataclass(frozen=True, slots=True)
class GroupScore:
    group: str
    people: int
    mean: float  # the raw mean score
    standardized_mean: float | None  # at the population's mix of evidence strata
    ratio: float | None  # standardized mean / the highest group's
    status: str


@dataclass(frozen=True, slots=True)
class ScoreAudit:
    score: str  # readiness | propensity
    attribute: str
    people: int
    strata_used: tuple[str, ...]  # the strata in which every judged group has people
    covered: int  # people in those strata
    groups: tuple[GroupScore, ...]

    @property
    def warnings(self) -> list[str]:
        return [f"{self.score}: {self.attribute} = {g.group} scores {g.ratio:.2f} of the "
                f"highest group at equal evidence (standardized mean {g.standardized_mean:.3g})"
                ", below 0.8" for g in self.groups if g.status == BELOW and g.ratio is not None]


def audit_score(score: str, scores: pd.DataFrame, attributes: pd.DataFrame,
                names: Sequence[str], min_group: int = MIN_GROUP) -> list[ScoreAudit]:
    """``scores``: person_id, ``score`` (higher is better) and ``evidence`` (a count)."""
    joined = scores.merge(attributes, on="person_id", how="left")
    joined["stratum"] = evidence_stratum(joined["evidence"])
    return [_score_audit(score, name, joined, min_group) for name in names]


def _score_audit(score: str, name: str, joined: pd.DataFrame, min_group: int) -> ScoreAudit:
    if name not in joined:
        return ScoreAudit(score, name, 0, (), 0, ())
    frame = joined[joined[name].notna()]
    if frame.empty:
        return ScoreAudit(score, name, 0, (), 0, ())
    sizes = frame.groupby(name)["score"].agg(["size", "mean"])
    judged = [str(g) for g in sizes.index[sizes["size"] >= min_group]]
    cells = frame.pivot_table(index="stratum", columns=name, values="score",
                              aggfunc="mean", observed=True)
    cells.columns = cells.columns.astype(str)
    weights = frame.groupby("stratum", observed=True).size()
    common = cells[judged].notna().all(axis=1) if judged else cells.index.notna()
    used = cells.index[common]
    w = weights.reindex(used).to_numpy(dtype=float)
    standardized: dict[str, float] = {}
    if judged and len(used) and w.sum() > 0:
        for g in judged:
            standardized[g] = float((cells.loc[used, g].to_numpy() * w).sum() / w.sum())
    best = max(standardized.values(), default=0.0)
    groups = []
    for g, row in sizes.iterrows():
        label, n, mean = str(g), int(row["size"]), float(row["mean"])
        if label not in standardized:
            groups.append(GroupScore(label, n, mean, None, None, TOO_FEW))
            continue
        s = standardized[label]
        ratio = s / best if best > 0 else None
        status = ALL_ZERO if ratio is None else BELOW if ratio < FOUR_FIFTHS else OK
        groups.append(GroupScore(label, n, mean, s, ratio, status))
    groups.sort(key=lambda g: (-g.people, g.group))
    covered = int(frame["stratum"].isin(used).sum())
    return ScoreAudit(score, name, len(frame), tuple(str(s) for s in used), covered,
                      tuple(groups))
