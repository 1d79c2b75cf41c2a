"""The restore drill: back up a running installation, restore it into an empty one, and find everything again."""
from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from housing_security import create_app
from housing_security.extensions import db
from housing_security.models import Application, AuditLog, Document, User
from tests.conftest import ON_POSTGRES, _config

from .conftest_applicant import PDF, register, start

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the drill runs on SQLite; pg_dump is used on PostgreSQL")


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (User, Application, AuditLog, Document))


def test_backup_then_restore_into_an_empty_installation(app, tmp_path):
    client = register(app, "drill_user")
    application_id = start(client, app)
    client.post(f"/me/applications/{application_id}/edit/documents",
                data={"kind": "id_card", "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    with app.app_context():
        stored = db.session.scalars(select(Document).where(Document.uploaded_by_id.is_not(None))).one().stored_name
    kept = (Path(app.config["UPLOAD_FOLDER"]) / stored).read_bytes()
    before = _counts(app)
    folder = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.iterdir()} == {"database.sqlite", "uploads", "secret_key", "manifest.json"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.rglob("*") if p.is_file())
    # a second backup never overwrites the first
    assert app.test_cli_runner().invoke(args=["backup", str(folder)]).exit_code == 2

    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh = create_app(_config(fresh_dir, fresh_dir / "empty.sqlite", SECRET_KEY=None))
    fresh.instance_path = str(fresh_dir)
    result = fresh.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 0, result.output
    assert _counts(fresh) == before
    assert (Path(fresh.config["UPLOAD_FOLDER"]) / stored).read_bytes() == kept
    assert (fresh_dir / "secret_key").read_text() == app.config["SECRET_KEY"]
    verify = fresh.test_cli_runner().invoke(args=["audit-verify"])
    assert verify.exit_code == 0, verify.output
    # a restore over a database with data needs --force
    assert fresh.test_cli_runner().invoke(args=["restore", str(folder)]).exit_code == 2
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_tampered_backup_is_refused_naming_the_file(app, tmp_path):
    folder = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(folder)]).exit_code == 0
    (folder / "secret_key").write_text("attacker-key")
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh = create_app(_config(fresh_dir, fresh_dir / "empty.sqlite"))
    result = fresh.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 2 and "secret_key: missing or altered" in result.output
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()
