"""How well each role fits as a move from each other role: a 0-1 score from everything the
framework knows of the two roles, computed for every pair at once.

Parts, each a similarity from 0 to 1 (a part counts for a pair only when both roles have
it; the fit is the weighted mean of the parts the pair has)::

    skills       cosine of the expectation vectors weighted by importance
                 (expects[c] * importance[c]), each measured from the average role
    criteria     Jaccard similarity of the criteria the roles expect
    knowledge    cosine of the knowledge-area importances, from the average role
    interests    cosine of the interest profiles, from the average role
    titles       TF-IDF cosine of the title and alternate titles
    description  TF-IDF cosine of the title and description
    tasks        TF-IDF cosine of the tasks
    tools        TF-IDF cosine of the tools and technology named

    fit = sum_p w_p * part_p / sum_p w_p  *  max(0, 1 - LEVEL_FACTOR * |levels apart|)

Measured from the average role, a cosine compares what sets each role apart (raw
importance vectors are all positive, so any two look alike). TF-IDF is scikit-learn's,
with its built-in English stop words: nothing is downloaded.

The weights (``FIT_WEIGHTS``) and ``LEVEL_FACTOR`` were set once, as round numbers, on
O*NET's related-occupations judgement for half of the occupations (bench/lattice_related.py):
texts that name the work (titles, tasks) weigh twice the rest; every other part weighs 1.
No value of that judgement is kept anywhere in the package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from trellis.domain.framework import Framework, Role

FIT_WEIGHTS: Mapping[str, float] = {
    "skills": 1.0, "criteria": 1.0, "knowledge": 1.0, "interests": 1.0,
    "titles": 2.0, "description": 1.0, "tasks": 2.0, "tools": 1.0}
LEVEL_FACTOR = 0.05  # the fit falls by a twentieth per level between the two roles
SIMILAR_QUANTILE = 0.9  # a part above this share of all pairs is "similar" in words
SOME_QUANTILE = 0.75  # ... above this, "some similar"


@dataclass(frozen=True)
class FitMatrix:
    """The fit of every ordered pair of roles (``fit[i, j]``: moving from i to j) and its
    parts, for explaining it."""

    roles: list[str]
    index: dict[str, int]
    parts: dict[str, np.ndarray]  # part -> (roles, roles) similarity 0-1, float32
    present: dict[str, np.ndarray]  # part -> (roles,) bool: the role has that part
    fit: np.ndarray  # (roles, roles) float32
    similar: dict[str, tuple[float, float]]  # part -> (similar, some similar) thresholds

    def row(self, source: str) -> np.ndarray:
        row: np.ndarray = self.fit[self.index[source]]
        return row

    def part(self, name: str, source: str, target: str) -> float | None:
        """One part of a pair's fit, or None when a role lacks it."""
        i, j = self.index[source], self.index[target]
        if name not in self.parts or not (self.present[name][i] and self.present[name][j]):
            return None
        return float(self.parts[name][i, j])


