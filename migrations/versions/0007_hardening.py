"""hardening: sign-in throttling, audit hash chain and append-only triggers, objection repeats, intake consent codes, idempotency keys

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

from housing_security.models._types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


CHAINED = {
    'audit_log': ('at', 'actor_id', 'action', 'object_type', 'object_id', 'detail', 'remote_addr'),
    'application_event': ('application_id', 'at', 'actor_id', 'action', 'from_status', 'to_status', 'reason',
                          'data'),
}


def _sqlite_triggers(table, columns):
    changed = ' OR '.join(['NEW.id IS NOT OLD.id'] + [f'NEW.{c} IS NOT OLD.{c}' for c in columns])
    return [
        f"""CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        f"""CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table}
            WHEN OLD.chain_hash IS NOT NULL OR {changed}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
    ]


def _postgres_triggers(table, columns):
    changed = ' OR '.join(['NEW.id IS DISTINCT FROM OLD.id'] + [
        f'NEW.{c}::text IS DISTINCT FROM OLD.{c}::text' for c in columns])
    return [
        f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'DELETE' OR OLD.chain_hash IS NOT NULL OR {changed} THEN
                RAISE EXCEPTION '{table} is append-only';
              END IF;
              RETURN NEW;
            END $$""",
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
        f"""CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""",
    ]


def upgrade():
    # Audit hash chain: columns first (batch mode may rebuild a SQLite table, which would drop its triggers).
    for table in CHAINED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_chain_seq'), ['chain_seq'], unique=False)
    op.create_table(
        'idempotency_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('endpoint', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('result_url', sa.String(length=256), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
        sa.UniqueConstraint('key', name=op.f('uq_idempotency_key_key')),
    )
    op.create_table(
        'intake_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_intake_consent_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_consent')),
    )
    with op.batch_alter_table('intake_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_consent_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lodged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repeats', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_objection_lodged_by_id_user_account'), 'user_account',
                                    ['lodged_by_id'], ['id'])
    dialect = op.get_bind().dialect.name
    for table, columns in CHAINED.items():
        for statement in (_postgres_triggers if dialect == 'postgresql' else _sqlite_triggers)(table, columns):
            op.execute(statement)
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
    op.drop_table('idempotency_key')
    op.drop_table('intake_consent')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_objection_lodged_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('repeats')
        batch_op.drop_column('lodged_by_id')
    dialect = op.get_bind().dialect.name
    for table in CHAINED:
        if dialect == 'postgresql':
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only_truncate ON {table}')
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON {table}')
            op.execute(f'DROP FUNCTION IF EXISTS {table}_append_only()')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only_update')
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only_delete')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_chain_seq'))
            batch_op.drop_column('chain_hash')
            batch_op.drop_column('chain_seq')
    op.drop_table('sign_in_throttle')
