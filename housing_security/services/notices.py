"""Notices to applicants through pluggable channels.

- **In-app**: the `Notification` row the use cases already write (rendered in the reader's language).
- **SMS**: every new in-app notification to a user with a phone number queues a `NoticeDelivery` in the same
  transaction (a session hook, so no use case has to remember it); `deliver_pending()` sends the queue after
  commit through the configured sender, retrying failures with back-off, and keeps the delivery log.

Senders (settings, each overridable with a `HOUSING_` environment variable):
`SMS_GATEWAY_URL` (empty: the log-only sender, the default and what tests use), `SMS_GATEWAY_TOKEN` (sent as a
bearer token), `SMS_TIMEOUT` (seconds), `SMS_MAX_ATTEMPTS`, `SMS_RETRY_MINUTES` (first back-off, doubled each time).

Messages are short templates in both languages with the case reference only: never an ID number (any
18-character ID number that reaches a message is masked), never the free text of a request.
"""
from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Optional, Protocol

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Application, NoticeDelivery, Notification, User
from ..models._types import utcnow
from ..policy import mask_id_number

log = logging.getLogger(__name__)

SMS_TEMPLATES = {
    "status_changed": _l("【住房保障】您的申请 %(reference)s 办理状态有更新，请登录住房保障服务查看。"),
    "info_requested": _l("【住房保障】您的申请 %(reference)s 需要补充材料，请登录住房保障服务查看具体要求。"),
    "offer_made": _l("【住房保障】您的申请 %(reference)s 获得配租通知，请在 %(deadline)s 前登录答复。"),
    "round_unassigned": _l("【住房保障】您的申请 %(reference)s 本批次未获配租，原因请登录查看。"),
}
SMS_FALLBACK = _l("【住房保障】您有一条新消息，请登录住房保障服务查看。")
# Parameters a message may carry; anything else (free text, explanations) stays in the app.
SAFE_PARAMS = ("reference", "deadline")
ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


class SendError(RuntimeError):
    """The channel did not accept the message; the text is kept in the delivery log (no personal data)."""


class Sender(Protocol):
    channel: str

    def send(self, recipient: str, text: str) -> str:
        """Send one message; returns the gateway's reference, raises SendError."""


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


class LogSender:
    """Writes the message to the application log instead of sending it (development and tests)."""

    channel = "sms"

    def send(self, recipient: str, text: str) -> str:
        log.info("SMS (log only) to %s: %s", mask_phone(recipient), text)
        return "log"


class HttpSmsSender:
    """POSTs {"to", "text"} as JSON to an SMS gateway; a 2xx answer with JSON {"id": …} is a delivery."""

    channel = "sms"

    def __init__(self, url: str, token: str = "", timeout: float = 5.0):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, recipient: str, text: str) -> str:
        body = json.dumps({"to": recipient, "text": text}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(4096)
        except urllib.error.HTTPError as error:
            raise SendError(f"gateway answered HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SendError(f"gateway unreachable: {type(error).__name__}") from None
        try:
            return str(json.loads(answer or b"{}").get("id", ""))[:64]
        except (ValueError, AttributeError):
            return ""


def configured_sender() -> Sender:
    url = current_app.config.get("SMS_GATEWAY_URL") or ""
    if not url:
        return LogSender()
    return HttpSmsSender(url, current_app.config.get("SMS_GATEWAY_TOKEN") or "",
                         float(current_app.config.get("SMS_TIMEOUT", 5)))


# ---- queueing: every new in-app notification also goes out by SMS --------------------------------

def _recipient(session: Session, notification: Notification) -> tuple[Optional[str], str]:
    user = session.get(User, notification.user_id)
    if user is None or not user.active:
        return None, "zh"
    phone = (user.phone or "").strip()
    if not phone and notification.application_id:
        application = session.get(Application, notification.application_id)
        phone = (application.household.phone or "").strip() if application and application.household else ""
    return (phone or None), (user.locale or "zh")


def safe_params(params: dict) -> dict:
    return {k: ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), str(v))
            for k, v in (params or {}).items() if k in SAFE_PARAMS and v is not None}


@event.listens_for(Session, "before_flush")
def _queue_sms(session: Session, flush_context, instances) -> None:
    new = [o for o in session.new if isinstance(o, Notification)]
    if not new:
        return
    with session.no_autoflush:
        for notification in new:
            phone, locale = _recipient(session, notification)
            if phone is None:
                continue
            session.add(NoticeDelivery(
                notification=notification, user_id=notification.user_id, channel="sms", recipient=phone[:32],
                message_id=notification.message_id, params=safe_params(notification.params), locale=locale,
                status="pending", attempts=0))


# ---- sending ------------------------------------------------------------------------------------

def render(delivery: NoticeDelivery) -> str:
    template = SMS_TEMPLATES.get(delivery.message_id, SMS_FALLBACK)
    params = safe_params(delivery.params)
    with force_locale(delivery.locale if delivery.locale in ("zh", "en") else "zh"):
        try:
            text = str(template) % params if params or "%(" in str(template) else str(template)
        except (KeyError, ValueError, TypeError):
            text = str(SMS_FALLBACK)
    return ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)


def deliver_pending(limit: int = 500, now: Optional[datetime] = None, sender: Optional[Sender] = None) -> dict:
    """Send due deliveries, each in its own transaction; failures are retried with back-off until
    SMS_MAX_ATTEMPTS, then marked failed. Returns counts."""
    now = now or utcnow()
    sender = sender or configured_sender()
    max_attempts = int(current_app.config.get("SMS_MAX_ATTEMPTS", 5))
    retry_minutes = float(current_app.config.get("SMS_RETRY_MINUTES", 5))
    ids = db.session.scalars(select(NoticeDelivery.id).where(
        NoticeDelivery.status == "pending",
        or_(NoticeDelivery.next_attempt_at.is_(None), NoticeDelivery.next_attempt_at <= now))
        .order_by(NoticeDelivery.id).limit(limit)).all()
    db.session.commit()  # end the read; sending happens outside any transaction
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for delivery_id in ids:
        delivery = db.session.get(NoticeDelivery, delivery_id)
        text = render(delivery)
        recipient = delivery.recipient
        db.session.commit()
        try:
            reference, error = sender.send(recipient, text), None
        except SendError as failure:
            reference, error = None, str(failure)[:255]
        delivery = db.session.get(NoticeDelivery, delivery_id)
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.sent_at, delivery.gateway_reference = "sent", utcnow(), (reference or "")[:64]
            delivery.last_error = None
            counts["sent"] += 1
        else:
            delivery.last_error = error
            if delivery.attempts >= max_attempts:
                delivery.status = "failed"
                counts["failed"] += 1
            else:
                delivery.next_attempt_at = now + timedelta(minutes=retry_minutes * 2 ** (delivery.attempts - 1))
                counts["retry"] += 1
        db.session.commit()
    return counts
