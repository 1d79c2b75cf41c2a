"""统计报表: the monthly or yearly XLSX report of a city, or of the province (every city in the administrator's
jurisdiction), chosen on a form and downloaded; the download is audited."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..extensions import db
from ..models import Role
from ..services import audit, reports
from .access import allow, city_code_of
from .i18n import current_language
from .labels import PRIORITY_LABELS, PROGRAMME_LABELS, label
from .province import cities_in_scope
from .round_forms import _REQUIRED

bp = Blueprint("reports", __name__, url_prefix="/reports")
PROVINCE = "province"


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    scope = SelectField(_l("范围"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    period = SelectField(_l("报表周期"), choices=[("month", _l("月报")), ("year", _l("年报"))],
                         validators=[InputRequired(_REQUIRED)])
    year = IntegerField(_l("年份"), validators=[InputRequired(_l("请填写年份，例如 2026。")),
                                              NumberRange(2021, 2100, _l("年份须在 2021 至 2100 之间。"))])
    month = IntegerField(_l("月份"), validators=[Optional(), NumberRange(1, 12, _l("月份须在 1 至 12 之间。"))],
                         description=_l("月报必填；年报不填。"))

    def __init__(self, scopes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = scopes

    def validate_scope(self, field):
        if field.data not in {code for code, _label in self.scope.choices}:
            raise ValidationError(_l("只能下载本辖区的报表。"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.period.data == "month" and self.month.data is None and not self.month.errors:
            self.month.errors = list(self.month.errors) + [str(_l("月报请填写月份。"))]
            ok = False
        return ok


def _scopes() -> tuple[list[tuple[str, str]], dict[str, list[str]], dict[str, str]]:
    """The choices of the caller: its city (bureau officer), or its cities and the province (administrator)."""
    lang = current_language()
    if current_user.role_enum is Role.bureau_officer:
        codes = [city_code_of(current_user)]
    else:
        codes = cities_in_scope()
    names = reports.city_names(codes, lang)
    choices = [(c, names.get(c, c)) for c in codes]
    groups = {c: [c] for c in codes}
    if len(codes) > 1:
        choices.insert(0, (PROVINCE, _("全省（各市汇总）")))
        groups[PROVINCE] = codes
    return choices, groups, names


@bp.route("/")
@allow(Role.bureau_officer, Role.administrator)
def index():
    choices, groups, names = _scopes()
    today = date.today()
    submitted = "period" in request.args
    defaults = {"scope": choices[0][0] if choices else "", "period": "month", "year": today.year,
                "month": today.month}
    form = ReportForm(choices, formdata=request.args if submitted else None, data=None if submitted else defaults)
    if submitted and form.validate():
        try:
            book = reports.build_workbook(
                groups[form.scope.data], names, form.period.data, form.year.data,
                form.month.data if form.period.data == "month" else None, today,
                programme_label=lambda code: label(PROGRAMME_LABELS, code),
                priority_label=lambda code: label(PRIORITY_LABELS, code))
        except reports.ReportError as error:
            getattr(form, error.field, form.year).errors.append(_("统计期不能晚于今天。"))
        else:
            audit.record("report.download", None, actor=current_user, scope=form.scope.data,
                         period=form.period.data, year=form.year.data, month=form.month.data)
            db.session.commit()
            suffix = f"{form.year.data}" + (f"-{form.month.data:02d}" if form.period.data == "month" else "")
            return Response(reports.workbook_bytes(book),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition":
                                     f"attachment; filename=report-{form.scope.data}-{suffix}.xlsx"})
    return render_template("reports/index.html", form=form, title=_("统计报表")), (400 if form.errors else 200)