def _centred_cosine(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each pair of rows measured from the mean row, clipped at 0; and which
    rows are not the mean itself."""
    centred = vectors - vectors.mean(axis=0)
    norms = np.linalg.norm(centred, axis=1)
    present = norms > 1e-9
    unit = centred / np.where(present, norms, 1.0)[:, None]
    return np.clip(unit @ unit.T, 0.0, 1.0), present


def _named_vectors(maps: Sequence[Mapping[str, float]]) -> np.ndarray:
    names = sorted({k for m in maps for k in m})
    at = {k: i for i, k in enumerate(names)}
    out = np.zeros((len(maps), len(names)))
    for r, m in enumerate(maps):
        for k, v in m.items():
            out[r, at[k]] = v
    return out


def _tfidf(docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """TF-IDF cosine of every pair of documents; and which documents have any term."""
    n = len(docs)
    present = np.array([bool(d.strip()) for d in docs])
    if present.sum() < 2:
        return np.zeros((n, n)), present
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no term left (every word a stop word)
        return np.zeros((n, n)), np.zeros(n, dtype=bool)
    present = np.asarray(matrix.getnnz(axis=1) > 0)
    return np.asarray((matrix @ matrix.T).toarray()), present


def _skill_vectors(framework: Framework, roles: Sequence[Role]) -> np.ndarray:
    comps = list(framework.competencies)
    out = np.zeros((len(roles), len(comps)))
    for r, role in enumerate(roles):
        weights = role.attributes.importance
        for c, comp in enumerate(comps):
            need = role.expects.get(comp, 0)
            out[r, c] = need * (weights.get(comp, 0.0) if weights else 1.0)
    return out


def _criteria_jaccard(framework: Framework, roles: Sequence[Role]
                      ) -> tuple[np.ndarray, np.ndarray]:
    at = {k: i for i, k in enumerate(framework.criteria)}
    held = np.zeros((len(roles), len(at)), dtype=np.float32)
    for r, role in enumerate(roles):
        held[r, [at[k] for k in role.criteria]] = 1.0
    both = held @ held.T
    sizes = held.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - both
    return np.divide(both, union, out=np.zeros_like(both), where=union > 0), sizes > 0


def build_fit(framework: Framework) -> FitMatrix:
    ids = list(framework.roles)
    roles = [framework.roles[r] for r in ids]
    parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if any(r.expects for r in roles):
        sim, present = _centred_cosine(_skill_vectors(framework, roles))
        parts["skills"] = sim, present & np.array([bool(r.expects) for r in roles])
    if framework.criteria:
        parts["criteria"] = _criteria_jaccard(framework, roles)
    for name in ("knowledge", "interests"):
        maps = [getattr(r.attributes, name) for r in roles]
        if any(maps):
            sim, present = _centred_cosine(_named_vectors(maps))
            parts[name] = sim, present & np.array([bool(m) for m in maps])
    texts = {
        "titles": [" ; ".join((r.title, *r.attributes.alternate_titles)) for r in roles],
        "description": [f"{r.title}. {r.description}" if r.description else "" for r in roles],
        "tasks": [" ".join(r.attributes.tasks) for r in roles],
        "tools": [" ; ".join((*r.tools, *r.attributes.tools_used)) for r in roles],
    }
    for name, docs in texts.items():
        if any(d.strip() for d in docs):
            parts[name] = _tfidf(docs)

    n = len(ids)
    total = np.zeros((n, n), dtype=np.float32)
    weight = np.zeros((n, n), dtype=np.float32)
    stored: dict[str, np.ndarray] = {}
    similar: dict[str, tuple[float, float]] = {}
    for name, (sim, present) in parts.items():
        sim32 = sim.astype(np.float32)
        both = (present[:, None] & present[None, :]).astype(np.float32) * FIT_WEIGHTS[name]
        total += both * sim32
        weight += both
        stored[name] = sim32
        similar[name] = _thresholds(sim32, present)
    fit = np.divide(total, weight, out=np.zeros_like(total), where=weight > 0)
    rank = np.array([framework.rank_of(r) for r in ids])
    apart = np.abs(rank[:, None] - rank[None, :]).astype(np.float32)
    fit *= np.clip(1.0 - LEVEL_FACTOR * apart, 0.0, 1.0)
    return FitMatrix(ids, {r: i for i, r in enumerate(ids)}, stored,
                     {k: p for k, (_, p) in parts.items()}, np.clip(fit, 0.0, 1.0), similar)


def _thresholds(sim: np.ndarray, present: np.ndarray) -> tuple[float, float]:
    """The part's values above which a pair reads as similar, and as somewhat similar:
    quantiles of every pair of distinct roles that have the part (a sample of rows on a
    large framework)."""
    rows = np.flatnonzero(present)
    if len(rows) < 2:
        return 1.0, 1.0
    sample = rows[:: max(1, len(rows) // 200)]
    values = sim[np.ix_(sample, rows)]
    mask = sample[:, None] != rows[None, :]
    picked = values[mask]
    return (float(np.quantile(picked, SIMILAR_QUANTILE)),
            float(np.quantile(picked, SOME_QUANTILE)))


PART_WORDS = {"titles": "titles", "description": "descriptions", "tasks": "tasks",
              "tools": "tools and technology", "knowledge": "knowledge"}
SIMILAR_IMPORTANCE = 0.5  # importances this close read as "similar importance"


def explain(framework: Framework, fm: FitMatrix, source: str, target: str) -> list[str]:
    """A pair's fit in words, strongest evidence first ("shares 31 of 35 skills at
    similar importance; similar tasks; same interests (Investigative, Conventional)")."""
    a, b = framework.roles[source], framework.roles[target]
    words = []
    if fm.part("skills", source, target) is not None:
        words.append(_shared_skills(a, b))
    if fm.part("criteria", source, target) is not None:
        both = set(a.criteria) & set(b.criteria)
        words.append(f"shares {len(both)} of {len(set(a.criteria) | set(b.criteria))} "
                     "criteria")
    for name, what in PART_WORDS.items():
        value = fm.part(name, source, target)
        if value is None:
            continue
        similar, some = fm.similar[name]
        if value >= similar:
            words.append(f"similar {what}")
        elif value >= some:
            words.append(f"some similar {what}")
    if fm.part("interests", source, target) is not None:
        words.append(_interests(a.attributes.interests, b.attributes.interests))
    apart = framework.rank_of(target) - framework.rank_of(source)
    if apart:
        words.append(f"{abs(apart)} level{'s' if abs(apart) > 1 else ''} "
                     f"{'up' if apart > 0 else 'down'}")
    return words


def _shared_skills(a: Role, b: Role) -> str:
    expected = {c for c, m in a.expects.items() if m > 0} | \
        {c for c, m in b.expects.items() if m > 0}
    ia, ib = a.attributes.importance, b.attributes.importance
    if ia and ib:
        alike = sum(1 for c in expected if c in a.expects and c in b.expects
                    and abs(ia.get(c, 0.0) - ib.get(c, 0.0)) <= SIMILAR_IMPORTANCE)
        how = "at similar importance"
    else:
        alike = sum(1 for c in expected
                    if abs(a.expects.get(c, 0) - b.expects.get(c, 0)) <= 1)
        how = "within a mastery step"
    return f"shares {alike} of {len(expected)} skills {how}"


def _interests(a: Mapping[str, float], b: Mapping[str, float]) -> str:
    def top(m: Mapping[str, float]) -> list[str]:
        return sorted(m, key=lambda k: (-m[k], k))[:2]

    ta, tb = top(a), top(b)
    if ta[:1] != tb[:1]:
        return f"different interests ({ta[0]} vs {tb[0]})"
    if set(ta) == set(tb):
        return f"same interests ({', '.join(ta)})"
    return f"same main interest ({ta[0]})"
