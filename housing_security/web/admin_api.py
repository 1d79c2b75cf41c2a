"""Administration of the API clients (/api/v1): create a client for a city with scopes (its token is shown
once), list them, revoke one. An administrator manages the clients of the cities inside their jurisdiction."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from .. import policy
from ..extensions import db
from ..models import API_SCOPES, ApiClient, Role
from ..services import api_clients
from ..services.parameters import effective_pack
from .access import allow, city_code_of
from .case_forms import ConfirmForm
from .i18n import current_language

bp = Blueprint("admin_api", __name__, url_prefix="/admin/api-clients")

SCOPE_LABELS = {"case_status": _l("按编号和身份证号查询案件进度"), "indicators": _l("本市指标"),
                "publicity": _l("公示名单")}


class ApiClientForm(FlaskForm):
    name = StringField(_l("客户端名称"), description=_l("例如：山西政务服务平台"),
                       validators=[DataRequired(_l("请填写客户端名称")), Length(max=64)])
    city = SelectField(_l("城市"), validators=[DataRequired(_l("请选择城市"))])
    scopes = SelectMultipleField(_l("权限"), choices=[(s, SCOPE_LABELS[s]) for s in API_SCOPES],
                                 description=_l("可多选"), validators=[DataRequired(_l("请至少选择一项权限"))])


def admin_cities() -> list[str]:
    """A city administrator: their city; a provincial one: every city with a parameter pack."""
    own = city_code_of(current_user)
    return [own] if own else list(policy.list_cities())


def _city_choices():
    lang = current_language()
    return [(code, effective_pack(code).name.get(lang, code)) for code in admin_cities()]


def _render(form, token=None, created=None, status=200):
    clients = db.session.scalars(select(ApiClient).where(ApiClient.city_code.in_(admin_cities()))
                                 .order_by(ApiClient.revoked_at.is_not(None), ApiClient.id.desc())).all()
    return render_template("admin/api_clients.html", form=form, clients=clients, token=token, created=created,
                           scope_labels=SCOPE_LABELS, confirm=ConfirmForm(), title=_("接口客户端")), status


@bp.route("/")
@allow(Role.administrator)
def index():
    form = ApiClientForm(formdata=None)
    form.city.choices = _city_choices()
    return _render(form)


@bp.route("/", methods=["POST"])
@allow(Role.administrator)
def create():
    form = ApiClientForm()
    form.city.choices = _city_choices()
    if not form.validate_on_submit():
        return _render(form, status=400)
    try:
        client, token = api_clients.create_client(form.name.data, form.city.data, form.scopes.data, current_user)
    except api_clients.ApiClientError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(error.message)
        return _render(form, status=400)
    db.session.commit()
    # The token is shown on this response only (never stored, never in a URL or a flash message).
    return _render(_fresh_form(), token=token, created=client)


def _fresh_form():
    form = ApiClientForm(formdata=None)
    form.city.choices = _city_choices()
    return form


@bp.route("/<int:client_id>/revoke", methods=["POST"])
@allow(Role.administrator)
def revoke(client_id: int):
    client = db.session.get(ApiClient, client_id)
    if client is None or client.city_code not in admin_cities():
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    api_clients.revoke(client, current_user)
    db.session.commit()
    flash(_("已吊销客户端 %(name)s 的令牌。", name=client.name), "success")
    return redirect(url_for("admin_api.index"))
