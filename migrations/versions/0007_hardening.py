"""hardening: sign-in throttling

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

from housing_security.models._types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_throttle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=160), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', UTCDateTime(), nullable=True),
        sa.Column('locked_until', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_throttle')),
        sa.UniqueConstraint('key', name=op.f('uq_sign_in_throttle_key')),
    )


def downgrade():
    op.drop_table('sign_in_throttle')
