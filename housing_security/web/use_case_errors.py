"""The one place where a refusal from a use case becomes what the user reads.

Services raise `UseCaseError(code, field, **params)`; a view hands it to `report()` with the form it rendered:
the message goes under the field when the form has it, otherwise into a flash. Texts are looked up by
"field.code" first (the same code can read differently on different fields), then by the code alone.
"""
from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ..services.use_case import UseCaseError

# Codes shared by many use cases. Each area adds its own below, grouped by area; a code without a text is a
# defect that tests/web/test_use_case_errors.py finds.
TEXTS: dict[str, Any] = {
    "not_found": _l("找不到该记录，可能已被删除"),
    "not_allowed": _l("您无权进行此操作"),
    "stale": _l("该记录已被他人修改，请刷新页面后重试"),
    "required": _l("请填写此项"),
    "negative": _l("不能为负数"),
}


def text(error: UseCaseError) -> str:
    template = TEXTS.get(f"{error.field}.{error.code}") or TEXTS.get(error.code)
    if template is None:
        # Unknown codes still read as a refusal, never as a developer's identifier.
        template = _l("无法完成此操作，请核对后重试")
    params = {key: _display(value) for key, value in error.params.items()}
    return str(template) % params if params else str(template)


def report(error: UseCaseError, form: FlaskForm | None = None) -> None:
    """Show the refusal under its field when the form has one, else as a flash message."""
    message = text(error)
    field = form._fields.get(error.field) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


def _display(value: Any) -> Any:
    from datetime import date

    if isinstance(value, date):
        return value.isoformat()
    return value
