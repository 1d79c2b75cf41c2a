"""Forms of the allocation-round screens (配租批次)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired, ValidationError

_REQUIRED = _l("此项为必填项。")
_BAD_DATE = _l("请按 年-月-日 格式填写日期，例如 2026-12-01。")


class _DateField(DateField):
    """A date field whose parse error is ours (and translated), not WTForms' English one."""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist):
            self.data = None
            return
        if not "".join(valuelist).strip():
            # Spaces alone pass InputRequired (the raw value is not empty) but are no date.
            self.data = None
            raise ValueError(str(_REQUIRED))
        try:
            self.data = date.fromisoformat("".join(valuelist).strip())
        except ValueError:
            self.data = None
            raise ValueError(str(_BAD_DATE)) from None


class RoundForm(FlaskForm):
    programme = SelectField(_l("保障类别"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    round_date = _DateField(_l("配租日期"), validators=[InputRequired(_REQUIRED)],
                            description=_l("本批次以这一天的房源和轮候家庭为准。"))
    next_round_date = _DateField(_l("下一批次日期"), validators=[InputRequired(_REQUIRED)],
                                 description=_l("在这一天前将满 6 个月保障期限的家庭本批次必须保障到位（规划 §12.1）。"))

    def __init__(self, programmes: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme.choices = programmes

    def validate_programme(self, field):
        if field.data not in {code for code, _ in self.programme.choices}:
            raise ValidationError(_l("本市未开办该保障类别。"))

    def validate_next_round_date(self, field):
        if field.data and self.round_date.data and field.data <= self.round_date.data:
            raise ValidationError(_l("下一批次日期须晚于本批次配租日期。"))
        if field.data and self.round_date.data and (field.data - self.round_date.data).days > 366:
            raise ValidationError(_l("两个批次相隔不能超过一年。"))


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token of the publish, run and cancel buttons."""
