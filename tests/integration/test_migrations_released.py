"""A released migration is never edited: a schema change is a new migration.

Databases in the field were made by these files as they are; editing one leaves those
databases stamped with a revision whose schema no longer matches it (0001 and 0003 were
edited once, and 0004 had to repair that). When a migration is released, add its digest
here, and a fixture for tests/integration/test_upgrade.py (tests/upgrade/build_fixtures.py).
"""

from __future__ import annotations

import hashlib

from trellis.adapters.database import HEAD, MIGRATIONS

RELEASED = {
    "0001_ledger.py": "42452ddf2c4ac49e8ba98e236e49df0b63df843f370c5110e794d352bbaa1705",
    "0002_plans.py": "05a8e6da80dfe07a898ceaba74f59d0e3f8b532226c3efef8c0eae69335c10c2",
    "0003_accounts.py": "9fbe2cd029af938e9915dfcaa22daf4442336c02fbedba8ccb911a1fb48902c0",
    "0004_repair_and_token_scope.py":
        "c5cb11f4a8dd0d1ba9e4d71844d658e19307bcbcca88ddd9ae79de0fafc3f038",
    "0005_review_cycles.py": "ea16b24f71da62d4a8289f057655848cc772e5f2b0cacf467e4072dc9944cafe",
    "0006_promotion_cases.py":
        "33491b5922ab726255b854bd111279038209fe6f5ff766ed11dfde0566e59156",
    "0007_compensation_cycles.py":
        "e35522b8746aa7b633f841b2eed539bbd45dbde5b96cdfe69ff9eab74c1b5212",
    "0008_calibration_sessions.py":
        "3743fa33c742d566a7b788dc9881e9c7004cd306f1e7097fc1553c96062662b3",
    "0009_pending_verification.py":
        "0fcc51fc006375dfe4923ed02f8457416777a8582cb6aeb9186373b14f9f925b",
    "0010_person_attributes.py":
        "3c25c6b578423efa5953621f606d6d0ae3febfcf82efad0969cecf0316c98a83",
    "0011_account_disabled.py":
        "cf1cfab6491d772ca748ad221ff2ffbdfa18db5c607af7cc845a81790b4c3b3c",
    "0012_org_models.py": "4a3a77687cc83cd0b0af788c920786126b8c7184f30d43233f3bdca14d64b108",
    "0013_must_change_password.py":
        "8686bd40144cfe0a3fd47a488c1083901e88ac7663008e6144e1dd8413779917",
    "0014_framework_parsed.py":
        "3e859b25f3884b89322713550ea1294e18081e404a0a6aef2ccc0b069d03a04e",
    "0015_withdrawal_and_upward_minimum.py":
        "08d4e910eba7f5df3da0df7e8146debaac5098387cfe5ece50be33bd91a94836",
    "0016_alert_facts.py":
        "32a1994e57e2c564329835a5a761d2c99c1e5cc9f5e48be3e0fa2b0674f98a1f",
}


def test_released_migrations_are_unchanged():
    files = {p.name: p for p in (MIGRATIONS / "versions").glob("*.py")}
    for name, digest in RELEASED.items():
        assert name in files, f"released migration {name} was removed"
        found = hashlib.sha256(files[name].read_bytes()).hexdigest()
        assert found == digest, (f"{name} was released and must never be edited: write a "
                                 "new migration instead")


def test_new_migrations_come_after_the_released_ones():
    newest = max(name[:4] for name in RELEASED)
    for path in (MIGRATIONS / "versions").glob("*.py"):
        if path.name not in RELEASED:
            assert path.name[:4] > newest, f"{path.name} is new but not after {newest}"
    assert newest <= HEAD
