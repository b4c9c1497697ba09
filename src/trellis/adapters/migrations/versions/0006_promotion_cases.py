"""promotion cases: nominations, their approval steps and comments

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('promotion_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('from_role', sa.String(length=500), nullable=False),
    sa.Column('to_role', sa.String(length=500), nullable=False),
    sa.Column('nominator', sa.String(length=16), nullable=False),
    sa.Column('nominated_by', sa.String(length=254), nullable=False),
    sa.Column('nominator_id', sa.Integer(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('pay', sa.BigInteger(), nullable=True),
    sa.Column('pay_reason', sa.Text(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('event_id', _EVENT_ID, nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.ForeignKeyConstraint(['nominator_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_promotion_cases_person', 'promotion_cases', ['person_id'],
                    unique=False)
    op.create_index('ix_promotion_cases_status', 'promotion_cases', ['status'], unique=False)
    op.create_table('promotion_case_steps',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('approver', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('fell_to_hr', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('signed_by', sa.String(length=254), nullable=True),
    sa.Column('signer_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('override', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['promotion_cases.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['signer_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('case_id', 'position')
    )
    op.create_index('ix_promotion_case_steps_person', 'promotion_case_steps', ['person_id'],
                    unique=False)
    op.create_table('promotion_case_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['promotion_cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_promotion_case_comments_case', 'promotion_case_comments',
                    ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_promotion_case_comments_case', table_name='promotion_case_comments')
    op.drop_table('promotion_case_comments')
    op.drop_index('ix_promotion_case_steps_person', table_name='promotion_case_steps')
    op.drop_table('promotion_case_steps')
    op.drop_index('ix_promotion_cases_status', table_name='promotion_cases')
    op.drop_index('ix_promotion_cases_person', table_name='promotion_cases')
    op.drop_table('promotion_cases')
