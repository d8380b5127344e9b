"""Certificate pages: the participant's checklist and certificate, the PDF download, the
staff lists with their exports and programme figure, and the admin's decisions."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import roles, signed_in
from learning.accounts.models import Role, User
from learning.audit.services import record
from learning.certificates import bp, exports, rules, services
from learning.certificates.forms import IssueForm, ListFilters, ReissueForm, RevokeForm
from learning.certificates.links import verification_url
from learning.certificates.models import Certificate, CertificateStatus
from learning.certificates.openbadges import credential_url
from learning.cohorts.models import Cohort
from learning.core.forms import options
from learning.db import db, write_intent
from learning.i18n.countries import country_name

STAFF_LISTS = (Role.ADMIN, Role.FOCAL_POINT, Role.COORDINATOR)
TABS = ("issued", "pending", "ended")

ERRORS: dict[str, Callable[[], str]] = {
    "reason_needed": lambda: _("Give the reason: it is kept in the audit log."),
    "reason_too_long": lambda: _("The reason is too long."),
    "already_certified": lambda: _("This person already holds a valid certificate for this "
                                   "cohort."),
    "not_enrolled": lambda: _("This person is not enrolled in this cohort."),
    "not_valid": lambda: _("Only a valid certificate can be re-issued or revoked."),
    "no_holder": lambda: _("The holder's account no longer exists: the certificate cannot "
                           "be re-issued."),
}


def status_labels() -> dict[str, str]:
    return {CertificateStatus.VALID.value: _("Valid"),
            CertificateStatus.REVOKED.value: _("Revoked"),
            CertificateStatus.SUPERSEDED.value: _("Superseded")}


# --- the participant -------------------------------------------------------------------------


@bp.get(services.MINE_PATH)
@signed_in
def mine() -> str:
    checklists = []
    for cohort in services.active_enrolment_cohorts(current_user):
        checklists.append(services.checklist(current_user, cohort))
    return render_template("certificates/mine.html", checklists=checklists,
                           verification_url=verification_url, credential_url=credential_url,
                           rules_enabled=rules.enabled_rules)


@bp.get("/certificates/<int:certificate_id>.pdf")
@signed_in
def download(certificate_id: int) -> Response:
    certificate = db.session.get(Certificate, certificate_id)
    if (certificate is None or certificate.pdf is None
            or not services.may_download(current_user, certificate)):
        abort(404)
    return Response(certificate.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{certificate.serial}.pdf"',
        "Cache-Control": "private, no-store"})


# --- staff lists -------------------------------------------------------------------------------


def _filters() -> tuple[ListFilters, services.ListFilter]:
    cohorts, countries = services.filter_choices(current_user)
    locale = str(get_locale())
    form = ListFilters(request.args)
    form.cohort.choices = options([("", _("All cohorts")),
                                   *((str(cohort.id), cohort.name) for cohort in cohorts)])
    form.country.choices = options([("", _("All countries")),
                                    *((code, country_name(code, locale)) for code in countries)])
    cohort_ids = {str(cohort.id) for cohort in cohorts}
    # A value outside the viewer's choices (an edited address) is ignored, never widened.
    cohort_id = form.cohort.data if form.cohort.data in cohort_ids else None
    country = form.country.data if form.country.data in countries else None
    if cohort_id is None:
        form.cohort.data = ""
    if country is None:
        form.country.data = ""
    return form, services.ListFilter(int(cohort_id) if cohort_id else None, country)


def _tab() -> str:
    tab = request.args.get("show", "issued")
    return tab if tab in TABS else "issued"


@bp.get("/certificates")
@roles(*STAFF_LISTS)
def index() -> str:
    form, filters = _filters()
    tab = _tab()
    if tab == "pending":
        rows: list[object] = list(services.pending_list(current_user, filters))
    else:
        statuses = (CertificateStatus.VALID,) if tab == "issued" else services.ENDED
        rows = list(services.certificates_list(current_user, filters, statuses))
    return render_template(
        "certificates/index.html", form=form, tab=tab, rows=rows,
        figure=services.programme_figure(current_user, filters),
        status_labels=status_labels(),
        query={"cohort": form.cohort.data or None, "country": form.country.data or None},
        can_decide=current_user.role == Role.ADMIN)


def _export(file_format: str) -> Response:
    _form, filters = _filters()
    tab = _tab()
    table = exports.table_for(current_user, filters, tab, str(get_locale()))
    if file_format == "csv":
        body, mimetype = exports.to_csv(table), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(table)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # This GET writes the audit event: end the read-only transaction and take the write
    # lock up front for the short write, as a POST would (learning.db).
    db.session.commit()
    write_intent.set(True)
    record("export.certificates", actor=current_user._get_current_object(), list=tab,
           format=file_format, cohort=filters.cohort_id, country=filters.country_code,
           rows=len(table.rows))
    db.session.commit()
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="certificates-{tab}.{file_format}"'})


@bp.get("/certificates.csv")
@roles(*STAFF_LISTS)
def export_csv() -> Response:
    return _export("csv")


@bp.get("/certificates.xlsx")
@roles(*STAFF_LISTS)
def export_xlsx() -> Response:
    return _export("xlsx")


# --- one certificate, and the admin's decisions -------------------------------------------------


def _certificate_or_404(certificate_id: int) -> Certificate:
    certificate = services.visible_certificate(current_user, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


def _detail_page(certificate: Certificate, reissue_form: ReissueForm | None = None,
                 revoke_form: RevokeForm | None = None, status: int = 200) -> tuple[str, int]:
    history = [certificate]
    if certificate.superseded_by_id is not None:
        newer = db.session.get(Certificate, certificate.superseded_by_id)
        if newer is not None:
            history.append(newer)
    return render_template(
        "certificates/detail.html", certificate=certificate, status_labels=status_labels(),
        reissue_form=reissue_form or ReissueForm(prefix="reissue"),
        revoke_form=revoke_form or RevokeForm(prefix="revoke"),
        can_decide=current_user.role == Role.ADMIN, newer=history[1:],
        issued_by=db.session.get(User, certificate.issued_by_id)
        if certificate.issued_by_id else None,
        revoked_by=db.session.get(User, certificate.revoked_by_id)
        if certificate.revoked_by_id else None,
        verification_url=verification_url, credential_url=credential_url,
        rule_label=rules.rule_label, rule_ids=rules.RULES), status


@bp.get("/certificates/<int:certificate_id>")
@roles(*STAFF_LISTS)
def detail(certificate_id: int) -> tuple[str, int]:
    return _detail_page(_certificate_or_404(certificate_id))


@bp.post("/certificates/<int:certificate_id>/reissue")
@roles(Role.ADMIN)
def reissue(certificate_id: int) -> Response | tuple[str, int]:
    certificate = _certificate_or_404(certificate_id)
    form = ReissueForm(prefix="reissue")
    if not form.validate():
        return _detail_page(certificate, reissue_form=form, status=400)
    try:
        new = services.reissue(current_user, certificate, form.reason.data or "")
    except services.CertificateError as error:
        db.session.rollback()
        flash(ERRORS[error.code](), "error")
        return redirect(url_for("certificates.detail", certificate_id=certificate_id))
    db.session.commit()
    flash(_("Certificate %(serial)s issued in the name of %(name)s; %(old)s is superseded.",
            serial=new.serial, name=new.holder_name, old=certificate.serial), "success")
    return redirect(url_for("certificates.detail", certificate_id=new.id))


@bp.post("/certificates/<int:certificate_id>/revoke")
@roles(Role.ADMIN)
def revoke(certificate_id: int) -> Response | tuple[str, int]:
    certificate = _certificate_or_404(certificate_id)
    form = RevokeForm(prefix="revoke")
    if not form.validate():
        return _detail_page(certificate, revoke_form=form, status=400)
    try:
        services.revoke(current_user, certificate, form.reason.data or "")
    except services.CertificateError as error:
        db.session.rollback()
        flash(ERRORS[error.code](), "error")
        return redirect(url_for("certificates.detail", certificate_id=certificate_id))
    db.session.commit()
    flash(_("Certificate %(serial)s is revoked.", serial=certificate.serial), "success")
    return redirect(url_for("certificates.detail", certificate_id=certificate_id))


@bp.route("/certificates/issue/<int:cohort_id>/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def issue(cohort_id: int, user_id: int) -> Response | tuple[str, int]:
    cohort = db.session.get(Cohort, cohort_id)
    person = db.session.get(User, user_id)
    if (cohort is None or person is None
            or not services.is_enrolled(user_id, cohort_id, include_withdrawn=True)):
        abort(404)
    form = IssueForm()
    if request.method == "POST" and form.validate():
        try:
            certificate = services.issue_manually(current_user, person, cohort,
                                                  form.reason.data or "")
        except services.CertificateError as error:
            db.session.rollback()
            flash(ERRORS[error.code](), "error")
        else:
            db.session.commit()
            flash(_("Certificate %(serial)s issued to %(name)s.", serial=certificate.serial,
                    name=person.name), "success")
            return redirect(url_for("certificates.detail", certificate_id=certificate.id))
    checklist = services.checklist(person, cohort)
    status = 400 if request.method == "POST" else 200
    return render_template("certificates/issue.html", form=form, person=person, cohort=cohort,
                           checklist=checklist), status


@bp.post("/certificates/evaluate/<int:cohort_id>")
@roles(Role.ADMIN)
def evaluate_cohort(cohort_id: int) -> Response:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    # The CSRF token is checked before any view (CSRFProtect): there is nothing else to read.
    issued = services.evaluate_cohort(cohort)
    flash(_("Certificates issued now: %(n)d.", n=len(issued)), "success")
    return redirect(url_for("certificates.index", show="issued", cohort=cohort.id))
