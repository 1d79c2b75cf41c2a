"""Dated parameter changes by administrators (scenario 6): the form with the parameter's timeline, the
impact preview, confirming the save, and withdrawing a change. An administrator changes only the packs
of cities inside their jurisdiction; any other city answers 404."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import Jurisdiction, ParameterChange, Role
from ..services import parameter_changes as service
from ..services import parameter_values as values
from ..services.parameter_values import ChangeInvalid
from ..services.parameters import all_changes, effective_pack, timeline
from .access import allow

bp = Blueprint("parameters", __name__, url_prefix="/admin/parameters")

ERRORS = {
    "required": _l("请填写此项。"),
    "unknown_parameter": _l("没有这个参数。"),
    "unknown_city": _l("没有这个城市的参数包。"),
    "not_a_number": _l("请输入数字。"),
    "negative": _l("数值不能为负数。"),
    "not_an_integer": _l("请输入整数。"),
    "not_boolean": _l("请选择“是”或“否”。"),
    "not_a_choice": _l("请从可选值中选择。"),
    "bad_json": _l("JSON 格式有误，请检查括号、引号和逗号。"),
    "wrong_shape": _l("取值的结构须与现行取值相同。"),
    "bad_date": _l("请输入有效日期（年-月-日）。"),
    "duplicate_date": _l("该参数在这一天已有取值，请换一个生效日期。"),
    "before_pack_start": _l("生效日期早于本市参数包的起始日期，请换一个生效日期。"),
    "too_long": _l("内容过长，请精简到 2000 字以内。"),
    "preview_required": _l("请先预览影响，再确认保存。"),
    "preview_stale": _l("参数已有变动或输入已修改，请重新预览影响后再保存。"),
    "not_active": _l("这项调整已撤回。"),
}
FIELDS = ("value", "effective_from", "citation", "note", "preview", "name", "city", "reason", "change")


def may_change(user, city_code: str) -> bool:
    """The city has a pack and lies inside the administrator's jurisdiction."""
    if user.role_enum is not Role.administrator or user.jurisdiction is None:
        return False
    if city_code not in policy.list_cities():
        return False
    city = db.session.scalar(select(Jurisdiction).where(Jurisdiction.kind == "city",
                                                        Jurisdiction.code == city_code))
    return city is not None and user.jurisdiction.contains(city)


def _city_or_404(city_code: str) -> str:
    if not may_change(current_user, city_code):
        abort(404)
    return city_code


def _messages(errors: dict[str, str]) -> dict[str, str]:
    return {field: str(ERRORS.get(code, code)) for field, code in errors.items()}


def _display(value: Any) -> str:
    """A value as the form shows it: numbers plain, booleans true/false, lists and maps as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(values.to_json(value), ensure_ascii=False)
    return str(value)


def _render(city_code: str, name: str, form: dict, errors: dict[str, str] | None = None, preview=None,
            status: int = 200):
    pack = effective_pack(city_code)
    param = pack.param(name)
    kind = values.kind_of(param)
    current = next((v for _, v in reversed(param.values) if v is not None), None)
    changes = all_changes(city_code, name)
    return render_template(
        "admin/parameter_change.html", title=_("新增参数调整"), city=city_code, name=name, param=param,
        kind=kind, choices=values.text_choices(param), nullable=values.nullable(param),
        example=_display(current), timeline=timeline(pack, name), changes=changes, form=form,
        errors=_messages(errors or {}), preview=preview, display=_display, limit=service.PREVIEW_LIMIT,
        pack_hash=pack.hash,
    ), status


@bp.route("/<city>/<name>/change", methods=["GET", "POST"])
@allow(Role.administrator)
def change(city: str, name: str):
    city = _city_or_404(city)
    if name not in effective_pack(city).params:
        abort(404)
    if request.method == "GET":
        return _render(city, name, {"value": "", "effective_from": "", "citation": "", "note": ""})
    form = {key: (request.form.get(key) or "") for key in ("value", "effective_from", "citation", "note")}
    action = request.form.get("action", "preview")
    try:
        proposal = service.parse_form(city, name, form)
    except ChangeInvalid as error:
        return _render(city, name, form, error.errors, status=422)
    if action == "save":
        try:
            service.save_change(city, name, proposal.effective_from, proposal.value, proposal.citation,
                                current_user, request.form.get("token"), note=proposal.note)
        except ChangeInvalid as error:
            db.session.rollback()
            return _render(city, name, form, error.errors, status=422)
        db.session.commit()
        flash(_("参数调整已保存，自 %(date)s 起生效。", date=proposal.effective_from.isoformat()), "success")
        return redirect(url_for("parameters.change", city=city, name=name))
    preview = service.preview_change(city, name, proposal.effective_from, proposal.value, proposal.citation)
    return _render(city, name, form, preview=preview)


@bp.route("/changes/<int:change_id>/withdraw", methods=["POST"])
@allow(Role.administrator)
def withdraw(change_id: int):
    row = db.session.get(ParameterChange, change_id)
    if row is None or not may_change(current_user, row.city_code):
        abort(404)
    try:
        service.withdraw_change(row, current_user, request.form.get("reason", ""))
    except ChangeInvalid as error:
        db.session.rollback()
        for message in _messages(error.errors).values():
            flash(message, "danger")
        return redirect(url_for("parameters.change", city=row.city_code, name=row.name))
    db.session.commit()
    flash(_("参数调整已撤回。"), "success")
    return redirect(url_for("parameters.change", city=row.city_code, name=row.name))
