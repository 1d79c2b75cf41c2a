"""Allocation rounds (配租批次) for the bureau officers of one city: create, run (outside the request), compare
with first-come-first-served, read why households and units were left out, publish, cancel, export."""
from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..allocation.messages import render as render_reason
from ..extensions import db
from ..models import (
    AllocationRound,
    Application,
    Assignment,
    Building,
    Jurisdiction,
    Project,
    Role,
    Unit,
)
from ..services import round_runner
from ..services import rounds as service
from . import round_insight
from .access import allow, city_code_of
from .exports import csv_response
from .idempotency import claim, idempotent
from .labels import PROGRAMME_LABELS
from .round_forms import ConfirmForm, RoundForm

bp = Blueprint("rounds", __name__, url_prefix="/bureau/rounds")

ROUND_STATUS_LABELS = {"draft": _l("待运行"), "solved": _l("已求解，待发布"), "published": _l("已发布"),
                       "cancelled": _l("已取消")}
STAGE_LABELS = {"queued": _l("排队中"), "instance": _l("读取房源和轮候家庭"), "classes": _l("合并同类房源和家庭"),
                "due/housed/seniority": _l("求解：到期家庭、配租套数、轮候顺序"),
                "preference/fit": _l("求解：意向区域、面积匹配"), "fifo": _l("计算先到先得对照方案"),
                "explain": _l("生成未配租原因"), "save": _l("保存结果"), "done": _l("完成"),
                "publish_check": _l("发布中：核对房源和家庭状态"), "publish_offers": _l("发布中：发出配租通知"),
                "publish_subsidies": _l("发布中：发放租赁补贴"), "publish_explain": _l("发布中：告知未配租家庭原因")}
ERROR_MESSAGES = {
    "not_offered": _l("本市未开办该保障类别。"),
    "not_after_round": _l("下一批次日期须晚于本批次配租日期。"),
    "not_runnable": _l("该批次已发布或已取消，不能再运行。"),
    "not_publishable": _l("只有已求解、尚未发布的批次可以发布。"),
    "not_cancellable": _l("已发布的批次不能取消：配租通知已经发出。"),
    "stale": _l("求解后有房源或家庭的状态发生了变化，请重新运行本批次后再发布。"),
    "not_found": _l("找不到该批次。"),
    "worker_lost": _l("后台任务中断（执行它的进程已停止），批次保持原样，可以重新开始。"),
}
TABLE_LIMIT = 300


def _language() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def _round_or_404(round_id: int) -> AllocationRound:
    rnd = db.session.scalar(select(AllocationRound).where(AllocationRound.id == round_id,
                                                          AllocationRound.city_code == city_code_of(current_user)))
    if rnd is None:
        abort(404)
    return rnd


def _programme_choices(city_code: str, as_of: date) -> list[tuple[str, str]]:
    return [(code, str(PROGRAMME_LABELS.get(code, code))) for code in service.programmes_offered(city_code, as_of)]


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@bp.route("/")
@allow(Role.bureau_officer)
def index():
    rounds = db.session.scalars(select(AllocationRound).where(AllocationRound.city_code == city_code_of(current_user))
                                .order_by(AllocationRound.round_date.desc(), AllocationRound.id.desc())).all()
    return render_template("rounds/index.html", rounds=rounds, status_labels=ROUND_STATUS_LABELS,
                           title=_("配租批次"))


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.bureau_officer)
@idempotent("rounds.index")
def new():
    city_code, today = city_code_of(current_user), date.today()
    form = RoundForm(_programme_choices(city_code, today))
    if request.method == "GET":
        form.round_date.data, form.next_round_date.data = today, _first_of_next_month(today)
        form.programme.data = "public_rental"
    if form.validate_on_submit():
        try:
            claim()
            rnd = service.create_round(city_code, form.programme.data, form.round_date.data,
                                       form.next_round_date.data, current_user)
        except service.RoundError as error:
            getattr(form, error.field, form.programme).errors.append(str(ERROR_MESSAGES.get(error.code, error.code)))
        else:
            round_id = rnd.id
            _start(round_id)
            return redirect(url_for("rounds.show", round_id=round_id))
    return render_template("rounds/new.html", form=form, title=_("新建配租批次")), (400 if form.errors else 200)


def _district_names() -> dict[str, str]:
    lang = _language()
    return {j.code: j.name(lang) for j in db.session.scalars(select(Jurisdiction).where(
        Jurisdiction.kind == "district"))}


