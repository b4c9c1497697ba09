"""compensation cycles: participants, raise proposals and their approval steps

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('comp_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('budget_percent', sa.Float(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.String(length=200), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('comp_participants',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('pay', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['comp_cycles.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('cycle_id', 'person_id')
    )
    op.create_index('ix_comp_participants_person', 'comp_participants', ['person_id'],
                    unique=False)
    op.create_table('comp_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('pay_before', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by', sa.String(length=254), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('band_warning', sa.Text(), nullable=True),
    sa.Column('over_budget', sa.Boolean(), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['comp_cycles.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['proposer_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_comp_proposals_cycle', 'comp_proposals', ['cycle_id', 'person_id'],
                    unique=False)
    op.create_index('ix_comp_proposals_person', 'comp_proposals', ['person_id'], unique=False)
    op.create_table('comp_steps',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('approver', sa.String(length=16), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['approver_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['comp_proposals.id'], ),
    sa.PrimaryKeyConstraint('proposal_id', 'step')
    )
    op.create_index('ix_comp_steps_approver', 'comp_steps', ['approver_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_comp_steps_approver', table_name='comp_steps')
    op.drop_table('comp_steps')
    op.drop_index('ix_comp_proposals_person', table_name='comp_proposals')
    op.drop_index('ix_comp_proposals_cycle', table_name='comp_proposals')
    op.drop_table('comp_proposals')
    op.drop_index('ix_comp_participants_person', table_name='comp_participants')
    op.drop_table('comp_participants')
    op.drop_table('comp_cycles')
