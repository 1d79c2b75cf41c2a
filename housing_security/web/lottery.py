"""The public lottery (摇号): the bureau schedules and holds draws; anyone reads the published record, downloads it
and re-runs it (`housing-security verify-lottery FILE`)."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import InputRequired, ValidationError

from ..extensions import db
from ..models import LotteryDraw, Role
from ..services import lottery as service
from ..services import rounds as rounds_service
from .access import allow, city_code_of, public
from .labels import PROGRAMME_LABELS
from .round_forms import _REQUIRED, ConfirmForm, _DateField

bp = Blueprint("lottery", __name__)

ERROR_MESSAGES = {
    "past": _l("摇号日期不能早于今天。"),
    "not_lottery": _l("本市轮候排序方式不是公开摇号，无需安排摇号。"),
    "unknown": _l("本市未开办该保障类别。"),
    "already_scheduled": _l("该保障类别已有一场待开奖的摇号。"),
    "no_entries": _l("该保障类别目前没有轮候家庭，无需摇号。"),
    "not_scheduled": _l("该场摇号已开奖或已取消。"),
    "too_early": _l("摇号日期未到，不能提前开奖。"),
    "commitment_mismatch": _l("摇号记录与公布的承诺值不符，已停止开奖，请核查。"),
}


class DrawForm(FlaskForm):
    programme = SelectField(_l("保障类别"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    draw_on = _DateField(_l("摇号日期"), validators=[InputRequired(_REQUIRED)],
                         description=_l("参加名单和种子的哈希值立即公布；到这一天才公开种子、产生顺序。"))

    def __init__(self, programmes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme.choices = programmes

    def validate_programme(self, field):
        if field.data not in {code for code, _label in self.programme.choices}:
            raise ValidationError(_l("本市未开办该保障类别。"))


def _programmes(city_code: str) -> list[tuple[str, str]]:
    return [(p, str(PROGRAMME_LABELS.get(p, p))) for p in rounds_service.programmes_offered(city_code, date.today())]


def _city_draw(draw_id: int) -> LotteryDraw:
    draw = db.session.get(LotteryDraw, draw_id)
    if draw is None or draw.city_code != city_code_of(current_user):
        abort(404)
    return draw


@bp.route("/bureau/lottery", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def manage():
    city_code = city_code_of(current_user)
    form = DrawForm(_programmes(city_code))
    if form.validate_on_submit():
        try:
            draw = service.schedule_draw(city_code, form.programme.data, form.draw_on.data, current_user)
            db.session.commit()
        except service.LotteryError as error:
            db.session.rollback()
            getattr(form, error.field, form.programme).errors.append(str(ERROR_MESSAGES.get(error.code, error.code)))
        else:
            flash(_("摇号已安排，参加名单和种子哈希值已公布。"), "success")
            return redirect(url_for("lottery.show", draw_id=draw.id))
    draws = db.session.scalars(select(LotteryDraw).where(LotteryDraw.city_code == city_code)
                               .order_by(LotteryDraw.id.desc()).limit(50)).all()
    return render_template("lottery/manage.html", form=form, draws=draws, confirm=ConfirmForm(),
                           method=service.ordering_method(city_code, date.today()), title=_("公开摇号")), \
        (400 if form.errors else 200)


@bp.route("/bureau/lottery/<int:draw_id>/draw", methods=["POST"])
@allow(Role.bureau_officer)
def hold(draw_id: int):
    draw = _city_draw(draw_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.hold_draw(draw, current_user)
            db.session.commit()
        except service.LotteryError as error:
            db.session.rollback()
            flash(str(ERROR_MESSAGES.get(error.code, error.code)), "error")
        else:
            flash(_("已开奖：种子已公开，轮候顺序已按摇号结果更新。"), "success")
    return redirect(url_for("lottery.manage"))


@bp.route("/bureau/lottery/<int:draw_id>/cancel", methods=["POST"])
@allow(Role.bureau_officer)
def cancel(draw_id: int):
    draw = _city_draw(draw_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.cancel_draw(draw, current_user)
            db.session.commit()
        except service.LotteryError as error:
            db.session.rollback()
            flash(str(ERROR_MESSAGES.get(error.code, error.code)), "error")
        else:
            flash(_("摇号已取消。"), "success")
    return redirect(url_for("lottery.manage"))


def _public_draw(draw_id: int) -> LotteryDraw:
    draw = db.session.get(LotteryDraw, draw_id)
    if draw is None or draw.status == "cancelled":
        abort(404)
    return draw


@bp.route("/lottery/")
@public
def index():
    city = request.args.get("city", "taiyuan")[:32]
    draws = db.session.scalars(select(LotteryDraw).where(LotteryDraw.city_code == city,
                                                         LotteryDraw.status != "cancelled")
                               .order_by(LotteryDraw.draw_on.desc(), LotteryDraw.id.desc()).limit(100)).all()
    return render_template("lottery/index.html", draws=draws, city=city, title=_("公开摇号"))


@bp.route("/lottery/<int:draw_id>")
@public
def show(draw_id: int):
    draw = _public_draw(draw_id)
    doc = service.published(draw)
    position = {ref: i for i, ref in enumerate(doc.get("order", []), start=1)}
    rows = sorted(doc["entries"], key=lambda e: (position.get(e["id"], 0), e["id"]))
    return render_template("lottery/show.html", draw=draw, doc=doc, position=position, rows=rows,
                           title=_("公开摇号"))


@bp.route("/lottery/<int:draw_id>.json")
@public
def download(draw_id: int):
    doc = service.published(_public_draw(draw_id))
    body = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=lottery-{draw_id}.json"})
