"""Issuing certificates: automatically when the last rule of a cohort is met, manually by an
admin with a reason, again after a name correction, and revoking them.

- Automatic issuing (:func:`evaluate`) happens once per person and cohort: once any
  certificate exists for them — valid, superseded or revoked — evaluation never issues
  another, so a revoked certificate stays revoked. A cohort with no rule enabled issues
  nothing automatically (certificates are then issued by hand).
- Two completing events arriving together both find no certificate and both insert; the
  partial unique index ``uq_certificates_one_valid`` refuses the second, which then reads
  and returns the first one.
- Issuing is one transaction: the certificate, its PDF and SHA-256, its signed Open Badges
  credential, the audit event and the holder's notification are committed together.
- Only admins issue by hand, re-issue and revoke: these are decisions about the programme's
  name on a document, not about a country's follow-up. Focal points and coordinators see
  and download the certificates of their countries' people.

Completing events: a training report approved (``rollout.signals``), and the person's own
requests that can meet a rule (a section completed, a test submitted, an action-plan item
saved), evaluated after they succeed. Pages only read: opening a page never issues.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from sqlalchemy import ColumnElement, case, exists, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from learning import scope
from learning.accounts.models import Role, User
from learning.audit.services import record
from learning.certificates import rules
from learning.certificates.models import Certificate, CertificateStatus
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.courses.catalogue import get_catalogue
from learning.db import db, utcnow, write_intent
from learning.notifications.services import notify
from learning.rollout.models import Training, TrainingCoTrainer, TrainingReport
from learning.rollout.signals import report_approved

MINE_PATH = "/certificates/mine"  # the holder's page, linked from notifications
MAX_REASON_CHARS = 2000


class CertificateError(ValueError):
    """A rule of issuing was broken; the view shows a message for ``code``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- where a person stands --------------------------------------------------------------------


@dataclass(frozen=True)
class Checklist:
    cohort: Cohort
    rules: list[rules.RuleProgress]
    certificate: Certificate | None  # the latest certificate of this cohort, if any

    @property
    def complete(self) -> bool:
        """Every enabled rule is met (and at least one rule applies)."""
        return bool(self.rules) and all(rule.met for rule in self.rules)


def checklist(user: User, cohort: Cohort) -> Checklist:
    catalogue = get_catalogue()
    facts = rules.facts_for(catalogue, cohort.id, [user.id])[user.id]
    progress = rules.progress(rules.CourseShape.of(catalogue), rules.enabled_rules(cohort),
                              facts)
    return Checklist(cohort, progress, latest_certificate(user.id, cohort.id))


def latest_certificate(user_id: int, cohort_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user_id,
                                  Certificate.cohort_id == cohort_id)
        .order_by(Certificate.id.desc()).limit(1))


def valid_certificate(user_id: int, cohort_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.cohort_id == cohort_id,
        Certificate.status == CertificateStatus.VALID))


def active_enrolment_cohorts(user: User) -> list[Cohort]:
    """The cohorts ``user`` is enrolled in (not withdrawn), newest first."""
    return list(db.session.scalars(
        select(Cohort).join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())))


def is_enrolled(user_id: int, cohort_id: int, *, include_withdrawn: bool = False) -> bool:
    conditions = [Enrolment.user_id == user_id, Enrolment.cohort_id == cohort_id]
    if not include_withdrawn:
        conditions.append(Enrolment.status != EnrolmentStatus.WITHDRAWN)
    return bool(db.session.scalar(select(exists().where(*conditions))))


def achievements_of(user_id: int, cohort: Cohort) -> dict[str, Any]:
    """What the person achieved in ``cohort``, as frozen on their certificate."""
    catalogue = get_catalogue()
    shape = rules.CourseShape.of(catalogue)
    facts = rules.facts_for(catalogue, cohort.id, [user_id])[user_id]
    met = [check.rule for check in rules.progress(shape, rules.RULES, facts) if check.met]
    return {"trainings_delivered": facts.approved_trainings,
            "modules": rules.module_numbers_done(shape, facts),
            "rules": met,
            "people_trained": facts.people_trained}


