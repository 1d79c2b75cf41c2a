"""Administration: accounts in the administrator's jurisdiction, and the city parameter packs."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Role, User
from ..services import accounts
from .access import allow, users_scope

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@allow(Role.administrator)
def home():
    role = request.args.get("role", "")
    query = select(User).where(users_scope(current_user))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    users = db.session.scalars(query.order_by(User.role, User.username).limit(500)).all()
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
