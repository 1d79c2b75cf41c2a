"""The applicant's use cases: start a draft, save it section by section, submit, answer a request for more
information. One Household and one Application per applicant and programme while the case is a draft.

Every function here changes the session and records an audit row; the caller commits once.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import Application, AuditLog, Household, Jurisdiction, Member, User
from ..models._types import utcnow
from ..policy import documents as policy_documents
from . import audit, eligibility
from .calendar import workflow_value
from .parameters import effective_pack

EDITABLE = ("draft", "returned")
APPLICANT_PROGRAMMES = ("public_rental", "subsidized_rental", "talent")
SECTIONS = ("address", "members", "hukou", "income", "assets", "housing", "employment", "preferences", "documents")
# A sanity bound on one household's members, not a policy rule.
MAX_MEMBERS = 12

class ApplicationError(ValueError):
    """Refused input or a refused step; `field` names the form field, `code` the reason (the web translates)."""

    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.params = params


# ---- reading ----------------------------------------------------------------------------------------

def city_of(street: Jurisdiction) -> Optional[Jurisdiction]:
    return street.ancestor("city")


def city_streets(city_code: str) -> list[tuple[Jurisdiction, list[Jurisdiction]]]:
    """(district, its street offices) for one city, in a stable order."""
    city = db.session.scalar(select(Jurisdiction).where(Jurisdiction.kind == "city", Jurisdiction.code == city_code))
    if city is None:
        return []
    districts = sorted(city.children, key=lambda j: j.id)
    return [(d, sorted((s for s in d.children if s.kind == "street"), key=lambda j: j.id)) for d in districts]


def street_in_city(street_id, city_code: str) -> Optional[Jurisdiction]:
    street = db.session.get(Jurisdiction, street_id) if isinstance(street_id, int) else None
    if street is None or street.kind != "street":
        return None
    city = city_of(street)
    return street if city is not None and city.code == city_code else None


def district_codes(city_code: str) -> list[str]:
    return [d.code for d, _ in city_streets(city_code)]


def sections_for(application: Application) -> tuple[str, ...]:
    if application.programme == "public_rental":
        return tuple(s for s in SECTIONS if s != "employment")
    return SECTIONS


def live_documents(household: Household):
    return [d for d in household.documents if not d.superseded]


def declared_circumstances(household: Household) -> set[str]:
    """The circumstances the household declares that call for a proof (policy/documents.py CIRCUMSTANCES)."""
    declared = {flag for flag in ("minimum_allowance", "special_hardship", "low_income", "veteran_family")
                if getattr(household, flag, False)}
    if any(m.disability for m in household.members):
        declared.add("disability")
    return declared


def document_rules(city_code: str, as_of: date) -> list:
    """The city's `documents.required` list in force on `as_of` (一次性告知)."""
    try:
        return list(effective_pack(city_code).value("documents.required", as_of) or [])
    except policy.ParameterError:
        return []


def required_documents(application: Application, as_of: Optional[date] = None) -> list[policy_documents.Requirement]:
    """The proofs this application must include, from the city's list and what the household declares."""
    as_of = as_of or date.today()
    return policy_documents.required(document_rules(application.city_code, as_of), application.programme,
                                     application.tenure, declared_circumstances(application.household))


def missing_documents(application: Application, as_of: Optional[date] = None) -> list[policy_documents.Requirement]:
    return policy_documents.missing(required_documents(application, as_of),
                                    (d.kind for d in live_documents(application.household)))


def saved_sections(application: Application) -> tuple[set[str], set[str]]:
    """Sections saved at least once (from the audit rows), and the members whose income was saved."""
    sections, income_members = set(), set()
    for row in db.session.scalars(select(AuditLog.detail).where(
            AuditLog.action == "application.save_section", AuditLog.object_type == "application",
            AuditLog.object_id == str(application.id))):
        if isinstance(row, dict):
            sections.add(row.get("section"))
            if row.get("section") == "income":
                income_members.update(str(i) for i in row.get("members") or [])
    return sections, income_members


