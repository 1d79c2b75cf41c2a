"""Checking a case against the other departments' registries (plan §4(6): 加强部门之间互联互通, 动态化跟踪收入状况、
居住状况): at submission, before approval, at every 年审, and in a batch when a new snapshot arrives.

Each member is checked against the newest snapshot of each kind: match / mismatch / not found / no snapshot.
A mismatch whose registry value would change the engine's decision (eligible, or the priority group) is
`blocking`: a task for the caseworker that blocks approval (and the 年审's renewal) until resolved with a
written reason. Resolving it as "the registry is right" corrects the declaration, re-runs the engine and, for a
household already covered, re-verifies it (an exit starts with the city's buffer period).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import ACTIVE_STATUSES, REGISTRY_KINDS, Application, AuditLog, Household, Member, RegistryCheck, User
from ..models._types import utcnow
from . import audit, eligibility
from .parameters import effective_pack
from .registry import ASSISTANCE_GROUPS, KIND_LABELS, current_snapshot, records_for
from .review import ReviewError

OUTCOME_LABELS = {"match": _l("一致"), "mismatch": _l("不一致"), "not_found": _l("未查到"),
                  "no_snapshot": _l("暂无快照")}
RESOLUTION_LABELS = {"registry_confirmed": _l("以部门数据为准（更正申报）"),
                     "declaration_upheld": _l("维持申报（部门数据不适用）")}
GROUP_FLAGS = tuple(ASSISTANCE_GROUPS.values())
COVERED_STATUSES = ("housed", "waitlist", "subsidised")
REASON_MIN_LENGTH = 10


# ---- what a member declared and what the registry says, per kind ---------------------------------

def _declared(kind: str, household: Household, member: Member) -> dict:
    if kind == "assistance":
        return {"group": next((g for g in GROUP_FLAGS if getattr(household, g)), None)}
    if kind == "property":
        return {"owns_home": bool(member.owns_home_in_city)}
    if kind == "social_insurance":
        return {"insured": bool(member.social_insurance_local)}
    if kind == "hukou":
        return {"hukou_city": household.hukou_city, "hukou_type": household.hukou_type}
    return {"category": member.talent_category or None}


def _registry(kind: str, record, as_of: date) -> dict:
    data = dict(record.data or {})
    if kind == "assistance":
        return {"group": data.get("group"), "since": data.get("since")}
    if kind == "property":
        return {"owns_home": True, "address": data.get("address"), "area_m2": data.get("area_m2"),
                "registered_on": data.get("registered_on")}
    if kind == "social_insurance":
        return {"insured": bool(data.get("insured")), "months": data.get("months"), "employer": data.get("employer")}
    if kind == "hukou":
        return {"hukou_city": data.get("hukou_city"), "hukou_type": data.get("hukou_type")}
    valid_until = data.get("valid_until")
    expired = bool(valid_until) and date.fromisoformat(valid_until) < as_of
    return {"category": None if expired else data.get("category"), "certified_on": data.get("certified_on"),
            "valid_until": valid_until, "expired": expired}


# The registry's answer for a person it does not list, where the absence itself says something.
def _absent(kind: str, declared: dict, city_code: str) -> Optional[dict]:
    if kind == "assistance" and declared["group"]:
        return {"group": None}
    if kind == "social_insurance" and declared["insured"]:
        return {"insured": False}
    if kind == "hukou" and declared["hukou_city"] == city_code:
        return {"hukou_city": None, "hukou_type": None}
    if kind == "talent" and declared["category"]:
        return {"category": None}
    return None  # property: no record agrees with "owns nothing"


_COMPARED = {"assistance": ("group",), "property": ("owns_home",), "social_insurance": ("insured",),
             "hukou": ("hukou_city", "hukou_type"), "talent": ("category",)}


def _outcome(kind: str, declared: dict, registry: Optional[dict]) -> str:
    return "match" if all(declared[k] == registry.get(k) for k in _COMPARED[kind]) else "mismatch"


def _apply(kind: str, data: dict, member_index: int, registry: dict, relation: str) -> None:
    """Put the registry's value into the engine's household dict (the registry's view of the household)."""
    m = data["members"][member_index]
    if kind == "assistance":
        data["groups"] = {**data["groups"], **{g: registry.get("group") == g for g in GROUP_FLAGS}}
    elif kind == "property":
        m["owns_home_in_city"] = bool(registry.get("owns_home"))
        if registry.get("area_m2"):  # the household's housing area is at least the registered flat's
            data["current_area_m2"] = str(max(Decimal(data["current_area_m2"]), Decimal(registry["area_m2"])))
    elif kind == "social_insurance":
        m["social_insurance_local"] = bool(registry.get("insured"))
    elif kind == "hukou" and relation == "self":
        data["hukou_city"] = registry.get("hukou_city") or "unknown"
        data["hukou_type"] = registry.get("hukou_type") or data["hukou_type"]
    elif kind == "talent":
        m["talent_category"] = registry.get("category")


def _summary(decision: policy.Decision) -> tuple:
    return decision.eligible, (decision.priority_groups[0] if decision.priority_groups else "general")


def _impact(application: Application, kind: str, mismatches: list[tuple[int, dict, str]], as_of: date) -> bool:
    """Would the registry's values change the engine's decision (eligible, priority group)?"""
    if not mismatches:
        return False
    pack = effective_pack(application.city_code)
    declared = eligibility.policy_household(application.household).to_dict()
    view = eligibility.policy_household(application.household).to_dict()
    for index, registry, relation in mismatches:
        _apply(kind, view, index, registry, relation)
    try:
        before = policy.evaluate(policy.Household.from_dict(declared), application.programme, pack, as_of,
                                 tenure=application.tenure)
        after = policy.evaluate(policy.Household.from_dict(view), application.programme, pack, as_of,
                                tenure=application.tenure)
    except policy.PolicyError:
        return True  # the engine cannot even read the registry's view: a person must look at it
    return _summary(before) != _summary(after)


# ---- running the checks -------------------------------------------------------------------------

def certified_list_applies(city_code: str, as_of: date) -> bool:
    pack = effective_pack(city_code)
    return "talent.certified_list" in pack.params and bool(pack.value("talent.certified_list", as_of))


def certified_talent(application: Application, as_of: date) -> Optional[dict]:
    """What the employment section shows where the city's talent category comes from the certified list
    (`talent.certified_list`, plan §4(4) 人才住房与人才政策相衔接): the main applicant's entry in the newest
    certified-talent snapshot. None where the applicant still chooses (no list in the city, or none imported yet).
    Returns {"snapshot", "as_of", "source", "listed", "category", "expired", "valid_until"}; never an ID number."""
    if not certified_list_applies(application.city_code, as_of):
        return None
    snapshot = current_snapshot(application.city_code, "talent")
    if snapshot is None:
        return None
    main = application.household.main_applicant
    record = records_for(snapshot, [main.id_number]).get(main.id_number) if main is not None else None
    facts = _registry("talent", record, as_of) if record is not None else {"category": None}
    return {"snapshot": snapshot, "as_of": snapshot.as_of, "source": snapshot.source, "listed": record is not None,
            "category": facts.get("category"), "expired": bool(facts.get("expired")),
            "valid_until": facts.get("valid_until")}


def take_talent_categories(application: Application, as_of: date, actor: Optional[User]) -> int:
    """Where the city says so (`talent.certified_list`), a member's talent category is the certified list's,
    not the applicant's choice. Returns how many members changed (each change audited)."""
    if not certified_list_applies(application.city_code, as_of):
        return 0
    snapshot = current_snapshot(application.city_code, "talent")
    if snapshot is None:
        return 0
    members = application.household.members
    records = records_for(snapshot, [m.id_number for m in members])
    changed = 0
    for member in members:
        record = records.get(member.id_number)
        category = _registry("talent", record, as_of)["category"] if record else None
        if (member.talent_category or None) != category:
            audit.record("member.talent_category_from_registry", member, actor=actor, application_id=application.id,
                         before=member.talent_category, after=category, snapshot_id=snapshot.id)
            member.talent_category = category
            changed += 1
    return changed


def check_application(application: Application, occasion: str, as_of: Optional[date] = None,
                      actor: Optional[User] = None, kinds: Iterable[str] = REGISTRY_KINDS) -> list[RegistryCheck]:
    """Check every member against the newest snapshot of each kind; keeps one row per member and kind.

    A row whose outcome, declaration and registry values are unchanged keeps its resolution; a changed one
    records its previous outcome and, if blocking, is a new task. Returns the rows that changed."""
    as_of = as_of or date.today()
    household = application.household
    members = list(household.members)
    existing = {(c.member_id, c.kind): c for c in db.session.scalars(
        select(RegistryCheck).where(RegistryCheck.application_id == application.id))}
    changed: list[RegistryCheck] = []
    now = utcnow()
    for kind in kinds:
        snapshot = current_snapshot(application.city_code, kind)
        records = records_for(snapshot, [m.id_number for m in members]) if snapshot else {}
        results = []
        for index, member in enumerate(members):
            declared = _declared(kind, household, member)
            if snapshot is None:
                results.append((index, member, "no_snapshot", declared, {}))
                continue
            record = records.get(member.id_number)
            if record is not None:
                registry = _registry(kind, record, as_of)
                results.append((index, member, _outcome(kind, declared, registry), declared, registry))
                continue
            absent = _absent(kind, declared, application.city_code)
            results.append((index, member, "mismatch" if absent else "not_found", declared, absent or {}))
        mismatches = [(i, reg, m.relation) for i, m, outcome, _, reg in results if outcome == "mismatch"]
        blocking = _impact(application, kind, mismatches, as_of)
        for _index, member, outcome, declared, registry in results:
            row = existing.get((member.id, kind))
            is_blocking = blocking and outcome == "mismatch"
            if row is not None and (row.outcome, row.declared, row.registry) == (outcome, declared, registry):
                row.checked_at, row.occasion = now, occasion
                row.snapshot_id = snapshot.id if snapshot else None
                if row.resolved_at is None:
                    row.blocking = is_blocking
                continue
            if row is not None and row.resolution == "registry_confirmed" and outcome == "match" \
                    and row.registry == registry:
                # The declaration was corrected to the registry's value: the check now agrees, and the
                # confirmation (what the decision rests on) stays on the record.
                row.previous_outcome, row.outcome, row.declared = row.outcome, outcome, declared
                row.checked_at, row.occasion, row.blocking = now, occasion, False
                continue
            if row is None:
                row = RegistryCheck(application_id=application.id, member_id=member.id, kind=kind)
                db.session.add(row)
            else:
                row.previous_outcome = row.outcome
            row.snapshot_id = snapshot.id if snapshot else None
            row.outcome, row.declared, row.registry = outcome, declared, registry
            row.occasion, row.checked_at, row.changed_at = occasion, now, now
            row.blocking = is_blocking
            row.resolution = row.resolution_reason = None
            row.resolved_by_id = row.resolved_at = None
            changed.append(row)
    db.session.flush()
    if changed:
        audit.record("registry.check", application, actor=actor, occasion=occasion, as_of=as_of,
                     changed=[{"member_id": c.member_id, "kind": c.kind, "outcome": c.outcome,
                               "previous": c.previous_outcome, "blocking": c.blocking} for c in changed])
    return changed


def checks_of(application: Application) -> list[RegistryCheck]:
    rows = db.session.scalars(select(RegistryCheck).where(RegistryCheck.application_id == application.id)).all()
    order = {k: i for i, k in enumerate(REGISTRY_KINDS)}
    positions = {m.id: m.position for m in application.household.members}
    return sorted(rows, key=lambda c: (positions.get(c.member_id, 0), c.member_id, order[c.kind]))


def open_tasks(application: Application) -> list[RegistryCheck]:
    return [c for c in checks_of(application) if c.open_task]


def require_no_open_tasks(application: Application) -> None:
    if open_tasks(application):
        raise ReviewError(_l("部门数据核查发现影响资格的不一致，须先处理核查任务。"))


def resolve(check: RegistryCheck, actor: User, resolution: str, reason: str, today: Optional[date] = None) -> str:
    """The caseworker's written decision on a blocking mismatch (audited). "registry_confirmed" corrects the
    declaration to the registry's value and re-runs the engine; a covered household is re-verified, so a
    tenant who now owns a flat enters the exit buffer. Returns the case's status afterwards."""
    from . import reverification

    today = today or date.today()
    if not check.open_task:
        raise ReviewError(_l("该核查任务已处理。"))
    if resolution not in RESOLUTION_LABELS:
        raise ReviewError(_l("请选择处理结论。"))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ReviewError(_l("请写明处理理由（至少 %(n)s 个字）。", n=REASON_MIN_LENGTH))
    application = check.application
    check.resolution, check.resolution_reason = resolution, reason
    check.resolved_by_id, check.resolved_at = actor.id, utcnow()
    audit.record("registry_check.resolve", check, actor=actor, application_id=application.id, kind=check.kind,
                 resolution=resolution, reason=reason, snapshot_id=check.snapshot_id)
    if resolution == "declaration_upheld":
        return application.status
    _correct(application, check, actor)
    eligibility.decide(application, today)
    if application.status in COVERED_STATUSES and not open_tasks(application):
        return reverification.reverify(application, today, actor)
    return application.status


def _correct(application: Application, check: RegistryCheck, actor: User) -> None:
    household, member, registry = application.household, check.member, check.registry
    if check.kind == "assistance":
        before = {g: getattr(household, g) for g in GROUP_FLAGS}
        for g in GROUP_FLAGS:
            setattr(household, g, registry.get("group") == g)
        after = {g: getattr(household, g) for g in GROUP_FLAGS}
        target = household
    elif check.kind == "hukou":
        before = {"hukou_city": household.hukou_city, "hukou_type": household.hukou_type}
        if member.relation == "self":
            household.hukou_city = registry.get("hukou_city") or "unknown"
            household.hukou_type = registry.get("hukou_type") or household.hukou_type
        after = {"hukou_city": household.hukou_city, "hukou_type": household.hukou_type}
        target = household
    elif check.kind == "property":
        before = {"owns_home_in_city": member.owns_home_in_city, "current_area_m2": str(household.current_area_m2)}
        member.owns_home_in_city = True
        if registry.get("area_m2"):
            household.current_area_m2 = max(Decimal(household.current_area_m2 or 0), Decimal(registry["area_m2"]))
        after = {"owns_home_in_city": True, "current_area_m2": str(household.current_area_m2)}
        target = member
    else:
        attribute = {"property": ("owns_home_in_city", "owns_home"), "social_insurance":
                     ("social_insurance_local", "insured"), "talent": ("talent_category", "category")}[check.kind]
        before = {attribute[0]: getattr(member, attribute[0])}
        value = registry.get(attribute[1])
        setattr(member, attribute[0], value if check.kind == "talent" else bool(value))
        after = {attribute[0]: getattr(member, attribute[0])}
        target = member
    audit.record("declaration.corrected_from_registry", target, actor=actor, application_id=application.id,
                 kind=check.kind, check_id=check.id, before=before, after=after)


# ---- the batch re-check -------------------------------------------------------------------------

def recheck_city(city_code: str, as_of: Optional[date] = None, actor: Optional[User] = None,
                 kinds: Iterable[str] = REGISTRY_KINDS, commit: bool = True) -> dict:
    """Re-check every active household of the city (after a new snapshot arrives; idempotent: a second run
    changes nothing). Each case is its own transaction. Returns counts; the changed rows are listed on the
    snapshot's page."""
    as_of = as_of or date.today()
    kinds = tuple(kinds)
    ids = db.session.scalars(select(Application.id).where(
        Application.city_code == city_code, Application.status.in_(ACTIVE_STATUSES)).order_by(Application.id)).all()
    counts = {"checked": 0, "changed": 0, "tasks": 0}
    for application_id in ids:
        application = db.session.get(Application, application_id)
        changed = check_application(application, "batch", as_of, actor, kinds=kinds)
        counts["checked"] += 1
        counts["changed"] += 1 if changed else 0
        counts["tasks"] += sum(1 for c in changed if c.open_task)
        if commit:
            db.session.commit()
    audit.record("registry.recheck_city", None, actor=actor, city_code=city_code, as_of=as_of, kinds=list(kinds),
                 snapshots=_current_ids(city_code), **counts)
    if commit:
        db.session.commit()
    return counts


def _current_ids(city_code: str) -> list[int]:
    return sorted(s.id for s in (current_snapshot(city_code, kind) for kind in REGISTRY_KINDS) if s is not None)


def recheck_needed(city_code: str) -> bool:
    """Whether the city's snapshots in force differ from those its last full batch re-check used."""
    current = _current_ids(city_code)
    if not current:
        return False
    rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "registry.recheck_city")
                              .order_by(AuditLog.id.desc()).limit(200)).all()
    for row in rows:
        detail = row.detail or {}
        if detail.get("city_code") == city_code and set(detail.get("kinds") or []) == set(REGISTRY_KINDS):
            return detail.get("snapshots") != current
    return True


