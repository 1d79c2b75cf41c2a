"""Friendly error pages in the user's language; no user action ever ends in a bare 500."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db

MESSAGES = {
    400: (_l("请求有误"), _l("提交的内容无法处理，请返回上一页检查后重试。")),
    403: (_l("无权访问"), _l("您的账户没有执行此操作的权限。")),
    404: (_l("页面不存在"), _l("您要找的页面不存在，或不在您的管辖范围内。")),
    405: (_l("请求方式不允许"), _l("此页面不接受这种请求方式。")),
    409: (_l("内容已被他人修改"), _l("该案件刚被其他人处理过，请刷新页面后再试。")),
    413: (_l("文件过大"), _l("上传的文件超过了大小限制，请压缩后重新上传。")),
    429: (_l("操作过于频繁"), _l("请稍候片刻再试。")),
    500: (_l("系统出错"), _l("服务器处理您的请求时出错，我们已记录此问题，请稍后再试。")),
    503: (_l("系统繁忙"), _l("同时办理的人较多，您的操作没有保存，请稍等片刻后重试。")),
}


def render_error(status: int, detail=None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, message=detail or message), status


def register_errorhandlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("页面已过期或表单校验失败，请刷新页面后重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/api/"):
            return {"error": error.name, "status": error.code}, error.code
        return render_error(error.code if error.code in MESSAGES else 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        from sqlalchemy.exc import OperationalError
        from sqlalchemy.orm.exc import StaleDataError

        db.session.rollback()
        if isinstance(error, StaleDataError) or _is_serialization_failure(error, OperationalError):
            return render_error(409)
        if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
            app.logger.warning("database busy on %s", request.path)
            # The page must not touch the busy database again: show it as to a visitor.
            from flask import g

            from ..extensions import login_manager

            g._login_user = login_manager.anonymous_user()
            return render_error(503)
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500)


def _is_serialization_failure(error: Exception, operational_error) -> bool:
    """PostgreSQL's answer to a concurrent update under REPEATABLE READ (SQLSTATE 40001)."""
    return isinstance(error, operational_error) and getattr(error.orig, "sqlstate", None) == "40001"
