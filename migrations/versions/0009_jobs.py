"""background jobs: the job table (state, stage, percent, heartbeat, outcome) read by every web worker

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-03 17:48:12.022901

"""
from alembic import op
import sqlalchemy as sa

import housing_security.models._types  # noqa: F401  (custom column types used by autogenerate)


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('lock', sa.String(length=120), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=True),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('heartbeat', housing_security.models._types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=80), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name=op.f('ck_job_state')),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_job_percent')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_job_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sa.UniqueConstraint('lock', name=op.f('uq_job_lock'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_subject', ['subject', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_subject')

    op.drop_table('job')
