"""the career ledger, its projections and framework versions

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('events_removed', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('framework_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_key', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('framework_key', 'version')
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email'),
    sa.UniqueConstraint('handle')
    )
    op.create_table('trellis_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('competency_state',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('competency', sa.String(length=80), nullable=False),
    sa.Column('mastery', sa.Integer(), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('person_id', 'competency')
    )
    with op.batch_alter_table('competency_state', schema=None) as batch_op:
        batch_op.create_index('ix_competency_state_mastery', ['competency', 'mastery'],
                              unique=False)

    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('verifier', sa.String(length=200), nullable=True),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['framework_version'], ['framework_versions.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_kind_date', ['kind', 'effective_on'], unique=False)
        batch_op.create_index('ix_events_person_date', ['person_id', 'effective_on', 'id'],
                              unique=False)

    op.create_table('person_state',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=80), nullable=True),
    sa.Column('track', sa.String(length=80), nullable=True),
    sa.Column('level', sa.String(length=80), nullable=True),
    sa.Column('level_rank', sa.Integer(), nullable=True),
    sa.Column('pay', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('departed_on', sa.Date(), nullable=True),
    sa.Column('role_since', sa.Date(), nullable=True),
    sa.Column('last_promotion_on', sa.Date(), nullable=True),
    sa.Column('last_recognition_on', sa.Date(), nullable=True),
    sa.Column('last_event_on', sa.Date(), nullable=True),
    sa.Column('promotions', sa.Integer(), nullable=False),
    sa.Column('micro_progressions', sa.Integer(), nullable=False),
    sa.Column('engagement', sa.Integer(), nullable=True),
    sa.Column('framework_version', sa.Integer(), nullable=True),
    sa.Column('profile', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('person_id')
    )
    with op.batch_alter_table('person_state', schema=None) as batch_op:
        batch_op.create_index('ix_person_state_role', ['track', 'level_rank'], unique=False)

    op.create_table('profile_checkpoints',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('through_on', sa.Date(), nullable=False),
    sa.Column('profile', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('person_id', 'through_on')
    )
    marker = sa.table("trellis_meta", sa.column("key"), sa.column("value"))
    op.bulk_insert(marker, [{"key": "schema", "value": "trellis"}])


def downgrade() -> None:
    op.drop_table('profile_checkpoints')
    with op.batch_alter_table('person_state', schema=None) as batch_op:
        batch_op.drop_index('ix_person_state_role')

    op.drop_table('person_state')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_person_date')
        batch_op.drop_index('ix_events_kind_date')

    op.drop_table('events')
    with op.batch_alter_table('competency_state', schema=None) as batch_op:
        batch_op.drop_index('ix_competency_state_mastery')

    op.drop_table('competency_state')
    op.drop_table('trellis_meta')
    op.drop_table('people')
    op.drop_table('framework_versions')
    op.drop_table('erasures')
