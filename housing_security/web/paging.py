"""Page numbers from the query string, clamped so that no URL can ask the database for a silly offset."""
from __future__ import annotations

from flask import current_app, request
from sqlalchemy import func, select

from ..extensions import db


def paginate(query, page_size: int | None = None):
    """(rows, total, page, page_size) for a select(), with ?page= clamped into the existing pages."""
    page_size = page_size or current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    last_page = max(1, -(-total // page_size))
    page = request.args.get("page", 1, type=int) or 1
    page = max(1, min(page, last_page))
    rows = db.session.scalars(query.offset((page - 1) * page_size).limit(page_size)).all()
    return rows, total, page, page_size
