"""Uploads are parsed whole: polyglots, decompression bombs and fake images are refused; what is kept is a
rewritten file under a random name with the detected type's extension, readable by the service only."""
from __future__ import annotations

import io
import stat
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from housing_security.extensions import db
from housing_security.models import Document

from .conftest_applicant import JPEG, PDF, PNG, register, start


def upload(client, application_id, data: bytes, filename: str, kind="id_card"):
    return client.post(f"/me/applications/{application_id}/edit/documents",
                       data={"kind": kind, "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _bomb_pdf(decoded_bytes: int) -> bytes:
    """A valid one-page PDF whose content stream inflates to `decoded_bytes`."""
    content = zlib.compress(b" " * decoded_bytes, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _huge_png(width: int, height: int) -> bytes:
    """A PNG header declaring width×height (the pixel data need not exist for the check to refuse it)."""
    import struct

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
POLYGLOTS = [
    (b"%PDF-1.4\n" + HTML, "poly.html"),                              # HTML after the PDF signature
    (b"\x89PNG\r\n\x1a\n" + b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "poly.svg"),
    (b"\xff\xd8\xff\xe0" + b"alert(1);" * 20, "poly.js"),              # JS after the JPEG signature
    (PNG[:40], "truncated.png"),
]


@pytest.fixture
def draft(app):
    client = register(app, "uploader")
    return client, start(client, app)


def _kept(app):
    with app.app_context():
        return db.session.scalars(select(Document).where(Document.uploaded_by_id.is_not(None))).all()


@pytest.mark.parametrize("data,name", POLYGLOTS)
def test_files_that_only_start_like_an_accepted_type_are_refused(app, draft, data, name):
    client, application_id = draft
    response = upload(client, application_id, data, name)
    assert response.status_code == 200 and "文件无法读取" in response.get_data(as_text=True)
    assert _kept(app) == []


def test_a_pdf_that_inflates_beyond_the_limit_is_refused(make_app):
    app = make_app(UPLOAD_PDF_MAX_DECODED_BYTES=2_000_000)
    client = register(app, "uploader")
    application_id = start(client, app)
    bomb = _bomb_pdf(20_000_000)
    assert len(bomb) < 100_000
    response = upload(client, application_id, bomb, "bomb.pdf")
    assert response.status_code == 200 and "解压后过大" in response.get_data(as_text=True)
    small = _bomb_pdf(10_000)
    assert upload(client, application_id, small, "fine.pdf").status_code == 302


def test_a_png_declaring_50000_by_50000_pixels_is_refused_undecoded(app, draft):
    client, application_id = draft
    response = upload(client, application_id, _huge_png(50000, 50000), "huge.png")
    assert response.status_code == 200 and "图片尺寸过大" in response.get_data(as_text=True)


def test_pdf_page_limit(make_app):
    app = make_app(UPLOAD_PDF_MAX_PAGES=1)
    client = register(app, "uploader")
    application_id = start(client, app)
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    response = upload(client, application_id, out.getvalue(), "two-pages.pdf")
    assert response.status_code == 200 and "不能超过 1 页" in response.get_data(as_text=True)


def test_kept_files_are_rewritten_renamed_to_their_type_and_private(app, draft):
    client, application_id = draft
    appended = JPEG + b"<script>alert(1)</script>"
    assert upload(client, application_id, appended, "photo.html").status_code == 302
    assert upload(client, application_id, PDF + b"<html>tail</html>", "scan.exe").status_code == 302
    documents = sorted(_kept(app), key=lambda d: d.id)
    assert [d.original_name for d in documents] == ["photo.jpg", "scan.pdf"]
    for document in documents:
        path = Path(app.config["UPLOAD_FOLDER"]) / document.stored_name
        assert path.suffix == {"image/jpeg": ".jpg", "application/pdf": ".pdf"}[document.content_type]
        assert b"<script>" not in path.read_bytes() and b"<html>" not in path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0  # nothing for other users
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        database = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