def section_states(application: Application) -> dict[str, str]:
    """not_started / in_progress / completed for each section of this programme's task list."""
    household = application.household
    saved, income_saved = saved_sections(application)
    members = household.members
    has_self = any(m.relation == "self" for m in members)
    complete = {
        "address": bool(household.address),
        "members": has_self,
        "hukou": "hukou" in saved,
        "income": "income" in saved and not ({str(m.id) for m in members} - income_saved),
        "assets": "assets" in saved,
        "housing": "housing" in saved,
        "employment": "employment" in saved and (application.programme != "talent" or (
            bool(household.main_applicant and household.main_applicant.talent_category) and bool(application.tenure))),
        "preferences": "preferences" in saved and (application.accept_any_district or bool(application.preferences)),
        # every proof the city requires for this programme and these circumstances (一次性告知)
        "documents": bool(live_documents(household)) and not missing_documents(application),
    }
    started = {
        "address": True,  # the street office is chosen when the draft starts
        "members": bool(members),
        "documents": bool(household.documents),
    }
    return {
        s: "completed" if complete[s] else ("in_progress" if (s in saved or started.get(s)) else "not_started")
        for s in sections_for(application)
    }


def ready_to_submit(application: Application) -> bool:
    return all(state == "completed" for state in section_states(application).values())


def precheck(application: Application, as_of: date) -> Optional[policy.Decision]:
    """The engine's answer for the draft as it stands, without storing anything; None while the
    household is too incomplete for the engine to read (no members yet)."""
    try:
        return policy.evaluate(eligibility.policy_household(application.household), application.programme,
                               effective_pack(application.city_code), as_of, tenure=application.tenure)
    except policy.InputError:
        return None


def draft_for(owner: User, programme: str) -> Optional[Application]:
    return db.session.scalar(
        select(Application).join(Household, Application.household_id == Household.id).where(
            Household.owner_id == owner.id, Application.programme == programme, Application.status == "draft")
        .order_by(Application.id))


# ---- writing ----------------------------------------------------------------------------------------

def _new_reference(city_code: str, today: date) -> str:
    prefix = city_code[:2].upper()
    while True:
        reference = f"{prefix}{today:%y%m%d}{secrets.token_hex(3).upper()}"
        if db.session.scalar(select(Application.id).where(Application.reference == reference)) is None:
            return reference


def start_draft(owner: Optional[User], programme: str, street: Jurisdiction, actor: User,
                filed_by: Optional[User] = None, today: Optional[date] = None) -> tuple[Application, bool]:
    """A new draft, or the owner's existing draft of the same programme (resumed, not duplicated)."""
    if programme not in APPLICANT_PROGRAMMES:
        raise ApplicationError("programme", "unknown_programme")
    if street is None or street.kind != "street" or city_of(street) is None:
        raise ApplicationError("street_id", "unknown_street")
    if owner is not None:
        existing = draft_for(owner, programme)
        if existing is not None:
            if filed_by is not None:
                # Never into a draft the applicant fills in themselves, nor one of another street; the refusal
                # is one message, so it tells nothing about where.
                if existing.street_id != street.id:
                    raise ApplicationError("username", "draft_in_other_street")
                if existing.filed_by_id is None:
                    raise ApplicationError("username", "own_draft")
            return existing, False
    city_code = city_of(street).code
    household = Household(owner_id=getattr(owner, "id", None), street_id=street.id, hukou_city=city_code,
                          hukou_type="urban")
    db.session.add(household)
    db.session.flush()
    application = Application(
        reference=_new_reference(city_code, today or date.today()), household_id=household.id,
        street_id=street.id, city_code=city_code, programme=programme, status="draft",
        filed_by_id=getattr(filed_by, "id", None), preferences=[],
    )
    db.session.add(application)
    db.session.flush()
    audit.record("application.start_draft", application, actor=actor, programme=programme,
                 filed_by=getattr(filed_by, "id", None), owner=getattr(owner, "id", None))
    return application, True


