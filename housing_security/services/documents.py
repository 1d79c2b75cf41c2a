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


def clean_name(name: str) -> str:
    """Keep the applicant's name (any script) but drop paths and control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip()[:255] or "document"


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
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
    stored_name = secrets.token_hex(16)
    path = upload_folder() / stored_name
    path.write_bytes(data)
    document = Document(
        household_id=household.id, application_id=getattr(application, "id", None), kind=kind,
        original_name=clean_name(filename), stored_name=stored_name, content_type=content_type,
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
