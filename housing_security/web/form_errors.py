"""Form errors flattened for the error summary: (field id, text) pairs, whatever shape WTForms gave them."""
from __future__ import annotations


def summary_items(form) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []

    def walk(field_id: str, errors) -> None:
        if isinstance(errors, dict):
            for key, nested in errors.items():
                walk(f"{field_id}-{key}" if field_id else str(key), nested)
        elif isinstance(errors, (list, tuple)):
            for nested in errors:
                walk(field_id, nested)
        else:
            items.append((field_id, str(errors)))  # str() resolves lazy translations in the reader's language

    for name, errors in form.errors.items():
        field = form._fields.get(name) if hasattr(form, "_fields") else None
        walk(field.id if field is not None else str(name), errors)
    return items


def init_app(app) -> None:
    app.jinja_env.globals["error_summary_items"] = summary_items
