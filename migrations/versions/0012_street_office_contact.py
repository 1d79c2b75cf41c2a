"""street office contact: address and phone on the jurisdiction record (shown on the applicant's status page)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jurisdiction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_address', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('office_phone', sa.String(length=32), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('jurisdiction', schema=None) as batch_op:
        batch_op.drop_column('office_phone')
        batch_op.drop_column('office_address')
