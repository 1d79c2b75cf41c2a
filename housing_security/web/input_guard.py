"""Refuse input no form should ever see, before any view or form runs (each refusal is the 400 page):

- a POST whose body is not a form (JSON, XML, text …): Flask-WTF would read a JSON body as form data and a JSON
  array or number has no fields, so it is refused here, on every form, signed in or not;
- NUL characters, which no database should be asked to store or compare (PostgreSQL rejects them in text,
  SQLite truncates at them in places).
"""
from __future__ import annotations

from flask import abort, request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_non_form_bodies() -> None:
    if request.method not in ("POST", "PUT", "PATCH") or request.path.startswith("/api/"):
        return
    if request.mimetype in FORM_TYPES:
        return
    if not request.mimetype and not request.content_length and not request.headers.get("Transfer-Encoding"):
        return  # a body-less POST (e.g. a button without fields): nothing to read
    abort(400)


def refuse_nul_characters() -> None:
    values = list(request.args.values()) + list(request.view_args.values() if request.view_args else [])
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in FORM_TYPES:
        values += list(request.form.values())
        values += [f.filename or "" for f in request.files.values()]
    if any(isinstance(value, str) and "\x00" in value for value in values):
        abort(400)
