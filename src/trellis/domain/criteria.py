"""Criteria: when a behaviour statement counts as met, and which of a framework's a person has met.

A criterion is **met** once it is demonstrated (an event with evidence), or once an
assessor's latest assessment reaches its proficiency. A self-assessment meets it only
where the framework says so; self, manager and peer assessments are kept apart and never
averaged. Its evidence date is the latest of those that meet it, so freshness works as for
a competency's latest step.
"""

from __future__ import annotations

from datetime import date

from .events import Assessor
from .framework import CriteriaPolicy, Criterion, Framework
from .profile import CriterionRecord, Profile


def met_on(record: CriterionRecord | None, criterion: Criterion,
           policy: CriteriaPolicy) -> date | None:
    """The latest evidence that meets the criterion (None: not met)."""
    if record is None:
        return None
    dates = [record.demonstrated_on] if record.demonstrated_on else []
    bar = policy.meets(criterion)
    for assessor, assessment in record.assessments.items():
        if assessor == Assessor.SELF and not policy.self_assessment_counts:
            continue
        if assessment.proficiency >= bar:
            dates.append(assessment.on)
    return max(dates, default=None)


def met_criteria(profile: Profile, framework: Framework) -> set[str]:
    """The ids of every criterion of the framework the person has met."""
    policy = framework.criteria_policy
    return {c for c, record in profile.criteria.items()
            if c in framework.criteria and met_on(record, framework.criteria[c], policy)}
