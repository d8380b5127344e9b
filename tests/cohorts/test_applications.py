"""Country applications while they are drafted: starting one, saving parts as the person
types (versions and conflicts), agencies and nominees, the completeness and team-diversity
check, submission, and who may see or change what."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import OrganisationType, Role, User
from learning.audit.models import AuditEvent
from learning.cohorts.application_models import (
    ApplicationAgency,
    ApplicationStatus,
    CountryApplication,
    Nominee,
)
from learning.cohorts.models import Cohort, CohortCountry
from learning.db import db
from tests.conftest import sign_in

JSON = {"Accept": "application/json"}

ANSWERS: dict[str, dict[str, Any]] = {
    "contacts": {
        "language": "fr", "focal_name": "Aline Ndayishimiye", "focal_title": "Coordinatrice",
        "focal_organisation": "UNICEF", "focal_email": "aline@example.org",
        "focal_phone": "+257 22 00 00 00", "backup_name": "Eric Nkurunziza",
        "backup_title": "Chargé de protection", "backup_organisation": "FVS-Amade",
        "backup_email": "eric@example.org", "backup_phone": "",
    },
    "part1": {
        "has_cm_subgroup": True, "cm_subgroup_description": "Meets monthly in Bujumbura.",
        "cm_subgroup_tor": "", "has_interagency_sops": False, "sops_description": "",
        "government_role": "The ministry leads the referral system.",
        "recent_trainings": "Two interagency trainings in March.",
        "capacity_building": "A coaching programme until December.", "capacity_budget": "",
    },
    "part2": {
        "why_join": "Supervisors have no structured support.",
        "follow_up": "Monthly calls of the sub-group.",
        "obstacles": "Turnover and travel costs.",
        "obstacle_responses": "Train two people per agency; share costs.",
    },
    "commitment": {
        "signatory_name": "Aline Ndayishimiye", "signatory_title": "Coordinatrice",
        "signed_on": date(2030, 1, 15), "commitment_agreed": True,
    },
}

# Five members from three types of organisation, and two alternates.
TEAM = [
    ("Claudine Irakoze", "claudine@example.org", "Ministère de la Solidarité",
     OrganisationType.GOVERNMENT, False),
    ("Didier Hakizimana", "didier@example.org", "FVS-Amade", OrganisationType.NATIONAL_NGO,
     False),
    ("Esther Ndikumana", "esther@example.org", "Terre des Hommes",
     OrganisationType.INTERNATIONAL_NGO, False),
    ("Fabrice Niyonkuru", "fabrice@example.org", "UNICEF", OrganisationType.UN_AGENCY, False),
    ("Grace Uwimana", "grace@example.org", "Caritas Burundi", OrganisationType.NATIONAL_NGO,
     False),
    ("Hervé Bizimana", "herve@example.org", "Save the Children",
     OrganisationType.INTERNATIONAL_NGO, True),
    ("Inès Kaneza", "ines@example.org", "Ministère de la Solidarité",
     OrganisationType.GOVERNMENT, True),
]


def make_cohort(app: Flask, slug: str = "gitega", countries: tuple[str, ...] = ()) -> int:
    with app.app_context():
        cohort = Cohort(name=f"ToT {slug}", slug=slug, start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6),
                        countries=[CohortCountry(country_code=code) for code in countries])
        db.session.add(cohort)
        db.session.commit()
        return cohort.id


def make_application(app: Flask, coordinator: User | None, *, country: str = "BI",
                     complete: bool = True, team: list[tuple[Any, ...]] | None = None,
                     status: ApplicationStatus = ApplicationStatus.DRAFT,
                     cohort_id: int | None = None, language: str = "fr") -> int:
    """An application straight in the database: complete (answers, one agency, the team) or
    empty."""
    with app.app_context():
        application = CountryApplication(
            country_code=country, coordinator_id=coordinator.id if coordinator else None,
            language=language, status=status, cohort_id=cohort_id, version=1, part_versions={})
        if complete:
            for answers in ANSWERS.values():
                for name, value in answers.items():
                    setattr(application, name, value)
            application.language = language
            application.agencies = [ApplicationAgency(
                name="FVS-Amade", organisation_type=OrganisationType.NATIONAL_NGO,
                cm_started_on=date(2016, 3, 1), active_cases=420, caseworkers=30,
                supervisors=6)]
            application.nominees = [
                Nominee(name=name, email=email, organisation=organisation,
                        organisation_type=kind, title="Superviseur·e", reason="Expérience",
                        is_alternate=alternate)
                for name, email, organisation, kind, alternate in (TEAM if team is None
                                                                   else team)]
        db.session.add(application)
        db.session.commit()
        return application.id


def load(app: Flask, application_id: int) -> CountryApplication:
    with app.app_context():
        application = db.session.get(CountryApplication, application_id)
        assert application is not None
        for relation in (application.agencies, application.nominees):
            list(relation)
        db.session.expunge_all()
        return application


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text as a reader sees it: no tags, spaces collapsed."""
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    return html.unescape(re.sub(r"\s+", " ", text))


