"""unit status history: more unit statuses, a status note and date, and the append-only unit_event table

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

import housing_security.models._types


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('vacant', 'offered', 'occupied', 'maintenance')"
NEW_STATUSES = ("status IN ('vacant', 'reserved', 'offered', 'awaiting_contract', 'occupied', 'maintenance', "
                "'withdrawn')")


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_unit_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=24),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('status_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status_until', sa.Date(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_unit_status'), sa.text(NEW_STATUSES))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.alter_column('status_note', server_default=None)

    op.create_table('unit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', housing_security.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_unit_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_event_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_event'))
    )
    with op.batch_alter_table('unit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_event_on'), ['on'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_event_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('unit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_event_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unit_event_on'))
    op.drop_table('unit_event')
    op.execute("UPDATE unit SET status = 'vacant' WHERE status IN ('reserved', 'withdrawn')")
    op.execute("UPDATE unit SET status = 'offered' WHERE status = 'awaiting_contract'")
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_unit_status'), type_='check')
        batch_op.drop_column('status_until')
        batch_op.drop_column('status_note')
        batch_op.alter_column('status', existing_type=sa.String(length=24), type_=sa.String(length=16),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_unit_status'), sa.text(OLD_STATUSES))
