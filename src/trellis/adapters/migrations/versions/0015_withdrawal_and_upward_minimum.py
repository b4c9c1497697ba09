"""comp_proposals: an approved raise can be withdrawn before it is applied (who, when,
why); review_cycles: the least number of upward reviews a manager's feedback is shown
from (aggregated, never one by one)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comp_proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('review_cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upward_minimum', sa.Integer(), nullable=False,
                                      server_default='3'))


def downgrade() -> None:
    with op.batch_alter_table('review_cycles', schema=None) as batch_op:
        batch_op.drop_column('upward_minimum')
    with op.batch_alter_table('comp_proposals', schema=None) as batch_op:
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('withdrawn_by')
