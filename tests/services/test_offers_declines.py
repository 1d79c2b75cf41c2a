"""Declines as a service: which count towards workflow.decline_limit, and the caseworker's review."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Offer, Unit, User
from housing_security.services import offers


def _offer(application: Application) -> Offer:
    unit = db.session.scalar(select(Unit).where(Unit.programme == application.programme, Unit.status == "vacant")
                             .order_by(Unit.id))
    unit.status, application.status = "offered", "offered"
    offer = Offer(application_id=application.id, unit_id=unit.id, respond_by=date.today() + timedelta(days=7))
    db.session.add(offer)
    db.session.flush()
    return offer


def _case() -> tuple[Application, User, User]:
    application = db.session.scalar(select(Application).where(Application.status == "waitlist",
                                                              Application.programme == "public_rental"))
    application.declines = 0
    owner = application.household.owner or db.session.scalar(select(User).where(User.username == "lixiulan"))
    worker = db.session.scalar(select(User).where(User.username == "wangqiang"))
    return application, owner, worker


def test_the_default_pack_lists_justified_reasons_in_both_languages(app):
    with app.app_context():
        reasons = offers.justified_reasons("taiyuan")
        assert {"medical_need", "family_care"} <= {r["code"] for r in reasons}
        assert all(r["zh"] and r["en"] for r in reasons)
        assert offers.reason_label("taiyuan", "medical_need", "en").startswith("The unit does not meet")


def test_claimed_declines_wait_for_review_and_counts_follow_the_review(app):
    with app.app_context():
        application, owner, worker = _case()
        offer = _offer(application)
        assert offers.decline(offer, owner, "需要一楼", claimed="medical_need") is False
        assert application.declines == 0 and offer.decline_justified is None and not offers.counts(offer)
        assert offers.claimed_reason(offer) == "medical_need"
        with pytest.raises(offers.OfferError) as error:
            offers.review_decline(offer, worker, True, "  ")
        assert error.value.code == "note_required"
        offers.review_decline(offer, worker, False, "没有医疗证明，楼层符合规定。")
        assert application.declines == 1 and offers.counts(offer)
        offers.review_decline(offer, worker, True, "补交了医疗证明，改为有正当理由。")
        assert application.declines == 0 and application.status == "waitlist"
        # a second offer is out: the review changes the count but never the offered status
        second = _offer(application)
        offers.review_decline(offer, worker, False, "复查：证明不属实，计入次数。")
        assert application.status == "offered" and application.declines == 1
        with pytest.raises(offers.OfferError) as error:
            offers.review_decline(second, worker, True, "还没有拒绝的通知不能审核。")
        assert error.value.code == "not_declined"
        with pytest.raises(offers.OfferError) as error:
            offers.decline(second, owner, "太远", claimed="no_such_reason")
        assert error.value.code == "unknown_justified_reason" and second.status == "pending"
        db.session.rollback()
