"""Translatable labels for the code names of the glossary, and each role's navigation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..models import Role
from .i18n import current_language

ROLE_LABELS = {
    "applicant": _l("申请人"),
    "street_caseworker": _l("街道经办人"),
    "district_reviewer": _l("区住房保障部门审核人"),
    "bureau_officer": _l("市住房保障部门经办人"),
    "administrator": _l("系统管理员"),
}

PROGRAMME_LABELS = {
    "public_rental": _l("公共租赁住房"),
    "subsidized_rental": _l("保障性租赁住房"),
    "talent": _l("人才住房"),
    "shared_ownership": _l("共有产权住房"),
}

STATUS_LABELS = {
    "draft": _l("草稿"),
    "returned": _l("待补充材料"),
    "street_review": _l("街道审核中"),
    "district_review": _l("区级审核中"),
    "bureau_review": _l("市级审批中"),
    "publicity": _l("公示中"),
    "waitlist": _l("轮候中"),
    "offered": _l("已发配租通知"),
    "awaiting_contract": _l("待签约"),
    "housed": _l("已入住"),
    "subsidised": _l("领取租赁补贴"),
    "rejected": _l("未通过"),
    "appeal": _l("复核中"),
    "suspended": _l("已暂停"),
    "exiting": _l("退出缓冲期"),
    "exited": _l("已退出"),
    "withdrawn": _l("已撤回"),
}

PRIORITY_LABELS = {
    "minimum_allowance": _l("低保"),
    "special_hardship": _l("特困"),
    "low_income": _l("低收入"),
    "elderly": _l("老年人家庭"),
    "disabled": _l("残疾人家庭"),
    "veteran_family": _l("优抚对象"),
    "general": _l("一般家庭"),
}

UNIT_STATUS_LABELS = {
    "vacant": _l("空置"),
    "reserved": _l("已预留"),
    "offered": _l("已发通知"),
    "awaiting_contract": _l("待签约"),
    "occupied": _l("已入住"),
    "maintenance": _l("维修中"),
    "withdrawn": _l("已退出保障房源"),
}

DOCUMENT_KIND_LABELS = {
    "id_card": _l("身份证"),
    "hukou_booklet": _l("户口簿"),
    "income_proof": _l("收入证明"),
    "allowance_certificate": _l("低保、特困或低收入证明"),
    "housing_proof": _l("住房情况证明"),
    "employment_proof": _l("劳动合同或社保缴纳证明"),
    "talent_certificate": _l("人才认定证书"),
    "disability_certificate": _l("残疾人证"),
    "other": _l("其他材料"),
}

RELATION_LABELS = {
    "self": _l("本人"),
    "spouse": _l("配偶"),
    "child": _l("子女"),
    "parent": _l("父母"),
    "other": _l("其他"),
}

# In-app notifications are stored as a message id and parameters, and rendered in the reader's language.
NOTIFICATION_MESSAGES = {
    "status_changed": _l("申请 %(reference)s 的状态变为：%(status)s"),
    "info_requested": _l("申请 %(reference)s 需要补充材料：%(message)s"),
    "offer_made": _l("申请 %(reference)s 获得配租通知，请在 %(deadline)s 前答复"),
    "round_unassigned": _l("申请 %(reference)s 本批次未获配租：%(reason)s"),
    "offer_expired": _l("申请 %(reference)s 的配租通知已于 %(deadline)s 逾期未答复，房源已收回。"),
    "subsidy_started": _l("申请 %(reference)s 自 %(start)s 起发放租赁补贴，每月 %(amount)s 元。"),
}

# How a contract's rent was fixed (services/contracts.py).
RENT_BASIS_LABELS = {
    "public_rental_rent": _l("公租房租金标准"),
    "subsidized_rental_ceiling": _l("保障性租赁住房租金（低于同地段市场租金上限）"),
    "talent_guide_price": _l("租赁型人才住房政府指导租金"),
    "sale_full_property": _l("完全产权型人才住房（成本价加成出售）"),
    "sale_shared_ownership": _l("共有产权型人才住房（按成本价出售）"),
}

NAV_LINKS = {
    Role.applicant: [("applicant.home", _l("我的申请"))],
    Role.street_caseworker: [("cases.inbox", _l("案件")), ("intake.index", _l("窗口代办"))],
    Role.district_reviewer: [("cases.inbox", _l("案件"))],
    Role.bureau_officer: [("bureau.dashboard", _l("概览")), ("cases.inbox", _l("案件")),
                          ("bureau.units", _l("房源"))],
    Role.administrator: [("admin.home", _l("用户")), ("admin.parameters", _l("政策参数"))],
}


_TRANSLATED: dict[tuple[int, str, str], tuple[dict, str]] = {}


# What a conditional proof depends on (policy/documents.py), as the notice says it: "如申报……".
CIRCUMSTANCE_LABELS = {
    "minimum_allowance": _l("申报低保的"),
    "special_hardship": _l("申报特困的"),
    "low_income": _l("申报低收入的"),
    "veteran_family": _l("申报优抚对象的"),
    "disability": _l("家庭成员持有残疾人证的"),
}

# The applicant's stepper (services/progress.py): stages and the state of each.
STAGE_LABELS = {
    "street_review": _l("街道审核"),
    "district_review": _l("区级审核"),
    "bureau_review": _l("市级审批"),
    "publicity": _l("公示"),
    "waitlist": _l("轮候"),
    "housed": _l("配租"),
}
STEP_STATE_LABELS = {
    "done": _l("已完成"),
    "current": _l("当前步骤"),
    "upcoming": _l("待办理"),
    "stopped": _l("未进行"),
}


def label(table: dict, code) -> str:
    """The label of a code in the reader's language. The catalogues do not change while the app runs, so each
    (table, code, language) is translated once per process: a page of 50 cases shows hundreds of labels."""
    if not code:
        return "—"
    key = (id(table), str(code), current_language())
    entry = _TRANSLATED.get(key)
    if entry is None or entry[0] is not table:  # the table itself is kept, so its id cannot be reused
        entry = _TRANSLATED[key] = (table, str(table.get(code, code)))
    return entry[1]


def notification_text(notification) -> str:
    template = NOTIFICATION_MESSAGES.get(notification.message_id)
    if template is None:
        return notification.message_id
    params = dict(notification.params or {})
    if "status" in params:
        params["status"] = label(STATUS_LABELS, params["status"])
    if isinstance(params.get("reason"), dict):  # an allocation round's explanation (allocation/messages.py)
        from flask_babel import get_locale

        from ..allocation.messages import render

        params["reason"] = render(params["reason"], "en" if str(get_locale()) == "en" else "zh")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def init_app(app) -> None:
    @app.context_processor
    def labels():
        return {
            "role_label": lambda code: label(ROLE_LABELS, code),
            "programme_label": lambda code: label(PROGRAMME_LABELS, code),
            "status_label": lambda code: label(STATUS_LABELS, code),
            "priority_label": lambda code: label(PRIORITY_LABELS, code),
            "unit_status_label": lambda code: label(UNIT_STATUS_LABELS, code),
            "relation_label": lambda code: label(RELATION_LABELS, code),
            "document_kind_label": lambda code: label(DOCUMENT_KIND_LABELS, code),
            "rent_basis_label": lambda code: label(RENT_BASIS_LABELS, code),
            "stage_label": lambda code: label(STAGE_LABELS, code),
            "circumstance_label": lambda code: label(CIRCUMSTANCE_LABELS, code),
            "step_state_label": lambda code: label(STEP_STATE_LABELS, code),
            "notification_text": notification_text,
            "nav_links": lambda: NAV_LINKS.get(current_user.role_enum, []) if current_user.is_authenticated else [],
        }

# Review workflow screens of the bureau (issue #5).
NAV_LINKS[Role.bureau_officer] += [("bureau.reverification_list", _l("年审")), ("bureau.early_warning", _l("应保尽保预警"))]

# Allocation rounds (配租批次) of the bureau.
NAV_LINKS[Role.bureau_officer] += [("rounds.index", _l("配租批次"))]

# Keeping the stock: projects, buildings, units and the bulk import.
NAV_LINKS[Role.bureau_officer] += [("stock.index", _l("房源管理"))]

# The public lottery (摇号) of cities that order their waiting list by lot.
NAV_LINKS[Role.bureau_officer] += [("lottery.manage", _l("公开摇号"))]

# The cities side by side, for administrators (the province's or a city's).
NAV_LINKS[Role.administrator] += [("province.overview", _l("各市指标"))]

# Statistical reports (统计报表), XLSX.
NAV_LINKS[Role.bureau_officer] += [("reports.index", _l("统计报表"))]
NAV_LINKS[Role.administrator] += [("reports.index", _l("统计报表"))]

# The policy lab (政策实验室): a parameter change simulated before it is adopted.
NAV_LINKS[Role.administrator] += [("lab.index", _l("政策实验室"))]

# Registry snapshots and cross-checks (数据共享核查, plan §4(6)).
NAV_LINKS[Role.bureau_officer] += [("registry.index", _l("部门数据"))]
NAV_LINKS[Role.administrator] += [("admin_api.index", _l("接口客户端"))]

# Operations after a round (issue #8): contracts awaiting signature.
NAV_LINKS[Role.bureau_officer] += [("tenancies.desk", _l("待签约")), ("subsidies.index", _l("租赁补贴发放")),
                                   ("rent.roll", _l("租金台账"))]
NAV_LINKS[Role.street_caseworker] += [("tasks.index", _l("退出核查任务"))]