def save(client, application_id: int, part: str, values: dict[str, Any], base: int,  # type: ignore[no-untyped-def]
         key: str) -> Any:
    """A save as the autosave script sends it."""
    data = {"csrf_token": client.token(), "base_revision": str(base), "key": key}
    for name, value in values.items():
        if value is True:
            data[name] = "y"
        elif value is not False:
            data[name] = "" if value is None else str(value)
    return client.post(f"/applications/{application_id}/parts/{part}", data=data, headers=JSON)


# --- starting ------------------------------------------------------------------------------------


def test_coordinator_starts_their_country_application_once_per_call(app, client, make_user,
                                                                    login):
    coordinator = make_user(Role.COORDINATOR, country="BI", name="Aline Ndayishimiye")
    login(coordinator)
    first = client.submit("/applications/new", {"language": "fr", "cohort": "",
                                                "key": "start-key-1"})
    assert first.status_code == 302 and first.location.endswith("/parts/contacts")
    # A second start for the same call opens the same application.
    again = client.submit("/applications/new", {"language": "en", "cohort": "",
                                                "key": "start-key-2"})
    assert again.location == first.location
    assert "already has an open application" in page_text(client.get(again.location))
    with app.app_context():
        application = db.session.scalar(select(CountryApplication))
        assert db.session.scalar(select(func.count(CountryApplication.id))) == 1
        assert (application.country_code, application.coordinator_id, application.language,
                application.focal_name) == ("BI", coordinator.id, "fr", "Aline Ndayishimiye")


def test_admin_starts_one_for_a_country_naming_its_coordinator(app, client, make_user, login):
    chad = make_user(Role.COORDINATOR, country="TD", name="Mahamat Saleh")
    burundi = make_user(Role.COORDINATOR, country="BI")
    login(make_user(Role.ADMIN, country=None))
    refused = client.submit("/applications/new", {"country": "TD", "coordinator": burundi.id,
                                                  "language": "fr", "cohort": "",
                                                  "key": "start-key-1"})
    assert "Choose a coordinator of this country." in page_text(refused)
    started = client.submit("/applications/new", {"country": "TD", "coordinator": chad.id,
                                                  "language": "fr", "cohort": "",
                                                  "key": "start-key-2"})
    assert started.status_code == 302
    with app.app_context():
        application = db.session.scalar(select(CountryApplication))
        assert (application.country_code, application.coordinator_id) == ("TD", chad.id)


# --- saving as the person types ----------------------------------------------------------------


