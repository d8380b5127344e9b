"""Amounts of money: read as typed in the reader's locale, shown with their currency.

Amounts are ``Decimal`` and always travel with an ISO 4217 currency code; nothing here adds
amounts of different currencies (see ``country_services.budget_totals``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import (
    NumberFormatError,
    get_currency_name,
    get_territory_currencies,
    list_currencies,
    parse_decimal,
)
from flask_babel import format_currency, get_locale

CENT = Decimal("0.01")
# Digits with the separators people type (spaces, no-break spaces, commas, points) and an
# optional sign: no exponent, no "NaN", no "Infinity".
NUMBER_TEXT = re.compile(r"^-?[0-9][0-9.,\s\u00a0\u202f]*$")


def parse_amount(text: str, locale: str) -> Decimal | None:
    """The number typed, read with the reader's separators ("1 234,50" in French,
    "1,234.50" in English; a point is accepted as decimal mark in French too); None when it
    is not a plain number."""
    value = text.strip()
    if not NUMBER_TEXT.match(value):
        return None
    compact = re.sub(r"[\s\u00a0\u202f]", "", value)
    try:
        return parse_decimal(compact, locale=locale, strict=True)
    except NumberFormatError:
        return None


def line_total(unit_cost: Decimal, quantity: Decimal) -> Decimal:
    return (unit_cost * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str) -> str:
    """In the current locale: "1 234,50 $US" in French, "$1,234.50" in English."""
    return format_currency(amount, currency)


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str | None) -> bool:
    return bool(code) and code in currency_codes()


def currency_label(code: str, locale: str) -> str:
    return f"{code} — {get_currency_name(code, locale=locale)}"


def country_currencies(country_code: str) -> list[str]:
    """The legal tender of a country today (e.g. ["BIF"] for Burundi)."""
    return [code for code in get_territory_currencies(country_code) if is_currency(code)]


def current_locale() -> str:
    return str(get_locale() or "en")
