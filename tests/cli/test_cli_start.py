"""A command starts without the analysis libraries: `trellis log` runs many times a day.

pandas, scipy, scikit-learn, lifelines, matplotlib and numpy load only inside the commands
that analyse (compare, advise, evidence, simulate, report, the lattice), so starting the
CLI costs what the ledger needs, not what the statistics need (issue 15's aim is measured
by a benchmark, never asserted as a time here).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import trellis.errors
from trellis.analytics.evidence import MIN_MONTHS

HEAVY = ("pandas", "scipy", "sklearn", "lifelines", "matplotlib", "numpy", "plotly",
         "fastapi", "uvicorn")
SOURCE = str(Path(trellis.errors.__file__).parents[1])


def test_starting_the_cli_loads_no_analysis_library():
    probe = ("import sys, json; import trellis.entrypoints.cli.app; "
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"PYTHONPATH": SOURCE}, check=True)
    assert json.loads(done.stdout) == []


def test_the_evidence_help_states_the_analyses_default(cli):
    done = cli("evidence", "--help")
    assert done.code == 0
    assert f"(default: {MIN_MONTHS:g} months)" in " ".join(done.out.split())
