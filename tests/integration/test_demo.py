"""The demo end to end: generated, imported through the ordinary validation, explorable."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import timedelta

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.events import EventKind
from trellis.services import calibration_sessions, clock
from trellis.services.demo import run_demo
from trellis.services.profiles import profile
from trellis.services.transfer import ImportProgress
from trellis.settings import Settings


def test_run_demo_writes_a_believable_organization(sqlite_url: str) -> None:
    trellis = open_trellis(Settings(database_url=sqlite_url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    heard: list[ImportProgress] = []
    summary = run_demo(trellis.uow, framework=framework, document=document, people=80,
                       years=2, seed=5, author="tester", today=clock.today(),
                       progress=heard.append)
    try:
        with trellis.uow() as uow:
            assert uow.people.count() == summary.people == 80
            cycles = {c.name: c for c in uow.compensation.cycles()}
            applied = [p for p in uow.compensation.proposals() if p.event_id is not None]
            # the generated ledger with its reviews, and on top of it last year's merit cycle
            # applied and the calibration session's change
            [calibrated] = uow.events.of_kinds([EventKind.CALIBRATION])
            assert calibrated.person_id in {p.id for p in uow.people.all()}
            assert uow.events.count() == summary.events + summary.reviews + len(applied) + 1
        last, this = (f"{clock.today().year - 1} merit", f"{clock.today().year} merit")
        assert cycles[last].status == "applied" and cycles[this].status == "open"
        assert applied and {p.cycle_id for p in applied} == {cycles[last].id}
        [(session, members)] = calibration_sessions.sessions(trellis.uow())
        assert session.group == summary.manager and members >= 1
        assert summary.active + summary.departed == 80
        assert summary.events_by_kind["hire"] == 80
        assert summary.params.merit_raise_mean == 3.3
        # the demo's progress bar hears each phase of the import through to its end
        assert [h.phase for h in heard if h.done == h.total] == [
            "checking", "replaying", "writing", "rebuilding"]
        assert heard[-1] == ImportProgress("rebuilding", 80, 80)

        assert summary.rich_career is not None
        seen = profile(trellis.uow(), summary.rich_career).profile
        assert seen.active and seen.role in framework.roles
        band = framework.roles[seen.role].pay_band
        assert band is not None and seen.pay is not None
        assert 0.7 * band.min <= seen.pay <= 1.3 * band.max
        assert seen.promotions >= 1
        assert len(seen.mastery) >= 8
        assert sum(seen.micro_progressions.values()) >= 10
        assert seen.recognitions.count and seen.engagement is not None

        text = summary.describe(trellis.where)
        assert f"export TRELLIS_DATABASE_URL={trellis.where}" in text
        assert f"trellis profile {summary.rich_career}" in text
        assert f"trellis person list --team {summary.manager}" in text
        assert "export" not in summary.describe(trellis.where, is_default=True)
    finally:
        trellis.close()


def test_the_demo_command_builds_refuses_to_overwrite_and_replaces(cli, sqlite_url: str
                                                                   ) -> None:
    db = ("--db", sqlite_url)
    first = cli(*db, "demo", "--people", "50", "--years", "2")
    assert first.code == 0, first.err
    assert "50 people" in first.out
    handle = re.search(r"trellis profile (\S+)", first.out)
    assert handle is not None
    assert "trellis person list --team " in first.out
    shown = cli(*db, "profile", handle.group(1))
    assert shown.code == 0, shown.err
    assert handle.group(1) in shown.out

    again = cli(*db, "demo", "--people", "50", "--years", "2")
    assert again.code == 1
    assert "--replace" in again.err
    assert len(again.err.strip().splitlines()) == 1

    replaced = cli(*db, "demo", "--people", "30", "--years", "1", "--seed", "2", "--replace")
    assert replaced.code == 0, replaced.err
    assert "30 people" in replaced.out


def test_a_demo_as_of_a_day_is_the_same_organization_whenever_it_is_made(cli, tmp_path
                                                                         ) -> None:
    def ledger(name: str) -> list[tuple[str, str, str]]:
        db = tmp_path / f"{name}.db"
        made = cli("--db", f"sqlite:///{db}", "demo", "--people", "40", "--years", "2",
                   "--as-of", "2025-06-30")
        assert made.code == 0, made.err
        with closing(sqlite3.connect(db)) as c:
            return c.execute("SELECT p.handle, e.kind, e.effective_on FROM events e JOIN "
                             "people p ON p.id = e.person_id ORDER BY e.id").fetchall()

    first = ledger("first")
    assert ledger("again") == first
    assert max(day for _, _, day in first) <= "2025-06-30"
    assert min(day for _, kind, day in first if kind == "hire") < "2023-07-01"


def test_a_demo_as_of_a_bad_day_is_refused_before_anything_is_made(cli, tmp_path) -> None:
    db = tmp_path / "never.db"
    tomorrow = clock.today() + timedelta(days=1)
    for day, words in ((tomorrow.isoformat(), f"--as-of {tomorrow} is in the future"),
                       ("2025-02-30", "malformed --as-of '2025-02-30': use YYYY-MM-DD")):
        refused = cli("--db", f"sqlite:///{db}", "demo", "--as-of", day)
        assert refused.code == 1
        assert words in refused.err and len(refused.err.strip().splitlines()) == 1
        assert not db.exists()
