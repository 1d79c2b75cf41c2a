"""The audit log and the case events are append-only in the database itself and form verifiable hash chains."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from housing_security.extensions import db
from housing_security.models import ApplicationEvent, AuditLog
from housing_security.services import audit_chain
from tests.conftest import login


@pytest.mark.parametrize("model", [AuditLog, ApplicationEvent])
def test_bulk_update_delete_and_raw_sql_are_refused_by_the_database(app, model):
    table = model.__tablename__
    column = "action"
    with app.app_context():
        for statement in (update(model).values(action="rewritten"), delete(model),
                          text(f"UPDATE {table} SET {column} = 'x'"), text(f"DELETE FROM {table}")):
            with pytest.raises(DBAPIError):
                db.session.execute(statement)
            db.session.rollback()
        # Even an unsealed row's content cannot change (only its chain columns are set, once).
        row = db.session.scalars(select(model).order_by(model.id.desc())).first()
        with pytest.raises(DBAPIError):
            db.session.execute(update(model).where(model.id == row.id).values(chain_hash=None))
        db.session.rollback()


def test_requests_seal_their_audit_rows_and_the_chains_verify(app, runner):
    client = app.test_client()
    login(client, "wangqiang")
    with app.app_context():
        newest = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert newest.action == "auth.login" and newest.chain_hash and newest.chain_seq
        breaks, summary = audit_chain.verify()
        assert breaks == [] and summary["audit_log"]["unsealed"] == 0 and summary["audit_log"]["checked"] > 10
        assert summary["application_event"]["checked"] > 10
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "audit chains intact" in result.output


def _drop_triggers(connection, dialect):
    for table in ("audit_log", "application_event"):
        if dialect == "postgresql":
            connection.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            connection.execute(text(f"DROP TRIGGER {table}_append_only_update"))
            connection.execute(text(f"DROP TRIGGER {table}_append_only_delete"))


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_audit_verify_names_the_first_broken_row_after_the_triggers_are_dropped(app, runner, tamper):
    with app.app_context():
        victim = db.session.scalars(select(AuditLog).where(AuditLog.chain_seq == 5)).one()
        victim_id = victim.id
        db.session.commit()
        with db.engine.begin() as connection:
            _drop_triggers(connection, db.engine.dialect.name)
            if tamper == "edit":
                connection.execute(text("UPDATE audit_log SET action = 'nothing.happened' WHERE id = :id"),
                                   {"id": victim_id})
            else:
                connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": victim_id})
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    expected_id = victim_id if tamper == "edit" else _next_id(app)
    assert f"audit_log row id={expected_id}" in result.output


def _next_id(app):
    with app.app_context():
        return db.session.scalar(select(AuditLog.id).where(AuditLog.chain_seq == 6))


def test_the_daily_job_seals_and_reports_the_chain_heads(app):
    from datetime import date

    from housing_security.services import audit, daily

    with app.app_context():
        audit.record("test.outside_a_request", None)
        db.session.commit()
        result = daily.run_daily(date.today(), only=["seal_audit"])["seal_audit"]
        assert result["sealed_audit_log"] == 1
        seq, hash_ = audit_chain.head(AuditLog.__table__)
        assert result["head_audit_log"] == f"{seq}:{hash_}"
        again = daily.run_daily(date.today(), only=["seal_audit"])["seal_audit"]
        assert again["sealed_audit_log"] == 0 and again["head_audit_log"] == result["head_audit_log"]
