"""What the audit entry a use case now writes costs a write: ``trellis log`` as a use case.

    .venv/bin/python bench/audit_write.py [--events 300] [--rounds 5]

Records ``--events`` certification events (``services.ledger.record_event``, one
transaction each, as a ``trellis log`` does) for a new person on a temporary SQLite file,
with the audit entry and with it switched off (``audit_trail.note`` made a no-op), the two
alternating round by round so the machine's load falls on both alike; prints the median
time per write of each and the difference. CPU time of this process, not wall time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.events import EventKind
from trellis.services import audit_trail, ledger
from trellis.services.frameworks import load_framework
from trellis.services.people import add_person
from trellis.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trellis = open_trellis(Settings(database_url=f"sqlite:///{Path(tmp) / 't.db'}"),
                               create=True)
        framework, document = read_framework_file(shipped_framework_path("software-company"))
        load_framework(trellis.uow(), framework, document, author="bench", activate=True)
        role = next(iter(framework.roles))
        real = audit_trail.note

        def off(*_: Any, **__: Any) -> None:
            return None

        per: dict[str, list[float]] = {"with the audit entry": [], "without": []}
        for n in range(args.rounds):
            for k, (label, note) in enumerate((("with the audit entry", real),
                                               ("without", off))):
                handle = f"p{n}-{k}"  # a new person each time: every write replays their
                add_person(trellis.uow(), handle, handle, role=role,  # history, as long
                           hired_on=date(2020, 1, 1), author="bench")  # for both
                audit_trail.note = note  # type: ignore[assignment]
                start = time.process_time()
                for i in range(args.events):
                    ledger.record_event(trellis.uow(), handle, EventKind.CERTIFICATION,
                                        date(2021, 1, 1), {"certification": f"c{i}"},
                                        author="bench")
                per[label].append((time.process_time() - start) / args.events)
        audit_trail.note = real  # type: ignore[assignment]
        trellis.close()
    medians = {k: statistics.median(v) for k, v in per.items()}
    for label, value in medians.items():
        print(f"{label:>22}: {value * 1000:.2f} ms CPU per write (median of {args.rounds})")
    extra = medians["with the audit entry"] - medians["without"]
    print(f"{'the entry':>22}: {extra * 1000:+.2f} ms "
          f"({extra / medians['without']:+.1%})")


if __name__ == "__main__":
    main()
