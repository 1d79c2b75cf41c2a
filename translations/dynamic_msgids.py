"""Message ids that the code translates from a variable, so the extractor cannot see them.

Never imported; `babel.cfg` points the extractor at this file so these ids reach the catalogues.
Keep the list in step with the code it names.
"""


def _(message):  # the marker the extractor looks for
    return message


# housing_security/web/cases.py: CSV_HEADER is translated with `_(h) for h in CSV_HEADER`.
CSV_HEADER = (
    _("编号"), _("申请人"), _("身份证号"), _("保障类别"), _("街道"), _("状态"), _("提交日期"), _("审核期限"),
    _("剩余工作日"), _("未处理异议"),
)