def _reason_text(reason: dict | None, districts: dict[str, str]) -> str:
    if not reason:
        return "—"
    reason = {"code": reason.get("code"), "params": dict(reason.get("params") or {})}
    if reason["params"].get("district") in districts:
        reason["params"]["district"] = districts[reason["params"]["district"]]
    try:
        return render_reason(reason, _language())
    except KeyError:
        return str(reason.get("code"))


def _units_by_id(ids) -> dict[int, Unit]:
    ids = [int(i) for i in ids]
    if not ids:
        return {}
    units = db.session.scalars(select(Unit).options(joinedload(Unit.building).joinedload(Building.project)
                                                    .joinedload(Project.district)).where(Unit.id.in_(ids)))
    return {u.id: u for u in units}


def _references(ids) -> dict[int, str]:
    ids = [int(i) for i in ids]
    if not ids:
        return {}
    return dict(db.session.execute(select(Application.id, Application.reference).where(Application.id.in_(ids))).all())


def _assignment_rows(rnd: AllocationRound) -> list[dict]:
    rows = db.session.scalars(
        select(Assignment).options(joinedload(Assignment.application),
                                   joinedload(Assignment.unit).joinedload(Unit.building).joinedload(Building.project)
                                   .joinedload(Project.district))
        .where(Assignment.round_id == rnd.id)).all()
    lang = _language()
    out = [{"reference": a.application.reference, "rank": a.application.queue_rank, "unit": a.unit.label,
            "district": a.unit.building.project.district.name(lang), "area_m2": a.unit.area_m2,
            "preference_rank": a.preference_rank, "application_id": a.application_id} for a in rows]
    instance_ranks = {h["id"]: h["rank"] for h in (rnd.instance or {}).get("households", [])}
    for row in out:
        row["rank"] = instance_ranks.get(str(row["application_id"]), row["rank"])
    return sorted(out, key=lambda r: (r["rank"] or 0, r["reference"]))


@bp.route("/<int:round_id>")
@allow(Role.bureau_officer)
def show(round_id: int):
    rnd = _round_or_404(round_id)
    progress_state = round_runner.progress_of(rnd.id)
    running = bool(progress_state and progress_state["state"] == "running")
    result = rnd.result or {}
    districts = _district_names()
    unassigned = result.get("subsidies", []) + result.get("unassigned", [])
    shown = unassigned[:TABLE_LIMIT]
    refs = _references([e["household"] for e in shown])
    households = [{"reference": refs.get(int(e["household"]), e["household"]),
                   "subsidy": e.get("amount_month"), "reason": _reason_text(e.get("reason"), districts)}
                  for e in shown]
    vacant = result.get("vacant", [])[:TABLE_LIMIT]
    units = _units_by_id(v["unit"] for v in vacant)
    vacant_rows = [{"unit": units[int(v["unit"])].label if int(v["unit"]) in units else v["unit"],
                    "district": units[int(v["unit"])].building.project.district.name(_language())
                    if int(v["unit"]) in units else "—",
                    "area_m2": units[int(v["unit"])].area_m2 if int(v["unit"]) in units else None,
                    "reason": _reason_text(v.get("reason"), districts)} for v in vacant]
    return render_template(
        "rounds/show.html", rnd=rnd, result=result, status_labels=ROUND_STATUS_LABELS,
        progress=progress_state, running=running,
        publishing=bool(progress_state and progress_state.get("kind") == "publish"),
        assignments=_assignment_rows(rnd) if rnd.status in ("solved", "published") else [],
        households=households, households_total=len(unassigned), vacant=vacant_rows,
        vacant_total=len(result.get("vacant", [])), limit=TABLE_LIMIT, form=ConfirmForm(),
        verdicts=round_insight.verdicts(rnd.comparison), tier_chart=round_insight.tier_chart(rnd.comparison),
        title=_("配租批次 %(id)s", id=rnd.id))


@bp.route("/<int:round_id>/progress")
@allow(Role.bureau_officer)
def progress(round_id: int):
    rnd = _round_or_404(round_id)
    state = round_runner.progress_of(rnd.id)
    if state is None:  # no job for this round (created before the job table): the round says how far it got
        state = {"state": "done" if rnd.status in ("solved", "published") else "idle",
                 "percent": 100 if rnd.status in ("solved", "published") else 0, "stage": None}
    error = state.get("error")
    return jsonify({"round": rnd.id, "status": rnd.status, "kind": state.get("kind", "run"),
                    "result": state.get("result"), "state": state["state"], "percent": state.get("percent", 0),
                    "stage": state.get("stage"), "label": str(STAGE_LABELS.get(state.get("stage"), "")),
                    "error": str(ERROR_MESSAGES.get(error, _("运行失败，请稍后重试或联系管理员。"))) if error else None})


