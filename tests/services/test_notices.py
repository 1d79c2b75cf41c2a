"""Notices: every in-app notification also queues an SMS for a user with a phone; the log sender by default,
an HTTP gateway (a fake one on 127.0.0.1 here) with retries and a delivery log; no ID numbers in messages."""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import NoticeDelivery, Notification
from housing_security.models._types import utcnow
from housing_security.services import notices, review
from tests.services.helpers import get, new_case, user


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


class FakeGateway:
    """A tiny SMS gateway on 127.0.0.1: records every request; answers `failures` times with 503 first."""

    def __init__(self, failures: int = 0):
        self.requests, self.failures = [], failures
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append({"auth": self.headers.get("Authorization"), "body": json.loads(body)})
                if gateway.failures > 0:
                    gateway.failures -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                answer = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _notify(owner="smsuser", phone="13912345678", locale=None, **params):
    case_id = new_case("street_review", owner=owner)
    reference = get(case_id).reference
    account = user(owner)
    account.phone, account.locale = phone, locale
    db.session.add(Notification(user_id=account.id, application_id=case_id, message_id="status_changed",
                                params={"reference": reference, "status": "returned", **params}))
    db.session.commit()
    return case_id, db.session.scalars(select(NoticeDelivery).where(NoticeDelivery.user_id == account.id)
                                       .order_by(NoticeDelivery.id.desc())).first()


def test_an_in_app_notification_queues_an_sms_and_the_log_sender_delivers_it(ctx, caplog):
    case_id, delivery = _notify()
    assert delivery is not None and delivery.status == "pending" and delivery.recipient == "13912345678"
    assert delivery.notification_id is not None and delivery.params == {"reference": get(case_id).reference}
    with caplog.at_level("INFO", logger="housing_security.services.notices"):
        counts = notices.deliver_pending()
    assert counts["sent"] >= 1
    db.session.expire_all()
    delivery = db.session.get(NoticeDelivery, delivery.id)
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at is not None
    assert get(case_id).reference in caplog.text and "13912345678" not in caplog.text  # phone masked in the log


def test_a_status_change_goes_out_through_both_channels(ctx):
    case_id = new_case("street_review", owner="moveduser")
    user("moveduser").phone = "13700001111"
    db.session.commit()
    review.request_info(get(case_id), user("wangqiang"), "请补充户口簿首页，身份证号 140105198001011233 不清楚")
    db.session.commit()
    rows = db.session.scalars(select(NoticeDelivery).where(NoticeDelivery.user_id == user("moveduser").id)).all()
    assert {r.message_id for r in rows} == {"status_changed", "info_requested"}
    for row in rows:
        text = notices.render(row)
        assert "140105198001011233" not in text and "户口簿" not in text and get(case_id).reference in text


def test_no_id_number_ever_reaches_a_message_and_english_readers_get_english(ctx):
    _, delivery = _notify(owner="enuser", locale="en", deadline="2026-12-31")
    delivery.params = {"reference": "140105198001011233"}  # a parameter that happens to look like an ID number
    db.session.commit()
    text = notices.render(delivery)
    assert "140105198001011233" not in text and "1401" in text
    assert "housing" in text.lower() and not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_users_without_a_phone_get_no_sms(ctx):
    case_id = new_case("street_review", owner="nophone")
    get(case_id).household.phone = ""
    db.session.commit()
    account = user("nophone")
    account.phone = None
    db.session.add(Notification(user_id=account.id, application_id=case_id, message_id="status_changed",
                                params={"reference": "R", "status": "returned"}))
    db.session.commit()
    assert not db.session.scalars(select(NoticeDelivery).where(NoticeDelivery.user_id == account.id)).all()


def test_the_http_gateway_with_retries_and_a_delivery_log(ctx):
    notices.deliver_pending()  # the demo city's own notices go out through the log sender first
    ctx.config.update(SMS_GATEWAY_TOKEN="secret-token", SMS_MAX_ATTEMPTS=3, SMS_RETRY_MINUTES=1)
    with FakeGateway(failures=1) as gateway:
        ctx.config["SMS_GATEWAY_URL"] = gateway.url
        case_id, delivery = _notify(owner="gwuser")
        start = utcnow()
        first = notices.deliver_pending(now=start)
        db.session.expire_all()
        row = db.session.get(NoticeDelivery, delivery.id)
        assert first["retry"] >= 1 and row.status == "pending" and row.attempts == 1
        assert row.last_error == "gateway answered HTTP 503" and row.next_attempt_at > start
        assert notices.deliver_pending(now=start)["sent"] == 0  # not due yet
        second = notices.deliver_pending(now=start + timedelta(minutes=2))
        db.session.expire_all()
        row = db.session.get(NoticeDelivery, delivery.id)
        assert second["sent"] >= 1 and row.status == "sent" and row.attempts == 2 and row.gateway_reference
    mine = [r for r in gateway.requests if r["body"]["to"] == "13912345678"]
    assert len(mine) == 2 and all(r["auth"] == "Bearer secret-token" for r in mine)
    assert get(case_id).reference in mine[-1]["body"]["text"]


def test_a_gateway_that_keeps_failing_marks_the_delivery_failed(ctx):
    ctx.config.update(SMS_MAX_ATTEMPTS=2, SMS_RETRY_MINUTES=1)
    with FakeGateway(failures=100) as gateway:
        ctx.config["SMS_GATEWAY_URL"] = gateway.url
        _, delivery = _notify(owner="failuser")
        start = utcnow()
        notices.deliver_pending(now=start)
        notices.deliver_pending(now=start + timedelta(minutes=5))
    db.session.expire_all()
    row = db.session.get(NoticeDelivery, delivery.id)
    assert row.status == "failed" and row.attempts == 2


def test_an_unreachable_gateway_is_a_retry_not_a_crash(ctx):
    ctx.config["SMS_GATEWAY_URL"] = "http://127.0.0.1:9/sms"  # discard port: nothing listens
    ctx.config["SMS_TIMEOUT"] = 1
    _, delivery = _notify(owner="downuser")
    counts = notices.deliver_pending()
    db.session.expire_all()
    row = db.session.get(NoticeDelivery, delivery.id)
    assert counts["retry"] >= 1 and row.status == "pending" and "unreachable" in row.last_error
