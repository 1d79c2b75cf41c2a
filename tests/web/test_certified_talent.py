"""Talent category from the certified-talent list (issue 13; plan §4(4), §4(6)): where the city has a list
(`talent.certified_list`), the employment section shows the main applicant's category from the newest
snapshot, read-only with its date, or says the person is not listed and to contact the 人才办; no free
drop-down. A city without a list keeps the drop-down."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, ParameterChange, User
from housing_security.services import applications, registry

from .conftest_applicant import SELF_ID, post_ok, start

LIST_DATE = date.today() - timedelta(days=20)
EMPLOYMENT = {"employed_locally": "y", "social_insurance_local": "y", "talent_category": "A",
              "tenure": "shared_ownership"}


def import_talent_list(app, rows: list[list[str]], as_of: date = LIST_DATE) -> None:
    header = [c.header for c in registry.LAYOUTS["talent"]]
    data = "\n".join(",".join(r) for r in [header, *rows]).encode()
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "liuchu"))
        result = registry.import_snapshot("taiyuan", "talent", "市人才办 人才认定名单", as_of, data, "talent.csv",
                                          officer)
        assert result.ok, result.errors
        db.session.commit()


def talent_draft(app, client) -> tuple[int, str]:
    application_id = start(client, app, programme="talent")
    edit = f"/me/applications/{application_id}/edit"
    post_ok(client, f"{edit}/members/new", {"name": "李秀兰", "id_number": SELF_ID, "relation": "self"})
    return application_id, edit


def saved(app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        states = applications.section_states(application)
        return application.household.main_applicant.talent_category, application.tenure, states["employment"]


def test_a_listed_applicant_sees_the_certified_category_and_cannot_choose(app, applicant, page_get):
    import_talent_list(app, [[SELF_ID, "李秀兰", "B", "2024-09-01", ""]])
    application_id, edit = talent_draft(app, applicant)
    html = page_get(applicant, f"{edit}/employment")
    assert "B 类人才" in html and LIST_DATE.isoformat() in html and "市人才办 人才认定名单" in html
    assert 'name="talent_category"' not in html and 'name="tenure"' in html
    post_ok(applicant, f"{edit}/employment", EMPLOYMENT)  # a tampered choice of "A" is ignored
    assert saved(app, application_id) == ("B", "shared_ownership", "completed")


def test_an_applicant_not_on_the_list_is_told_to_contact_the_talent_office(app, applicant, page_get):
    import_talent_list(app, [["110101199001011237", "某人", "A", "2024-09-01", ""]])
    application_id, edit = talent_draft(app, applicant)
    html = page_get(applicant, f"{edit}/employment")
    assert "人才认定名单中没有主申请人" in html and "人才办" in html and LIST_DATE.isoformat() in html
    assert 'name="talent_category"' not in html
    post_ok(applicant, f"{edit}/employment", EMPLOYMENT)
    category, tenure, state = saved(app, application_id)
    assert category is None and tenure == "shared_ownership" and state != "completed"


def test_an_expired_certification_is_shown_as_expired(app, applicant, page_get):
    import_talent_list(app, [[SELF_ID, "李秀兰", "A", "2019-01-01", "2024-12-31"]])
    _, edit = talent_draft(app, applicant)
    html = page_get(applicant, f"{edit}/employment")
    assert "已过期" in html and "2024-12-31" in html and 'name="talent_category"' not in html


def test_in_english_the_panel_is_translated(app, applicant, page_get):
    import_talent_list(app, [[SELF_ID, "李秀兰", "B", "2024-09-01", ""]])
    _, edit = talent_draft(app, applicant)
    applicant.post("/language", data={"language": "en"})
    html = page_get(applicant, f"{edit}/employment")
    assert "Talent category (from the certified-talent list)" in html and "Category B talent" in html
    assert "人才认定名单" not in html.replace(
        "市人才办 人才认定名单", "")  # the snapshot's source is the department's own words


def test_a_city_without_a_list_keeps_the_drop_down(app, applicant, page_get):
    import_talent_list(app, [[SELF_ID, "李秀兰", "B", "2024-09-01", ""]])
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "liuchu"))
        db.session.add(ParameterChange(city_code="taiyuan", name="talent.certified_list",
                                       effective_from=date(2021, 1, 1), value=False,
                                       citation="test: the city shares no certified-talent list",
                                       created_by_id=officer.id))
        db.session.commit()
    application_id, edit = talent_draft(app, applicant)
    html = page_get(applicant, f"{edit}/employment")
    assert 'name="talent_category"' in html and "人才认定名单中没有主申请人" not in html and "B 类人才" not in html
    post_ok(applicant, f"{edit}/employment", EMPLOYMENT)
    assert saved(app, application_id) == ("A", "shared_ownership", "completed")
