"""The staff lists as spreadsheets: one row per certificate (issued, or revoked and
superseded) or per person still waiting (with the rules they miss). Headers are in the
reader's language (called inside a request); text cells are never read as formulas."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import xlsxwriter
from flask_babel import gettext as _

from learning.accounts.models import User
from learning.certificates import services
from learning.certificates.models import Certificate, CertificateStatus
from learning.core.spreadsheets import csv_bytes, neutralise
from learning.i18n.countries import country_name

Cell = str | int | date | None


@dataclass(frozen=True)
class Table:
    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _status_labels() -> dict[str, str]:
    return {CertificateStatus.VALID.value: _("Valid"),
            CertificateStatus.REVOKED.value: _("Revoked"),
            CertificateStatus.SUPERSEDED.value: _("Superseded")}


def _certificate_row(certificate: Certificate, locale: str,
                     labels: dict[str, str]) -> tuple[Cell, ...]:
    holder = certificate.holder
    ended = certificate.revoked_at or certificate.superseded_at
    return (
        certificate.serial,
        certificate.holder_name,
        holder.email if holder else "",
        country_name(holder.country_code, locale) if holder and holder.country_code else "",
        certificate.cohort.name,
        labels[certificate.status.value],
        certificate.issued_at.date(),
        _("By hand") if certificate.issued_by_id else _("Automatically"),
        certificate.issue_reason,
        ended.date() if ended else None,
        certificate.revocation_reason,
        int(certificate.achievements.get("trainings_delivered", 0) or 0),
    )


def table_for(viewer: User, filters: services.ListFilter, tab: str, locale: str) -> Table:
    if tab == "pending":
        pending = services.pending_list(viewer, filters)
        return Table(_("Pending certificates"), (
            _("Name"), _("E-mail"), _("Country"), _("Cohort"), _("Rules not met")),
            tuple((row.user.name, row.user.email,
                   country_name(row.user.country_code, locale) if row.user.country_code
                   else "", row.cohort.name,
                   "; ".join(f"{check.label} ({check.progress})" for check in row.missing))
                  for row in pending))
    statuses = (CertificateStatus.VALID,) if tab == "issued" else services.ENDED
    labels = _status_labels()
    return Table(
        _("Issued certificates") if tab == "issued" else _("Revoked and superseded"),
        (_("Serial number"), _("Name on the certificate"), _("E-mail"), _("Country"),
         _("Cohort"), _("Status"), _("Issue date"), _("How it was issued"), _("Reason for issuing"),
         _("Revoked or superseded on"), _("Reason for revoking"), _("Trainings delivered")),
        tuple(_certificate_row(certificate, locale, labels)
              for certificate in services.certificates_list(viewer, filters, statuses)))


def to_csv(table: Table) -> bytes:
    return csv_bytes(table.headers, table.rows)


def to_xlsx(table: Table) -> bytes:
    buffer = io.BytesIO()
    # Strings stay strings: never turned into formulas, links or numbers by the writer.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    sheet = workbook.add_worksheet(table.name[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for column, header in enumerate(table.headers):
        sheet.write_string(0, column, neutralise(header), bold)
        sheet.set_column(column, column, min(max(len(header), 10), 40))
    for row_number, row in enumerate(table.rows, start=1):
        _write_row(sheet, row_number, row, day)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _write_row(sheet: xlsxwriter.worksheet.Worksheet, row_number: int, row: Sequence[Cell],
               day: xlsxwriter.format.Format) -> None:
    for column, value in enumerate(row):
        if value is None:
            continue
        if isinstance(value, str):
            sheet.write_string(row_number, column, neutralise(value))
        elif isinstance(value, date):
            sheet.write_datetime(row_number, column, value, day)
        else:
            sheet.write_number(row_number, column, value)
