"""calibration sessions and their members (the changes are ledger events)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calibration_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('group_kind', sa.String(length=16), nullable=False),
    sa.Column('group_value', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.String(length=200), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['review_cycles.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('calibration_members',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], ),
    sa.PrimaryKeyConstraint('session_id', 'person_id')
    )
    op.create_index('ix_calibration_members_person', 'calibration_members', ['person_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_calibration_members_person', table_name='calibration_members')
    op.drop_table('calibration_members')
    op.drop_table('calibration_sessions')
