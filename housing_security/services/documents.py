"""Uploaded proofs: checked by content (not by name or the browser's claim), stored under random names,
with the applicant's own file name (Chinese included) kept as data and a sha256 for integrity."""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from pathlib import Path
from typing import BinaryIO, Optional

from flask import current_app

from ..extensions import db
from ..models import Application, Document, Household, User
from . import audit

KINDS = ("id_card", "hukou_booklet", "income_proof", "allowance_certificate", "housing_proof",
         "employment_proof", "talent_certificate", "disability_certificate", "other")

# Magic bytes of the formats we accept, and the content type each is served with.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class DocumentError(ValueError):
    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.params = params


def sniff(head: bytes) -> Optional[str]:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def with_extension(name: str, content_type: str) -> str:
    """The applicant's name with the extension of what the file is (a `poly.html` that is a PDF is `poly.pdf`)."""
    stem, dot, suffix = name.rpartition(".")
    ext = EXTENSIONS[content_type]
    if dot and suffix.lower() in (ext[1:], "jpeg" if ext == ".jpg" else ext[1:]):
        return name
    return (stem if dot and stem else name) + ext


def parse_whole(data: bytes, content_type: str) -> bytes:
    """Read the whole file with a real parser and keep a rewritten copy: a file that only starts like a PDF or an
    image is refused, anything appended after the image or outside the PDF's objects is dropped, and
    decompression bombs (huge streams, huge pixel counts) are refused before they are expanded."""
    try:
        return _parse_pdf(data) if content_type == "application/pdf" else _parse_image(data, content_type)
    except DocumentError:
        raise
    except Exception:  # every parser failure of a hostile or broken file is the same answer
        raise DocumentError("file", "unreadable") from None


def _parse_pdf(data: bytes) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import LimitReachedError

    reader = PdfReader(io.BytesIO(data), strict=False)
    pages = len(reader.pages)
    if pages == 0:
        raise DocumentError("file", "unreadable")
    if pages > int(current_app.config["UPLOAD_PDF_MAX_PAGES"]):
        raise DocumentError("file", "too_many_pages", pages=int(current_app.config["UPLOAD_PDF_MAX_PAGES"]))
    budget = int(current_app.config["UPLOAD_PDF_MAX_DECODED_BYTES"])
    try:
        for page in reader.pages:  # every page's content and images, decompressed within pypdf's limits
            contents = page.get_contents()
            budget -= len(contents.get_data()) if contents is not None else 0
            resources = page.get("/Resources")
            xobjects = resources.get_object().get("/XObject") if resources is not None else None
            for ref in (xobjects.get_object().values() if xobjects is not None else ()):
                budget -= len(ref.get_object().get_data())
            if budget < 0:
                raise DocumentError("file", "too_large_decoded")
    except LimitReachedError:
        raise DocumentError("file", "too_large_decoded") from None
    writer = PdfWriter(clone_from=reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _parse_image(data: bytes, content_type: str) -> bytes:
    import io
    import warnings

    from PIL import Image

    max_pixels = int(current_app.config["UPLOAD_IMAGE_MAX_PIXELS"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > max_pixels:
                    raise DocumentError("file", "too_many_pixels")
                expected = "JPEG" if content_type == "image/jpeg" else "PNG"
                if image.format != expected:
                    raise DocumentError("file", "wrong_type")
                image.load()  # decode every pixel: a truncated or fake image fails here
                out = io.BytesIO()
                if expected == "JPEG":
                    image.convert("RGB" if image.mode not in ("L", "RGB", "CMYK") else image.mode).save(
                        out, "JPEG", quality=90)
                else:
                    image.save(out, "PNG", optimize=False)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DocumentError("file", "too_many_pixels") from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    return out.getvalue()


def write_private(path: Path, data: bytes) -> None:
    """Created readable by the service's own user (and group) only, never world-readable."""
    import os

    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        os.fchmod(descriptor, 0o640)
        os.write(descriptor, data)
    finally:
        os.close(descriptor)


def clean_name(name: str) -> str:
    """Keep the applicant's name (any script) but drop paths and control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip()[:255] or "document"


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    return folder


def store(household: Household, kind: str, stream: BinaryIO, filename: str, actor: User,
          application: Optional[Application] = None, replaces: Optional[Document] = None) -> Document:
    """Check and keep one upload; `replaces` (a proof of this household) is marked superseded."""
    if kind not in KINDS:
        raise DocumentError("kind", "unknown_kind")
    if replaces is not None and (replaces.household_id != household.id or replaces.superseded):
        raise DocumentError("replaces", "unknown_document")
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = stream.read(limit + 1)
    if not data:
        raise DocumentError("file", "empty")
    if len(data) > limit:
        raise DocumentError("file", "too_large", limit_mb=round(limit / 1024 / 1024, 1))
    content_type = sniff(data[:16])
    if content_type is None:
        raise DocumentError("file", "wrong_type")
    data = parse_whole(data, content_type)
    stored_name = secrets.token_hex(16) + EXTENSIONS[content_type]
    path = upload_folder() / stored_name
    write_private(path, data)
    document = Document(
        household_id=household.id, application_id=getattr(application, "id", None), kind=kind,
        original_name=with_extension(clean_name(filename), content_type), stored_name=stored_name,
        content_type=content_type,
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id,
    )
    db.session.add(document)
    if replaces is not None:
        replaces.superseded = True
    db.session.flush()
    audit.record("document.upload", document, actor=actor, household=household.id, kind=kind,
                 sha256=document.sha256, replaces=getattr(replaces, "id", None))
    return document


def path_of(document: Document) -> Path:
    return upload_folder() / document.stored_name


def discard_file(document: Document) -> None:
    """For a failed transaction: the bytes written before it failed should not linger."""
    try:
        path_of(document).unlink()
    except OSError:
        pass
