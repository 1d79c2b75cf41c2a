"""一次性告知: the proofs the city requires per programme, tenure and declared circumstances are listed before the
applicant starts and on the documents section; the section is complete, and the application can be submitted,
only when every one is uploaded."""
from __future__ import annotations

import io
from datetime import date

from housing_security.extensions import db
from housing_security.models import Application
from housing_security.policy import documents as policy_documents
from housing_security.services import applications

from .conftest_applicant import PDF, fill, post_ok, required_kinds, start, submission_token


def _upload(client, application_id, kind):
    post_ok(client, f"/me/applications/{application_id}/edit/documents",
            {"kind": kind, "file": (io.BytesIO(PDF), f"{kind}.pdf")}, content_type="multipart/form-data")


def test_the_rules_follow_programme_and_declared_circumstances():
    rules = [
        {"kind": "id_card", "programmes": ["public_rental", "talent"], "when": "always", "citation": {"zh": "甲", "en": "A"}},
        {"kind": "allowance_certificate", "programmes": ["public_rental"], "when": ["minimum_allowance"]},
        {"kind": "disability_certificate", "programmes": ["public_rental", "talent"], "when": ["disability"]},
        {"kind": "talent_certificate", "programmes": ["talent"], "when": "always", "tenures": ["rental"]},
    ]
    kinds = lambda reqs: [r.kind for r in reqs]  # noqa: E731
    assert kinds(policy_documents.required(rules, "public_rental", None, set())) == ["id_card"]
    assert kinds(policy_documents.required(rules, "public_rental", None, {"minimum_allowance"})) == [
        "id_card", "allowance_certificate"]
    assert kinds(policy_documents.required(rules, "public_rental", None, {"disability"})) == [
        "id_card", "disability_certificate"]
    assert kinds(policy_documents.required(rules, "talent", "rental", set())) == ["id_card", "talent_certificate"]
    assert kinds(policy_documents.required(rules, "talent", "full_property", set())) == ["id_card"]
    # the notice before applying lists the conditional ones too
    assert kinds(policy_documents.rules_for(rules, "public_rental")) == [
        "id_card", "allowance_certificate", "disability_certificate"]
    assert policy_documents.required(rules, "talent", "rental", set())[0].citation_in("en") == "A"
    assert kinds(policy_documents.missing(policy_documents.required(rules, "public_rental", None, set()),
                                          ["id_card"])) == []


def test_the_default_list_is_a_dated_cited_city_parameter(app):
    with app.app_context():
        rules = applications.document_rules("taiyuan", date.today())
        public = policy_documents.rules_for(rules, "public_rental")
        assert {"id_card", "hukou_booklet", "income_proof", "allowance_certificate", "disability_certificate"} <= {
            r.kind for r in public}
        assert all("第11号" in r.citation_in("zh") and "第七条" in r.citation_in("zh") for r in public)
        assert {"employment_proof"} <= {r.kind for r in policy_documents.rules_for(rules, "subsidized_rental")}
        assert {"talent_certificate"} <= {r.kind for r in policy_documents.rules_for(rules, "talent")}


def test_the_start_page_lists_the_documents_and_the_size_limit(app, applicant, page_get):
    html = page_get(applicant, "/me/apply")
    assert "一次性告知" in html and "户口簿" in html and "人才认定证书" in html and "劳动合同或社保缴纳证明" in html
    assert "申报低保的" in html and "家庭成员持有残疾人证的" in html
    assert "不超过 8 MB" in html and "第七条" in html


def test_one_upload_does_not_complete_the_section_every_required_proof_does(app, applicant, page_get):
    application_id = start(applicant, app)
    fill(applicant, app, application_id, upload=False)
    kinds = required_kinds(app, application_id)
    # fill() declares 低保: its certificate is required, besides the programme's own proofs
    assert "allowance_certificate" in kinds and "hukou_booklet" in kinds
    _upload(applicant, application_id, "hukou_booklet")
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert applications.section_states(application)["documents"] == "in_progress"
        assert not applications.ready_to_submit(application)
    html = page_get(applicant, f"/me/applications/{application_id}/edit/documents")
    assert "本申请须提交的材料" in html and "尚未上传" in html and "不超过 8 MB" in html
    check = page_get(applicant, f"/me/applications/{application_id}/edit/check")
    assert "尚未上传的材料" in check and "低保、特困或低收入证明" in check
    # submitting now is refused: nothing changes
    edit = f"/me/applications/{application_id}/edit"
    applicant.post(f"{edit}/submit", data={"token": "x" * 32})
    with app.app_context():
        assert db.session.get(Application, application_id).status == "draft"
    for kind in kinds:
        if kind != "hukou_booklet":
            _upload(applicant, application_id, kind)
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert applications.section_states(application)["documents"] == "completed"
        assert applications.ready_to_submit(application)
    token = submission_token(page_get(applicant, f"{edit}/check"))
    assert applicant.post(f"{edit}/submit", data={"token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Application, application_id).status == "street_review"


def test_a_member_with_a_disability_certificate_adds_the_certificate(app, applicant):
    application_id = start(applicant, app)
    fill(applicant, app, application_id, upload=False)
    assert "disability_certificate" not in required_kinds(app, application_id)
    with app.app_context():
        member = db.session.get(Application, application_id).household.members[0]
        member_id, name, id_number = member.id, member.name, member.id_number
    post_ok(applicant, f"/me/applications/{application_id}/edit/members/{member_id}",
            {"name": name, "id_number": id_number, "relation": "self", "disability": "y"})
    assert "disability_certificate" in required_kinds(app, application_id)
