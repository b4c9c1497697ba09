"""A merit budget on real pay: the budget and band rules of compensation cycles applied to
``sociological_data`` (peopleanalyticsdata), the one dataset there with each person's pay.

    .venv/bin/python bench/compensation_real_data.py

No employee dataset of the package holds pay (``salespeople``, ``employee_performance``,
``managers``, ``job_retention`` have ratings, sales and tenure, not salaries);
``sociological_data`` holds 2,618 people's annual income (PPP dollars) with a job type
(Unskilled, Skilled, Management). Its job types stand for budget groups (one lead each);
nothing else about an organization is assumed. The script:

1. imports the people, their incomes as hire pay, into a fresh SQLite ledger and opens a
   3% cycle through the use cases, and checks each group's payroll and budget against a
   direct pandas computation of the CSV;
2. spends the budget two ways with the pure rules: everyone +3% (each group lands on its
   budget, to rounding) and one flat raise for all of 3% of the mean income (the lower-paid
   groups go over budget: refused without a reason); and checks each group's pay band
   (the group's own 5th-95th percentile of income) for the +3% raises;
3. proposes, through the use cases, the flat raise in the lowest-paid group until its
   budget refuses one, and prints that refusal.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import yaml

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import parse_framework
from trellis.bootstrap import open_trellis
from trellis.domain import compensation as rules
from trellis.domain.approvals import Signer
from trellis.domain.compensation import (
    CompCycle,
    CompCycleStatus,
    Participant,
    Proposal,
    ProposalStatus,
    RaiseKind,
)
from trellis.domain.events import Hire
from trellis.domain.framework import PayBand
from trellis.domain.records import EventRecord, PersonRecord
from trellis.errors import LedgerRuleBroken
from trellis.services import compensation as use
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

PERCENT = 3.0
HIRED = date(2020, 1, 1)
FRAMEWORK = {"id": "survey", "name": "Survey", "currency": "USD",
             "tracks": [{"id": "work", "name": "Work"}],
             "levels": [{"id": "L1", "name": "All"}],
             "skill_bands": [{"id": "b", "name": "B", "competencies": [
                 {"id": "c", "name": "C"}]}],
             "roles": [{"id": "worker", "track": "work", "level": "L1", "title": "Worker"},
                       {"id": "lead", "track": "work", "level": "L1", "title": "Lead"}]}


def main() -> None:
    frame = pa.read_dataset("sociological_data").dropna(subset=["annual_income_ppp"])
    frame = frame.reset_index(drop=True)
    frame["pay"] = frame["annual_income_ppp"].round().astype(int)
    groups = sorted(frame["job_type"].unique())
    print(f"sociological_data: {len(frame):,} people with an annual income, "
          f"job types {', '.join(groups)}")

    # 1. the ledger and the cycle, through the use cases
    with tempfile.TemporaryDirectory() as tmp:
        trellis = open_trellis(Settings(database_url=f"sqlite:///{Path(tmp) / 'c.db'}",
                                        author="bench"), create=True)
        fw, doc = parse_framework(yaml.safe_dump(FRAMEWORK), "survey")
        load_framework(trellis.uow(), fw, doc, author="bench", activate=True)
        people = [PersonRecord(i + 1, f"lead-{g.lower()}", f"Lead {g}")
                  for i, g in enumerate(groups)]
        events = [EventRecord(i + 1, f"lead-{g.lower()}", HIRED, Hire("lead"))
                  for i, g in enumerate(groups)]
        for i, row in frame.iterrows():
            handle = f"p{i}"
            people.append(PersonRecord(len(people) + 1, handle, handle,
                                       manager=f"lead-{row['job_type'].lower()}"))
            events.append(EventRecord(len(events) + 1, handle, HIRED,
                                      Hire("worker", int(row["pay"]), "USD")))
        import_ledger(trellis.uow(), people, events, author="bench", source="bench")
        started = time.perf_counter()
        _, count = use.open_cycle(trellis.uow(), "survey merit", date(2021, 1, 1),
                                      PERCENT, author="bench")
        view = use.cycle_view(trellis.uow(), "survey merit")
        seconds = time.perf_counter() - started
        print(f"\n1. cycle opened for {count:,} people (leads have no pay) and shown in "
              f"{seconds:.2f} s")
        expected = frame.groupby("job_type")["pay"].sum()
        print(f"   {'group':<18}{'payroll':>14}{'budget':>12}  pandas payroll, budget")
        for g, s in view.groups.items():
            name = view.group_names[g]
            job = next(x for x in groups if name == f"lead-{x.lower()}'s team")
            budget = round(int(expected[job]) * PERCENT / 100)
            same = s.payroll == int(expected[job]) and s.budget == budget
            print(f"   {job:<18}{s.payroll:>14,}{s.budget:>12,}  "
                  f"{int(expected[job]):,}, {budget:,} {'same' if same else 'DIFFERENT'}")
            assert same

        # 2. two ways to spend it, with the pure rules
        members = [Participant(i, groups.index(r["job_type"]), int(r["pay"]), "USD")
                   for i, r in frame.iterrows()]
        flat = round(frame["pay"].mean() * PERCENT / 100)
        fake = CompCycle(1, "x", date(2021, 1, 1), PERCENT, None, CompCycleStatus.OPEN, "b",
                         datetime(2021, 1, 1), datetime(2021, 1, 1))
        for label, amount_of in (("everyone +3%", lambda m: round(m.pay * PERCENT / 100)),
                                 (f"a flat {flat:,} each", lambda m: flat)):
            proposals = [Proposal(m.person_id, 1, m.person_id, RaiseKind.MERIT, amount_of(m),
                                  None, m.pay, None, ProposalStatus.APPROVED, "b", None,
                                  datetime(2021, 1, 1), ()) for m in members]
            spend = rules.group_spend(fake, members, proposals)
            print(f"\n2. {label}:")
            for g, s in sorted(spend.items()):
                note = "  OVER: refused without a reason" if s.spent > s.budget else ""
                print(f"   {groups[g or 0]:<18} spends {s.spent:>10,} of {s.budget:>10,}"
                      f" ({s.spent / s.budget:.1%}){note}")
        outside = 0
        for job in groups:
            pays = frame.loc[frame["job_type"] == job, "pay"]
            band = PayBand(int(pays.quantile(0.05)), int(pays.median()),
                           int(pays.quantile(0.95)), "USD")
            n = sum(rules.band_warning(round(p * (1 + PERCENT / 100)), band, job) is not None
                    for p in pays)
            direct = int(((pays * (1 + PERCENT / 100)).round() > band.max).sum()
                         + ((pays * (1 + PERCENT / 100)).round() < band.min).sum())
            assert n == direct
            outside += n
            print(f"   band {job} {band.min:,}-{band.max:,}: {n} of {len(pays):,} +3% raises "
                  "fall outside it (a reason required)")
        print(f"   in all {outside} of {len(frame):,} ({outside / len(frame):.1%})")

        # 3. the flat raise in the lowest-paid group, through the use cases, until refused
        lowest = min(view.groups.items(), key=lambda kv: kv[1].payroll / max(
            1, sum(1 for r in view.rows if r.group_id == kv[0])))
        gid, spend = lowest
        hr = Signer(None, "hr@bench", True)
        made, refusal = 0, None
        for r in [r for r in view.rows if r.group_id == gid]:
            try:
                use.propose(trellis.uow(), "survey merit", str(r.person.id), RaiseKind.MERIT,
                            amount=flat, by=hr)
                made += 1
            except LedgerRuleBroken as exc:
                refusal = str(exc)
                break
        print(f"\n3. {view.group_names[gid]} (payroll {spend.payroll:,}, budget "
              f"{spend.budget:,}): {made} flat raises of {flat:,} proposed, then:\n   "
              f"{refusal}")
        trellis.close()


if __name__ == "__main__":
    main()
