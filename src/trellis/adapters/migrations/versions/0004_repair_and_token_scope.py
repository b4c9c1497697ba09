"""repair schemas that earlier releases left under the same revision ids; tokens gain an
expiry and a scope

Revision ID: 0004
Revises: 0003

Migrations 0001 and 0003 were edited after databases had been made with them, so a
database stamped 0001 or 0003 may hold any of these schemas (see tests/upgrade):

- 0001 as first released had no ``profile_checkpoints``;
- 0003 as first released gave ``users`` two NOT NULL columns, ``failed_logins`` and
  ``locked_until``, that later code no longer writes.

This migration looks at the tables as they are, not at the revision id, and brings each to
today's shape. From here on a released migration is never edited: a change is a new one.
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TOKEN_DAYS = 365  # the lifetime given to tokens made before tokens expired


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table('profile_checkpoints'):
        op.create_table('profile_checkpoints',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('through_on', sa.Date(), nullable=False),
        sa.Column('profile', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
        sa.PrimaryKeyConstraint('person_id', 'through_on')
        )
    user_columns = {c['name'] for c in inspector.get_columns('users')}
    stale = [name for name in ('failed_logins', 'locked_until') if name in user_columns]
    if stale:
        with op.batch_alter_table('users', schema=None) as batch_op:
            for name in stale:
                batch_op.drop_column(name)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('scope', sa.String(length=16), nullable=True))
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer()),
                      sa.column('created_at', sa.DateTime()),
                      sa.column('expires_at', sa.DateTime()),
                      sa.column('scope', sa.String()))
    bind = op.get_bind()
    for token_id, created_at in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        # Tokens made before scopes could do everything their user can: they keep that.
        bind.execute(tokens.update().where(tokens.c.id == token_id).values(
            expires_at=created_at + timedelta(days=TOKEN_DAYS), scope='write'))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('scope', existing_type=sa.String(length=16), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scope')
        batch_op.drop_column('expires_at')
