"""The policy lab (政策实验室) for administrators: simulate a parameter change on a snapshot of the city against the
rules in force, as a background job, and compare the two runs side by side."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from ..extensions import db
from ..models import PolicyLabRun, Role
from ..services import policy_lab, reports
from ..services import rounds as rounds_service
from ..services.parameter_values import ChangeInvalid, parse_value
from ..services.parameters import effective_pack
from .access import allow
from .i18n import current_language
from .insight import chart, pct
from .labels import PRIORITY_LABELS, PROGRAMME_LABELS, label
from .province import cities_in_scope
from .round_forms import _REQUIRED

bp = Blueprint("lab", __name__, url_prefix="/admin/lab")

VALUE_ERRORS = {
    "not_a_number": _l("请填写数字。"), "negative": _l("不能为负数。"), "not_an_integer": _l("请填写整数。"),
    "required": _l("此项为必填项。"), "not_boolean": _l("请填写 true 或 false。"), "bad_json": _l("格式不正确。"),
    "not_a_choice": _l("不是可选的取值。"), "wrong_shape": _l("格式不正确。"),
}


class LabForm(FlaskForm):
    city = SelectField(_l("城市"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    programme = SelectField(_l("保障类别"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    name = SelectField(_l("政策参数"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    value = StringField(_l("新取值"), validators=[InputRequired(_REQUIRED), Length(max=2000)],
                        description=_l("数字直接填写；列表和对照表按 JSON 格式填写，与修改政策参数时相同。"))
    months = IntegerField(_l("模拟月数"), default=24,
                          validators=[InputRequired(_REQUIRED), NumberRange(1, 36, _l("月数须在 1 至 36 之间。"))])
    seed = IntegerField(_l("随机种子"), default=0,
                        validators=[InputRequired(_REQUIRED), NumberRange(0, 10**9, _l("请填写 0 或正整数。"))],
                        description=_l("同一种子得到同样的结果。"))


def _choices(form: LabForm) -> list[str]:
    cities = cities_in_scope()
    names = reports.city_names(cities, current_language())
    form.city.choices = [(c, names.get(c, c)) for c in cities]
    form.programme.choices = [(p, str(label(PROGRAMME_LABELS, p))) for p in ("public_rental", "subsidized_rental",
                                                                               "talent")]
    first = cities[0] if cities else "default"
    pack = effective_pack(form.city.data if form.city.data in cities else first)
    form.name.choices = [(n, f"{p.label.get(current_language()) or p.label.get('zh') or n}（{n}）")
                         for n, p in sorted(pack.params.items())]
    return cities


@bp.route("/", methods=["GET", "POST"])
@allow(Role.administrator)
def index():
    # A link from a parameter change's preview fills in the city, the parameter and the value.
    prefill = {k: request.args.get(k, "")[:2000] for k in ("city", "name", "value") if request.args.get(k)}
    form = LabForm(data=prefill or None)
    cities = _choices(form)
    if form.is_submitted():
        ok = form.validate()
        pack = effective_pack(form.city.data) if form.city.data in cities else None
        if pack is None:
            form.city.errors = list(form.city.errors) + [_("只能模拟本辖区的城市。")]
        elif form.programme.data not in rounds_service.programmes_offered(form.city.data, date.today()):
            form.programme.errors = list(form.programme.errors) + [_("本市未开办该保障类别。")]
        elif form.name.data not in pack.params:
            form.name.errors = list(form.name.errors) + [_("没有这个政策参数。")]
        else:
            try:
                value = parse_value(pack.param(form.name.data), form.value.data or "")
            except ChangeInvalid as error:
                code = error.errors.get("value", "")
                form.value.errors = list(form.value.errors) + [str(VALUE_ERRORS.get(code, code))]
        if ok and not form.errors:
            run = policy_lab.create_run(form.city.data, form.programme.data, form.name.data, value, date.today(),
                                        form.months.data, form.seed.data, current_user)
            db.session.commit()
            policy_lab.start(current_app._get_current_object(), run.id)
            return redirect(url_for("lab.show", run_id=run.id))
    runs = db.session.scalars(select(PolicyLabRun).where(PolicyLabRun.city_code.in_(cities or [""]))
                              .order_by(PolicyLabRun.id.desc()).limit(20)).all()
    return render_template("lab/index.html", form=form, runs=runs, title=_("政策实验室")), \
        (400 if form.errors else 200)


def _charts(result: dict) -> list[dict]:
    base, changed = result["baseline"], result["changed"]
    months = [r["month"] for r in base]
    out = []
    for key, caption, kind, as_pct in (
            ("allocation_rate", _("分配率（存量口径）逐月：现行规则与调整后"), "line", True),
            ("coverage", _("当月期限届满的应保家庭 6 个月内保障率（规划 §12.1）"), "line", True),
            ("housed", _("每月安置户数"), "bar", False),
            ("waiting", _("月末轮候户数"), "line", False),
            ("subsidy_month_total", _("每月租赁补贴支出（元）"), "line", False),
            ("justified_envy", _("有正当理由不满的家庭数"), "bar", False)):
        values = [[pct(r[key]) if as_pct else r[key] for r in rows] for rows in (base, changed)]
        datasets = [{"label": _("现行规则"), "data": values[0]}, {"label": _("调整后"), "data": values[1]}]
        rows = [[months[i], values[0][i], values[1][i]] for i in range(len(months))]
        out.append(chart(f"lab-{key.replace('_', '-')}", kind, caption, months, datasets,
                         [_("月份"), _("现行规则"), _("调整后")], rows, **({"unit": "%", "y_max": 100} if as_pct else {})))
    return out


@bp.route("/<int:run_id>")
@allow(Role.administrator)
def show(run_id: int):
    run = db.session.get(PolicyLabRun, run_id)
    if run is None or run.city_code not in cities_in_scope():
        abort(404)
    charts, totals, groups = [], None, []
    if run.status == "done" and run.result:
        charts = _charts(run.result)
        totals = {k: policy_lab.totals(run.result[k]) for k in ("baseline", "changed")}
        groups = sorted(set(totals["baseline"]["mean_wait_by_group"]) | set(totals["changed"]["mean_wait_by_group"]))
    pack = effective_pack(run.city_code)
    param = pack.params.get(run.request.get("name"))
    return render_template("lab/show.html", run=run, charts=charts, totals=totals, groups=groups,
                           group_label=lambda g: label(PRIORITY_LABELS, g), param=param,
                           current=param.at(date.today()).value if param else None, title=_("政策实验室"),
                           move_out=round(policy_lab.MOVE_OUT_RATE * 100, 1),
                           decline=round(policy_lab.DECLINE_RATE * 100, 1))