def _editable(application: Application) -> None:
    if application.status not in EDITABLE:
        raise ApplicationError("status", "not_editable")


def _saved(application: Application, section: str, actor: User, **detail) -> None:
    application.updated_at = utcnow()
    audit.record("application.save_section", application, actor=actor, section=section, **detail)


def save_address(application: Application, street: Jurisdiction, address: str, phone: str, actor: User) -> None:
    _editable(application)
    if street is None or street_in_city(street.id, application.city_code) is None:
        raise ApplicationError("street_id", "unknown_street")
    if application.status == "returned" and street.id != application.street_id:
        raise ApplicationError("street_id", "street_locked")
    household = application.household
    household.street_id = street.id
    application.street_id = street.id
    household.address = address.strip()
    household.phone = phone.strip()
    _saved(application, "address", actor)


def id_number_problem(household: Household, id_number: str, member: Optional[Member], as_of: date):
    """(code, params) for the first problem with this ID number in this household, or None."""
    try:
        policy.validate_id_number(id_number, as_of)
    except policy.InvalidIdNumber as error:
        return error.reason, {}
    number = id_number.strip().upper()
    for other in household.members:
        if other is not member and other.id_number == number:
            return "duplicate", {"name": other.name}
    return None


def save_member(application: Application, actor: User, name: str, id_number: str, relation: str,
                disability: bool, member: Optional[Member] = None, as_of: Optional[date] = None) -> Member:
    _editable(application)
    household = application.household
    as_of = as_of or date.today()
    if member is not None and member.household_id != household.id:
        raise ApplicationError("member", "unknown_member")
    if member is None and len(household.members) >= MAX_MEMBERS:
        raise ApplicationError("name", "too_many_members", limit=MAX_MEMBERS)
    problem = id_number_problem(household, id_number, member, as_of)
    if problem:
        raise ApplicationError("id_number", "id_" + problem[0], **problem[1])
    if relation not in ("self", "spouse", "child", "parent", "other"):
        raise ApplicationError("relation", "unknown_relation")
    if relation == "self" and any(m.relation == "self" and m is not member for m in household.members):
        raise ApplicationError("relation", "second_self")
    number = id_number.strip().upper()
    birth = policy.validate_id_number(number, as_of)
    if member is None:
        member = Member(position=len(household.members), income_month=Decimal("0"))
        household.members.append(member)
    member.name, member.id_number, member.relation = name.strip(), number, relation
    member.birth_date, member.disability = birth, bool(disability)
    db.session.flush()
    _saved(application, "members", actor, member=member.id)
    return member


def remove_member(application: Application, member: Member, actor: User) -> None:
    _editable(application)
    if member.household_id != application.household_id:
        raise ApplicationError("member", "unknown_member")
    application.household.members.remove(member)
    for position, other in enumerate(application.household.members):
        other.position = position
    _saved(application, "members", actor, removed=member.id)


def save_hukou(application: Application, hukou_city: str, hukou_type: str, actor: User) -> None:
    _editable(application)
    if hukou_city not in (*policy.list_cities(), "other"):
        raise ApplicationError("hukou_city", "unknown_city")
    if hukou_type not in ("urban", "rural"):
        raise ApplicationError("hukou_type", "unknown_hukou_type")
    application.household.hukou_city, application.household.hukou_type = hukou_city, hukou_type
    _saved(application, "hukou", actor)


