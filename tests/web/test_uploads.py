"""Proof uploads: content-checked, size-limited, random storage names, original names kept, owner-only."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Document

from .conftest_applicant import HTML, PDF, PNG, register, start


def upload(client, application_id, data: bytes, name: str, kind="hukou_booklet", **extra):
    return client.post(f"/me/applications/{application_id}/edit/documents",
                       data={"kind": kind, "file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def documents(app):
    with app.app_context():
        return db.session.scalars(select(Document).where(Document.uploaded_by_id.is_not(None))).all()


def test_chinese_name_round_trip(app, applicant, page_get):
    application_id = start(applicant, app)
    before = len(documents(app))
    response = upload(applicant, application_id, PDF, "户口簿 本人页.pdf")
    assert response.status_code == 302
    html = page_get(applicant, f"/me/applications/{application_id}/edit/documents")
    assert "户口簿 本人页.pdf" in html
    with app.app_context():
        document = db.session.scalars(select(Document).order_by(Document.id.desc())).first()
        assert document.original_name == "户口簿 本人页.pdf"
        assert document.stored_name != document.original_name and len(document.stored_name) == 36
        assert document.stored_name.endswith(".pdf") and document.content_type == "application/pdf"
        stored = Path(app.config["UPLOAD_FOLDER"]) / document.stored_name
        kept = stored.read_bytes()  # the parsed and rewritten file
        assert document.sha256 == hashlib.sha256(kept).hexdigest() and kept.startswith(b"%PDF-")
    assert len(documents(app)) == before + 1
    response = applicant.get(f"/me/documents/{document.id}")
    assert response.status_code == 200 and response.data == kept
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and f"filename*=UTF-8''{quote('户口簿 本人页.pdf')}" in disposition
    assert applicant.get("/me/documents/999999").status_code == 404


def test_access_to_downloads(app, applicant, login_as):
    application_id = start(applicant, app)
    upload(applicant, application_id, PNG, "photo.png", kind="id_card")
    with app.app_context():
        document_id = db.session.scalars(select(Document.id).order_by(Document.id.desc())).first()
    stranger = register(app, "stranger1")
    assert stranger.get(f"/me/documents/{document_id}").status_code == 404
    assert login_as("wangqiang").get(f"/me/documents/{document_id}").status_code == 200
    assert login_as("liuxiang_worker").get(f"/me/documents/{document_id}").status_code == 404
    assert login_as("admin").get(f"/me/documents/{document_id}").status_code == 403  # wrong role


def test_refused_uploads_save_nothing(app, applicant):
    application_id = start(applicant, app)
    before = len(documents(app))
    files_before = set(Path(app.config["UPLOAD_FOLDER"]).iterdir())
    cases = [
        (HTML, "证明.pdf", "只能上传 PDF、JPEG 或 PNG"),        # HTML disguised as PDF
        (b"GIF89a" + b"\x00" * 20, "a.gif", "只能上传 PDF、JPEG 或 PNG"),
        (b"", "empty.pdf", "请选择要上传的文件"),
    ]
    for data, name, message in cases:
        response = upload(applicant, application_id, data, name)
        assert response.status_code == 200, name
        assert message in response.get_data(as_text=True), name
    app.config["UPLOAD_MAX_BYTES"] = 1024
    response = upload(applicant, application_id, PDF + b"0" * 2048, "big.pdf")
    assert response.status_code == 200 and "文件不能超过" in response.get_data(as_text=True)
    response = upload(applicant, application_id, PDF, "a.pdf", kind="passport")
    assert response.status_code == 200 and "请选择材料类别" in response.get_data(as_text=True)
    response = upload(applicant, application_id, PDF, "a.pdf", replaces="999999")
    assert response.status_code == 200 and "要替换的材料不存在" in response.get_data(as_text=True)
    assert len(documents(app)) == before
    assert set(Path(app.config["UPLOAD_FOLDER"]).iterdir()) == files_before


def test_over_the_request_limit_gets_the_friendly_413(app, applicant):
    application_id = start(applicant, app)
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = upload(applicant, application_id, PDF + b"0" * 4096, "huge.pdf")
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)


def test_replacing_marks_the_old_proof_superseded(app, applicant, page_get):
    application_id = start(applicant, app)
    upload(applicant, application_id, PDF, "模糊.pdf")
    with app.app_context():
        old_id = db.session.scalars(select(Document.id).order_by(Document.id.desc())).first()
    html = page_get(applicant, f"/me/applications/{application_id}/edit/documents?replaces={old_id}")
    assert "替换：模糊.pdf" in html
    response = upload(applicant, application_id, PNG, "清晰.png", replaces=str(old_id))
    assert response.status_code == 302
    with app.app_context():
        old = db.session.get(Document, old_id)
        new = db.session.scalars(select(Document).order_by(Document.id.desc())).first()
        assert old.superseded and not new.superseded and new.original_name == "清晰.png"
    html = page_get(applicant, f"/me/applications/{application_id}/edit/documents")
    assert "清晰.png" in html and "模糊.pdf" not in html
    # another household's proof cannot be "replaced"
    other = register(app, "other2")
    other_id = start(other, app)
    response = upload(other, other_id, PDF, "x.pdf", replaces=str(new.id))
    assert response.status_code == 200 and "要替换的材料不存在" in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Document, new.id).superseded