# --- issuing ------------------------------------------------------------------------------------


def evaluate(user_id: int, cohort_id: int) -> Certificate | None:
    """Issue the certificate if every enabled rule holds and none was ever issued; commit.

    Returns the person's valid certificate for the cohort (new or existing), or None.
    """
    cohort = db.session.get(Cohort, cohort_id)
    user = db.session.get(User, user_id)
    if cohort is None or user is None or not is_enrolled(user_id, cohort_id):
        return None
    if latest_certificate(user_id, cohort_id) is not None:
        return valid_certificate(user_id, cohort_id)
    if not checklist(user, cohort).complete:
        return None
    # Write from here on: end the transaction the caller may have opened read-only and take
    # the write lock up front (learning.db), then look again under it.
    db.session.commit()
    write_intent.set(True)
    if latest_certificate(user_id, cohort_id) is not None:
        return valid_certificate(user_id, cohort_id)
    try:
        certificate = _issue(user, cohort, achievements_of(user_id, cohort), actor=None,
                             reason="")
    except IntegrityError:
        # Another event issued it between our look and our insert.
        db.session.rollback()
        return valid_certificate(user_id, cohort_id)
    record("certificate.issued", actor=None, target=certificate, serial=certificate.serial,
           holder=user_id, cohort=cohort_id, automatic=True)
    db.session.commit()
    return certificate


def evaluate_cohort(cohort: Cohort) -> list[Certificate]:
    """Evaluate everyone enrolled in ``cohort`` who has no certificate yet; the new ones."""
    waiting = list(db.session.scalars(
        select(Enrolment.user_id).where(
            Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.WITHDRAWN,
            ~exists().where(Certificate.user_id == Enrolment.user_id,
                            Certificate.cohort_id == cohort.id))))
    issued = []
    for user_id in waiting:
        certificate = evaluate(user_id, cohort.id)
        if certificate is not None:
            issued.append(certificate)
    return issued


def _issue(holder: User, cohort: Cohort, achievements: dict[str, Any], *, actor: User | None,
           reason: str) -> Certificate:
    """Insert, number, render, sign and announce a certificate (flushes; the caller commits).

    Raises IntegrityError when the person already holds a valid certificate for the cohort.
    """
    # Imported here: the document and the credential are built by modules that import this
    # package's models, and neither needs to load before the first certificate is issued.
    from learning.certificates.document import render_certificate_pdf
    from learning.certificates.openbadges import credential_for

    language = ("en+fr" if rules.language_mode(cohort) == rules.BOTH_LANGUAGES
                else holder.language if holder.language in ("en", "fr") else "en")
    now = utcnow()
    certificate = Certificate(
        user_id=holder.id, cohort_id=cohort.id, status=CertificateStatus.VALID,
        serial=f"TDM-pending-{secrets.token_hex(8)}", code=secrets.token_urlsafe(24),
        holder_name=holder.name, language=language, achievements=achievements, issued_at=now,
        issued_by_id=actor.id if actor is not None else None, issue_reason=reason)
    certificate.holder = holder
    certificate.cohort = cohort
    with db.session.begin_nested():
        db.session.add(certificate)
        db.session.flush()
    certificate.serial = f"TDM-{now.year}-{certificate.id:06d}"
    db.session.flush()
    pdf = render_certificate_pdf(certificate)
    certificate.pdf = pdf
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.credential = credential_for(certificate)
    db.session.flush()
    notify(holder, "certificate_issued", link=current_app.config["BASE_URL"] + MINE_PATH,
           cohort_name=cohort.name, serial=certificate.serial)
    return certificate


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise CertificateError("reason_needed")
    if len(cleaned) > MAX_REASON_CHARS:
        raise CertificateError("reason_too_long")
    return cleaned


