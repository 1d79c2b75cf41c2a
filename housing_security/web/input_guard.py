"""Refuse text no database should be asked to store or compare: NUL characters (PostgreSQL rejects them in
text, SQLite truncates at them in places). A request carrying one gets the 400 page, before any view runs."""
from __future__ import annotations

from flask import abort, request


def refuse_nul_characters() -> None:
    values = list(request.args.values()) + list(request.view_args.values() if request.view_args else [])
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
        values += [f.filename or "" for f in request.files.values()]
    if any(isinstance(value, str) and "\x00" in value for value in values):
        abort(400)
