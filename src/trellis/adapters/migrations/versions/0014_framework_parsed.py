"""framework_parsed: the framework each stored version parses to, kept so that reading a
version needs no parsing (filled as versions are read; dropping a row only costs a parse)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('framework_parsed',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=64), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('parsed', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['framework_versions.id'], ),
    sa.PrimaryKeyConstraint('version_id', 'format')
    )


def downgrade() -> None:
    op.drop_table('framework_parsed')
