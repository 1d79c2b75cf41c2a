"""Dated parameter changes entered by administrators (scenario 6): validation, impact preview, save, withdraw.

`preview_change` evaluates the city's pending applicants and current tenants/subsidy holders as of the new
value's effective date under the pack as it is and as it would be, and hands back a token; `save_change` refuses
a change whose preview token does not match (not seen, or the pack has moved on since), then writes the row and
its audit record in the caller's transaction.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import policy
from ..extensions import db
from ..models import Application, Household, ParameterChange, User
from ..models._types import utcnow
from . import audit
from .parameter_values import ChangeInvalid, parse_date, parse_value, to_json, validate_value
from .parameters import changes_state, effective_pack, forget, layer, timeline

# Who a change can affect: cases still being decided or waiting, and households holding a benefit.
APPLICANT_STATUSES = ("returned", "street_review", "district_review", "bureau_review", "publicity",
                      "waitlist", "offered", "appeal")
HOLDER_STATUSES = ("housed", "subsidised", "exiting")
PREVIEW_LIMIT = 50

@dataclass
class Proposal:
    city_code: str
    name: str
    effective_from: date
    value: Any
    citation: str = ""
    note: str = ""


def parse_form(city_code: str, name: str, form: Mapping[str, str], need_citation: bool = True) -> Proposal:
    """All field errors at once (value, effective_from, citation), or a checked proposal."""
    pack = effective_pack(city_code)
    if name not in pack.params:
        raise ChangeInvalid({"name": "unknown_parameter"})
    param = pack.param(name)
    errors: dict[str, str] = {}
    value = since = None
    try:
        value = parse_value(param, form.get("value", ""))
    except ChangeInvalid as error:
        errors.update(error.errors)
    try:
        since = parse_date(form.get("effective_from"))
        if since < pack_start(pack):
            errors["effective_from"] = "before_pack_start"
        elif since in dict(param.values):
            errors["effective_from"] = "duplicate_date"
    except ChangeInvalid as error:
        errors.update(error.errors)
    citation = (form.get("citation") or "").strip()
    if need_citation and not citation:
        errors["citation"] = "required"
    note = (form.get("note") or "").strip()
    if len(citation) > 2000:
        errors["citation"] = "too_long"
    if len(note) > 2000:
        errors["note"] = "too_long"
    if errors:
        raise ChangeInvalid(errors)
    return Proposal(city_code, name, since, value, citation, note)


def pack_start(pack: policy.ParameterPack) -> date:
    """The first day on which the pack has values: a change dated earlier would have no rules to change."""
    return min(param.values[0][0] for param in pack.params.values() if param.values)


def _check(city_code: str, name: str, effective_from: Any, value: Any) -> tuple[policy.Parameter, date, Any]:
    if city_code not in policy.list_cities():
        raise ChangeInvalid({"city": "unknown_city"})
    pack = effective_pack(city_code)
    if name not in pack.params:
        raise ChangeInvalid({"name": "unknown_parameter"})
    param = pack.param(name)
    since = parse_date(effective_from)
    if since < pack_start(pack):
        raise ChangeInvalid({"effective_from": "before_pack_start"})
    if since in dict(param.values):
        raise ChangeInvalid({"effective_from": "duplicate_date"})
    return param, since, validate_value(param, value)


# ---- preview --------------------------------------------------------------------------------------

@dataclass
class Preview:
    city_code: str
    name: str
    effective_from: date
    value: Any
    old_value: Any
    token: str
    timeline: list[dict]
    old_hash: str
    new_hash: str
    became_eligible: list[dict] = field(default_factory=list)
    became_ineligible: list[dict] = field(default_factory=list)
    losing: list[dict] = field(default_factory=list)
    evaluated: int = 0
    skipped: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {"became_eligible": len(self.became_eligible), "became_ineligible": len(self.became_ineligible),
                "losing": len(self.losing), "evaluated": self.evaluated, "skipped": self.skipped}


def preview_token(city_code: str, name: str, effective_from: date, value: Any) -> str:
    """Binds the inputs to the state of the city's changes: a save after someone else's change
    (or with other inputs) needs a fresh preview."""
    body = json.dumps([city_code, name, effective_from.isoformat(), to_json(value), changes_state(city_code)],
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    secret = str(current_app.config.get("SECRET_KEY") or "").encode("utf-8")
    return hmac.new(secret, body.encode("utf-8"), hashlib.sha256).hexdigest()


def _case(application: Application) -> dict:
    members = application.household.members
    self_member = next((m for m in members if m.relation == "self"), members[0] if members else None)
    street = application.street
    return {"application_id": application.id, "reference": application.reference,
            "status": application.status, "programme": application.programme,
            "street_zh": street.name_zh if street else "", "street_en": street.name_en if street else "",
            "name": self_member.name if self_member else ""}


def preview_change(city_code: str, name: str, effective_from: Any, value: Any, citation: str = "") -> Preview:
    """Who the change would move, evaluated as of its effective date with the pack as it is and as
    it would be. Raises ChangeInvalid for an unknown parameter, a bad value or a duplicate date.
    (The citation only enters `new_hash`: the pack hash covers each value's citation.)"""
    from .eligibility import policy_household

    param, since, value = _check(city_code, name, effective_from, value)
    old_pack = effective_pack(city_code)
    new_pack = layer(old_pack, [(name, since, value, (citation or "").strip())])
    preview = Preview(city_code=city_code, name=name, effective_from=since, value=value,
                      old_value=_value_on(param, since), token=preview_token(city_code, name, since, value),
                      timeline=timeline(new_pack, name), old_hash=old_pack.hash, new_hash=new_pack.hash)
    for row in preview.timeline:
        row["new"] = row["effective_from"] == since
    prefix = name.split(".", 1)[0]
    query = (select(Application)
             .options(selectinload(Application.household).selectinload(Household.members),
                      selectinload(Application.street))
             .where(Application.city_code == city_code,
                    Application.status.in_(APPLICANT_STATUSES + HOLDER_STATUSES))
             .order_by(Application.id))
    if prefix in policy.PROGRAMMES:
        query = query.where(Application.programme == prefix)
    groups: dict[tuple[str, Optional[str]], list[tuple[Application, policy.Household]]] = {}
    for application in db.session.scalars(query):
        try:
            household = policy_household(application.household)
        except (policy.PolicyError, ValueError):
            preview.skipped += 1
            continue
        groups.setdefault((application.programme, application.tenure), []).append((application, household))
    for (programme, tenure), rows in groups.items():
        households = [h for _, h in rows]
        try:
            before = policy.evaluate_many(households, programme, old_pack, since, tenure)
            after = policy.evaluate_many(households, programme, new_pack, since, tenure)
        except policy.PolicyError:
            preview.skipped += len(rows)
            continue
        preview.evaluated += len(rows)
        for (application, _), old, new in zip(rows, before, after):
            if old.eligible == new.eligible:
                continue
            if application.status in HOLDER_STATUSES:
                if old.eligible:
                    preview.losing.append(_case(application))
            elif new.eligible:
                preview.became_eligible.append(_case(application))
            else:
                preview.became_ineligible.append(_case(application))
    return preview


def _value_on(param: policy.Parameter, since: date) -> Any:
    try:
        return param.at(since).value
    except policy.ParameterError:
        return None


# ---- save and withdraw ----------------------------------------------------------------------------

def save_change(city_code: str, name: str, effective_from: Any, value: Any, citation: str, actor: User,
                preview_token_seen: Optional[str], note: str = "") -> ParameterChange:
    """Write the change and its audit row (the caller commits). Refused without the token of a
    preview of exactly these inputs taken since the city's last change."""
    errors: dict[str, str] = {}
    try:
        param, since, value = _check(city_code, name, effective_from, value)
    except ChangeInvalid as error:
        errors.update(error.errors)
        since = None
    citation = (citation or "").strip()
    if not citation:
        errors["citation"] = "required"
    if errors:
        raise ChangeInvalid(errors)
    expected = preview_token(city_code, name, since, value)
    if not preview_token_seen:
        raise ChangeInvalid({"preview": "preview_required"})
    if not hmac.compare_digest(expected, str(preview_token_seen)):
        raise ChangeInvalid({"preview": "preview_stale"})
    old_hash = effective_pack(city_code).hash
    change = ParameterChange(city_code=city_code, name=name, effective_from=since, value=to_json(value),
                             citation=citation, note=(note or "").strip(), status="active",
                             created_by_id=actor.id)
    db.session.add(change)
    db.session.flush()
    forget(city_code)
    new_pack = effective_pack(city_code)
    audit.record("parameter.change", change, actor=actor, city=city_code, name=name,
                 effective_from=since.isoformat(), value=to_json(value), previous=to_json(_value_on(param, since)),
                 citation=citation, note=change.note, old_hash=old_hash, new_hash=new_pack.hash)
    return change


def withdraw_change(change: ParameterChange, actor: User, reason: str) -> ParameterChange:
    """An active change stops counting from now on; the row and its history stay."""
    reason = (reason or "").strip()
    if change.status != "active":
        raise ChangeInvalid({"change": "not_active"})
    if not reason:
        raise ChangeInvalid({"reason": "required"})
    old_hash = effective_pack(change.city_code).hash
    change.status = "withdrawn"
    change.withdrawn_by_id = actor.id
    change.withdrawn_at = utcnow()
    change.withdrawn_reason = reason
    db.session.flush()
    forget(change.city_code)
    audit.record("parameter.withdraw", change, actor=actor, city=change.city_code, name=change.name,
                 effective_from=change.effective_from.isoformat(), value=change.value, reason=reason,
                 old_hash=old_hash, new_hash=effective_pack(change.city_code).hash)
    return change
