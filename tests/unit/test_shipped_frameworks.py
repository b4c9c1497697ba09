"""The frameworks shipped in the package parse, are big enough, and are internally sensible."""

from __future__ import annotations

from collections import defaultdict
from importlib.resources import files
from itertools import pairwise

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.domain.framework import Framework, Role, RoleType

SHIPPED = {"software-company": "software-company.yaml", "nursing": "nursing.yaml"}
MINIMUM = {
    # id: (tracks, levels, bands, competencies)
    "software-company": (4, 6, 4, 16),
    "nursing": (3, 5, 4, 14),
}


def load(key: str) -> Framework:
    resource = files("trellis") / "frameworks" / SHIPPED[key]
    framework, _ = parse_framework(resource.read_text(encoding="utf-8"), SHIPPED[key])
    return framework


@pytest.fixture(scope="module", params=sorted(SHIPPED))
def framework(request: pytest.FixtureRequest) -> Framework:
    return load(request.param)


def by_track(framework: Framework) -> dict[str, list[Role]]:
    tracks: dict[str, list[Role]] = defaultdict(list)
    for role in sorted(framework.roles.values(), key=lambda r: framework.rank_of(r.id)):
        tracks[role.track].append(role)
    return tracks


def test_shipped_file_id_matches_its_name(framework: Framework):
    assert SHIPPED[framework.key] == f"{framework.key}.yaml"


def test_meets_minimum_size(framework: Framework):
    tracks, levels, bands, competencies = MINIMUM[framework.key]
    assert len(framework.tracks) >= tracks
    assert len(framework.levels) >= levels
    assert len(framework.bands) >= bands
    assert len(framework.competencies) >= competencies
    assert sum(len(b.competencies) for b in framework.bands.values()) == len(
        framework.competencies
    )
    assert all(len(b.competencies) >= 2 for b in framework.bands.values())


def test_levels_are_ranked_in_file_order(framework: Framework):
    ranks = [level.rank for level in framework.levels.values()]
    assert ranks == list(range(1, len(framework.levels) + 1))
    assert len({level.name for level in framework.levels.values()}) == len(framework.levels)


def test_every_track_has_roles_and_one_role_per_level(framework: Framework):
    tracks = by_track(framework)
    assert set(tracks) == set(framework.tracks)
    for roles in tracks.values():
        assert len(roles) >= 3
        levels = [role.level for role in roles]
        assert len(levels) == len(set(levels))


def test_roles_are_complete(framework: Framework):
    for role in framework.roles.values():
        assert role.title.strip()
        assert len(role.description) > 20, role.id
        assert role.pay_band is not None, role.id
        assert 0 < role.pay_band.min < role.pay_band.mid < role.pay_band.max
        assert role.pay_band.currency == "USD"
        assert len(role.expects) >= 8, role.id


def test_expectations_are_within_scale(framework: Framework):
    for role in framework.roles.values():
        for comp_id, mastery in role.expects.items():
            scale = framework.competencies[comp_id].scale
            assert 1 <= mastery <= scale.max, (role.id, comp_id)


def test_every_competency_is_expected_somewhere(framework: Framework):
    expected = {c for role in framework.roles.values() for c in role.expects}
    assert expected == set(framework.competencies)


def test_descriptors_are_meaningful(framework: Framework):
    for comp in framework.competencies.values():
        assert comp.description, comp.id
        assert len(comp.scale.descriptors) == comp.scale.max + 1
        assert all(len(text) > 10 for text in comp.scale.descriptors), comp.id


def test_roles_expect_the_prerequisites_of_what_they_expect(framework: Framework):
    prerequisites = [c for c in framework.competencies.values() if c.prerequisites]
    assert len(prerequisites) >= 3
    for role in framework.roles.values():
        for comp_id in role.expects:
            for prereq in framework.competencies[comp_id].prerequisites:
                assert role.expects.get(prereq, 0) >= 1, (role.id, comp_id, prereq)


def test_pay_band_mids_rise_with_level_within_a_track(framework: Framework):
    for track, roles in by_track(framework).items():
        mids = [role.pay_band.mid for role in roles if role.pay_band]
        assert mids == sorted(mids), track
        assert len(set(mids)) == len(mids), track
        if framework.key == "nursing" and track == "clinical":
            mids = mids[1:]  # nursing assistant -> registered nurse is a licence, not a step
        for lower, higher in pairwise(mids):
            assert 1.05 <= higher / lower <= 1.3, (track, lower, higher)


def test_total_expectation_rises_with_level_within_a_track(framework: Framework):
    for track, roles in by_track(framework).items():
        totals = [sum(role.expects.values()) for role in roles]
        assert all(a < b for a, b in pairwise(totals)), (track, totals)


def test_software_company_has_both_role_types():
    framework = load("software-company")
    kinds = {track.role_type for track in framework.tracks.values()}
    assert kinds == {RoleType.STRUCTURED, RoleType.DYNAMIC}


def test_nursing_has_both_role_types():
    framework = load("nursing")
    kinds = {track.role_type for track in framework.tracks.values()}
    assert kinds == {RoleType.STRUCTURED, RoleType.DYNAMIC}


def test_software_company_expectations_never_fall_with_level():
    framework = load("software-company")
    for track, roles in by_track(framework).items():
        for lower, higher in pairwise(roles):
            for comp_id in framework.competencies:
                assert higher.expects.get(comp_id, 0) >= lower.expects.get(comp_id, 0), (
                    track,
                    lower.id,
                    higher.id,
                    comp_id,
                )


def test_software_company_shape():
    framework = load("software-company")
    assert len(framework.levels) >= 6
    em_levels = {r.level for r in framework.roles_of_track("engineering-management")}
    assert framework.levels["L1"].rank == 1
    assert min(framework.levels[lv].rank for lv in em_levels) >= 3
    assert framework.competencies["system_design"].prerequisites == ("coding",)
    assert framework.next_role("eng-l3") == framework.roles["eng-l4"]


def gap(framework: Framework, source: str, target: str) -> dict[str, int]:
    have, want = framework.roles[source].expects, framework.roles[target].expects
    return {c: want[c] - have.get(c, 0) for c in want if want[c] > have.get(c, 0)}


def test_software_company_lateral_moves_have_real_gaps():
    framework = load("software-company")
    by_level: dict[str, list[Role]] = defaultdict(list)
    for role in framework.roles.values():
        by_level[role.level].append(role)
    for roles in by_level.values():
        for a in roles:
            for b in roles:
                if a.id != b.id:
                    assert sum(gap(framework, a.id, b.id).values()) >= 2, (a.id, b.id)
    assert gap(framework, "eng-l4", "em-l4")["people_management"] == 3


def test_nursing_clinical_ladder():
    framework = load("nursing")
    titles = [r.title for r in by_track(framework)["clinical"]]
    assert titles[0] == "Certified Nursing Assistant"
    assert titles[-1] == "Clinical Nurse Specialist"
    assert sum("Registered Nurse" in t for t in titles) == 4
    assert framework.tracks["education"].role_type is RoleType.DYNAMIC
