"""Forms of the stock screens: projects, buildings, units, unit status actions and the bulk import."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .round_forms import _REQUIRED, _DateField  # the shared date field and its messages

_NUMBER = _l("请填写数字。")
_WHOLE = _l("请填写整数。")


class _Decimal(DecimalField):
    """A decimal field whose parse error is ours (and translated)."""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            self.data = Decimal("".join(valuelist).strip().replace(",", ""))
            if not self.data.is_finite():
                raise ArithmeticError
        except (ArithmeticError, ValueError):
            self.data = None
            raise ValueError(str(_NUMBER)) from None


class _Integer(IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            self.data = int("".join(valuelist).strip())
        except ValueError:
            self.data = None
            raise ValueError(str(_WHOLE)) from None


def _two_decimals(form, field):
    if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(_l("最多两位小数。"))


class ProjectForm(FlaskForm):
    code = StringField(_l("项目编号"), validators=[InputRequired(_REQUIRED), Length(max=32)],
                       description=_l("本市唯一，例如 TY-PR-05。"))
    name = StringField(_l("项目名称"), validators=[InputRequired(_REQUIRED), Length(max=128)])
    district_id = SelectField(_l("区县"), coerce=int, validate_choice=False, validators=[InputRequired(_REQUIRED)])
    programme = SelectField(_l("保障类别"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    government_invested = BooleanField(_l("政府投资"), default=True)
    completed_on = _DateField(_l("竣工日期"), validators=[Optional()])
    market_rent_per_m2 = _Decimal(_l("同地段市场租金（元/平方米·月）"),
                                  validators=[Optional(), NumberRange(min=0, message=_l("不能为负数。")),
                                              _two_decimals])
    cost_per_m2 = _Decimal(_l("建设和土地成本（元/平方米）"),
                           validators=[Optional(), NumberRange(min=0, message=_l("不能为负数。")), _two_decimals])

    def __init__(self, districts, programmes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district_id.choices = districts
        self.programme.choices = programmes

    def validate_district_id(self, field):
        if field.data not in {value for value, _ in self.district_id.choices}:
            raise ValidationError(_l("请选择本市的区县。"))

    def validate_programme(self, field):
        if field.data not in {value for value, _ in self.programme.choices}:
            raise ValidationError(_l("本市未开办该保障类别。"))


class BuildingForm(FlaskForm):
    name = StringField(_l("楼栋"), validators=[InputRequired(_REQUIRED), Length(max=32)],
                       description=_l("例如 3号楼。"))
    floors = _Integer(_l("总层数"), validators=[InputRequired(_REQUIRED),
                                               NumberRange(min=1, max=200, message=_l("总层数须在 1 到 200 之间。"))])
    elevator = BooleanField(_l("有电梯"))


class UnitForm(FlaskForm):
    number = StringField(_l("房号"), validators=[InputRequired(_REQUIRED), Length(max=16)],
                         description=_l("楼栋内唯一，例如 502。"))
    tenure = SelectField(_l("产权/租赁类型"), validate_choice=False, validators=[Optional()])
    kind = SelectField(_l("户型类别"), choices=[("apartment", _l("套房")), ("dormitory", _l("宿舍"))],
                       validate_choice=False, validators=[InputRequired(_REQUIRED)])
    area_m2 = _Decimal(_l("建筑面积（平方米）"), validators=[InputRequired(_REQUIRED), _two_decimals,
                                                      NumberRange(min=Decimal("0.01"), max=Decimal("999999"),
                                                                  message=_l("建筑面积须大于 0。"))])
    bedrooms = _Integer(_l("居室数"), default=1, validators=[InputRequired(_REQUIRED),
                                                           NumberRange(min=0, max=20, message=_l("居室数须在 0 到 20 之间。"))])
    floor = _Integer(_l("楼层"), validators=[InputRequired(_REQUIRED),
                                            NumberRange(min=1, max=200, message=_l("楼层须在 1 到 200 之间。"))])
    accessible = BooleanField(_l("无障碍"))
    rent_month = _Decimal(_l("月租金（元）"), default=Decimal("0"),
                          validators=[InputRequired(_REQUIRED), _two_decimals,
                                      NumberRange(min=0, max=Decimal("999999"), message=_l("月租金不能为负数。"))])

    def __init__(self, tenures, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenure.choices = [("", _l("按保障类别默认"))] + tenures

    def validate_kind(self, field):
        if field.data not in ("apartment", "dormitory"):
            raise ValidationError(_l("请选择户型类别。"))

    def validate_tenure(self, field):
        if field.data and field.data not in {value for value, _ in self.tenure.choices}:
            raise ValidationError(_l("该保障类别没有这种产权/租赁类型。"))


class UnitStatusForm(FlaskForm):
    action = SelectField(_l("操作"), validate_choice=False, validators=[InputRequired(_REQUIRED)])
    reason = TextAreaField(_l("原因"), validators=[Length(max=500)],
                           description=_l("转入维修或退出保障房源时必填。"))
    until = _DateField(_l("预计恢复日期"), description=_l("转入维修时必填。"))

    def __init__(self, actions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = actions

    def validate_action(self, field):
        if field.data not in {value for value, _ in self.action.choices}:
            raise ValidationError(_l("该房源当前状态下不能办理此操作。"))

    def validate_reason(self, field):
        if self.action.data in ("maintenance", "withdraw") and not (field.data or "").strip():
            raise ValidationError(_l("请填写原因。"))

    def validate_until(self, field):
        if self.action.data == "maintenance" and field.data is None and not field.errors:
            raise ValidationError(_l("请填写预计恢复日期。"))


class ImportForm(FlaskForm):
    file = FileField(_l("房源文件"), description=_l("XLSX 或 CSV（UTF-8 或 GBK 编码），按模板的列填写。"),
                     validators=[FileRequired(_l("请选择要上传的文件"))])
    mode = RadioField(_l("处理方式"), default="check", validators=[InputRequired(_REQUIRED)],
                      choices=[("check", _l("只检查，不写入")), ("import", _l("全部有效时导入")),
                               ("valid_rows", _l("只导入有效行（保留问题报告）"))])
