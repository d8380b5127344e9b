"""English and French everywhere: switching, remembering, formatting, catalogs."""

from __future__ import annotations

import html
from datetime import date

from flask_babel import force_locale, format_decimal, format_percent

from learning.accounts.models import Role
from learning.i18n.cli import check_catalogs
from learning.i18n.countries import country_choices, country_name, lookup_country
from tests.conftest import sign_in


def test_switch_works_without_javascript_and_is_remembered(client):
    assert "Sign in" in client.get("/").get_data(as_text=True)
    response = client.post("/language", data={"csrf_token": client.token(), "language": "fr",
                                              "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Se connecter" in page


def test_signed_in_preference_survives_a_new_sign_in(app, client, make_user, login):
    user = make_user(Role.PARTICIPANT, language="en")
    login(user)
    client.post("/language", data={"csrf_token": client.token(), "language": "fr", "next": "/"})
    assert "Mes cohortes" in client.get("/").get_data(as_text=True)
    fresh_browser = app.test_client()
    assert sign_in(fresh_browser, user).status_code == 302
    assert "Mes cohortes" in fresh_browser.get("/").get_data(as_text=True)


def test_accept_language_is_used_before_any_choice(client):
    page = client.get("/", headers={"Accept-Language": "fr-BI,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"csrf_token": client.token(), "language": "xx", "next": "/"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_numbers_and_dates_follow_the_locale(app):
    with app.test_request_context(), force_locale("fr"):
        assert format_percent(0.89) == "89\xa0%"
        assert format_decimal(1234.5) == "1\u202f234,5"
        template = app.jinja_env.from_string("{{ d|date }}")
        assert template.render(d=date(2030, 3, 2)) == "2 mars 2030"


def test_french_home_page_is_french(client, make_user, login):
    login(make_user(Role.COORDINATOR, language="fr"))
    page = html.unescape(client.get("/").get_data(as_text=True))
    for text in ["Accueil", "Cohortes", "Personnes", "Mon compte", "Se déconnecter",
                 "Cohortes que vous suivez"]:
        assert text in page
    for english in ["Home<", "People<", "My account<", "Sign out<"]:
        assert english not in page


def test_countries_come_from_cldr_in_both_languages():
    assert country_name("CI", "fr") == "Côte d’Ivoire"
    assert country_name("SS", "en") == "South Sudan"
    assert lookup_country("Soudan du Sud", "fr") == "SS"
    assert lookup_country("myanmar (burma)") == "MM"
    codes = [code for code, _ in country_choices("fr")]
    assert "BI" in codes and "EU" not in codes and "001" not in codes
    assert len(codes) > 240


def test_catalogs_are_complete_and_in_step_with_the_code(app):
    with app.app_context():
        assert check_catalogs() == []
