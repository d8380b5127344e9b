"""People: the scoped directory, invitations and (for admins) roles and scopes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_
from werkzeug.wrappers import Response

from learning import scope
from learning.access import INVITERS, STAFF, roles
from learning.accounts import bp, services
from learning.accounts.forms import (
    InviteForm,
    UserEditForm,
    organisation_type_labels,
    role_labels,
)
from learning.accounts.models import OrganisationType, Role, User
from learning.cohorts import services as cohorts
from learning.cohorts.models import CohortFacilitator
from learning.core.forms import options
from learning.db import db
from learning.i18n.countries import country_choices

PAGE_SIZE = 50


def invitable_roles(inviter: User) -> list[Role]:
    """Admins invite anyone; facilitators and coordinators invite participants."""
    if inviter.role == Role.ADMIN:
        return list(Role)
    return [Role.PARTICIPANT]


@bp.get("/people")
@roles(STAFF)
def people() -> str:
    query = scope.users_query(current_user)
    text = (request.args.get("q") or "").strip()[:100]
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    role = request.args.get("role")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = list(db.session.scalars(
        query.order_by(User.name, User.id).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ))
    return render_template(
        "accounts/people.html", people=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE,
        page=page, q=text, role=role, role_labels=role_labels(),
    )


@bp.route("/people/invite", methods=["GET", "POST"])
@roles(INVITERS)
def invite() -> str | Response:
    inviter: User = current_user._get_current_object()
    form = InviteForm()
    locale = str(get_locale())
    labels = role_labels()
    form.role.choices = options((role.value, labels[role]) for role in invitable_roles(inviter))
    countries = country_choices(locale)
    if inviter.role == Role.COORDINATOR:
        countries = [(code, name) for code, name in countries if code == inviter.country_code]
    form.country.choices = options([("", _("— choose —")), *countries])
    form.focal_countries.choices = options(country_choices(locale))
    form.organisation_type.choices = options(organisation_type_labels().items())
    manageable = cohorts.manageable_cohorts(inviter)
    form.cohort.choices = options([("", _("— none —"))] + [(str(c.id), c.name) for c in manageable])
    if request.method == "GET":
        form.language.data = locale
        if request.args.get("cohort"):
            form.cohort.data = request.args["cohort"]
    if form.validate_on_submit():
        cohort = next((c for c in manageable if str(c.id) == form.cohort.data), None)
        if inviter.role == Role.FACILITATOR and cohort is None:
            form.refuse("cohort", _("Choose one of your cohorts."))
        elif services.user_by_email(form.email.data or "") is not None:
            form.refuse("email", _("An account already uses this e-mail address."))
        else:
            organisation = None
            if form.organisation.data:
                organisation = services.find_or_create_organisation(
                    form.organisation.data, OrganisationType(form.organisation_type.data),
                    form.country.data or None)
            user = services.create_user(
                email=form.email.data or "", name=form.name.data or "",
                role=Role(form.role.data), language=form.language.data or "en",
                country_code=form.country.data or None, job_title=form.job_title.data or "",
                organisation=organisation,
                focal_countries=form.focal_countries.data if form.role.data == Role.FOCAL_POINT
                else None,
            )
            if cohort is not None:
                if user.role == Role.FACILITATOR:
                    cohort.facilitators.append(CohortFacilitator(user_id=user.id))
                else:
                    cohorts.enrol(inviter, cohort, user)
            services.invite(inviter, user)
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.people"))
    return render_template("accounts/invite.html", form=form)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_person(user_id: int) -> str | Response:
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    form = UserEditForm()
    locale = str(get_locale())
    labels = role_labels()
    form.role.choices = options((role.value, labels[role]) for role in Role)
    form.country.choices = options([("", _("— none —")), *country_choices(locale)])
    form.focal_countries.choices = options(country_choices(locale))
    if request.method == "GET":
        form.role.data = person.role.value
        form.country.data = person.country_code or ""
        form.focal_countries.data = person.focal_country_codes
        form.is_active.data = person.is_active
    if form.validate_on_submit():
        try:
            services.update_role_and_scope(
                current_user, person, Role(form.role.data), form.focal_countries.data or [],
                form.country.data or None, bool(form.is_active.data),
            )
        except services.AccountError:
            db.session.rollback()
            flash(_("You cannot remove your own administrator rights or deactivate yourself."),
                  "error")
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("accounts.edit_person", user_id=person.id))
    return render_template("accounts/person.html", form=form, person=person,
                           role_labels=labels)


@bp.post("/people/<int:user_id>/invitation")
@roles(Role.ADMIN)
def resend_invitation(user_id: int) -> Response:
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if person.has_password:
        flash(_("This person already has an account."), "info")
    else:
        services.invite(current_user, person)
        db.session.commit()
        flash(_("Invitation sent to %(email)s.", email=person.email), "success")
    return redirect(url_for("accounts.edit_person", user_id=person.id))
