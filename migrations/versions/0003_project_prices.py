"""project prices: market rent and cost per m²

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('market_rent_per_m2', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('cost_per_m2', sa.Numeric(precision=14, scale=2), nullable=True))


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('cost_per_m2')
        batch_op.drop_column('market_rent_per_m2')
