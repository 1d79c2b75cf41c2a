"""The application editor: task list, one page per section, proofs, check your answers, submit, answer a
request for more information. Registered twice: on the applicant's blueprint and on the caseworker's
assisted-intake blueprint, so both fill the very same forms (each registration gets its own view functions
and access rule)."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..extensions import db
from ..models import Member
from ..services import applications, registry_checks, submission
from ..services.applications import ApplicationError
from . import application_forms as forms
from . import application_submission
from .access import allow, application_or_404, require
from .application_forms import SECTION_LABELS, STATE_LABELS
from .i18n import current_language


def street_choices(city_code: str, only=None) -> dict:
    """District → its street offices, rendered as <optgroup>s (works without JavaScript)."""
    lang = current_language()
    groups = {}
    for district, streets in applications.city_streets(city_code):
        options = [(s.id, s.name(lang)) for s in streets if only is None or s.id == only.id]
        if options:
            groups[district.name(lang)] = options
    return groups


def register_editor(bp, roles, intake: bool = False) -> None:
    name = bp.name
    done_endpoint = "cases.detail" if intake else "applicant.status"

    def load(application_id: int, editable: bool = True):
        application = application_or_404(application_id)
        if intake:
            require(application.filed_by_id is not None)
        if editable and application.status not in applications.EDITABLE:
            return None, redirect(url_for(done_endpoint, application_id=application.id))
        return application, None

    def tasks_url(application):
        return url_for(f"{name}.tasks", application_id=application.id)

    def render_section(application, section, form, template="applicant/section.html", **context):
        return render_template(template, application=application, form=form, section=section,
                               section_label=SECTION_LABELS[section], bp=name, intake=intake,
                               title=_("%(section)s · 申请 %(ref)s", section=SECTION_LABELS[section],
                                       ref=application.reference), **context)

    def saved(application):
        db.session.commit()
        flash(_("已保存。您可以随时回来继续填写。"), "success")
        return redirect(tasks_url(application))

    def route(rule, endpoint, methods=("GET",)):
        def decorate(view):
            view = allow(*roles)(view)
            bp.add_url_rule(f"/applications/<int:application_id>/edit{rule}", endpoint, view, methods=list(methods))
            return view
        return decorate

    @route("", "tasks")
    def tasks(application_id):
        application, done = load(application_id)
        if done:
            return done
        states = applications.section_states(application)
        return render_template("applicant/tasks.html", application=application, states=states, bp=name,
                               section_labels=SECTION_LABELS, state_labels=STATE_LABELS, intake=intake,
                               info_requests=submission.open_info_requests(application),
                               ready=all(s == "completed" for s in states.values()),
                               title=_("填写申请 %(ref)s", ref=application.reference))

    @route("/address", "address", ("GET", "POST"))
    def address(application_id):
        application, done = load(application_id)
        if done:
            return done
        household = application.household
        form = forms.AddressForm(data={"street_id": household.street_id, "address": household.address,
                                       "phone": household.phone})
        only = current_user.jurisdiction if intake else None
        form.street_id.choices = street_choices(application.city_code, only)
        if form.validate_on_submit():
            street = applications.street_in_city(form.street_id.data, application.city_code)
            if street is None or (only is not None and street.id != only.id):
                forms.apply_error(form, ApplicationError("street_id", "unknown_street"))
            else:
                try:
                    applications.save_address(application, street, form.address.data, form.phone.data,
                                              current_user)
                except ApplicationError as error:
                    db.session.rollback()
                    forms.apply_error(form, error)
                else:
                    return saved(application)
        return render_section(application, "address", form)

    @route("/members", "members")
    def members(application_id):
        application, done = load(application_id)
        if done:
            return done
        return render_section(application, "members", forms.ConfirmForm(), template="applicant/members.html",
                              members=application.household.members)

    @route("/members/new", "member_new", ("GET", "POST"))
    @route("/members/<int:member_id>", "member_edit", ("GET", "POST"))
    def member(application_id, member_id=None):
        application, done = load(application_id)
        if done:
            return done
        existing = None
        if member_id is not None:
            existing = db.session.get(Member, member_id)
            require(existing is not None and existing.household_id == application.household_id)
        data = {"relation": "self" if not application.household.members else "spouse"}
        if existing is not None:
            data = {"name": existing.name, "id_number": existing.id_number, "relation": existing.relation,
                    "disability": existing.disability}
        form = forms.MemberForm(data=data)
        if form.validate_on_submit():
            try:
                applications.save_member(application, current_user, form.name.data, form.id_number.data,
                                         form.relation.data, form.disability.data, member=existing)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                db.session.commit()
                flash(_("家庭成员已保存。"), "success")
                return redirect(url_for(f"{name}.members", application_id=application.id))
        return render_section(application, "members", form, template="applicant/member_form.html",
                              member=existing)

    @route("/members/<int:member_id>/remove", "member_remove", ("POST",))
    def member_remove(application_id, member_id):
        application, done = load(application_id)
        if done:
            return done
        existing = db.session.get(Member, member_id)
        require(existing is not None and existing.household_id == application.household_id)
        if forms.ConfirmForm().validate_on_submit():
            applications.remove_member(application, existing, current_user)
            db.session.commit()
            flash(_("已删除家庭成员 %(name)s。", name=existing.name), "success")
        return redirect(url_for(f"{name}.members", application_id=application.id))

    @route("/hukou", "hukou", ("GET", "POST"))
    def hukou(application_id):
        application, done = load(application_id)
        if done:
            return done
        household = application.household
        # Nothing is pre-answered: an unsaved section shows empty fields, never a default that reads as an answer.
        answered = "hukou" in applications.saved_sections(application)[0]
        form = forms.HukouForm(data={"hukou_city": household.hukou_city, "hukou_type": household.hukou_type}
                               if answered else {})
        form.hukou_city.choices = city_choices()
        if form.validate_on_submit():
            try:
                applications.save_hukou(application, form.hukou_city.data, form.hukou_type.data, current_user)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                return saved(application)
        return render_section(application, "hukou", form)

    @route("/income", "income", ("GET", "POST"))
    def income(application_id):
        application, done = load(application_id)
        if done:
            return done
        household = application.household
        if not household.members:
            flash(_("请先添加家庭成员。"), "info")
            return redirect(url_for(f"{name}.members", application_id=application.id))
        form = forms.income_form(household.members, application.programme == "public_rental")
        if request.method == "GET":
            income_saved = applications.saved_sections(application)[1]
            for m in household.members:
                form[f"income_{m.id}"].data = m.income_month if str(m.id) in income_saved else None
            for flag in ("minimum_allowance", "special_hardship", "low_income", "veteran_family"):
                if flag in form:
                    form[flag].data = getattr(household, flag)
        if form.validate_on_submit():
            incomes = {m.id: form[f"income_{m.id}"].data for m in household.members}
            groups = {flag: form[flag].data for flag in
                      ("minimum_allowance", "special_hardship", "low_income", "veteran_family") if flag in form}
            try:
                applications.save_income(application, incomes, groups, current_user)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                return saved(application)
        return render_section(application, "income", form)

    @route("/assets", "assets", ("GET", "POST"))
    def assets(application_id):
        application, done = load(application_id)
        if done:
            return done
        answered = "assets" in applications.saved_sections(application)[0]
        form = forms.AssetsForm(data={"assets_yuan": application.household.assets_yuan} if answered else {})
        if form.validate_on_submit():
            try:
                applications.save_assets(application, form.assets_yuan.data, current_user)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                return saved(application)
        return render_section(application, "assets", form)

    @route("/housing", "housing", ("GET", "POST"))
    def housing(application_id):
        application, done = load(application_id)
        if done:
            return done
        household = application.household
        form = forms.housing_form(household.members)
        if request.method == "GET":
            answered = "housing" in applications.saved_sections(application)[0]
            form.current_area_m2.data = household.current_area_m2 if answered else None
            for m in household.members:
                form[f"owns_{m.id}"].data = m.owns_home_in_city
        if form.validate_on_submit():
            owners = [m.id for m in household.members if form[f"owns_{m.id}"].data]
            try:
                applications.save_housing(application, form.current_area_m2.data, owners, current_user)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                return saved(application)
        return render_section(application, "housing", form)

    @route("/employment", "employment", ("GET", "POST"))
    def employment(application_id):
        application, done = load(application_id)
        if done:
            return done
        require(application.programme != "public_rental")
        main = application.household.main_applicant
        form = forms.EmploymentForm(data={
            "employed_locally": bool(main and main.employed_locally),
            "social_insurance_local": bool(main and main.social_insurance_local),
            "talent_category": main.talent_category if main else None, "tenure": application.tenure})
        catalogue = applications.talent_catalogue(application.city_code, date.today())
        level = {"high_level": _("高层次人才"), "general": _("一般人才")}
        form.talent_category.choices = [("", _("请选择"))] + [
            (code, f"{code}（{level.get(lv, lv)}）") for code, lv in sorted(catalogue.items())]
        talent = application.programme == "talent"
        # Where the city takes the category from its certified-talent list, it is shown, not chosen.
        certified = registry_checks.certified_talent(application, date.today()) if talent else None
        if not talent or certified is not None:
            del form.talent_category
        if not talent:
            del form.tenure
        if main is None:
            flash(_("请先在“家庭成员”中添加主申请人（本人）。"), "info")
        if form.validate_on_submit():
            try:
                applications.save_employment(
                    application, current_user, form.employed_locally.data, form.social_insurance_local.data,
                    talent_category=form.talent_category.data if "talent_category" in form else None,
                    tenure=form.tenure.data if talent else None)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                return saved(application)
        return render_section(application, "employment", form, certified=certified,
                              talent_levels={code: level.get(lv, lv) for code, lv in catalogue.items()})

    @route("/preferences", "preferences", ("GET", "POST"))
    def preferences(application_id):
        application, done = load(application_id)
        if done:
            return done
        form = forms.PreferencesForm(data={
            "preferences": list(application.preferences or []), "accept_any_district": application.accept_any_district,
            "needs_accessible": application.needs_accessible, "needs_low_floor": application.needs_low_floor,
            "prefers_dormitory": application.prefers_dormitory})
        if application.programme != "subsidized_rental":
            del form.prefers_dormitory
        lang = current_language()
        districts = [(d.code, d.name(lang)) for d, _s in applications.city_streets(application.city_code)]
        if form.validate_on_submit():
            try:
                applications.save_preferences(
                    application, current_user, list(form.preferences.data or []), form.accept_any_district.data,
                    form.needs_accessible.data, form.needs_low_floor.data,
                    bool(form.prefers_dormitory.data) if "prefers_dormitory" in form else False)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                return saved(application)
        chosen = list(form.preferences.data or [])
        slots = applications.max_preferences(application.city_code)
        return render_section(application, "preferences", form, template="applicant/preferences.html",
                              districts=districts, slots=slots, chosen=chosen + [""] * (slots - len(chosen)))

    application_submission.register(SimpleNamespace(
        name=name, intake=intake, load=load, tasks_url=tasks_url, render_section=render_section, route=route))


def city_choices():
    from ..policy.parameters import load_pack

    lang = current_language()
    choices = [("", _("请选择"))]
    for code in policy.list_cities():
        try:
            names = load_pack(code).name
        except policy.PolicyError:
            names = {}
        choices.append((code, names.get(lang) or names.get("zh") or code))
    choices.append(("other", _("外省或其他城市")))
    return choices
