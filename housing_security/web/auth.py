"""Sign-in, sign-out and applicant registration."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..extensions import db, limiter, login_manager
from ..models import Role, User
from ..services import accounts, sign_in
from .access import ALL_ROLES, allow, home_endpoint, public

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=256)])


class RegisterForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        description=_l("4–32 个字母、数字或下划线，用于登录"),
        validators=[DataRequired(_l("请输入用户名")),
                    Regexp(r"^[A-Za-z0-9_]{4,32}$", message=_l("用户名须为 4–32 个字母、数字或下划线"))],
    )
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名")), Length(max=64)])
    phone = StringField(
        _l("手机号码"), validators=[Optional(), Regexp(r"^1\d{10}$", message=_l("请输入 11 位手机号码"))]
    )
    password = PasswordField(
        _l("密码"), description=_l("至少 10 个字符"),
        validators=[DataRequired(_l("请输入密码")), Length(min=10, max=128, message=_l("密码至少 10 个字符"))],
    )
    confirm = PasswordField(
        _l("确认密码"), validators=[DataRequired(_l("请再次输入密码")), EqualTo("password", _l("两次输入的密码不一致"))]
    )


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码")), Length(max=256)])
    password = PasswordField(
        _l("新密码"), description=_l("至少 10 个字符"),
        validators=[DataRequired(_l("请输入密码")), Length(min=10, max=128, message=_l("密码至少 10 个字符"))],
    )
    confirm = PasswordField(
        _l("确认新密码"), validators=[DataRequired(_l("请再次输入密码")), EqualTo("password", _l("两次输入的密码不一致"))]
    )


def init_login(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        user = accounts.session_user(token)
        if user is None:
            return None
        # The idle timeout: the signed cookie carries when this sign-in was last used (no write per request).
        now = int(time.time())
        seen = session.get("seen")
        if not isinstance(seen, int) or now - seen > accounts.idle_lifetime(user).total_seconds():
            session.clear()
            return None
        if now - seen >= 30:
            session["seen"] = now
        user.session_token = token
        return user


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: an open redirect would let a phishing link borrow our domain."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        outcome = sign_in.attempt(form.username.data, form.password.data)
        if outcome.wait_seconds:
            form.password.errors.append(
                _("登录尝试过多，请在 %(seconds)d 秒后再试。", seconds=outcome.wait_seconds))
            status = 429
        elif outcome.disabled:
            form.username.errors.append(_("该账户已停用，请联系管理员"))
        elif outcome.user is None:
            form.password.errors.append(_("用户名或密码不正确"))
        else:
            user = outcome.user
            login_session = accounts.open_session(user)
            db.session.commit()
            user.session_token = login_session.token
            session.clear()  # a fresh session on sign-in defeats session fixation
            login_user(user)
            session["seen"] = int(time.time())
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    response = current_app.make_response(render_template("auth/login.html", form=form, title=_("登录")))
    response.status_code = status
    if status == 429:
        response.headers["Retry-After"] = str(outcome.wait_seconds)
    return response


@bp.route("/logout", methods=["POST"])
@allow(*ALL_ROLES)
def logout():
    accounts.revoke_session(current_user.session_token, actor=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
@limiter.limit("10 per hour", methods=["POST"])
def change_password():
    """Every user changes their own password; every other signed-in session of theirs ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        user_id, token = current_user.id, current_user.session_token
        if not accounts.password_matches(user_id, form.current.data):  # hashed with no transaction open
            form.current.errors.append(_("当前密码不正确"))
        elif form.password.data == form.current.data:
            form.password.errors.append(_("新密码不能与当前密码相同"))
        else:
            new_hash = accounts.hash_password(form.password.data)
            accounts.change_password(db.session.get(User, user_id), form.password.data, keep_token=token,
                                     password_hash=new_hash)
            db.session.commit()
            flash(_("密码已修改，您在其他设备上的登录已失效。"), "success")
            return redirect(url_for(home_endpoint(current_user)))
    return render_template("auth/password.html", form=form, title=_("修改密码")), (400 if form.errors else 200)


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = RegisterForm()
    if form.validate_on_submit():
        password_hash = accounts.hash_password(form.password.data)  # before any transaction opens
        try:
            user = accounts.create_user(
                form.username.data, form.password.data, Role.applicant, form.display_name.data.strip(),
                phone=form.phone.data or None, password_hash=password_hash,
            )
        except accounts.AccountError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(_("该用户名已被使用"))
        else:
            login_session = accounts.open_session(user)
            db.session.commit()
            user.session_token = login_session.token
            session.clear()
            login_user(user)
            session["seen"] = int(time.time())
            flash(_("注册成功，欢迎使用。"), "success")
            return redirect(url_for("applicant.home"))
    return render_template("auth/register.html", form=form, title=_("注册"))