def issue_manually(actor: User, user: User, cohort: Cohort, reason: str) -> Certificate:
    """An admin's decision to certify, whether the rules are met or not (flushes)."""
    reason = _reason(reason)
    if not is_enrolled(user.id, cohort.id, include_withdrawn=True):
        raise CertificateError("not_enrolled")
    if valid_certificate(user.id, cohort.id) is not None:
        raise CertificateError("already_certified")
    try:
        certificate = _issue(user, cohort, achievements_of(user.id, cohort), actor=actor,
                             reason=reason)
    except IntegrityError:
        raise CertificateError("already_certified") from None
    record("certificate.issued", actor=actor, target=certificate, serial=certificate.serial,
           holder=user.id, cohort=cohort.id, automatic=False, reason=reason)
    return certificate


def reissue(actor: User, certificate: Certificate, reason: str) -> Certificate:
    """A new certificate with the holder's current name; the old one is superseded by it
    (flushes). What was achieved is carried over as it was certified."""
    reason = _reason(reason)
    if certificate.status != CertificateStatus.VALID:
        raise CertificateError("not_valid")
    holder = certificate.holder
    if holder is None:
        raise CertificateError("no_holder")
    certificate.status = CertificateStatus.SUPERSEDED
    certificate.superseded_at = utcnow()
    db.session.flush()  # the old one leaves the "one valid" index before the new one enters
    new = _issue(holder, certificate.cohort, dict(certificate.achievements or {}), actor=actor,
                 reason=reason)
    certificate.superseded_by_id = new.id
    db.session.flush()
    record("certificate.reissued", actor=actor, target=new, serial=new.serial,
           replaces=certificate.id, replaces_serial=certificate.serial,
           old_name=certificate.holder_name, new_name=new.holder_name, reason=reason)
    return new


def revoke(actor: User, certificate: Certificate, reason: str) -> None:
    """Revoke a valid certificate; the holder is told (flushes). Automatic evaluation will
    never issue them another one for this cohort."""
    reason = _reason(reason)
    if certificate.status != CertificateStatus.VALID:
        raise CertificateError("not_valid")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = actor.id
    certificate.revocation_reason = reason
    db.session.flush()
    record("certificate.revoked", actor=actor, target=certificate, serial=certificate.serial,
           holder=certificate.user_id, cohort=certificate.cohort_id, reason=reason)
    if certificate.holder is not None:
        notify(certificate.holder, "certificate_revoked",
               link=current_app.config["BASE_URL"] + MINE_PATH,
               cohort_name=certificate.cohort.name, serial=certificate.serial, reason=reason)


# --- completing events ---------------------------------------------------------------------------


def _on_report_approved(sender: Flask, report_id: int, trainer_id: int, **_extra: Any) -> None:
    """The trainer and the team members who co-led the training may now be certified."""
    row = db.session.execute(
        select(Training.id, Training.cohort_id)
        .join(TrainingReport, TrainingReport.training_id == Training.id)
        .where(TrainingReport.id == report_id)).first()
    if row is None:
        return
    training_id, cohort_id = row
    people = [trainer_id, *db.session.scalars(
        select(TrainingCoTrainer.user_id).where(TrainingCoTrainer.training_id == training_id))]
    for user_id in people:
        try:
            evaluate(user_id, cohort_id)
            # End the (read) transaction evaluate left open when it issued nothing: on
            # SQLite it holds the write lock, which other listeners and requests wait for.
            db.session.commit()
        except Exception:
            # The approval is committed and stands; the holder's page evaluates again.
            db.session.rollback()
            sender.logger.exception("Certificate evaluation failed for user %s, cohort %s",
                                    user_id, cohort_id)


