"""Country names from Babel's CLDR data, keyed by ISO 3166-1 alpha-2 code."""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

# CLDR territories that are not countries (European Union, Eurozone, United Nations,
# pseudo-locales) carry two-letter codes too.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


@cache
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in _names("en")  # type: ignore[union-attr]


def country_name(code: str | None, locale: str = "en") -> str:
    if not code:
        return ""
    return _names(locale if locale in ("en", "fr") else "en").get(code.upper(), code.upper())


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    names = _names(locale if locale in ("en", "fr") else "en")
    return sorted(names.items(), key=lambda item: _sort_key(item[1]))


def lookup_country(text: str, locale: str = "en") -> str | None:
    """Accept an ISO code or a name in English or French; return the code or None."""
    value = text.strip()
    if not value:
        return None
    if len(value) == 2 and value.upper() in _names("en"):
        return value.upper()
    folded = value.casefold()
    for lang in (locale, "en", "fr"):
        for code, name in _names(lang).items():
            if name.casefold() == folded:
                return code
    return None