def _start(round_id: int, kind: str = "run") -> bool:
    """Queue the run (or the publication) as a job (services/round_runner.py). This request's transaction ends
    first: with SQLite every writing transaction holds the write lock (extensions.py), and the job needs it."""
    actor = current_user._get_current_object()
    db.session.rollback()
    return round_runner.start(round_id, actor, kind) is not None


def _published_message(outcome: dict) -> str:
    return _("已发布：发出 %(offers)d 份配租通知，%(subsidies)d 户到期家庭开始领取租赁补贴。",
             offers=outcome["offers"], subsidies=outcome["subsidies"])


def _confirmed() -> bool:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("请求已过期，请刷新页面后重试。"), "error")
        return False
    return True


@bp.route("/<int:round_id>/run", methods=["POST"])
@allow(Role.bureau_officer)
def run(round_id: int):
    rnd = _round_or_404(round_id)
    if _confirmed():
        if rnd.status not in ("draft", "solved"):
            flash(str(ERROR_MESSAGES["not_runnable"]), "error")
        elif not _start(rnd.id):
            flash(_("该批次正在运行。"), "warning")
    return redirect(url_for("rounds.show", round_id=rnd.id))


@bp.route("/<int:round_id>/publish", methods=["POST"])
@allow(Role.bureau_officer)
def publish(round_id: int):
    """Publishing is a background job like a run (services/round_runner.py, kind "publish"); the round page
    shows its progress, then the outcome. `publish_round` itself is one all-or-nothing transaction."""
    rnd = _round_or_404(round_id)
    if _confirmed():
        if rnd.status != "solved":
            flash(str(ERROR_MESSAGES["not_publishable"]), "error")
        elif not _start(rnd.id, "publish"):
            flash(_("该批次正在运行。"), "warning")
        else:
            state = round_runner.progress_of(round_id) or {}
            if state.get("state") == "done" and state.get("result"):  # finished already (synchronous in tests)
                flash(_published_message(state["result"]), "success")
            elif state.get("state") == "error":
                flash(str(ERROR_MESSAGES.get(state.get("error"), _("发布失败，没有发出任何配租通知。"))), "error")
            else:
                flash(_("正在发布，完成后本页显示结果。"), "info")
    return redirect(url_for("rounds.show", round_id=round_id))


@bp.route("/<int:round_id>/cancel", methods=["POST"])
@allow(Role.bureau_officer)
def cancel(round_id: int):
    rnd = _round_or_404(round_id)
    if _confirmed():
        try:
            service.cancel_round(rnd.id, current_user)
        except service.RoundError as error:
            flash(str(ERROR_MESSAGES.get(error.code, error.code)), "error")
        else:
            flash(_("批次已取消。"), "success")
    return redirect(url_for("rounds.show", round_id=round_id))


@bp.route("/<int:round_id>/assignments.csv")
@allow(Role.bureau_officer)
def assignments_csv(round_id: int):
    rnd = _round_or_404(round_id)
    header = [_("轮候序号"), _("申请编号"), _("房源"), _("区域"), _("面积（m²）"), _("意向顺位")]
    rows = ([row["rank"], row["reference"], row["unit"], row["district"], f"{row['area_m2']:.1f}",
             row["preference_rank"]] for row in _assignment_rows(rnd))
    return csv_response(header, rows, f"round-{rnd.id}-assignments.csv")


def _json_download(data, name: str) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/<int:round_id>/instance.json")
@allow(Role.bureau_officer)
def instance_json(round_id: int):
    rnd = _round_or_404(round_id)
    instance = rnd.instance
    if instance is None:
        abort(404)
    # The canonical bytes themselves, so that `sha256sum` of the download equals the round's instance hash.
    return Response(service.canonical_json(instance), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=round-{rnd.id}-instance.json"})


@bp.route("/<int:round_id>/result.json")
@allow(Role.bureau_officer)
def result_json(round_id: int):
    rnd = _round_or_404(round_id)
    result = rnd.result
    if result is None:
        abort(404)
    return _json_download(result, f"round-{rnd.id}-result.json")


@bp.app_context_processor
def round_indicators():
    """`last_round_indicators()` for the bureau dashboard (templates/rounds/_indicators.html)."""

    def last_round_indicators():
        if not current_user.is_authenticated or current_user.role_enum is not Role.bureau_officer:
            return None
        return service.last_published_round(city_code_of(current_user))

    return {"last_round_indicators": last_round_indicators}
