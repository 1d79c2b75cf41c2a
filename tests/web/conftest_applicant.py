"""Helpers for the applicant and intake tests: a fresh applicant account and a filled-in draft."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import Application, Jurisdiction


def _real_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _real_image(fmt: str, size=(8, 8)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt)
    return out.getvalue()


PDF = _real_pdf()  # uploads are parsed whole: the fixtures are real files
PNG = _real_image("PNG")
JPEG = _real_image("JPEG")
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"

SELF_ID = policy.make_id_number("140105", date(1974, 3, 1), 12)
SPOUSE_ID = policy.make_id_number("140105", date(1972, 6, 9), 31)
CHILD_ID = policy.make_id_number("140105", date(2011, 1, 20), 44)


def wrong_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def street_id(app, code: str = "wucheng") -> int:
    with app.app_context():
        return db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.kind == "street", Jurisdiction.code == code))


def application_row(app, application_id: int) -> Application:
    with app.app_context():
        application = db.session.get(Application, application_id)
        db.session.expunge(application)
        return application


def register(app, username: str):
    client = app.test_client()
    response = client.post("/register", data={"username": username, "display_name": "测试申请人",
                                              "password": "a-long-password-1", "confirm": "a-long-password-1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def start(client, app, programme: str = "public_rental", base: str = "/me", street: str = "wucheng") -> int:
    url = f"{base}/apply" if base == "/me" else f"{base}/new"
    response = client.post(url, data={"programme": programme, "street_id": street_id(app, street)})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(re.search(r"/applications/(\d+)/edit", response.headers["Location"]).group(1))


def post_ok(client, url: str, data: dict, **kwargs):
    response = client.post(url, data=data, **kwargs)
    assert response.status_code == 302, f"{url}: {response.status_code} {response.get_data(as_text=True)[:1500]}"
    return response


def fill(client, app, application_id: int, programme: str = "public_rental", base: str = "/me",
         income: str = "600", upload: bool = True) -> None:
    edit = f"{base}/applications/{application_id}/edit"
    post_ok(client, f"{edit}/address", {"street_id": street_id(app), "address": "小店区坞城路 1 号",
                                        "phone": "13900000000"})
    post_ok(client, f"{edit}/members/new", {"name": "李秀兰", "id_number": SELF_ID, "relation": "self"})
    post_ok(client, f"{edit}/members/new", {"name": "王建国", "id_number": SPOUSE_ID, "relation": "spouse"})
    post_ok(client, f"{edit}/hukou", {"hukou_city": "taiyuan", "hukou_type": "urban"})
    with app.app_context():
        members = [m.id for m in db.session.get(Application, application_id).household.members]
    post_ok(client, f"{edit}/income", {**{f"income_{m}": income for m in members}, "minimum_allowance": "y"})
    post_ok(client, f"{edit}/assets", {"assets_yuan": "5000"})
    post_ok(client, f"{edit}/housing", {"current_area_m2": "18.5"})
    if programme != "public_rental":
        data = {"employed_locally": "y", "social_insurance_local": "y"}
        if programme == "talent":
            data.update(talent_category="A", tenure="shared_ownership")
        post_ok(client, f"{edit}/employment", data)
    post_ok(client, f"{edit}/preferences", {"preferences": ["xiaodian", "yingze"], "needs_low_floor": "y"})
    if upload:
        upload_required(client, app, application_id, base)


def required_kinds(app, application_id: int) -> list[str]:
    """The proofs the city's documents.required list asks of this application (一次性告知)."""
    from housing_security.services import applications

    with app.app_context():
        return [r.kind for r in applications.required_documents(db.session.get(Application, application_id))]


def upload_required(client, app, application_id: int, base: str = "/me") -> list[str]:
    """Upload one file for every proof this application requires; the documents section is then complete."""
    kinds = required_kinds(app, application_id)
    for kind in kinds:
        post_ok(client, f"{base}/applications/{application_id}/edit/documents",
                {"kind": kind, "file": (__import__("io").BytesIO(PDF), f"{kind}.pdf")},
                content_type="multipart/form-data")
    return kinds


def submission_token(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
