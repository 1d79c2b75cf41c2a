"""Forms of the application (one small group per page) and the texts of the refusals the services raise."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from .labels import DOCUMENT_KIND_LABELS, PROGRAMME_LABELS, RELATION_LABELS

APPLICANT_PROGRAMMES = ("public_rental", "subsidized_rental", "talent")

# Refusals raised by services (ApplicationError/DocumentError/OfferError codes) → what the user reads.
ERROR_TEXTS = {
    "unknown_programme": _l("请选择保障类别"),
    "unknown_user": _l("没有这个申请人用户名，请核对；申请人没有账户可不填"),
    "draft_in_other_street": _l("无法为该申请人代办此类申请，请申请人在网上自行办理"),
    "own_draft": _l("无法为该申请人代办此类申请，请申请人在网上自行办理"),
    "no_consent": _l("用户名或代办同意码不正确，或同意码已过期；请申请人登录后重新生成"),
    "unknown_street": _l("请选择本市的街道办事处"),
    "street_locked": _l("补充材料阶段不能更改街道办事处"),
    "not_editable": _l("申请已提交，不能再修改"),
    "unknown_member": _l("家庭成员不存在"),
    "too_many_members": _l("家庭成员最多 %(limit)s 人"),
    "id_length": _l("身份证号码应为 18 位"),
    "id_format": _l("身份证号码前 17 位应为数字，最后一位为数字或 X"),
    "id_checksum": _l("身份证号码校验码（最后一位）不正确，请逐位核对"),
    "id_birth_date": _l("身份证号码中的出生日期（第 7–14 位）无效"),
    "id_region": _l("身份证号码前 6 位地区码无效"),
    "id_duplicate": _l("该身份证号码已登记为家庭成员 %(name)s"),
    "unknown_relation": _l("请选择与申请人的关系"),
    "second_self": _l("家庭中只能有一名主申请人（本人）"),
    "unknown_city": _l("请选择户籍所在城市"),
    "unknown_hukou_type": _l("请选择户籍类型"),
    "members_changed": _l("家庭成员已变化，请重新填写收入"),
    "negative": _l("不能为负数"),
    "no_main_applicant": _l("请先在“家庭成员”中添加主申请人（本人）"),
    "unknown_category": _l("请选择本市人才目录中的类别"),
    "unknown_tenure": _l("请选择保障方式"),
    "too_many": _l("最多选择 %(limit)s 个意向区"),
    "repeated": _l("意向区不能重复"),
    "unknown_district": _l("请选择本市的区（县、市）"),
    "none": _l("请至少选择一个意向区，或选择“服从调剂，任何区均可”"),
    "token_reused": _l("提交凭证无效，请刷新页面后重新提交"),
    "not_draft": _l("该申请已经提交"),
    "incomplete": _l("还有未完成的部分，请完成后再提交"),
    "already_active": _l("家庭成员 %(name)s 已有一份正在办理的同类保障申请；每人每类保障只能有一份正在办理的申请"),
    "acknowledge_required": _l("请确认您已阅读不符合条件的原因"),
    "not_returned": _l("该申请目前不需要补充材料"),
    "answer_required": _l("请说明您补充或修改了什么"),
    "unknown_kind": _l("请选择材料类别"),
    "unknown_document": _l("要替换的材料不存在"),
    "empty": _l("请选择要上传的文件"),
    "too_large": _l("文件不能超过 %(limit_mb)s MB"),
    "wrong_type": _l("只能上传 PDF、JPEG 或 PNG 文件（按文件内容检查）"),
    "unreadable": _l("文件无法读取：请上传完整、未损坏的 PDF、JPEG 或 PNG 文件"),
    "too_many_pages": _l("PDF 文件不能超过 %(pages)s 页"),
    "too_large_decoded": _l("PDF 文件解压后过大，请分成几个文件上传"),
    "too_many_pixels": _l("图片尺寸过大，请缩小后重新上传"),
    "already_answered": _l("该配租通知已答复"),
    "not_offered": _l("该申请当前没有待答复的配租通知"),
    "expired": _l("答复期限已过，不能再答复"),
    "reason_required": _l("请填写拒绝的原因"),
}


def error_text(error) -> str:
    template = ERROR_TEXTS.get(error.code)
    if template is None:
        return str(ERROR_TEXTS["not_editable"]) if error.code == "status" else error.code
    try:
        return str(template) % getattr(error, "params", {}) if getattr(error, "params", None) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def apply_error(form, error) -> None:
    """Put a service's refusal on the field it concerns (or the first field)."""
    field = form._fields.get(error.field) or next(
        (f for f in form if f.type not in ("CSRFTokenField", "HiddenField")), None)
    if field is None:
        form.form_errors.append(error_text(error))
        return
    field.errors = list(field.errors) + [error_text(error)]


