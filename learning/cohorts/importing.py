"""Bulk invitation from a CSV file: parse, check every row, import only on confirmation.

Parsing is pure (no database writes): :func:`parse_invitation_csv` returns one
:class:`RowReport` per data row. :func:`import_rows` writes the valid rows in the caller's
unit of work, so either all of them are imported or none is.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from learning.accounts import services as accounts
from learning.accounts.models import OrganisationType, Role, User
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.cohorts.services import enrol
from learning.core.csvfiles import fold, open_table
from learning.db import db
from learning.i18n.countries import lookup_country

MAX_ROWS = 500
REQUIRED = ("name", "email", "country")

# Accepted column headings, English or French, compared without accents or case.
HEADER_ALIASES = {
    "name": {"name", "full name", "nom", "nom complet", "prenom et nom"},
    "email": {"email", "e-mail", "e mail", "courriel", "adresse e-mail", "mail"},
    "organisation": {"organisation", "organization", "organisme", "structure"},
    "organisation_type": {"organisation type", "organization type", "type",
                          "type d'organisation", "type organisation"},
    "country": {"country", "pays"},
    "job_title": {"job title", "title", "position", "fonction", "poste", "titre"},
    "language": {"language", "langue"},
}

ORG_TYPE_ALIASES = {
    OrganisationType.UN_AGENCY: {"un", "un agency", "united nations", "onu", "un_agency",
                                 "agence des nations unies", "agence onu"},
    OrganisationType.INTERNATIONAL_NGO: {"ingo", "international ngo", "ong internationale",
                                         "international_ngo"},
    OrganisationType.NATIONAL_NGO: {"ngo", "national ngo", "local ngo", "national or local ngo",
                                    "ong nationale", "ong locale", "ong nationale ou locale",
                                    "national_ngo"},
    OrganisationType.GOVERNMENT: {"government", "gouvernement", "ministry", "ministere"},
    OrganisationType.OTHER: {"other", "autre"},
}

LANGUAGE_ALIASES = {"en": {"en", "english", "anglais"}, "fr": {"fr", "french", "francais"}}


@dataclass
class RowReport:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    country_code: str | None = None
    organisation_type: OrganisationType = OrganisationType.OTHER
    language: str = "en"
    existing_user_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[RowReport]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid_rows(self) -> list[RowReport]:
        return [row for row in self.rows if not row.ok]


def parse_invitation_csv(text: str, cohort: Cohort, locale: str = "en") -> ImportReport:
    report = ImportReport()
    table = open_table(text)
    if isinstance(table, str):
        report.file_errors.append(table)
        return report
    header, reader = table
    columns: dict[int, str] = {}
    for index, heading in enumerate(header):
        folded = fold(heading)
        for key, aliases in HEADER_ALIASES.items():
            if folded in aliases:
                columns[index] = key
    missing = [key for key in REQUIRED if key not in columns.values()]
    if missing:
        report.file_errors.append(
            str(_l("These columns are missing: %(columns)s. The first line must name the "
                   "columns, for example: name, email, organisation, organisation type, "
                   "country, job title, language.", columns=", ".join(missing)))
        )
        return report
    enrolled_emails = set(
        db.session.scalars(
            select(User.email).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.cohort_id == cohort.id)
        )
    )
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in values):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.file_errors.append(
                    str(_l("Only the first %(n)d rows can be imported at once.", n=MAX_ROWS)))
                break
            data = {key: "" for key in HEADER_ALIASES}
            for index, cell in enumerate(values):
                if index in columns:
                    data[columns[index]] = cell.strip()
            report.rows.append(_check_row(line, data, seen, enrolled_emails, locale))
    except csv.Error as error:
        report.file_errors.append(
            str(_l("The file could not be read after line %(line)d (%(error)s).",
                   line=reader.line_num, error=str(error))))
    if not report.rows and not report.file_errors:
        report.file_errors.append(str(_l("The file has a heading line but no people.")))
    return report


def _check_row(line: int, data: dict[str, str], seen: dict[str, int],
               enrolled_emails: set[str], locale: str) -> RowReport:
    row = RowReport(line=line, values=data)
    for key, label in (("name", _l("name")), ("email", _l("e-mail")), ("country", _l("country"))):
        if not data[key]:
            row.errors.append(str(_l("The %(field)s is missing.", field=label)))
    if any("\x00" in value for value in data.values()):
        # A NUL cannot be stored, and the check page could not carry it back unchanged.
        row.errors.append(str(_l("The text contains a character that cannot be saved.")))
    limits = {"name": 120, "email": 254, "organisation": 160, "job_title": 120}
    for key, limit in limits.items():
        if len(data[key]) > limit:
            row.errors.append(str(_l("The value in column “%(column)s” is too long "
                                     "(at most %(max)d characters).", column=key, max=limit)))
    email = accounts.normalise_email(data["email"])
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            row.errors.append(str(_l("“%(email)s” is not a valid e-mail address.",
                                     email=data["email"])))
        else:
            if email in seen:
                row.errors.append(str(_l("Same e-mail address as line %(line)d.",
                                         line=seen[email])))
            elif email in enrolled_emails:
                row.errors.append(str(_l("This person is already enrolled in the cohort.")))
            else:
                seen[email] = line
                existing = accounts.user_by_email(email)
                row.existing_user_id = existing.id if existing else None
    if data["country"]:
        row.country_code = lookup_country(data["country"], locale)
        if row.country_code is None:
            row.errors.append(str(_l("Unknown country “%(country)s”.", country=data["country"])))
    if data["organisation_type"]:
        folded = fold(data["organisation_type"])
        matches = [kind for kind, aliases in ORG_TYPE_ALIASES.items() if folded in aliases]
        if matches:
            row.organisation_type = matches[0]
        else:
            row.errors.append(str(_l("Unknown organisation type “%(value)s”.",
                                     value=data["organisation_type"])))
    if data["language"]:
        folded = fold(data["language"])
        languages = [code for code, aliases in LANGUAGE_ALIASES.items() if folded in aliases]
        if languages:
            row.language = languages[0]
        else:
            row.errors.append(str(_l("Unknown language “%(value)s” (use en or fr).",
                                     value=data["language"])))
    return row


def import_rows(actor: User, cohort: Cohort, report: ImportReport) -> list[User]:
    """Create or reuse accounts for the valid rows, enrol them and send the invitations."""
    imported: list[User] = []
    for row in report.valid_rows:
        data = row.values
        user = db.session.get(User, row.existing_user_id) if row.existing_user_id else None
        if user is None:
            organisation = (
                accounts.find_or_create_organisation(
                    data["organisation"], row.organisation_type, row.country_code)
                if data["organisation"] else None
            )
            user = accounts.create_user(
                email=data["email"], name=data["name"], role=Role.PARTICIPANT,
                language=row.language, country_code=row.country_code,
                job_title=data["job_title"], organisation=organisation,
            )
        enrol(actor, cohort, user, EnrolmentStatus.NOMINATED)
        if not user.has_password:
            accounts.invite(actor, user)
        imported.append(user)
    return imported