# ---- display ------------------------------------------------------------------------------------

def describe(kind: str, facts: dict) -> str:
    """A declaration or a registry answer in the reader's language (never an ID number)."""
    if not facts:
        return "—"
    if kind == "assistance":
        group = facts.get("group")
        labels = {"minimum_allowance": _("低保"), "low_income": _("低收入"), "special_hardship": _("特困")}
        return labels.get(group, _("不在名单中")) if "group" in facts else "—"
    if kind == "property":
        if not facts.get("owns_home"):
            return _("本市无住房")
        details = [facts.get("address"), f"{facts['area_m2']} m²" if facts.get("area_m2") else None,
                   _("登记于 %(day)s", day=facts["registered_on"]) if facts.get("registered_on") else None]
        return _("本市有住房") + "".join(f" · {d}" for d in details if d)
    if kind == "social_insurance":
        text = _("本市参保") if facts.get("insured") else _("本市未参保")
        if facts.get("months") is not None:
            text += " · " + _("累计缴费 %(n)s 个月", n=facts["months"])
        return text
    if kind == "hukou":
        if not facts.get("hukou_city"):
            return _("无本市户籍记录")
        kind_label = {"urban": _("城镇"), "rural": _("农村")}.get(facts.get("hukou_type"), "")
        return f"{_city_name(facts['hukou_city'])} · {kind_label}"
    category = facts.get("category")
    if facts.get("expired"):
        return _("认定已过期（有效期至 %(day)s）", day=facts.get("valid_until"))
    return _("%(c)s 类人才", c=category) if category else _("非认定人才")


def _city_name(code: str) -> str:
    from flask_babel import get_locale

    if code not in policy.list_cities():
        return code
    names = effective_pack(code).name
    return names.get("en" if str(get_locale() or "zh").startswith("en") else "zh", code)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def confirmed_findings(application: Application) -> list[dict]:
    """What the applicant is told: each registry record a decision on the case rests on (the caseworker
    confirmed it), with its source and date."""
    return [{"kind": kind_label(c.kind), "registry": describe(c.kind, c.registry),
             "source": c.snapshot.source if c.snapshot else "", "as_of": c.snapshot.as_of if c.snapshot else None,
             "resolved_at": c.resolved_at, "reason": c.resolution_reason}
            for c in checks_of(application) if c.resolution == "registry_confirmed"]
