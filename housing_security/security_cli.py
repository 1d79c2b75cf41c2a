"""Security commands: `audit-verify`, `backup DIR`, `restore DIR`."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    app.cli.add_command(audit_verify)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@click.command("audit-verify")
@click.option("--seal", is_flag=True, help="First seal the rows not yet in the chains (a write).")
@with_appcontext
def audit_verify(seal: bool):
    """Recompute the hash chains of the audit log and the case events; name the first broken row (exit 1)."""
    from .extensions import db
    from .services import audit_chain

    if seal:
        audit_chain.seal()
        db.session.commit()
    breaks, summary = audit_chain.verify()
    click.echo(json.dumps(summary, ensure_ascii=False))
    for problem in breaks:
        click.echo(f"BROKEN: {problem}", err=True)
    if breaks:
        raise SystemExit(1)
    click.echo("audit chains intact")


# ---- backup and restore -------------------------------------------------------------------------------

MANIFEST = "manifest.json"


def _sha256(path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database():
    from sqlalchemy.engine import make_url

    from .extensions import db

    return make_url(str(db.engine.url))


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def backup(directory):
    """Copy the database (SQLite's online backup API, or pg_dump), the uploads and the secret key into an empty
    DIRECTORY, with a manifest of sha256 hashes; files 0600."""
    import datetime as dt
    import os
    import shutil
    import sqlite3
    import subprocess
    from pathlib import Path

    from flask import current_app

    from .extensions import db

    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        click.echo(f"{target}: not empty; a backup goes into a new or empty directory", err=True)
        raise SystemExit(2)
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = _database()
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target / "database.sqlite")
        with copy:
            source.backup(copy)  # a consistent snapshot while the service keeps running
        copy.close()
        source.close()
        database = "database.sqlite"
    else:
        database = "database.dump"
        env = dict(os.environ, PGPASSWORD=url.password or "")
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target / database}",
                        "--host", url.host or "localhost", "--port", str(url.port or 5432),
                        "--username", url.username or "postgres", url.database], check=True, env=env)
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    if uploads.is_dir():
        shutil.copytree(uploads, target / "uploads")
    else:
        (target / "uploads").mkdir()
    (target / "secret_key").write_text(str(current_app.config["SECRET_KEY"]))
    files = {}
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        path.chmod(0o600)
        files[str(path.relative_to(target))] = _sha256(path)
    revision = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()
    manifest = {"created_at": dt.datetime.now(dt.UTC).isoformat(), "database": database,
                "backend": url.get_backend_name(), "revision": revision, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    (target / MANIFEST).chmod(0o600)
    click.echo(f"backup written: {len(files)} files, revision {revision}")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
@with_appcontext
def restore(directory, force):
    """Check every file of a backup against its manifest, then put back the database, the uploads and the
    secret key. Exit 2 (nothing changed) naming the first file that is missing or altered."""
    import shutil
    import sqlite3
    import subprocess
    from pathlib import Path

    from flask import current_app

    from .extensions import db

    source = Path(directory)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError):
        click.echo(f"{source / MANIFEST}: missing or unreadable", err=True)
        raise SystemExit(2) from None
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = source / name
        if not path.is_file() or _sha256(path) != expected:
            click.echo(f"{name}: missing or altered (sha256 differs from the manifest); nothing restored", err=True)
            raise SystemExit(2)
    extra = [str(p.relative_to(source)) for p in source.rglob("*")
             if p.is_file() and p.name != MANIFEST and str(p.relative_to(source)) not in manifest["files"]]
    if extra:
        click.echo(f"{extra[0]}: not in the manifest; nothing restored", err=True)
        raise SystemExit(2)
    url = _database()
    if manifest["backend"] != url.get_backend_name():
        click.echo(f"database: the backup is {manifest['backend']}, this installation {url.get_backend_name()}",
                   err=True)
        raise SystemExit(2)
    from sqlalchemy import inspect

    if not force and "user_account" in inspect(db.engine).get_table_names():
        if db.session.execute(db.text("SELECT count(*) FROM user_account")).scalar():
            click.echo("database: already holds data; use --force to overwrite it", err=True)
            raise SystemExit(2)
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        backup_db = sqlite3.connect(source / manifest["database"])
        live = sqlite3.connect(url.database)
        with live:
            backup_db.backup(live)
        live.close()
        backup_db.close()
    else:
        import os

        env = dict(os.environ, PGPASSWORD=url.password or "")
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--host", url.host or "localhost",
                        "--port", str(url.port or 5432), "--username", url.username or "postgres",
                        "--dbname", url.database, str(source / manifest["database"])], check=True, env=env)
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    uploads.mkdir(mode=0o750, parents=True, exist_ok=True)
    for path in (source / "uploads").rglob("*"):
        if path.is_file():
            destination = uploads / path.relative_to(source / "uploads")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            destination.chmod(0o640)
    key_file = Path(current_app.instance_path) / "secret_key"
    key_file.write_text((source / "secret_key").read_text())
    key_file.chmod(0o600)
    click.echo(f"restored: revision {manifest['revision']}, {len(manifest['files'])} files checked")
