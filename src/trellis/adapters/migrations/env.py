"""Alembic environment: Trellis hands in a live connection (see adapters.database.migrate)."""

from alembic import context

from trellis.adapters.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