def save_income(application: Application, incomes: dict[int, Decimal], groups: dict[str, bool], actor: User) -> None:
    _editable(application)
    members = {m.id: m for m in application.household.members}
    if set(incomes) != set(members):
        raise ApplicationError("income", "members_changed")
    for member_id, amount in incomes.items():
        if amount is None or amount < 0:
            raise ApplicationError(f"income_{member_id}", "negative")
    for member_id, amount in incomes.items():
        members[member_id].income_month = Decimal(amount).quantize(Decimal("0.01"))
    for flag in eligibility.GROUP_FLAGS:
        setattr(application.household, flag, bool(groups.get(flag)))
    _saved(application, "income", actor, members=sorted(members))


def save_assets(application: Application, assets_yuan: Decimal, actor: User) -> None:
    _editable(application)
    if assets_yuan is None or assets_yuan < 0:
        raise ApplicationError("assets_yuan", "negative")
    application.household.assets_yuan = Decimal(assets_yuan).quantize(Decimal("0.01"))
    _saved(application, "assets", actor)


def save_housing(application: Application, area_m2: Decimal, home_owner_ids: Iterable[int], actor: User) -> None:
    _editable(application)
    if area_m2 is None or area_m2 < 0:
        raise ApplicationError("current_area_m2", "negative")
    owners = set(home_owner_ids)
    members = application.household.members
    if owners - {m.id for m in members}:
        raise ApplicationError("home_owners", "unknown_member")
    application.household.current_area_m2 = Decimal(area_m2).quantize(Decimal("0.01"))
    for member in members:
        member.owns_home_in_city = member.id in owners
    _saved(application, "housing", actor)


def talent_catalogue(city_code: str, as_of: date) -> dict[str, str]:
    try:
        return dict(effective_pack(city_code).value("talent.catalogue", as_of))
    except policy.PolicyError:
        return {}


def save_employment(application: Application, actor: User, employed_locally: bool, social_insurance_local: bool,
                    talent_category: Optional[str] = None, tenure: Optional[str] = None,
                    as_of: Optional[date] = None) -> None:
    _editable(application)
    main = application.household.main_applicant
    if main is None:
        raise ApplicationError("employed_locally", "no_main_applicant")
    if application.programme == "talent":
        from . import registry_checks

        as_of = as_of or date.today()
        certified = registry_checks.certified_talent(application, as_of)
        if certified is None and talent_category not in talent_catalogue(application.city_code, as_of):
            raise ApplicationError("talent_category", "unknown_category")
        if tenure not in policy.TENURES["talent"]:
            raise ApplicationError("tenure", "unknown_tenure")
        if certified is None:
            main.talent_category = talent_category
        else:  # the certified list's category, not the applicant's choice (none when not on the list)
            registry_checks.take_talent_categories(application, as_of, actor)
        application.tenure = tenure
    main.employed_locally, main.social_insurance_local = bool(employed_locally), bool(social_insurance_local)
    _saved(application, "employment", actor)


def max_preferences(city_code: str) -> int:
    return int(workflow_value(city_code, "district_preferences_max", date.today()))


def save_preferences(application: Application, actor: User, preferences: list[str], accept_any: bool,
                     needs_accessible: bool, needs_low_floor: bool, prefers_dormitory: bool) -> None:
    _editable(application)
    chosen = [p for p in preferences if p]
    limit = max_preferences(application.city_code)
    if len(chosen) > limit:
        raise ApplicationError("preferences", "too_many", limit=limit)
    if len(set(chosen)) != len(chosen):
        raise ApplicationError("preferences", "repeated")
    if set(chosen) - set(district_codes(application.city_code)):
        raise ApplicationError("preferences", "unknown_district")
    if not chosen and not accept_any:
        raise ApplicationError("preferences", "none")
    application.preferences = chosen
    application.accept_any_district = bool(accept_any)
    application.needs_accessible, application.needs_low_floor = bool(needs_accessible), bool(needs_low_floor)
    application.prefers_dormitory = bool(prefers_dormitory) and application.programme == "subsidized_rental"
    if application.programme == "subsidized_rental":
        application.tenure = "dormitory" if application.prefers_dormitory else "residential"
    _saved(application, "preferences", actor)
