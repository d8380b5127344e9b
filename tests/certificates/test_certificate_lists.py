"""The staff lists of certificates: who sees whose, the pending list with the rules missing,
the exports, and the programme figure (certified out of enrolled) in the reader's locale."""

from __future__ import annotations

import csv
import io

import openpyxl
from babel.numbers import format_percent
from flask import Flask

from learning.accounts.models import Role, User
from learning.certificates import services
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.db import db
from tests.certificates.certificate_world import (
    audit_count,
    client_for,
    page,
    world_fixture,  # noqa: F401  (the "world" fixture)
)


def _issue(app: Flask, admin: User, person: User, cohort_id: int) -> tuple[int, str]:
    with app.app_context():
        certificate = services.issue_manually(
            db.session.get(User, admin.id), db.session.get(User, person.id),
            db.session.get(Cohort, cohort_id), "Certified by the country office.")
        db.session.commit()
        return certificate.id, certificate.serial


def _revoke(app: Flask, admin: User, certificate_id: int) -> None:
    with app.app_context():
        certificate = db.session.get(services.Certificate, certificate_id)
        services.revoke(db.session.get(User, admin.id), certificate, "Issued by mistake.")
        db.session.commit()


def _certified(app, world):  # type: ignore[no-untyped-def]
    admin = world.people["admin"]
    ana = _issue(app, admin, world.people["ana"], world.cohort_id)
    marie = _issue(app, admin, world.people["marie"], world.cohort_id)
    return ana, marie


def test_focal_points_and_coordinators_see_only_their_countries_people(app, world):
    (ana_id, ana_serial), (marie_id, marie_serial) = _certified(app, world)
    focal_bi = client_for(app, world.people["focal_bi"])

    listed = page(focal_bi.get("/certificates"))
    assert ana_serial in listed and "Anaïs Ndayishimiye" in listed
    assert marie_serial not in listed and "Marie Kabila" not in listed
    # Asking for another country through the address does not widen the list.
    assert marie_serial not in page(focal_bi.get("/certificates?country=CD"))

    assert focal_bi.get(f"/certificates/{marie_id}").status_code == 404
    assert focal_bi.get(f"/certificates/{marie_id}.pdf").status_code == 404
    assert focal_bi.submit(f"/certificates/{ana_id}/revoke",
                           {"revoke-reason": "no"}).status_code == 403
    assert focal_bi.submit(f"/certificates/{marie_id}/revoke",
                           {"revoke-reason": "no"}).status_code == 403
    detail = page(focal_bi.get(f"/certificates/{ana_id}"))
    assert ana_serial in detail and "Revoke the certificate" not in detail
    download = focal_bi.get(f"/certificates/{ana_id}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")

    coordinator_cd = client_for(app, world.people["coordinator_cd"])
    listed = page(coordinator_cd.get("/certificates"))
    assert marie_serial in listed and ana_serial not in listed
    assert coordinator_cd.get(f"/certificates/{ana_id}.pdf").status_code == 404

    jean = client_for(app, world.people["jean"])
    assert jean.get("/certificates").status_code == 403
    assert jean.get(f"/certificates/{ana_id}.pdf").status_code == 404
    assert jean.get("/certificates.csv").status_code == 403

    admin = client_for(app, world.people["admin"])
    only_congo = page(admin.get("/certificates?country=CD"))
    assert marie_serial in only_congo and ana_serial not in only_congo


def test_pending_people_are_listed_with_the_rules_they_miss(app, world):
    (ana_id, _ana_serial), _marie = _certified(app, world)
    _revoke(app, world.people["admin"], ana_id)
    focal_bi = client_for(app, world.people["focal_bi"])

    pending = page(focal_bi.get("/certificates?show=pending"))
    assert "Jean Hakizimana" in pending
    assert "Modules 1 to 4 done (0 of 4 modules done)" in pending
    assert "At least one in-country training with an approved report (0 approved reports)" \
        in pending
    # Alternates and withdrawn people are not waiting; Ana's certificate was revoked.
    for name in ("Alex Alternate", "Eric Withdrawn", "Anaïs Ndayishimiye", "Marie Kabila"):
        assert name not in pending

    ended = page(focal_bi.get("/certificates?show=ended"))
    assert "Anaïs Ndayishimiye" in ended and "Revoked" in ended
    assert "Anaïs Ndayishimiye" not in page(focal_bi.get("/certificates?show=issued"))


def test_exports_parse_back_with_translated_headers_and_neutralised_cells(app, world,
                                                                          make_user):
    sly = make_user(Role.PARTICIPANT, name="=HYPERLINK(\"http://evil\")")
    with app.app_context():
        db.session.add(Enrolment(cohort_id=world.cohort_id, user_id=sly.id,
                                 status=EnrolmentStatus.CONFIRMED))
        db.session.commit()
    (_ana_id, ana_serial), (_marie_id, marie_serial) = _certified(app, world)
    _sly_id, sly_serial = _issue(app, world.people["admin"], sly, world.cohort_id)

    admin = client_for(app, world.people["admin"])
    response = admin.get("/certificates.csv?show=issued")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Serial number", "Name on the certificate", "E-mail"]
    by_serial = {row[0]: row for row in rows[1:]}
    assert set(by_serial) == {ana_serial, marie_serial, sly_serial}
    assert by_serial[ana_serial][1] == "Anaïs Ndayishimiye"
    assert by_serial[ana_serial][3] == "Burundi"
    assert by_serial[sly_serial][1] == "'=HYPERLINK(\"http://evil\")"

    workbook = admin.get("/certificates.xlsx?show=issued")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Serial number"
    assert {row[0] for row in values[1:]} == {ana_serial, marie_serial, sly_serial}
    assert "'=HYPERLINK(\"http://evil\")" in [row[1] for row in values[1:]]
    assert audit_count(app, "export.certificates") == 2

    focal_bi = client_for(app, world.people["focal_bi"])
    mine = list(csv.reader(io.StringIO(
        focal_bi.get("/certificates.csv?show=issued").get_data(as_text=True).lstrip("\ufeff"))))
    assert marie_serial not in {row[0] for row in mine[1:]}
    pending = list(csv.reader(io.StringIO(
        focal_bi.get("/certificates.csv?show=pending").get_data(as_text=True).lstrip("\ufeff"))))
    assert pending[0] == ["Name", "E-mail", "Country", "Cohort", "Rules not met"]
    assert [row[0] for row in pending[1:]] == ["Jean Hakizimana"]
    assert "Post-test taken (Not submitted yet)" in pending[1][4]


def test_the_programme_figure_counts_certified_out_of_enrolled(app, world, make_user):
    _certified(app, world)  # Ana (Burundi) and Marie (DR Congo); Jean (Burundi) is not
    admin = client_for(app, world.people["admin"])
    text = page(admin.get("/certificates"))
    # Enrolled: nominated or confirmed (Ana, Jean, Marie), not the alternate or withdrawn.
    for share in (2 / 3, 1 / 2, 1.0):
        assert format_percent(share, locale="en") in text

    french_admin = make_user(Role.ADMIN, country=None, language="fr")
    french = page(client_for(app, french_admin).get("/certificates"))
    expected = format_percent(2 / 3, locale="fr")
    assert expected != format_percent(2 / 3, locale="en")  # "67 %", not "67%"
    assert expected in french and format_percent(1 / 2, locale="fr") in french

    focal_cd = page(client_for(app, world.people["focal_cd"]).get("/certificates"))
    assert format_percent(1.0, locale="en") in focal_cd  # Marie, out of the Congo team alone
    assert format_percent(2 / 3, locale="en") not in focal_cd
