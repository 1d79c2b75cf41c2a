"""keeping the stock: bulk unit imports with their report, and units overdue from maintenance

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

import housing_security.models._types


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_code', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', housing_security.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_imported', sa.Integer(), nullable=False),
    sa.Column('projects_created', sa.Integer(), nullable=False),
    sa.Column('buildings_created', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_stock_import_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_import'))
    )
    with op.batch_alter_table('stock_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_import_city_code'), ['city_code'], unique=False)

    op.create_table('maintenance_overdue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=False),
    sa.Column('flagged_on', sa.Date(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_maintenance_overdue_unit_id_unit'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_overdue')),
    sa.UniqueConstraint('unit_id', 'expected_on', name='uq_maintenance_overdue_unit_expected')
    )
    with op.batch_alter_table('maintenance_overdue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_overdue_flagged_on'), ['flagged_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_overdue_resolved_on'), ['resolved_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_overdue_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('maintenance_overdue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_overdue_unit_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_overdue_resolved_on'))
        batch_op.drop_index(batch_op.f('ix_maintenance_overdue_flagged_on'))
    op.drop_table('maintenance_overdue')
    with op.batch_alter_table('stock_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_import_city_code'))
    op.drop_table('stock_import')
