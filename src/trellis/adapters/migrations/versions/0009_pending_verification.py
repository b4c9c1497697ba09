"""pending verification: events say whether the person recorded them about themselves

Revision ID: 0009
Revises: 0008

Every event already stored was recorded before Trellis knew the difference, so each one
counts as it did (self_reported false): no profile changes with the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('self_reported', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_column('self_reported')
