"""alert_facts: each person's alert facts (what their events say for the team alerts on
every day), stored with the count of their events they were read from; derived, so an
upgraded database starts with none and fills them as the alerts are read

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_facts',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('last_erasure_id', sa.Integer(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('person_id')
    )


def downgrade() -> None:
    op.drop_table('alert_facts')
