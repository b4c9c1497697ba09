"""The demo organization's compensation: last year's merit cycle, proposed by each manager,
signed along the chain and applied; and this year's, open, with proposals awaiting their
approvers (the demo manager's team among them, one report left to propose for).

Everything goes through the same use cases as a real cycle, so the demo's raises are
checked against bands and budgets like any other.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from trellis.domain.approvals import Signer
from trellis.domain.compensation import Proposal, RaiseKind
from trellis.domain.people import Person
from trellis.errors import TrellisError

from . import compensation as use
from .unit_of_work import UnitOfWork

LAST_YEAR_PROPOSALS = 24  # enough for every page to have data, few enough to stay fast
THIS_YEAR_PROPOSALS = 10
HR = Signer(None, "hr@demo.trellis", True)


def demo_compensation(uow_factory: Callable[[], UnitOfWork], *, today: date, seed: int,
                      manager: str | None, author: str) -> None:
    rng = random.Random(seed)
    with uow_factory().reading() as uow:
        people = {p.id: p for p in uow.people.all()}
    last = f"{today.year - 1} merit"
    use.open_cycle(uow_factory(), last, date(today.year - 1, 4, 1), 3.0, author=author)
    for i, pid in enumerate(_candidates(uow_factory, last, None, LAST_YEAR_PROPOSALS)):
        made = _propose(uow_factory, last, people, pid, rng)
        if made is not None:
            _sign(uow_factory, people, made, declined=i % 9 == 8)  # some are turned down
    use.apply_cycle(uow_factory(), last, author=author)

    current = f"{today.year} merit"
    use.open_cycle(uow_factory(), current, max(today + timedelta(days=30),
                                               date(today.year, 12, 31)), 3.0, author=author)
    chosen = _candidates(uow_factory, current, manager, THIS_YEAR_PROPOSALS)
    for i, pid in enumerate(chosen):
        made = _propose(uow_factory, current, people, pid, rng)
        if made is not None and i % 4 == 3:
            _sign(uow_factory, people, made, declined=False)


def _candidates(uow_factory: Callable[[], UnitOfWork], cycle: str, manager: str | None,
                limit: int) -> list[int]:
    """People with a manager in the cycle, the demo manager's reports first, all but the
    first of them (left for a person to propose on the page)."""
    with uow_factory().reading() as uow:
        found = uow.compensation.cycle(cycle)
        assert found is not None
        members = [m for m in uow.compensation.participants(found.id) if m.group_id]
        boss = uow.people.find(manager) if manager else None
    mine = [m.person_id for m in members if boss and m.group_id == boss.id]
    others = [m.person_id for m in members if not boss or m.group_id != boss.id]
    return (mine[1:] + others)[:limit] if manager else others[:limit]


def _propose(uow_factory: Callable[[], UnitOfWork], cycle: str, people: dict[int, Person],
             person_id: int, rng: random.Random) -> Proposal | None:
    boss = people[people[person_id].manager_id or 0]
    percent = rng.choice((2.0, 2.5, 3.0, 3.0, 3.5, 4.0))
    kind = RaiseKind.MERIT if rng.random() < 0.85 else RaiseKind.ADJUSTMENT
    try:
        return use.propose(uow_factory(), cycle, str(person_id), kind, percent=percent,
                           reason=f"{kind} for the year's results",
                           by=Signer(boss.id, boss.handle, False)).proposal
    except TrellisError:  # a departure meanwhile, a raise no band allows: skip them
        return None


def _sign(uow_factory: Callable[[], UnitOfWork], people: dict[int, Person],
          proposal: Proposal, declined: bool) -> None:
    """Every step, by whoever it falls to."""
    while (step := proposal.next_step) is not None:
        who = people.get(step.approver_id) if step.approver_id else None
        signer = Signer(who.id, who.handle, False) if who else HR
        if declined:
            use.decline(uow_factory(), proposal.id, "the budget went to retention", by=signer)
            return
        proposal = use.approve(uow_factory(), proposal.id, by=signer).proposal
