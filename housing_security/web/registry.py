"""The bureau's registry snapshots (数据共享核查): import with a dry run, the list of snapshots of its own city,
a snapshot's page with the households whose check changed, the layouts' templates, and the batch re-check."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from ..extensions import db
from ..models import REGISTRY_KINDS, Application, RegistryCheck, RegistrySnapshot, Role
from ..services import registry as registry_service
from ..services import registry_checks
from .access import allow, application_scope, city_code_of
from .case_forms import ConfirmForm
from .round_forms import _DateField

bp = Blueprint("registry", __name__, url_prefix="/bureau/registry")


class ImportForm(FlaskForm):
    kind = SelectField(_l("数据类别"), choices=[(k, registry_service.KIND_LABELS[k]) for k in REGISTRY_KINDS],
                       validators=[DataRequired(_l("请选择数据类别"))])
    source = StringField(_l("数据来源"), description=_l("提供部门与批次，例如：市民政局 2026 年 11 月低保名单"),
                         validators=[DataRequired(_l("请写明数据来源（提供部门、批次）")), Length(max=200)])
    as_of = _DateField(_l("快照日期"), description=_l("数据截至的日期"),
                       validators=[InputRequired(_l("此项为必填项。"))])
    file = FileField(_l("选择文件"), description=_l("CSV（UTF-8 或 GBK）或 XLSX，按该类别的模板填写"),
                     validators=[FileRequired(_l("请选择要导入的文件"))])
    dry_run = SubmitField(_l("试导入（只检查，不写入）"))
    confirm = SubmitField(_l("导入"))


def _snapshot_or_404(snapshot_id: int) -> RegistrySnapshot:
    snapshot = db.session.get(RegistrySnapshot, snapshot_id)
    if snapshot is None or snapshot.city_code != city_code_of(current_user):
        abort(404)
    return snapshot


def _render_index(form: ImportForm, result=None, status: int = 200):
    city = city_code_of(current_user)
    snapshots = db.session.scalars(
        select(RegistrySnapshot).where(RegistrySnapshot.city_code == city).options(
            joinedload(RegistrySnapshot.imported_by))
        .order_by(RegistrySnapshot.kind, RegistrySnapshot.as_of.desc(), RegistrySnapshot.id.desc())).all()
    current = {kind: registry_service.current_snapshot(city, kind) for kind in REGISTRY_KINDS}
    return render_template("registry/index.html", form=form, result=result, snapshots=snapshots,
                           current={k: s.id for k, s in current.items() if s is not None},
                           layouts=registry_service.LAYOUTS, kinds=REGISTRY_KINDS,
                           kind_labels=registry_service.KIND_LABELS, title=_("部门数据核查")), status


@bp.route("/")
@allow(Role.bureau_officer)
def index():
    return _render_index(ImportForm(formdata=None))


@bp.route("/import", methods=["POST"])
@allow(Role.bureau_officer)
def import_snapshot():
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_index(form, status=400)
    upload = form.file.data
    data = upload.read()
    dry_run = bool(form.dry_run.data) and not form.confirm.data
    try:
        result = registry_service.import_snapshot(
            city_code_of(current_user), form.kind.data, form.source.data, form.as_of.data, data,
            upload.filename or "", current_user, dry_run=dry_run)
    except registry_service.ImportRefused as refused:
        db.session.rollback()
        for name, message in refused.errors.items():
            getattr(form, name).errors = list(getattr(form, name).errors or []) + [message]
        return _render_index(form, status=400)
    if result.errors or dry_run:
        db.session.rollback()
        return _render_index(form, result=result, status=400 if result.errors else 200)
    snapshot = result.snapshot
    db.session.commit()
    counts = registry_checks.recheck_city(snapshot.city_code, date.today(), current_user, kinds=(snapshot.kind,))
    flash(_("已导入 %(n)s 条记录。已重新核查 %(checked)s 户，核查结果变化 %(changed)s 户。", n=snapshot.row_count,
            checked=counts["checked"], changed=counts["changed"]), "success")
    return redirect(url_for("registry.snapshot", snapshot_id=snapshot.id))


@bp.route("/template/<kind>.csv")
@allow(Role.bureau_officer)
def template(kind: str):
    if kind not in registry_service.LAYOUTS:
        abort(404)
    return Response(registry_service.template_csv(kind), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=registry-{kind}-template.csv"})


@bp.route("/<int:snapshot_id>")
@allow(Role.bureau_officer)
def snapshot(snapshot_id: int):
    snapshot = _snapshot_or_404(snapshot_id)
    current = registry_service.current_snapshot(snapshot.city_code, snapshot.kind)
    changed = db.session.scalars(
        select(RegistryCheck).join(Application).where(
            RegistryCheck.snapshot_id == snapshot.id, application_scope(current_user),
            RegistryCheck.changed_at >= snapshot.imported_at,
            or_(and_(RegistryCheck.previous_outcome.is_not(None), RegistryCheck.previous_outcome != RegistryCheck.outcome),
                and_(RegistryCheck.previous_outcome.is_(None), RegistryCheck.outcome == "mismatch")))
        .options(joinedload(RegistryCheck.application), joinedload(RegistryCheck.member))
        .order_by(RegistryCheck.blocking.desc(), RegistryCheck.application_id).limit(500)).all()
    return render_template("registry/snapshot.html", snapshot=snapshot, superseded=current.id != snapshot.id,
                           changed=changed, form=ConfirmForm(), kind_labels=registry_service.KIND_LABELS,
                           describe=registry_checks.describe, outcome_labels=registry_checks.OUTCOME_LABELS,
                           title=_("快照 %(kind)s %(day)s", kind=registry_service.KIND_LABELS[snapshot.kind],
                                   day=snapshot.as_of.isoformat()))


@bp.route("/<int:snapshot_id>/recheck", methods=["POST"])
@allow(Role.bureau_officer)
def recheck(snapshot_id: int):
    snapshot = _snapshot_or_404(snapshot_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("registry.snapshot", snapshot_id=snapshot.id))
    counts = registry_checks.recheck_city(snapshot.city_code, date.today(), current_user, kinds=(snapshot.kind,))
    flash(_("已重新核查 %(checked)s 户，核查结果变化 %(changed)s 户。", **counts), "success")
    return redirect(url_for("registry.snapshot", snapshot_id=snapshot.id))
