"""The one access-control mechanism: every endpoint declares who may call it, and every object is
looked up through the caller's scope (role + jurisdiction + ownership).

- `@allow(Role.x, ...)` / `@public` on a view declares the roles; a request to an endpoint with no
  declaration is refused (fail closed), and the test suite fails on such an endpoint.
- `scoped(...)` narrows a query to what the current user may see; an object outside it answers 404,
  so nobody learns that a case in another street exists.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Optional

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import false, or_, select

from ..extensions import db
from ..models import Application, Household, Jurisdiction, Role, User

PUBLIC_ENDPOINTS = {"static"}


@dataclass(frozen=True)
class AccessRule:
    roles: frozenset[Role]
    public: bool = False

    def permits(self, user) -> bool:
        if self.public:
            return True
        return bool(user.is_authenticated) and user.role_enum in self.roles


def allow(*roles: Role) -> Callable:
    """Only signed-in users with one of these roles may call the view."""
    if not roles:
        raise ValueError("allow() needs at least one role; use @public for open pages")

    def decorate(view):
        view.access_rule = AccessRule(frozenset(roles))
        return view

    return decorate


def public(view):
    view.access_rule = AccessRule(frozenset(), public=True)
    return view


STAFF = (Role.street_caseworker, Role.district_reviewer, Role.bureau_officer)
ALL_ROLES = tuple(Role)


def rule_for(endpoint: Optional[str]) -> Optional[AccessRule]:
    if endpoint in PUBLIC_ENDPOINTS:
        return AccessRule(frozenset(), public=True)
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_rule", None)


def enforce_access_rules() -> None:
    """before_request hook: decide the route before the view runs."""
    if request.endpoint is None:  # 404/405 are answered by routing itself
        return
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s has no access rule; refusing", request.endpoint)
        abort(403)
    if rule.permits(current_user):
        return
    if not current_user.is_authenticated:
        from ..extensions import login_manager

        return login_manager.unauthorized()
    abort(403)


# ---- object scope -------------------------------------------------------------------------------

def street_ids_within(jurisdiction: Jurisdiction) -> list[int]:
    """All street offices in (or equal to) a jurisdiction; the hierarchy is shallow and small."""
    if jurisdiction.kind == "street":
        return [jurisdiction.id]
    frontier, streets = [jurisdiction.id], []
    while frontier:
        rows = db.session.execute(
            select(Jurisdiction.id, Jurisdiction.kind).where(Jurisdiction.parent_id.in_(frontier))
        ).all()
        frontier = [row.id for row in rows if row.kind != "street"]
        streets.extend(row.id for row in rows if row.kind == "street")
    return streets


def city_code_of(user: User) -> Optional[str]:
    if user.jurisdiction is None:
        return None
    city = user.jurisdiction.ancestor("city")
    return city.code if city else None


def application_scope(user: User):
    """A WHERE clause selecting the applications this user may see."""
    role = user.role_enum
    if role is Role.applicant:
        return Application.household_id.in_(select(Household.id).where(Household.owner_id == user.id))
    if role is Role.administrator:
        # Administrators manage users and parameters, not cases.
        return false()
    return Application.street_id.in_(street_ids_within(user.jurisdiction))


def household_scope(user: User):
    role = user.role_enum
    if role is Role.applicant:
        return Household.owner_id == user.id
    if role is Role.administrator:
        return false()
    return Household.street_id.in_(street_ids_within(user.jurisdiction))


def application_or_404(application_id: int, user=None) -> Application:
    user = user or current_user
    application = db.session.scalar(
        select(Application).where(Application.id == application_id, application_scope(user))
    )
    if application is None:
        abort(404)
    return application


def household_or_404(household_id: int, user=None) -> Household:
    user = user or current_user
    household = db.session.scalar(select(Household).where(Household.id == household_id, household_scope(user)))
    if household is None:
        abort(404)
    return household


def jurisdiction_in_scope(user: User, jurisdiction: Jurisdiction) -> bool:
    if user.role_enum is Role.administrator:
        return user.jurisdiction.contains(jurisdiction)
    return user.jurisdiction is not None and user.jurisdiction.contains(jurisdiction)


def users_scope(user: User):
    """Administrators manage the accounts inside their own jurisdiction (province or city)."""
    if user.role_enum is not Role.administrator:
        return User.id == user.id
    ids = _jurisdiction_ids_within(user.jurisdiction)
    return or_(User.jurisdiction_id.in_(ids), User.role == Role.applicant.value)


def _jurisdiction_ids_within(root: Jurisdiction) -> list[int]:
    ids, frontier = [root.id], [root.id]
    while frontier:
        frontier = list(db.session.scalars(select(Jurisdiction.id).where(Jurisdiction.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids


def jurisdictions_within(root: Jurisdiction) -> Iterable[int]:
    return _jurisdiction_ids_within(root)


def require(condition: bool) -> None:
    """For checks that depend on the object's state rather than the caller: a plain 404."""
    if not condition:
        abort(404)


def home_endpoint(user) -> str:
    return {
        Role.applicant: "applicant.home",
        Role.street_caseworker: "cases.inbox",
        Role.district_reviewer: "cases.inbox",
        Role.bureau_officer: "bureau.dashboard",
        Role.administrator: "admin.home",
    }[user.role_enum]