def test_each_part_saves_with_its_own_version_and_a_stale_change_is_a_conflict(
        app, client, make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    colleague = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator, complete=False)
    login(coordinator)
    contacts = dict(ANSWERS["contacts"])

    first = save(client, application_id, "contacts", contacts, base=0, key="save-0001")
    assert first.status_code == 200 and first.json["version"] == 1
    contacts["focal_phone"] = "+257 79 00 00 00"
    second = save(client, application_id, "contacts", contacts, base=1, key="save-0002")
    assert second.json["version"] == 2
    # The same save retried (same key) is answered again without counting twice.
    retried = save(client, application_id, "contacts", contacts, base=1, key="save-0002")
    assert retried.json["version"] == 2
    # One person's quick edits may leave from an older version: the latest one wins.
    contacts["focal_phone"] = "+257 79 11 11 11"
    quick = save(client, application_id, "contacts", contacts, base=1, key="save-0003")
    assert quick.status_code == 200 and quick.json["version"] == 3

    # A colleague's page, opened at version 1, changes the phone: refused, with the saved text.
    other = app.test_client()
    sign_in(other, colleague)
    stale = save(other, application_id, "contacts", {**contacts, "focal_phone": "+257 61"},
                 base=1, key="save-0004")
    assert stale.status_code == 409
    assert stale.json["ok"] is False and "Someone else saved this part" in stale.json["error"]
    assert stale.json["conflict"]["fields"]["focal_phone"] == "+257 79 11 11 11"
    # A stale save that changes nothing is simply acknowledged.
    same = save(other, application_id, "contacts", contacts, base=1, key="save-0005")
    assert same.status_code == 200 and same.json["version"] == 3
    # From the current version the colleague's change is saved; the first coordinator's next
    # edit from before it is refused in turn.
    theirs = save(other, application_id, "contacts", {**contacts, "focal_phone": "+257 61"},
                  base=3, key="save-0006")
    assert theirs.json["version"] == 4
    mine = save(client, application_id, "contacts", {**contacts, "focal_name": "A. N."},
                base=3, key="save-0007")
    assert mine.status_code == 409
    # Another part has its own count: a page opened before the contacts were saved saves.
    part2 = save(client, application_id, "part2", ANSWERS["part2"], base=0, key="save-0008")
    assert part2.status_code == 200 and part2.json["version"] == 1

    stored = load(app, application_id)
    assert (stored.focal_phone, stored.focal_name) == ("+257 61", "Aline Ndayishimiye")
    assert stored.part_version("contacts") == 4 and stored.part_version("part2") == 1
    assert stored.why_join == ANSWERS["part2"]["why_join"]
    assert client.get(f"/applications/{application_id}/parts/contacts",
                      headers=JSON).json["version"] == 4


def test_a_plain_post_saves_and_moves_on_and_a_stale_one_shows_both_texts(
        app, client, make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    colleague = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator, complete=False)
    login(coordinator)
    url = f"/applications/{application_id}/parts/part2"
    form = {**ANSWERS["part2"], "base_revision": "0"}
    saved = client.submit(url, form)
    assert saved.status_code == 302
    assert saved.location.endswith(f"/applications/{application_id}/team")

    other = app.test_client()
    sign_in(other, colleague)
    stale = other.submit(url, {**form, "why_join": "A wording typed in another browser"})
    assert stale.status_code == 409
    text = page_text(stale)
    assert "Their text is shown below yours" in text
    assert "A wording typed in another browser" in text
    assert ANSWERS["part2"]["why_join"] in text
    assert load(app, application_id).why_join == ANSWERS["part2"]["why_join"]
    # Saving again from the page shown keeps the colleague's wording.
    kept = other.submit(url, {**form, "base_revision": "1",
                              "why_join": "A wording typed in another browser"})
    assert kept.status_code == 302
    assert load(app, application_id).why_join == "A wording typed in another browser"


def test_yes_no_answers_and_the_commitment_box_can_be_set_and_cleared(app, client, make_user,
                                                                      login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator, complete=False)
    login(coordinator)
    save(client, application_id, "part1", {"has_cm_subgroup": "yes",
                                           "has_interagency_sops": "no"}, 0, "yesno-001")
    save(client, application_id, "commitment", ANSWERS["commitment"], 0, "commit-001")
    stored = load(app, application_id)
    assert (stored.has_cm_subgroup, stored.has_interagency_sops) == (True, False)
    assert (stored.commitment_agreed, stored.signed_on) == (True, date(2030, 1, 15))
    save(client, application_id, "part1", {"has_cm_subgroup": "", "has_interagency_sops": "no"},
         1, "yesno-002")
    save(client, application_id, "commitment",
         {**ANSWERS["commitment"], "commitment_agreed": False}, 1, "commit-002")
    stored = load(app, application_id)
    assert (stored.has_cm_subgroup, stored.commitment_agreed) == (None, False)


def test_a_draft_keeps_half_typed_answers_but_refuses_what_cannot_be_stored(
        app, client, make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator, complete=False)
    login(coordinator)
    half = save(client, application_id, "contacts", {"language": "fr", "focal_email": "aline@"},
                0, "half-0001")
    assert half.status_code == 200
    too_long = save(client, application_id, "part2", {"why_join": "x" * 4001}, 0, "long-0001")
    assert too_long.status_code == 400
    assert "Use at most 4000 characters." in too_long.json["error"]
    assert load(app, application_id).focal_email == "aline@"


