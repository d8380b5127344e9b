"""Cohorts: creating them, scope, and the CSV bulk invitation."""

from __future__ import annotations

import html
import io
import re
from datetime import date

from sqlalchemy import func, select

from learning.accounts.models import Role, User
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, Enrolment
from learning.db import db
from learning.notifications.models import OutboundEmail


def _cohort(app, country: str = "BI", facilitator=None, slug: str = "tot") -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        cohort = Cohort(name=f"ToT {slug}", slug=slug, start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6), precourse_deadline=date(2030, 2, 20),
                        countries=[CohortCountry(country_code=country)])
        if facilitator is not None:
            cohort.facilitators = [CohortFacilitator(user_id=facilitator.id)]
        db.session.add(cohort)
        db.session.commit()
        return cohort.id


def test_admin_creates_a_cohort_and_bad_dates_are_explained(app, client, make_user, login):
    login(make_user(Role.ADMIN, country=None))
    bad = client.submit("/cohorts/new", {
        "name": "Niamey ToT", "languages": ["fr"], "start_date": "2030-05-10",
        "end_date": "2030-05-01", "countries": ["NE"]})
    assert bad.status_code == 400
    assert "The last day cannot be before the first day." in bad.get_data(as_text=True)
    good = client.submit("/cohorts/new", {
        "name": "Niamey ToT", "languages": ["fr", "en"], "start_date": "2030-05-01",
        "end_date": "2030-05-05", "precourse_deadline": "2030-04-20", "countries": ["NE", "BI"]})
    assert good.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort))
        assert (cohort.slug, cohort.languages, cohort.country_codes) == (
            "niamey-tot", "en,fr", ["BI", "NE"])


def test_focal_point_sees_only_cohorts_of_their_countries(app, client, make_user, login):
    burundi = _cohort(app, "BI", slug="bujumbura")
    iraq = _cohort(app, "IQ", slug="erbil")
    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]))
    assert client.get(f"/cohorts/{burundi}").status_code == 200
    assert client.get(f"/cohorts/{iraq}").status_code == 404
    listing = client.get("/cohorts").get_data(as_text=True)
    assert "ToT bujumbura" in listing and "ToT erbil" not in listing


def test_focal_point_sees_only_participants_of_their_countries(app, client, make_user, login):
    cohort_id = _cohort(app, "BI")
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.countries.append(CohortCountry(country_code="NE"))
        db.session.commit()
    burundian = make_user(Role.PARTICIPANT, country="BI", name="Burundi Person")
    nigerien = make_user(Role.PARTICIPANT, country="NE", name="Niger Person")
    with app.app_context():
        for person in (burundian, nigerien):
            db.session.add(Enrolment(cohort_id=cohort_id, user_id=person.id))
        db.session.commit()
    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["NE"]))
    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Niger Person" in page and "Burundi Person" not in page


def test_facilitator_of_another_cohort_gets_404(app, client, make_user, login):
    theirs = make_user(Role.FACILITATOR, country=None)
    mine = make_user(Role.FACILITATOR, country=None)
    cohort_id = _cohort(app, facilitator=theirs)
    login(mine)
    assert client.get(f"/cohorts/{cohort_id}").status_code == 404
    assert client.get(f"/cohorts/{cohort_id}/import").status_code == 404


CSV_GOOD = (
    "name,email,organisation,organisation type,country,job title,language\n"
    "Aline Irakoze,aline@example.org,Demo Care,ONG nationale,Burundi,Supervisor,fr\n"
    "Moussa Abdou,moussa@example.org,Demo Ministry,government,NE,Social worker,French\n"
)


