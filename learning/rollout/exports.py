"""The trainings of a cohort as a spreadsheet: one row per training with its counts, headers
in the reader's language (called inside a request), text cells never read as formulas."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import xlsxwriter
from flask_babel import gettext as _

from learning.accounts.forms import organisation_type_labels
from learning.core.spreadsheets import neutralise
from learning.i18n.countries import country_name
from learning.rollout import services
from learning.rollout.forms import (
    delivery_mode_labels,
    gender_labels,
    language_name,
    report_status_labels,
)
from learning.rollout.models import Training

Cell = str | int | Decimal | date | None


def _headers() -> list[str]:
    return [
        _("Country"), _("Trainer"), _("Co-trainers"), _("First day"), _("Last day"),
        _("Days"), _("Region or city"), _("Language"), _("Delivery"), _("Modules"),
        *organisation_type_labels().values(), _("Participants"), *gender_labels().values(),
        _("Organisations reached"), _("Organisations"), _("Pre-test average (%)"),
        _("Post-test average (%)"), _("Report status"), _("Roll-out plan activity"),
    ]


def _row(training: Training, locale: str, activity_titles: dict[int, str]) -> list[Cell]:
    co_trainers = [row.user.name for row in training.co_trainers]
    mode = training.delivery_mode
    return [
        country_name(training.country_code, locale),
        training.trainer.name,
        "; ".join([*co_trainers, *training.other_co_trainer_names]),
        training.start_date,
        training.end_date,
        training.days,
        training.region_city,
        language_name(training.language, locale),
        delivery_mode_labels()[mode.value] if mode else "",
        ", ".join(str(number) for number in training.modules),
        *(getattr(training, column) for column in services.ORGANISATION_COUNTS.values()),
        training.participants_total,
        *(getattr(training, column) for column in services.GENDER_COUNTS.values()),
        len(training.organisations),
        "; ".join(row.name for row in training.organisations),
        training.pre_test_average,
        training.post_test_average,
        report_status_labels()[training.report.status.value],
        activity_titles.get(training.plan_activity_id, "") if training.plan_activity_id
        else "",
    ]


def trainings_xlsx(trainings: Sequence[Training], locale: str,
                   activity_titles: dict[int, str]) -> bytes:
    buffer = io.BytesIO()
    # Strings stay strings: never turned into formulas, links or numbers by the writer.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Trainings")[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for column, header in enumerate(_headers()):
        sheet.write_string(0, column, neutralise(header), bold)
        sheet.set_column(column, column, min(max(len(header), 10), 40))
    for row_number, training in enumerate(trainings, start=1):
        for column, value in enumerate(_row(training, locale, activity_titles)):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row_number, column, neutralise(value))
            elif isinstance(value, date):
                sheet.write_datetime(row_number, column, value, day)
            else:
                sheet.write_number(row_number, column, float(value))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