SECTION_LABELS = {
    "address": _l("地址与街道办事处"),
    "members": _l("家庭成员"),
    "hukou": _l("户籍"),
    "income": _l("收入与家庭类别"),
    "assets": _l("家庭资产"),
    "housing": _l("现住房情况"),
    "employment": _l("就业与人才认定"),
    "preferences": _l("意向区与特殊需要"),
    "documents": _l("证明材料"),
}
STATE_LABELS = {"not_started": _l("未开始"), "in_progress": _l("进行中"), "completed": _l("已完成")}


class Form(FlaskForm):
    """Base of the application forms."""


MAX_ID = 2**31 - 1  # ids are INTEGER columns; a larger number overflows SQLite's driver instead of matching nothing


def _int_or_none(value):
    """An id typed or tampered with by the user: plain ASCII digits in the column's range, else None."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def ids_from(values) -> list[int]:
    """The valid ids of a multi-valued field (checkbox lists); the rest are dropped."""
    return [n for n in map(_int_or_none, values) if n is not None]


class AmountField(DecimalField):
    """A non-negative, finite decimal with Chinese messages (DecimalField's own are English)."""

    def __init__(self, label=None, validators=None, maximum=Decimal("1e11"), **kwargs):
        super().__init__(label, validators or [InputRequired(_l("请填写此项"))], places=2, **kwargs)
        self.maximum = maximum

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip().replace(",", "").replace("，", "")
        if raw == "":
            self.data = None
            return
        try:
            value = Decimal(raw)
        except (InvalidOperation, ValueError):
            self.data = None
            raise ValueError(_l("请输入数字，例如 1200 或 35.5")) from None
        if not value.is_finite():
            self.data = None
            raise ValueError(_l("请输入数字，例如 1200 或 35.5"))
        self.data = value

    def pre_validate(self, form):
        if self.data is not None and self.data < 0:
            raise ValidationError(_l("不能为负数"))
        if self.data is not None and self.data > self.maximum:
            raise ValidationError(_l("数值过大，请核对"))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:f}"


class StartForm(Form):
    programme = RadioField(_l("保障类别"), choices=[(p, PROGRAMME_LABELS[p]) for p in APPLICANT_PROGRAMMES],
                           validators=[DataRequired(_l("请选择保障类别"))],
                           validate_choice=False)
    street_id = SelectField(_l("户籍或居住地所在街道办事处"), coerce=_int_or_none, validate_choice=False,
                            description=_l("先找到所在的区（县、市），再选择街道办事处"))

    def validate_programme(self, field):
        if field.data not in APPLICANT_PROGRAMMES:
            raise ValidationError(_l("请选择保障类别"))


class AddressForm(Form):
    street_id = SelectField(_l("所在街道办事处"), coerce=_int_or_none, validate_choice=False,
                            description=_l("由该街道办事处受理您的申请"))
    address = StringField(_l("现居住地址"), validators=[DataRequired(_l("请填写现居住地址")),
                                                    Length(max=200, message=_l("地址不超过 200 个字"))])
    phone = TelField(_l("联系电话"), validators=[DataRequired(_l("请填写联系电话")),
                                                 Regexp(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
                                                        message=_l("请输入 11 位手机号码或带区号的固定电话"))])


class MemberForm(Form):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=64, message=_l("姓名过长"))])
    id_number = StringField(_l("居民身份证号码"), description=_l("18 位，出生日期将从号码中读取"),
                            validators=[DataRequired(_l("请填写身份证号码"))])
    relation = SelectField(_l("与主申请人的关系"), choices=list(RELATION_LABELS.items()), validate_choice=False)
    disability = BooleanField(_l("持有残疾人证"))

    def validate_relation(self, field):
        if field.data not in RELATION_LABELS:
            raise ValidationError(_l("请选择与申请人的关系"))


class HukouForm(Form):
    hukou_city = SelectField(_l("户籍所在城市"), validate_choice=False)
    hukou_type = RadioField(_l("户籍类型"), choices=[("urban", _l("城镇户籍")), ("rural", _l("农村户籍"))],
                            validate_choice=False, validators=[DataRequired(_l("请选择户籍类型"))])


