"""operations: the 待签约 case status, contract details on tenancies, the offer's signing appointment, the
rent-subsidy ledger (monthly lines and approved batches), the rent roll (charges, payments) and caseworker tasks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

import housing_security.models._types


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_OLD = ['draft', 'returned', 'street_review', 'district_review', 'bureau_review', 'publicity', 'waitlist',
        'offered', 'housed', 'subsidised', 'rejected', 'appeal', 'suspended', 'exiting', 'exited', 'withdrawn']
_NEW = _OLD[:8] + ['awaiting_contract'] + _OLD[8:]
OLD_STATUSES = "status IN ({})".format(", ".join(f"'{s}'" for s in _OLD))
NEW_STATUSES = "status IN ({})".format(", ".join(f"'{s}'" for s in _NEW))


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_application_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_application_status'), sa.text(NEW_STATUSES))

    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_on', sa.Date(), nullable=True))

    with op.batch_alter_table('tenancy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rent_basis', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('rent_trace', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('signed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('keys_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('move_out_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('inspection_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tenancy_offer_id_offer'), 'offer', ['offer_id'], ['id'])
    with op.batch_alter_table('tenancy', schema=None) as batch_op:
        batch_op.alter_column('rent_basis', server_default=None)
        batch_op.alter_column('rent_trace', server_default=None)

    op.create_table('subsidy_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_code', sa.String(length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('created_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'approved')", name=op.f('ck_subsidy_batch_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'],
                            name=op.f('fk_subsidy_batch_approved_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_batch')),
    sa.UniqueConstraint('city_code', 'month', name='uq_subsidy_batch_city_month')
    )
    with op.batch_alter_table('subsidy_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_batch_city_code'), ['city_code'], unique=False)

    op.create_table('subsidy_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subsidy_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('pack_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_subsidy_payment_amount_non_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_subsidy_payment_application_id_application')),
    sa.ForeignKeyConstraint(['batch_id'], ['subsidy_batch.id'], name=op.f('fk_subsidy_payment_batch_id_subsidy_batch')),
    sa.ForeignKeyConstraint(['subsidy_id'], ['rent_subsidy.id'],
                            name=op.f('fk_subsidy_payment_subsidy_id_rent_subsidy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_payment')),
    sa.UniqueConstraint('subsidy_id', 'month', name='uq_subsidy_payment_subsidy_month')
    )
    with op.batch_alter_table('subsidy_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_payment_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_payment_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_payment_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_payment_subsidy_id'), ['subsidy_id'], unique=False)

    op.create_table('rent_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenancy_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('basis', sa.String(length=32), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_rent_charge_amount_non_negative')),
    sa.ForeignKeyConstraint(['tenancy_id'], ['tenancy.id'], name=op.f('fk_rent_charge_tenancy_id_tenancy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_charge')),
    sa.UniqueConstraint('tenancy_id', 'month', name='uq_rent_charge_tenancy_month')
    )
    with op.batch_alter_table('rent_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rent_charge_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_rent_charge_tenancy_id'), ['tenancy_id'], unique=False)

    op.create_table('rent_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenancy_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_rent_payment_amount_positive')),
    sa.CheckConstraint("source IN ('manual', 'bank')", name=op.f('ck_rent_payment_source')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_rent_payment_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['tenancy_id'], ['tenancy.id'], name=op.f('fk_rent_payment_tenancy_id_tenancy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_payment')),
    sa.UniqueConstraint('tenancy_id', 'reference', name='uq_rent_payment_tenancy_reference')
    )
    with op.batch_alter_table('rent_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rent_payment_tenancy_id'), ['tenancy_id'], unique=False)

    op.create_table('case_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('tenancy_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', housing_security.models._types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done')", name=op.f('ck_case_task_status')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_case_task_application_id_application')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_case_task_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['tenancy_id'], ['tenancy.id'], name=op.f('fk_case_task_tenancy_id_tenancy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_task'))
    )
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_task_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_task_status'), ['status'], unique=False)


def downgrade():
    op.drop_table('case_task')
    op.drop_table('rent_payment')
    op.drop_table('rent_charge')
    op.drop_table('subsidy_payment')
    op.drop_table('subsidy_batch')
    with op.batch_alter_table('tenancy', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tenancy_offer_id_offer'), type_='foreignkey')
        for column in ('inspection_on', 'move_out_on', 'keys_on', 'signed_on', 'rent_trace', 'rent_basis',
                       'offer_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_column('appointment_on')
    op.execute("UPDATE application SET status = 'offered' WHERE status = 'awaiting_contract'")
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_application_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_application_status'), sa.text(OLD_STATUSES))