# --- agencies and nominees ---------------------------------------------------------------------


def test_agencies_and_nominees_are_added_and_removed_once_per_click(app, client, make_user,
                                                                   login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator, complete=False)
    login(coordinator)
    agency = {"name": "FVS-Amade", "organisation_type": "national_ngo",
              "cm_started_on": "2016-03", "active_cases": "420", "caseworkers": "30",
              "supervisors": "6", "comments": "", "key": "agency-key-1"}
    for _ in range(2):  # a double click
        added = client.post(f"/applications/{application_id}/agencies",
                            data={**agency, "csrf_token": client.token()})
        assert added.status_code == 302
    person = {"name": "Claudine Irakoze", "email": "Claudine@Example.org",
              "organisation": "Ministère", "organisation_type": "government",
              "title": "Directrice", "reason": "Supervises 12 caseworkers", "key": "person-key-1"}
    for _ in range(2):
        response = client.post(f"/applications/{application_id}/nominees",
                               data={**person, "csrf_token": client.token()})
        assert response.status_code == 302
    duplicate = client.post(f"/applications/{application_id}/nominees",
                            data={**person, "key": "person-key-2", "is_alternate": "y",
                                  "csrf_token": client.token()})
    assert duplicate.status_code == 400
    assert "already in the team" in page_text(duplicate)

    stored = load(app, application_id)
    assert [(a.name, a.cm_started_on, a.supervisors) for a in stored.agencies] == [
        ("FVS-Amade", date(2016, 3, 1), 6)]
    assert [(n.name, n.email, n.is_alternate) for n in stored.nominees] == [
        ("Claudine Irakoze", "claudine@example.org", False)]

    nominee_id = stored.nominees[0].id
    for _ in range(2):
        removed = client.post(f"/applications/{application_id}/nominees/{nominee_id}/delete",
                              data={"key": "remove-key-1", "csrf_token": client.token()})
        assert removed.status_code == 302
    assert load(app, application_id).nominees == []


def test_a_nominee_with_missing_details_is_explained_next_to_the_fields(app, client,
                                                                       make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator, complete=False)
    login(coordinator)
    response = client.post(f"/applications/{application_id}/nominees", data={
        "name": "Claudine", "email": "not an address", "organisation": "",
        "organisation_type": "", "title": "", "reason": "", "key": "person-key-3",
        "csrf_token": client.token()})
    assert response.status_code == 400
    text = page_text(response)
    for message in ("Enter a valid e-mail address.", "Give the person’s organisation.",
                    "Choose the type of organisation.", "Say why this person is nominated."):
        assert message in text
    assert load(app, application_id).nominees == []


# --- checking and submitting ---------------------------------------------------------------------


def test_an_empty_application_lists_what_is_missing_with_links(app, client, make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator, complete=False)
    login(coordinator)
    response = client.submit(f"/applications/{application_id}/submit", {})
    assert response.status_code == 200
    text = page_text(response)
    assert "The application cannot be submitted yet" in text
    base = f"/applications/{application_id}"
    body = response.get_data(as_text=True)
    assert (f'<a href="{base}/parts/contacts#focal_name">Focal point: Name</a>: '
            "Fill this in.") in body
    assert f'<a href="{base}/parts/part1#agencies">' in body
    assert f'<a href="{base}/parts/commitment#commitment_agreed">' in body
    assert "Add at least one organisation implementing case management." in text
    assert "Nominate 5 or 6 team members: the team has 0." in text
    assert "Nominate 2 alternates: there are 0." in text
    assert "Tick the box to give the coordination group’s commitment." in text
    assert load(app, application_id).status == ApplicationStatus.DRAFT


