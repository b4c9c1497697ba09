"""person attributes: optional HR-only fields for the fairness audit

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_attributes',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=80), nullable=False),
    sa.Column('set_by', sa.String(length=200), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('person_id', 'name')
    )
    op.create_index('ix_person_attributes_name', 'person_attributes', ['name', 'value'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_person_attributes_name', table_name='person_attributes')
    op.drop_table('person_attributes')