# Requests after which the person who made them may have met their last rule: a section
# completed, a test submitted, an action-plan item added or changed. The report approval,
# made by someone else, comes as a signal (above).
COMPLETING_ENDPOINTS = frozenset({"courses.record_progress", "assessments.submit",
                                  "plans.create_item", "plans.update_item"})


def _after_completing_request(response: Response) -> Response:
    if (request.endpoint not in COMPLETING_ENDPOINTS or response.status_code >= 400
            or not current_user.is_authenticated):
        return response
    if request.endpoint == "courses.record_progress" and request.form.get("event") != "completed":
        return response  # a section opened (autosaved on every page) completes nothing
    for cohort in active_enrolment_cohorts(current_user):
        try:
            evaluate(current_user.id, cohort.id)
            db.session.commit()
        except Exception:
            # The person's own write is committed and stands; the next event retries.
            db.session.rollback()
            current_app.logger.exception("Certificate evaluation failed for user %s, "
                                         "cohort %s", current_user.id, cohort.id)
    return response


def connect_signals(app: Flask) -> None:
    """Listen to the completing events (the signal once, whatever the number of apps)."""
    report_approved.connect(_on_report_approved, weak=False)
    app.after_request(_after_completing_request)


# --- staff lists ---------------------------------------------------------------------------------

# People counted as enrolled in the programme figure and the "pending" list: alternates are
# not (yet) participants, withdrawn people no longer are.
ENROLLED = (EnrolmentStatus.NOMINATED, EnrolmentStatus.CONFIRMED)
ENDED = (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED)


@dataclass(frozen=True)
class ListFilter:
    cohort_id: int | None = None
    country_code: str | None = None


def _country_scope(viewer: User) -> list[str] | None:
    """The holders' countries ``viewer`` sees; None: every country (admins)."""
    return scope.scoped_countries(viewer) if viewer.role != Role.ADMIN else None