class AssetsForm(Form):
    assets_yuan = AmountField(_l("家庭资产合计（元）"),
                              description=_l("存款、有价证券、车辆等的合计金额；没有请填 0"))


class EmploymentForm(Form):
    employed_locally = BooleanField(_l("主申请人与本市单位签订了劳动合同"))
    social_insurance_local = BooleanField(_l("主申请人在本市缴纳社会保险"))
    talent_category = SelectField(_l("人才类别"), validate_choice=False,
                                  description=_l("按人才认定证书上的类别选择"))
    tenure = RadioField(_l("保障方式"), validate_choice=False, choices=[
        ("rental", _l("租赁型（不超过 90 m²，只租不售）")),
        ("full_property", _l("完全产权型（按建设成本 × 1.03 购买）")),
        ("shared_ownership", _l("共有产权型（90–120 m²，按成本价购买，政府持有土地份额）")),
    ])


class PreferencesForm(Form):
    preferences = SelectMultipleField(_l("意向区（按优先顺序）"), validate_choice=False)
    accept_any_district = BooleanField(_l("服从调剂，任何区均可"))
    needs_accessible = BooleanField(_l("需要无障碍住房"))
    needs_low_floor = BooleanField(_l("需要低楼层或有电梯的住房"))
    prefers_dormitory = BooleanField(_l("希望入住宿舍型房源（20–45 m²）"))


class UploadForm(Form):
    kind = SelectField(_l("材料类别"), validate_choice=False, choices=list(DOCUMENT_KIND_LABELS.items()))
    file = FileField(_l("选择文件"), description=_l("PDF、JPEG 或 PNG"),
                     validators=[FileRequired(_l("请选择要上传的文件"))])
    replaces = HiddenField()


class SubmitForm(Form):
    token = HiddenField(validators=[Regexp(r"^[A-Za-z0-9_-]{20,64}$", message=_l("提交凭证无效，请刷新页面"))])
    acknowledge = BooleanField(_l("我已阅读上述不符合条件的原因，仍然提交申请"))


class AnswerForm(Form):
    answer = TextAreaField(_l("补充说明"), description=_l("说明您补充或修改了哪些内容"),
                           validators=[DataRequired(_l("请说明您补充或修改了什么")),
                                       Length(max=2000, message=_l("不超过 2000 字"))])


class DeclineForm(Form):
    reason = TextAreaField(_l("拒绝原因"), validators=[DataRequired(_l("请填写拒绝的原因")),
                                                    Length(max=1000, message=_l("不超过 1000 字"))])


class ConfirmForm(Form):
    """A bare form: CSRF protection for one-button actions."""


class IntakeStartForm(StartForm):
    username = StringField(_l("申请人的用户名（如已注册）"), description=_l("填写后申请人可在网上查看进度；没有可不填"),
                           validators=[Optional(), Length(max=64)])
    consent_code = StringField(_l("申请人的代办同意码"),
                               description=_l("申请人登录后在“我的申请”页生成的 6 位数字，15 分钟内有效；未填用户名可不填"),
                               validators=[Optional(), Length(max=16)])


def income_form(members, groups_visible: bool, formdata=None):
    """One amount per member (fields named by the member's id, so nothing can be posted for a stranger),
    plus the household's declared groups (低保, 特困, 低收入, 优抚)."""

    class IncomeForm(Form):
        pass

    for member in members:
        setattr(IncomeForm, f"income_{member.id}", AmountField(
            _l("%(name)s 的月收入（元）", name=member.name), description=_l("税前工资、经营、养老金等合计；没有收入填 0"),
            validators=[InputRequired(_l("请填写 %(name)s 的月收入；没有收入填 0", name=member.name))]))
    if groups_visible:
        IncomeForm.minimum_allowance = BooleanField(_l("享受最低生活保障（低保）"))
        IncomeForm.special_hardship = BooleanField(_l("特困供养人员"))
        IncomeForm.low_income = BooleanField(_l("低收入家庭"))
        IncomeForm.veteran_family = BooleanField(_l("优抚对象"))
    return IncomeForm(formdata=formdata) if formdata is not None else IncomeForm()


def housing_form(members):
    class HousingForm(Form):
        current_area_m2 = AmountField(_l("现住房建筑面积（m²）"), maximum=Decimal("100000"),
                                      description=_l("全家现在居住的住房面积合计；租住的也要填写；没有请填 0"))

    for member in members:
        setattr(HousingForm, f"owns_{member.id}", BooleanField(_l("%(name)s 在本市拥有住房", name=member.name)))
    return HousingForm()
