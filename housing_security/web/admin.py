"""Administration: accounts in the administrator's jurisdiction, and the city parameter packs."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from ..extensions import db
from ..models import Jurisdiction, Role, User
from ..services import accounts
from .access import allow, jurisdictions_within, users_scope
from .i18n import current_language
from .labels import ROLE_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@allow(Role.administrator)
def home():
    role = request.args.get("role", "")
    query = select(User).where(users_scope(current_user))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    users = db.session.scalars(query.options(joinedload(User.jurisdiction))
                               .order_by(User.role, User.username).limit(500)).all()
    return render_template("admin/users.html", users=users, role=role, roles=[r.value for r in Role],
                           title=_("用户"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@allow(Role.administrator)
def set_active(user_id: int):
    user = db.session.scalar(select(User).where(User.id == user_id, users_scope(current_user)))
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash(_("不能停用自己的账户。"), "warning")
        return redirect(url_for("admin.home"))
    active = request.form.get("active") == "1"
    accounts.set_active(user, active, actor=current_user)
    db.session.commit()
    flash(_("账户已启用。") if active else _("账户已停用，其所有登录会话已失效。"), "success")
    return redirect(url_for("admin.home"))


class NewStaffForm(FlaskForm):
    username = StringField(_l("用户名"), description=_l("4–32 个字母、数字或下划线，用于登录"), validators=[
        DataRequired(_l("请输入用户名")),
        Regexp(r"^[A-Za-z0-9_]{4,32}$", message=_l("用户名须为 4–32 个字母、数字或下划线"))])
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名")), Length(max=64)])
    role = SelectField(_l("角色"), choices=[(r.value, ROLE_LABELS[r.value]) for r in Role if r.is_staff],
                       validators=[DataRequired(_l("请选择角色"))])
    jurisdiction_id = SelectField(_l("管辖范围"), coerce=int, validate_choice=False,
                                  description=_l("街道经办人选街道，区级审核人选区，市级经办人选市"),
                                  validators=[DataRequired(_l("请选择管辖范围"))])
    password = PasswordField(_l("初始密码"), description=_l("至少 10 个字符；请当面告知本人，并提醒其登录后修改"),
                             validators=[DataRequired(_l("请输入密码")),
                                         Length(min=10, max=128, message=_l("密码至少 10 个字符"))])


JURISDICTION_ERRORS = {
    "jurisdiction_required": _l("请选择管辖范围"),
    "jurisdiction_wrong_kind": _l("该角色须绑定到对应层级：街道经办人—街道，区级审核人—区，市级经办人—市，系统管理员—省或市"),
    "username_taken": _l("该用户名已被使用"),
}


FORM_FIELDS = {"jurisdiction": "jurisdiction_id"}


def _jurisdiction_choices() -> list[tuple[int, str]]:
    """Every jurisdiction inside the administrator's own, indented by level."""
    lang = current_language()
    ids = set(jurisdictions_within(current_user.jurisdiction))
    rows = db.session.scalars(select(Jurisdiction).where(Jurisdiction.id.in_(ids))).all()
    by_parent: dict = {}
    for row in rows:
        by_parent.setdefault(row.parent_id if row.parent_id in ids else None, []).append(row)
    choices, stack = [], [(node, 0) for node in sorted(by_parent.get(None, []), key=lambda j: j.code, reverse=True)]
    while stack:
        node, depth = stack.pop()
        choices.append((node.id, "　" * depth + node.name(lang)))
        stack.extend((child, depth + 1) for child in sorted(by_parent.get(node.id, []), key=lambda j: j.code,
                                                             reverse=True))
    return choices


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.administrator)
def new_user():
    """Staff accounts are created by an administrator, bound to a jurisdiction inside the administrator's own."""
    form = NewStaffForm()
    form.jurisdiction_id.choices = _jurisdiction_choices()
    if form.validate_on_submit():
        allowed = {value for value, _label in form.jurisdiction_id.choices}
        jurisdiction = db.session.get(Jurisdiction, form.jurisdiction_id.data) \
            if form.jurisdiction_id.data in allowed else None
        if jurisdiction is None:
            form.jurisdiction_id.errors.append(_("请选择您管辖范围内的单位"))
        else:
            try:
                user = accounts.create_user(form.username.data, form.password.data, Role(form.role.data),
                                            form.display_name.data.strip(), jurisdiction, actor=current_user)
            except accounts.AccountError as error:
                db.session.rollback()
                getattr(form, FORM_FIELDS.get(error.field, error.field)).errors.append(JURISDICTION_ERRORS[error.message_id])
            else:
                db.session.commit()
                flash(_("已创建账户 %(username)s。", username=user.username), "success")
                return redirect(url_for("admin.home", role=user.role))
    return render_template("admin/user_form.html", form=form, title=_("新建工作人员账户")), (
        400 if form.errors else 200)


@bp.route("/parameters")
@allow(Role.administrator)
def parameters():
    from ..policy import list_cities
    from ..services.parameters import effective_pack
    from .admin_parameters import may_change

    city = request.args.get("city") or "taiyuan"
    cities = list_cities()
    if city not in cities:
        city = cities[0] if cities else "default"
    pack = effective_pack(city)  # the YAML pack with the city's dated changes
    return render_template("admin/parameters.html", pack=pack, city=city, cities=cities, title=_("政策参数"),
                           can_change=may_change(current_user, city))
