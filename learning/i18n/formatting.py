"""Template filters that format dates and numbers for the reader's locale."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale

from learning.i18n.countries import country_name


def register(app: Flask) -> None:
    @app.template_filter("date")
    def _date(value: date | None, style: str = "medium") -> str:
        return format_date(value, style) if value else ""

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, style: str = "medium") -> str:
        return format_datetime(value, style) if value else ""

    @app.template_filter("number")
    def _number(value: float | int | None) -> str:
        return format_decimal(value) if value is not None else ""

    @app.template_filter("percent")
    def _percent(value: float | None) -> str:
        return format_percent(value) if value is not None else ""

    @app.template_filter("country")
    def _country(code: str | None) -> str:
        return country_name(code, str(get_locale() or "en"))