def _upload(client, cohort_id: int, content: bytes):  # type: ignore[no-untyped-def]
    url = f"/cohorts/{cohort_id}/import"
    client.get(url)
    return client.post(url, data={"csrf_token": client.last_token,
                                  "file": (io.BytesIO(content), "people.csv")},
                       content_type="multipart/form-data")


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_csv_import_checks_first_then_imports_valid_rows_on_confirmation(app, client, make_user,
                                                                         login):
    admin = make_user(Role.ADMIN, country=None)
    make_user(Role.PARTICIPANT, email="already@example.org")
    cohort_id = _cohort(app)
    login(admin)
    content = (CSV_GOOD + "No Email,,Org,other,BI,,en\n"
               "Bad Email,not-an-email,Org,other,BI,,en\n"
               "Unknown Country,uc@example.org,Org,other,Atlantis,,en\n"
               "Aline Again,ALINE@example.org,Org,other,BI,,en\n"
               "Existing Person,already@example.org,,,BI,,en\n").encode("utf-8-sig")
    users_before = _count(app, User)
    response = _upload(client, cohort_id, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 rows can be imported." in page
    assert "4 rows have problems and will be skipped." in page
    for message in ["The e-mail is missing.", "“not-an-email” is not a valid e-mail address.",
                    "Unknown country “Atlantis”.", "Same e-mail address as line 2."]:
        assert message in page
    # Checking wrote nothing.
    assert _count(app, User) == users_before and _count(app, Enrolment) == 0
    confirm = client.post(f"/cohorts/{cohort_id}/import", data={
        "csrf_token": client.last_token,
        "payload": content.decode("utf-8-sig")})
    assert confirm.status_code == 302
    with app.app_context():
        enrolled = set(db.session.scalars(
            select(User.email).join(Enrolment, Enrolment.user_id == User.id)))
        assert enrolled == {"aline@example.org", "moussa@example.org", "already@example.org"}
        moussa = db.session.scalar(select(User).where(User.email == "moussa@example.org"))
        assert (moussa.country_code, moussa.language, moussa.organisation.type.value) == (
            "NE", "fr", "government")
        invited = set(db.session.scalars(select(OutboundEmail.recipient)))
        assert invited == {"aline@example.org", "moussa@example.org"}


def test_csv_from_french_excel_with_semicolons_is_understood(app, client, make_user, login):
    login(make_user(Role.ADMIN, country=None, language="fr"))
    cohort_id = _cohort(app)
    content = (b"nom;courriel;organisation;type d'organisation;pays;fonction;langue\n"
               b"Clarisse Ndayishimiye;clarisse@example.org;Demo;ONG internationale;Burundi;"
               b"Superviseure;fr\n")
    page = _upload(client, cohort_id, content).get_data(as_text=True)
    assert "clarisse@example.org" in page
    assert "Prête à importer" in page


def test_csv_in_the_wrong_encoding_is_refused_with_a_clear_message(app, client, make_user,
                                                                   login):
    login(make_user(Role.ADMIN, country=None, language="fr"))
    cohort_id = _cohort(app)
    content = "name,email,country\nÉlodie Mbuyi,elodie@example.org,CD\n".encode("cp1252")
    response = _upload(client, cohort_id, content)
    assert response.status_code == 400
    assert "n'est pas en UTF-8" in html.unescape(response.get_data(as_text=True))
    assert _count(app, User) == 1


def test_csv_missing_columns_is_explained(app, client, make_user, login):
    login(make_user(Role.ADMIN, country=None))
    cohort_id = _cohort(app)
    page = _upload(client, cohort_id, b"full name,phone\nA,1\n").get_data(as_text=True)
    assert "These columns are missing: email, country." in page


def test_admin_sets_the_cohorts_test_rules(app, client, make_user, login):
    login(make_user(Role.ADMIN, country=None))
    cohort_id = _cohort(app)
    page = client.get(f"/cohorts/{cohort_id}/edit").get_data(as_text=True)
    # New cohorts follow the programme: both rules on.
    assert re.search(r'<input checked id="pre_test_closes_at_module_1"', page)
    response = client.submit(f"/cohorts/{cohort_id}/edit", {
        "name": "ToT tot", "languages": ["en"], "start_date": "2030-03-02",
        "end_date": "2030-03-06", "countries": ["BI"],
        "post_test_requires_module_4": "y"})
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(Cohort, cohort_id).settings
    assert settings == {"pre_test_closes_at_module_1": False,
                        "post_test_requires_module_4": True}
