"""The upgrade lock on PostgreSQL is per schema: a second process upgrading the same schema
waits for the first, one upgrading another schema of the same database does not.

(Advisory locks are database-wide; a key of their own lets Trellis instances in different
schemas, such as the test workers', migrate side by side.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import Connection, create_engine
from sqlalchemy.exc import OperationalError

from conftest import POSTGRES_URL, SCHEMA_PREFIX
from trellis.adapters.database import lock_upgrades, temporary_schema

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not POSTGRES_URL, reason="TRELLIS_TEST_POSTGRES_URL is not set")]


@pytest.fixture
def connect() -> Iterator:
    """connect(schema_url) -> a connection inside a transaction; all closed afterwards."""
    with ExitStack() as stack:
        def opened(url: str) -> Connection:
            engine = create_engine(url)
            stack.callback(engine.dispose)
            connection = stack.enter_context(engine.connect())
            stack.enter_context(connection.begin())
            return connection

        yield opened


def waits(connection: Connection) -> bool:
    """Whether taking the upgrade lock waits (given up after a short lock_timeout)."""
    connection.exec_driver_sql("SET LOCAL lock_timeout = '300ms'")
    try:
        lock_upgrades(connection)
    except OperationalError as exc:
        assert "lock timeout" in str(exc)
        return True
    return False


def test_the_upgrade_lock_holds_off_the_same_schema_only(connect):
    assert POSTGRES_URL
    with temporary_schema(POSTGRES_URL, SCHEMA_PREFIX) as one, \
            temporary_schema(POSTGRES_URL, SCHEMA_PREFIX) as other:
        holder = connect(one)
        lock_upgrades(holder)
        assert waits(connect(one))
        assert not waits(connect(other))
        holder.rollback()  # the lock ends with the transaction
        assert not waits(connect(one))
