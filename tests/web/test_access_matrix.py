"""Every route × every role × inside/outside the role's jurisdiction.

The matrix is built from `app.url_map`, so a route added without an access rule fails here, and a
route that lets a role through that its rule refuses (or the reverse) fails too. Objects outside the
caller's scope must answer 404, so nobody learns that a case in another street exists.
"""
import re

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Household, Jurisdiction, Role, User
from housing_security.web.access import AccessRule
from tests.conftest import audit_page, login

# One signed-in user per role, and one of the same role elsewhere for the outside checks.
INSIDE = {"applicant": "lixiulan", "street_caseworker": "wangqiang", "district_reviewer": "xiaodian_reviewer",
          "bureau_officer": "liuchu", "administrator": "ty_admin"}
STAFF_PREFIXES = ("/cases", "/bureau", "/admin", "/intake")
# Stock objects of the city (id 1 is a 太原 project, building and unit): another city's officer gets 404.
CITY_SCOPED_ARGUMENTS = {"project_id", "building_id", "unit_id"}


def _cases(app):
    """An application inside each role's scope, and one outside it."""
    with app.app_context():
        def in_street(code):
            street = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
            return db.session.scalars(select(Application.id).where(Application.street_id == street.id)).first()

        def in_district(code, exclude_street=None):
            district = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
            streets = [s.id for s in district.children if s.code != exclude_street]
            return db.session.scalars(select(Application.id).where(Application.street_id.in_(streets))).first()

        own = db.session.scalars(
            select(Application.id).join(Household).join(User, Household.owner_id == User.id)
            .where(User.username == "lixiulan")).first()
        other = db.session.scalars(select(Application.id).where(Application.id != own)).first()
        return {
            "applicant": (own, other),
            "street_caseworker": (in_street("wucheng"), in_district("xiaodian", exclude_street="wucheng")
                                  or in_district("yingze")),
            "district_reviewer": (in_district("xiaodian"), in_district("yingze") or in_district("wanbailin")),
            "bureau_officer": (in_district("xiaodian"), None),  # outside: another city's officer, below
            "administrator": (in_district("xiaodian"), None),
        }


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
        for method in methods:
            yield rule, method


def _url(rule, application_id):
    values = {}
    for argument in rule.arguments:
        values[argument] = application_id if argument == "application_id" else 1
    path = rule.rule
    for argument, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(value), path)
    return path


def _call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


def test_every_endpoint_declares_an_access_rule(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint != "static"
               and not isinstance(getattr(app.view_functions[rule.endpoint], "access_rule", None), AccessRule)]
    assert not missing, f"endpoints without an access rule: {missing}"


def test_staff_areas_are_never_public_or_open_to_applicants(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(STAFF_PREFIXES):
            access = app.view_functions[rule.endpoint].access_rule
            assert not access.public, rule.rule
            assert Role.applicant not in access.roles, rule.rule


@pytest.mark.parametrize("role", list(INSIDE))
def test_matrix_for_role(app, role):
    cases = _cases(app)
    inside_case, outside_case = cases[role]
    client = app.test_client()
    login(client, INSIDE[role])
    outsider = None
    if role == "bureau_officer":
        outsider = app.test_client()
        login(outsider, "datong_officer")
    failures = []
    for rule, method in _routes(app):
        access = app.view_functions[rule.endpoint].access_rule
        allowed = access.public or Role(role) in access.roles
        if rule.endpoint == "auth.logout":
            continue  # would end this client's session; covered in test_auth
        response = _call(client, method, _url(rule, inside_case))
        where = f"{method} {rule.rule} as {role}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code}")
        elif not allowed and response.status_code != 403:
            failures.append(f"{where}: expected 403, got {response.status_code}")
        elif allowed and response.status_code == 403:
            failures.append(f"{where}: allowed by its rule but answered 403")
        elif method == "GET" and response.status_code == 200 and response.mimetype == "text/html":
            try:
                audit_page(response.get_data(as_text=True))
            except AssertionError as error:
                failures.append(f"{where}: {error}")
        city_scoped = outsider is not None and bool(CITY_SCOPED_ARGUMENTS & set(rule.arguments))
        if allowed and not access.public and ("application_id" in rule.arguments or city_scoped):
            if outsider is not None:
                outside = _call(outsider, method, _url(rule, inside_case))
            elif outside_case is not None:
                outside = _call(client, method, _url(rule, outside_case))
            else:
                continue
            if outside.status_code not in (404, 405):
                failures.append(f"{where}: object outside jurisdiction answered {outside.status_code}, not 404")
    assert not failures, "\n".join(failures)


def test_anonymous_visitors_are_sent_to_sign_in(app):
    client = app.test_client()
    for rule, method in _routes(app):
        access = app.view_functions[rule.endpoint].access_rule
        response = _call(client, method, _url(rule, 1))
        assert response.status_code < 500, f"{method} {rule.rule}: {response.status_code}"
        if not access.public:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


def test_talent_buy_back_page_is_the_bureau_officers_alone(app):
    """The buy-back of a talent property home (plan box 1) is in the matrix above: bureau officers only, scoped to
    the case (another city's officer gets 404)."""
    rules = {rule.rule: rule for rule in app.url_map.iter_rules()}
    rule = rules["/bureau/contracts/<int:application_id>/buy-back"]
    access = app.view_functions[rule.endpoint].access_rule
    assert set(access.roles) == {Role.bureau_officer} and not access.public
    assert {"GET", "POST"} <= set(rule.methods) and "application_id" in rule.arguments
