"""The last steps of the application editor: proofs, check your answers with the eligibility pre-check,
submit (once per token), the confirmation, and the answer to a request for more information.
Registered by application_views.register_editor on the same blueprint, with the same helpers."""
from __future__ import annotations

import secrets
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..extensions import db
from ..models import Document
from ..services import applications, documents, duplicates, submission
from ..services.applications import ApplicationError
from ..services.documents import DocumentError
from . import application_forms as forms
from .access import application_or_404, require
from .application_forms import SECTION_LABELS, STATE_LABELS
from .i18n import current_language
from .idempotency import claim, idempotent


def register(editor) -> None:
    name, intake = editor.name, editor.intake
    load, tasks_url, render_section, route = editor.load, editor.tasks_url, editor.render_section, editor.route

    @route("/documents", "documents", ("GET", "POST"))
    @idempotent("applicant.home" if not intake else "intake.index")
    def proofs(application_id):
        application, done = load(application_id)
        if done:
            return done
        household = application.household
        form = forms.UploadForm(data={"replaces": request.args.get("replaces", "")})
        if form.validate_on_submit():
            replaces = None
            if form.replaces.data:
                replaces = db.session.get(Document, forms._int_or_none(form.replaces.data) or 0)
            try:
                if form.replaces.data and (replaces is None or replaces.household_id != household.id):
                    raise DocumentError("file", "unknown_document")
                upload = form.file.data
                claim()
                document = documents.store(household, form.kind.data, upload.stream, upload.filename or "",
                                           current_user, replaces=replaces,
                                           application=application if application.status != "draft" else None)
            except DocumentError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                try:
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    documents.discard_file(document)
                    raise
                flash(_("已上传：%(name)s", name=document.original_name), "success")
                return redirect(url_for(f"{name}.documents", application_id=application.id))
        replacing = None
        if form.replaces.data:
            replacing = next((d for d in applications.live_documents(household)
                              if str(d.id) == form.replaces.data), None)
        return render_section(application, "documents", form, template="applicant/documents.html",
                              proofs=applications.live_documents(household), replacing=replacing,
                              kind_labels=dict(form.kind.choices),
                              required=applications.required_documents(application),
                              uploaded_kinds={d.kind for d in applications.live_documents(household)},
                              upload_max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024))

    @route("/check", "check")
    def check(application_id):
        application, done = load(application_id)
        if done:
            return done
        if application.status != "draft":
            return redirect(url_for(f"{name}.respond", application_id=application.id))
        form = forms.SubmitForm(data={"token": secrets.token_urlsafe(24)})
        return render_check(application, form)

    def render_check(application, form):
        decision = applications.precheck(application, date.today())
        lang = current_language()
        rules = [(rule, policy.render_rule(rule, lang)) for rule in decision.rules] if decision else []
        states = applications.section_states(application)
        already_active = duplicates.active_in_same_programme(application)
        return render_template("applicant/check.html", application=application, form=form, decision=decision,
                               already_active=already_active,
                               missing_documents=applications.missing_documents(application),
                               rules=rules, states=states, section_labels=SECTION_LABELS, bp=name,
                               state_labels=STATE_LABELS, intake=intake,
                               decision_text=policy.render(decision.message_id, lang, {
                                   "programme": str(forms.PROGRAMME_LABELS[application.programme])})
                               if decision else "",
                               title=_("检查您的申请 %(ref)s", ref=application.reference))

    @route("/submit", "submit", ("POST",))
    def submit(application_id):
        application = application_or_404(application_id)
        if intake:
            require(application.filed_by_id is not None)
        form = forms.SubmitForm()
        if form.validate_on_submit():
            try:
                result = submission.submit(application, current_user, form.token.data, form.acknowledge.data)
            except ApplicationError as error:
                db.session.rollback()
                if error.code in ("not_draft", "token_reused", "not_editable"):
                    flash(forms.error_text(error), "warning")
                    return redirect(url_for(f"{name}.confirmation", application_id=application.id)
                                    if application.status != "draft" else tasks_url(application))
                forms.apply_error(form, error)
            else:
                db.session.commit()
                return redirect(url_for(f"{name}.confirmation", application_id=result.application.id))
        if application.status != "draft":
            return redirect(url_for(f"{name}.confirmation", application_id=application.id))
        return render_check(application, form), 422

    @route("/confirmation", "confirmation")
    def confirmation(application_id):
        application, _done = load(application_id, editable=False)
        require(application.status != "draft")
        return render_template("applicant/confirmation.html", application=application, bp=name, intake=intake,
                               title=_("申请已提交 %(ref)s", ref=application.reference))

    @route("/respond", "respond", ("GET", "POST"))
    def respond(application_id):
        application, done = load(application_id)
        if done:
            return done
        if application.status != "returned":
            return redirect(tasks_url(application))
        form = forms.AnswerForm()
        if form.validate_on_submit():
            try:
                submission.resubmit(application, form.answer.data, current_user)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                db.session.commit()
                flash(_("补充材料已提交，街道办事处将重新审核。"), "success")
                return redirect(url_for(f"{name}.confirmation", application_id=application.id))
        return render_template("applicant/respond.html", application=application, form=form, bp=name,
                               info_requests=submission.open_info_requests(application),
                               section_labels=SECTION_LABELS, states=applications.section_states(application),
                               proofs=applications.live_documents(application.household), intake=intake,
                               title=_("补充材料 %(ref)s", ref=application.reference))
