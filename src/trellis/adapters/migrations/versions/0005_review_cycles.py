"""review cycles: their participants and peer nominations (reviews are ledger events)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('forms', sa.String(length=64), nullable=False),
    sa.Column('due_self', sa.Date(), nullable=True),
    sa.Column('due_manager', sa.Date(), nullable=True),
    sa.Column('due_peer', sa.Date(), nullable=True),
    sa.Column('due_upward', sa.Date(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.String(length=200), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('review_participants',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['review_cycles.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'person_id')
    )
    op.create_index('ix_review_participants_person', 'review_participants', ['person_id'],
                    unique=False)
    op.create_table('review_nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('reviewee_id', sa.Integer(), nullable=False),
    sa.Column('peer_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('nominated_by', sa.String(length=200), nullable=False),
    sa.Column('nominated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['review_cycles.id'], ),
    sa.ForeignKeyConstraint(['peer_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['reviewee_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cycle_id', 'reviewee_id', 'peer_id')
    )
    op.create_index('ix_review_nominations_peer', 'review_nominations', ['peer_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_review_nominations_peer', table_name='review_nominations')
    op.drop_table('review_nominations')
    op.drop_index('ix_review_participants_person', table_name='review_participants')
    op.drop_table('review_participants')
    op.drop_table('review_cycles')
