"""CSV exports: UTF-8 with a byte-order mark, and names that look like formulas stay text."""
import csv
import io

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Household, Jurisdiction, Member
from housing_security.web.exports import safe_cell


def test_formula_like_cells_are_kept_as_text():
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("-3") == "-3" and safe_cell("李秀兰") == "李秀兰"


def test_inbox_export_neutralises_a_formula_in_a_name(app, login_as):
    with app.app_context():
        street = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "wucheng"))
        member = db.session.scalars(select(Member).join(Household).join(Application)
                                    .where(Household.street_id == street.id, Member.relation == "self",
                                           Application.status != "draft")).first()
        member.name = "=1+1"
        db.session.commit()
    response = login_as("wangqiang").get("/cases/export.csv")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith("\ufeff")
    names = [row[1] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))]
    assert "'=1+1" in names and "=1+1" not in names
