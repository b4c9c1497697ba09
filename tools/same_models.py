"""Do the organization models come out the same, byte for byte, before and after a change?

    .venv/bin/python tools/same_models.py [--before REV] [--db ORG.db] [--people 2000]

Runs ``trellis refresh --force`` on two copies of one organization, one with the source at
git revision ``--before`` (default HEAD), the other with the working tree, and compares the
stored models row by row: the same models and parameters, the same ledger position, and
the same payload (the pickle, decompressed). Where the pickles differ, the values they
hold are compared: each decoded and pickled again without the pickler's memo, so that two
equal strings pickle alike whether or not they were one object (interning a name changes
the bytes, not the model). ``--db``: an organization to copy (e.g. one bench/org_models.py
generated); without it a demo of ``--people`` people is generated. Both sides run with one
hash seed, so that sets pickle in one order. A change meant to save memory or time in a
rebuild must leave every model identical or of the same value.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUTHOR = "same-models"
POSITION = ("last_event_id", "last_erasure_id", "framework_version", "last_person_id")


def _trellis(source: Path, db: Path, *argv: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(source), "TRELLIS_AUTHOR": AUTHOR,
           "PYTHONHASHSEED": "0"}
    subprocess.run([sys.executable, "-m", "trellis.entrypoints.cli", "--db", str(db),
                    *argv], check=True, capture_output=True, env=env)


def stored(db: Path) -> dict[tuple[str, str], tuple[tuple[int, ...], bytes]]:
    """Each stored model's ledger position and decompressed payload."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            f"SELECT name, params, {', '.join(POSITION)}, payload FROM org_models").fetchall()
    return {(name, params): (tuple(position), zlib.decompress(payload))
            for name, params, *position, payload in rows}


def memo_free(payload: bytes) -> bytes | None:
    """The value's pickle without shared references (``Pickler.fast``: no memo); None when
    today's classes cannot hold it (the change added a field: a new model format)."""
    from trellis.services.org_models import _Unpickler

    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    try:
        pickler.dump(_Unpickler(io.BytesIO(payload)).load())
    except (AttributeError, TypeError, pickle.UnpicklingError):
        return None
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="git revision of the first side")
    parser.add_argument("--db", type=Path, help="an organization to rebuild on")
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, help="a folder to keep both rebuilt copies in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "src"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
        before, after = work / "src", ROOT / "src"
        org = args.db
        if org is None:
            org = work / "demo.db"
            _trellis(before, org, "demo", "--people", str(args.people), "--years", "5")
        sides = []
        for side, source in (("before", before), ("after", after)):
            db = work / f"{side}.db"
            shutil.copy(org, db)
            _trellis(source, db, "refresh", "--force")
            sides.append(stored(db))
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(db, args.keep / db.name)
    old, new = sides
    same = True
    for key in sorted(old.keys() | new.keys()):
        if key not in old or key not in new:
            print(f"{key[0]} {key[1]}: stored only {'after' if key in new else 'before'}")
            same = False
            continue
        if old[key] == new[key]:
            verdict = "identical"
        elif old[key][0] == new[key][0] and \
                (before := memo_free(old[key][1])) is not None and \
                before == memo_free(new[key][1]):
            verdict = "same value (the pickle shares equal strings differently)"
        else:
            verdict, same = ("DIFFERENT" + (" position" if old[key][0] != new[key][0] else "")
                             + f" (before: {hashlib.sha256(old[key][1]).hexdigest()[:16]})",
                             False)
        print(f"{key[0]:<18} {key[1]:<14} {len(new[key][1]):>11,} bytes  "
              f"{hashlib.sha256(new[key][1]).hexdigest()[:16]}  {verdict}")
    if not same:
        sys.exit(1)
    print(f"the same: {len(new)} models")


if __name__ == "__main__":
    main()
