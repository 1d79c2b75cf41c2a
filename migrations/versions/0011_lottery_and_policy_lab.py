"""public lottery draws (the published entry list, the seed's hash, the order once drawn) and policy-lab runs

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

import housing_security.models._types


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lottery_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_code', sa.String(length=32), nullable=False),
    sa.Column('programme', sa.String(length=32), nullable=False),
    sa.Column('draw_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('entries_hash', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=128), nullable=False),
    sa.Column('seed_hash', sa.String(length=64), nullable=False),
    sa.Column('order', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('drawn_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('scheduled', 'drawn', 'cancelled')", name=op.f('ck_lottery_draw_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                            name=op.f('fk_lottery_draw_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['user_account.id'],
                            name=op.f('fk_lottery_draw_drawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_draw'))
    )
    with op.batch_alter_table('lottery_draw', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lottery_draw_city_code'), ['city_code'], unique=False)

    op.create_table('policy_lab_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_code', sa.String(length=32), nullable=False),
    sa.Column('programme', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'error')", name=op.f('ck_policy_lab_run_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                            name=op.f('fk_policy_lab_run_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_lab_run'))
    )
    with op.batch_alter_table('policy_lab_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_lab_run_city_code'), ['city_code'], unique=False)


def downgrade():
    with op.batch_alter_table('policy_lab_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_lab_run_city_code'))
    op.drop_table('policy_lab_run')
    with op.batch_alter_table('lottery_draw', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lottery_draw_city_code'))
    op.drop_table('lottery_draw')