def _holder_conditions(viewer: User, filters: ListFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    countries = _country_scope(viewer)
    if countries is not None:
        conditions.append(User.country_code.in_(countries))
    if filters.country_code:
        conditions.append(User.country_code == filters.country_code)
    return conditions


def visible_certificate(viewer: User, certificate_id: int) -> Certificate | None:
    """A certificate the staff member may see: admins all, focal points and coordinators
    those of their countries' people (others: not found)."""
    query = (select(Certificate).outerjoin(User, User.id == Certificate.user_id)
             .where(Certificate.id == certificate_id, *_holder_conditions(viewer, ListFilter())))
    return db.session.scalar(query)


def certificates_list(viewer: User, filters: ListFilter,
                      statuses: tuple[CertificateStatus, ...]) -> list[Certificate]:
    query = (select(Certificate).outerjoin(User, User.id == Certificate.user_id)
             .where(Certificate.status.in_(statuses), *_holder_conditions(viewer, filters))
             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if filters.cohort_id is not None:
        query = query.where(Certificate.cohort_id == filters.cohort_id)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class PendingRow:
    user: User
    cohort: Cohort
    missing: list[rules.RuleProgress]  # the enabled rules not met yet, with progress

    @property
    def ready(self) -> bool:
        """Every enabled rule is met: the next evaluation issues the certificate."""
        return not self.missing and bool(rules.enabled_rules(self.cohort))


def pending_list(viewer: User, filters: ListFilter) -> list[PendingRow]:
    """Enrolled people of the viewer's scope without any certificate, with what they miss."""
    query = (select(Enrolment.user_id, Enrolment.cohort_id, User, Cohort)
             .join(User, User.id == Enrolment.user_id)
             .join(Cohort, Cohort.id == Enrolment.cohort_id)
             .where(Enrolment.status.in_(ENROLLED), *_holder_conditions(viewer, filters),
                    ~exists().where(Certificate.user_id == Enrolment.user_id,
                                    Certificate.cohort_id == Enrolment.cohort_id))
             .order_by(Cohort.start_date.desc(), Cohort.id, User.country_code, User.name))
    if filters.cohort_id is not None:
        query = query.where(Enrolment.cohort_id == filters.cohort_id)
    found = db.session.execute(query).tuples().all()
    catalogue = get_catalogue()
    shape = rules.CourseShape.of(catalogue)
    facts = {cohort_id: rules.facts_for(catalogue, cohort_id, user_ids) for cohort_id, user_ids
             in rules.people_by_cohort([(row[0], row[1]) for row in found]).items()}
    return [PendingRow(user, cohort, [
                check for check in rules.progress(shape, rules.enabled_rules(cohort),
                                                  facts[cohort_id][user_id]) if not check.met])
            for user_id, cohort_id, user, cohort in found]


@dataclass(frozen=True)
class Share:
    label: str
    enrolled: int
    certified: int

    @property
    def fraction(self) -> float | None:
        return self.certified / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class ProgrammeFigure:
    by_cohort: list[Share]
    by_country: list[Share]  # label: the country code
    total: Share


def programme_figure(viewer: User, filters: ListFilter) -> ProgrammeFigure:
    """Participants certified out of participants enrolled, per cohort and per country,
    counted in SQL over the viewer's scope."""
    certified = exists().where(Certificate.user_id == Enrolment.user_id,
                               Certificate.cohort_id == Enrolment.cohort_id,
                               Certificate.status == CertificateStatus.VALID)
    query = (select(Cohort.id, Cohort.name, User.country_code, func.count(),
                    func.sum(case((certified, 1), else_=0)))
             .select_from(Enrolment)
             .join(User, User.id == Enrolment.user_id)
             .join(Cohort, Cohort.id == Enrolment.cohort_id)
             .where(Enrolment.status.in_(ENROLLED), *_holder_conditions(viewer, filters))
             .group_by(Cohort.id, Cohort.name, Cohort.start_date, User.country_code)
             .order_by(Cohort.start_date.desc(), Cohort.id, User.country_code))
    if filters.cohort_id is not None:
        query = query.where(Enrolment.cohort_id == filters.cohort_id)
    cohorts: dict[int, list[int | str]] = {}
    countries: dict[str, list[int]] = {}
    for cohort_id, name, country, enrolled, done in db.session.execute(query).tuples():
        cohort_row = cohorts.setdefault(cohort_id, [name, 0, 0])
        cohort_row[1] = int(cohort_row[1]) + enrolled
        cohort_row[2] = int(cohort_row[2]) + int(done or 0)
        country_row = countries.setdefault(country or "", [0, 0])
        country_row[0] += enrolled
        country_row[1] += int(done or 0)
    by_cohort = [Share(str(name), int(enrolled), int(done))
                 for name, enrolled, done in cohorts.values()]
    by_country = [Share(code, enrolled, done)
                  for code, (enrolled, done) in sorted(countries.items())]
    return ProgrammeFigure(by_cohort, by_country, Share(
        "", sum(row.enrolled for row in by_country), sum(row.certified for row in by_country)))


def filter_choices(viewer: User) -> tuple[list[Cohort], list[str]]:
    """The cohorts and countries the viewer may filter by."""
    cohorts = list(db.session.scalars(
        scope.cohorts_query(viewer).order_by(Cohort.start_date.desc(), Cohort.id.desc())))
    countries = _country_scope(viewer)
    if countries is None:
        countries = sorted(set(db.session.scalars(
            select(CohortCountry.country_code).distinct())))
    return cohorts, list(countries)


def may_download(viewer: User, certificate: Certificate) -> bool:
    """The holder (while it is valid), admins, and the focal points and coordinators of the
    holder's country."""
    if certificate.user_id == viewer.id:
        return certificate.status == CertificateStatus.VALID
    if viewer.role not in (Role.ADMIN, Role.FOCAL_POINT, Role.COORDINATOR):
        return False
    return visible_certificate(viewer, certificate.id) is not None
