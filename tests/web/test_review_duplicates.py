"""Cross-programme duplicates on the case view: flagged always, linked only inside the officer's scope."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from housing_security.extensions import db
from housing_security.models import Member, RentSubsidy
from tests.services.helpers import get, new_case


def _share_member(from_id: int, to_id: int) -> str:
    source = get(from_id).household.main_applicant
    target = get(to_id).household
    target.members.append(Member(position=9, name=source.name, id_number=source.id_number, relation="other",
                                 birth_date=source.birth_date))
    db.session.commit()
    return source.id_number


def test_member_in_another_active_case_is_flagged_with_scoped_links(app, login_as, page_get):
    with app.app_context():
        mine = new_case("street_review")
        other = new_case("waitlist", street_code="liuxiang", programme="subsidized_rental")
        unrelated = new_case("street_review")
        _share_member(mine, other)
        other_ref = get(other).reference
    html = page_get(login_as("wangqiang"), f"/cases/{mine}")
    assert "疑似重复享受保障" in html and "其他辖区的案件" in html
    assert f"/cases/{other}\"" not in html and other_ref not in html
    html = page_get(login_as("liuchu"), f"/cases/{mine}")
    assert f"/cases/{other}\"" in html and other_ref in html and "保障性租赁住房" in html
    assert "疑似重复享受保障" not in page_get(login_as("wangqiang"), f"/cases/{unrelated}")


def test_benefit_holders_are_flagged_and_closed_cases_are_not(app, login_as, page_get):
    with app.app_context():
        mine = new_case("street_review")
        subsidised = new_case("exited")  # closed case, but its subsidy still runs
        closed = new_case("rejected")
        _share_member(mine, subsidised)
        _share_member(mine, closed)
        db.session.add(RentSubsidy(application_id=subsidised, amount_month=Decimal("200"), start_on=date.today(),
                                   end_on=date.today() + timedelta(days=300), status="active"))
        db.session.commit()
        refs = get(subsidised).reference, get(closed).reference
    html = page_get(login_as("wangqiang"), f"/cases/{mine}")
    assert "正在领取租赁补贴" in html and refs[0] in html and refs[1] not in html