def test_team_size_alternates_and_diversity_are_checked(app, client, make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    two_types = [(f"Person {n}", f"p{n}@example.org", "Org",
                  OrganisationType.NATIONAL_NGO if n % 2 else OrganisationType.UN_AGENCY, False)
                 for n in range(7)] + [("Alt", "alt@example.org", "Org",
                                        OrganisationType.OTHER, True)]
    application_id = make_application(app, coordinator, team=two_types)
    login(coordinator)
    page = client.get(f"/applications/{application_id}/submit")
    text = page_text(page)
    assert "Nominate 5 or 6 team members: the team has 7." in text
    assert "Nominate 2 alternates: there is 1." in text
    assert ("Nominate team members from at least 3 types of organisation: the team members "
            "come from 2 types (UN agency, National or local NGO).") in text
    # The alternate's organisation type does not make the team diverse: no submit button.
    assert 'value="Submit the application"' not in page.get_data(as_text=True)


def test_answers_that_depend_on_another_and_e_mail_addresses_are_checked(app, client,
                                                                        make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator)
    with app.app_context():
        application = db.session.get(CountryApplication, application_id)
        application.cm_subgroup_description = ""
        application.backup_email = "eric(at)example.org"
        db.session.commit()
    login(coordinator)
    body = client.get(f"/applications/{application_id}/submit").get_data(as_text=True)
    assert "#cm_subgroup_description" in body
    assert "Back-up focal point: E-mail address</a>: This is not a valid e-mail address." in body


def test_a_complete_application_is_submitted_and_then_read_only(app, client, make_user, login):
    coordinator = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, coordinator)
    login(coordinator)
    check = client.get(f"/applications/{application_id}/submit")
    assert "The application is complete." in page_text(check)
    assert 'value="Submit the application"' in check.get_data(as_text=True)
    submitted = client.submit(f"/applications/{application_id}/submit", {})
    assert submitted.status_code == 302
    assert submitted.location.endswith(f"/applications/{application_id}")
    stored = load(app, application_id)
    assert stored.status == ApplicationStatus.SUBMITTED and stored.submitted_at is not None
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "application.submitted"))
        assert (event.actor_id, event.target_id) == (coordinator.id, str(application_id))

    refused = save(client, application_id, "part2", {"why_join": "Changed"}, 0, "late-0001")
    assert refused.status_code == 409 and "can no longer be changed" in refused.json["error"]
    assert client.get(f"/applications/{application_id}/parts/part2").status_code == 302
    late = client.post(f"/applications/{application_id}/nominees",
                       data={"csrf_token": client.token(), "key": "late-nominee"})
    assert late.status_code == 302
    page = client.get(f"/applications/{application_id}")
    text = page_text(page)
    assert "Submitted" in text and "Continue the application" not in text
    assert ANSWERS["part2"]["why_join"] in text and "Claudine Irakoze" in text
    assert load(app, application_id).why_join == ANSWERS["part2"]["why_join"]


# --- who sees what -----------------------------------------------------------------------------


def test_applications_are_seen_only_within_their_country(app, client, make_user, login):
    burundi = make_user(Role.COORDINATOR, country="BI")
    application_id = make_application(app, burundi)
    make_application(app, None, country="TD")
    urls = [f"/applications/{application_id}", f"/applications/{application_id}/team",
            f"/applications/{application_id}/parts/contacts",
            f"/applications/{application_id}/submit"]

    login(make_user(Role.COORDINATOR, country="TD"))
    assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]
    listing = page_text(client.get("/applications"))
    assert "Chad" in listing and "Burundi" not in listing
    client.post("/logout", data={"csrf_token": client.token()})

    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]))
    assert client.get(urls[0]).status_code == 200
    assert [client.get(url).status_code for url in urls[1:]] == [403, 403, 403]
    listing = page_text(client.get("/applications"))
    assert "Burundi" in listing and "Chad" not in listing
    client.post("/logout", data={"csrf_token": client.token()})

    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["TD"]))
    assert client.get(urls[0]).status_code == 404
    client.post("/logout", data={"csrf_token": client.token()})

    for role in (Role.PARTICIPANT, Role.FACILITATOR):
        login(make_user(role, country="BI"))
        assert client.get(urls[0]).status_code == 403
        assert client.get("/applications").status_code == 403
        client.post("/logout", data={"csrf_token": client.token()})


def test_a_coordinator_of_another_country_cannot_change_a_draft(app, client, make_user, login):
    application_id = make_application(app, make_user(Role.COORDINATOR, country="BI"),
                                      complete=False)
    login(make_user(Role.COORDINATOR, country="TD"))
    response = save(client, application_id, "part2", {"why_join": "Not mine"}, 0, "other-001")
    assert response.status_code == 404
    assert load(app, application_id).why_join == ""
