"""Forms of the staff case screens and of the public/applicant steps that feed them (objection, 复核)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..services.review import REASON_MIN_LENGTH

_REQUIRED = _l("此项为必填项。")


def _length(minimum: int, maximum: int = 2000):
    return Length(min=minimum, max=maximum, message=_l("请填写 %(min)d 至 %(max)d 个字。"))


class InfoRequestForm(FlaskForm):
    message = TextAreaField(_l("需要补充的材料"), validators=[DataRequired(_REQUIRED), _length(4)],
                            description=_l("写明缺少或需要重新提交的材料，申请人会原样看到这段话。"))


class AdvanceForm(FlaskForm):
    note = TextAreaField(_l("审核意见（可选）"), validators=[Optional(), Length(max=2000)])


class RejectForm(FlaskForm):
    reasons = TextAreaField(_l("不予通过的理由"), validators=[DataRequired(_REQUIRED), _length(REASON_MIN_LENGTH)],
                            description=_l("理由会告知申请人，并作为复核的依据。"))


class ResolveObjectionForm(FlaskForm):
    decision = RadioField(_l("核查结论"), choices=[("dismissed", _l("异议不成立，继续公示")),
                                                  ("upheld", _l("异议成立，不予通过"))],
                          validators=[DataRequired(_l("请选择核查结论。"))])
    outcome = TextAreaField(_l("核查结果"), validators=[DataRequired(_REQUIRED), _length(REASON_MIN_LENGTH)])


class AppealDecisionForm(FlaskForm):
    decision = RadioField(_l("复核结论"), choices=[("uphold", _l("维持不予通过的决定")),
                                                  ("overturn", _l("撤销原决定，恢复审核"))],
                          validators=[DataRequired(_l("请选择复核结论。"))])
    reason = TextAreaField(_l("复核意见"), validators=[DataRequired(_REQUIRED), _length(REASON_MIN_LENGTH)])


class DeclineReviewForm(FlaskForm):
    """The street caseworker's review of a declined offer: justified (not counted) or not, with a written note."""
    decision = RadioField(_l("审核结论"), choices=[("justified", _l("有正当理由，不计入拒绝次数")),
                                                  ("unjustified", _l("无正当理由，计入拒绝次数"))],
                          validators=[DataRequired(_l("请选择审核结论。"))])
    note = TextAreaField(_l("审核说明"), validators=[DataRequired(_REQUIRED), _length(REASON_MIN_LENGTH)],
                         description=_l("写明核实了什么（如医疗证明、照料关系），会记入案件记录。"))


class ConfirmForm(FlaskForm):
    """A POST with only the CSRF token (re-run the engine, reveal an ID number, end publicity)."""


class ObjectionForm(FlaskForm):
    content = TextAreaField(_l("异议内容"), validators=[DataRequired(_REQUIRED), _length(10)],
                            description=_l("请具体说明情况，例如房产、收入或户籍方面的事实。"))
    name = StringField(_l("姓名（可不填）"), validators=[Optional(), Length(max=64)])
    contact = StringField(_l("联系方式（可不填）"), validators=[Optional(), Length(max=64)],
                          description=_l("留下电话便于核查人员向您了解情况；不会公开。"))


class AppealRequestForm(FlaskForm):
    reason = TextAreaField(_l("申请复核的理由"), validators=[DataRequired(_REQUIRED), _length(4)],
                           description=_l("说明您认为审核结果有误的原因，可补充说明新的情况。"))


class RegistryResolutionForm(FlaskForm):
    """The caseworker's written decision on a mismatch with another department's registry (plan §4(6))."""
    resolution = RadioField(_l("处理结论"), choices=[("registry_confirmed", _l("以部门数据为准（更正申报）")),
                                                 ("declaration_upheld", _l("维持申报（部门数据不适用）"))],
                            validators=[DataRequired(_l("请选择处理结论。"))])
    reason = TextAreaField(_l("处理理由"), validators=[DataRequired(_REQUIRED), _length(REASON_MIN_LENGTH)],
                           description=_l("写明核实了什么（如已出售房产的证明），会记入案件记录。"))
