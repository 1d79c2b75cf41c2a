"""Locale choice and the display formats of the design: Chinese dates, yuan with two decimals, m² with one."""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    # Chinese first: only a browser that prefers English over Chinese gets English.
    best = request.accept_languages.best_match(languages) if request else None
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "zh")


def format_date(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if current_language() == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value) -> str:
    if value is None:
        return "—"
    from zoneinfo import ZoneInfo

    local = value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return f"{format_date(local.date())} {local:%H:%M}"


def format_money(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"¥{amount:,.2f}"


def format_area(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        area = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"{area} m²"


def mask_id(value) -> str:
    from ..policy import mask_id_number

    return mask_id_number(value) if value else "—"


def mask_name(name: str) -> str:
    """李秀兰 → 李*兰; publicity shows enough to recognise a neighbour, not to identify a stranger."""
    if not name:
        return "—"
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def init_app(app) -> None:
    app.jinja_env.filters.update(
        cn_date=format_date, cn_datetime=format_datetime, money=format_money, area=format_area,
        mask_id=mask_id, mask_name=mask_name,
    )
    app.jinja_env.globals.update(current_language=current_language)
