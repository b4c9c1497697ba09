"""organization models: fits over the whole ledger stored with the ledger position they
reflect (they replace the effort estimates kept in trellis_meta)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('org_models',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('params', sa.String(length=200), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('last_event_id', sa.BigInteger(), nullable=False),
    sa.Column('last_erasure_id', sa.Integer(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('last_person_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.Column('build_seconds', sa.Float(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('name', 'params')
    )
    # The effort estimates lived in trellis_meta until now; org_models holds them.
    op.execute("DELETE FROM trellis_meta WHERE key = 'effort_model'")


def downgrade() -> None:
    op.drop_table('org_models')
