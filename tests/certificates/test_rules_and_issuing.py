"""Certificate rules and issuing: a participant driven through every rule gets the
certificate exactly when the last one is met, once, even when the completing event arrives
twice at the same time; admins issue by hand, re-issue and revoke, all audited."""

from __future__ import annotations

import re
import threading

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import User
from learning.audit.models import AuditEvent
from learning.certificates import services
from learning.certificates.models import Certificate, CertificateStatus
from learning.cohorts.models import Cohort
from learning.db import db
from learning.notifications.models import Notification
from learning.rollout.signals import report_approved
from tests.certificates.certificate_world import (
    MODULES,
    PRECOURSE,
    add_plan_items,
    approve,
    approved_training,
    audit_count,
    certificates_of,
    client_for,
    complete_units,
    meet_every_rule_but_the_report,
    page,
    set_rules,
    submit_post_test,
    submit_post_test_by_hand,
    submitted_training,
    world_fixture,  # noqa: F401  (the "world" fixture)
)
from tests.conftest import in_french


def _checklist(app: Flask, person: User, cohort_id: int) -> dict[str, tuple[bool, str]]:
    with app.test_request_context():  # an English reader
        found = services.checklist(db.session.get(User, person.id),
                                   db.session.get(Cohort, cohort_id))
        return {rule.rule: (rule.met, str(rule.progress)) for rule in found.rules}


def test_the_certificate_comes_exactly_when_the_last_rule_is_met(app, world):
    ana, cohort_id = world.people["ana"], world.cohort_id
    participant = client_for(app, ana)

    def still_waiting() -> None:
        assert certificates_of(app, ana) == []
        text = page(participant.get("/certificates/mine"))  # the page evaluates too
        assert certificates_of(app, ana) == []
        assert "TDM-" not in text

    still_waiting()
    assert _checklist(app, ana, cohort_id)["modules_done"] == (False, "0 of 4 modules done")

    complete_units(app, ana, *PRECOURSE)
    assert _checklist(app, ana, cohort_id)["precourse_done"] == (
        True, "2 of 2 pre-course parts done")
    still_waiting()

    complete_units(app, ana, *MODULES[:3])
    assert _checklist(app, ana, cohort_id)["modules_done"] == (False, "3 of 4 modules done")
    complete_units(app, ana, MODULES[3])
    still_waiting()

    submit_post_test(app, ana)
    assert _checklist(app, ana, cohort_id)["post_test_taken"][0]
    still_waiting()

    add_plan_items(app, ana, *MODULES[:3])
    assert _checklist(app, ana, cohort_id)["plan_item_per_module"] == (
        False, "Items for 3 of 4 modules")
    add_plan_items(app, ana, MODULES[3])
    still_waiting()

    # The training is reported and waits for review: still not certified.
    report_id = submitted_training(app, ana, cohort_id)
    assert _checklist(app, ana, cohort_id)["training_report_approved"] == (
        False, "0 approved reports")
    still_waiting()

    # The focal point approves it: the certificate is issued then, without Ana doing anything.
    approve(client_for(app, world.people["focal_bi"]), report_id)
    [certificate] = certificates_of(app, ana)
    assert certificate.status == CertificateStatus.VALID
    assert certificate.holder_name == "Anaïs Ndayishimiye"
    assert certificate.serial == f"TDM-{certificate.issued_at.year}-{certificate.id:06d}"
    assert len(certificate.code) >= 32 and certificate.code not in certificate.serial
    assert certificate.language == "fr"
    assert certificate.pdf and certificate.pdf.startswith(b"%PDF")
    assert certificate.credential
    assert certificate.achievements == {
        "trainings_delivered": 1, "modules": [1, 2, 3, 4], "people_trained": 12,
        "rules": ["precourse_done", "post_test_taken", "modules_done", "plan_item_per_module",
                  "training_report_approved"]}
    assert certificate.issued_by_id is None
    assert audit_count(app, "certificate.issued") == 1

    with app.app_context():
        [note] = db.session.scalars(select(Notification).where(
            Notification.user_id == ana.id, Notification.kind == "certificate_issued"))
        assert note.subject == in_french("Your certificate for %(cohort)s",
                                         cohort="Gitega ToT")
        assert note.link.endswith("/certificates/mine")

    text = page(participant.get("/certificates/mine"))
    assert certificate.serial in text
    assert f"/certificates/{certificate.id}.pdf" in text
    assert f"/verify/{certificate.code}" in text
    assert f"/certificates/{certificate.code}/credential.json" in text
    download = participant.get(f"/certificates/{certificate.id}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == certificate.pdf


def test_disabled_rules_are_skipped_and_the_page_issues_when_they_are_met(app, world):
    ana, cohort_id = world.people["ana"], world.cohort_id
    set_rules(app, cohort_id, certificate_rules=["precourse_done", "post_test_taken"],
              certificate_languages="both")
    participant = client_for(app, ana)
    text = page(participant.get("/certificates/mine"))
    assert in_french("Post-test taken") in text
    assert "Modules 1 to 4 done" not in text and "approved report" not in text

    complete_units(app, ana, *PRECOURSE)
    assert certificates_of(app, ana) == []
    # Submitting the post-test is the request that meets the last enabled rule.
    submit_post_test_by_hand(app, participant, ana)
    text = page(participant.get("/certificates/mine"))
    [certificate] = certificates_of(app, ana)
    assert certificate.serial in text
    assert certificate.language == "en+fr"
    assert certificate.achievements["rules"] == ["precourse_done", "post_test_taken"]


def test_a_cohort_without_rules_issues_nothing_automatically(app, world):
    ana, cohort_id = world.people["ana"], world.cohort_id
    set_rules(app, cohort_id, certificate_rules=[])
    text = page(client_for(app, ana).get("/certificates/mine"))
    assert in_french("In this cohort, certificates are issued by the programme team.") in text
    with app.app_context():
        assert services.evaluate(ana.id, cohort_id) is None
    assert certificates_of(app, ana) == []


def test_admins_choose_the_rules_and_the_language_in_the_cohort_form(app, world):
    admin = client_for(app, world.people["admin"])
    form = page(admin.get(f"/cohorts/{world.cohort_id}/edit"))
    # A cohort without certificate settings follows the programme: every rule ticked.
    for rule in services.rules.RULES:
        assert re.search(rf'<input checked id="certificate_rules-\d" name="certificate_rules" '
                         rf'type="checkbox" value="{rule}"', form), rule
    response = admin.submit(f"/cohorts/{world.cohort_id}/edit", {
        "name": "Gitega ToT", "languages": ["en", "fr"], "start_date": "2030-03-02",
        "end_date": "2030-03-06", "countries": ["BI", "CD"],
        "pre_test_closes_at_module_1": "y", "post_test_requires_module_4": "y",
        "certificate_fields": "1",
        "certificate_rules": ["modules_done", "training_report_approved"],
        "certificate_languages": "both"})
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.get(Cohort, world.cohort_id)
        assert cohort.settings["certificate_rules"] == ["modules_done",
                                                        "training_report_approved"]
        assert services.rules.enabled_rules(cohort) == ("modules_done",
                                                        "training_report_approved")
        assert services.rules.language_mode(cohort) == "both"
    again = page(admin.get(f"/cohorts/{world.cohort_id}/edit"))
    assert 'checked id="certificate_rules-0"' not in again  # precourse_done, now off
    assert 'checked id="certificate_rules-2"' in again  # modules_done


def _fire_together(app: Flask, report_id: int, trainer_id: int) -> list[BaseException]:
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def fire() -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                report_approved.send(app, report_id=report_id, trainer_id=trainer_id)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            failures.append(error)

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_the_signal_fired_twice_at_once_issues_one_certificate(app, world):
    ana, cohort_id = world.people["ana"], world.cohort_id
    meet_every_rule_but_the_report(app, ana)
    report_id = approved_training(app, ana, cohort_id)

    assert _fire_together(app, report_id, ana.id) == []

    [certificate] = certificates_of(app, ana)
    assert certificate.status == CertificateStatus.VALID
    assert audit_count(app, "certificate.issued") == 1
    with app.app_context():
        assert len(list(db.session.scalars(select(Notification).where(
            Notification.user_id == ana.id, Notification.kind == "certificate_issued")))) == 1


def test_an_insert_refused_by_the_index_returns_the_certificate_already_issued(
        app, world, monkeypatch):
    """The race's losing side, made certain: the look finds nothing, the insert is refused."""
    ana, cohort_id = world.people["ana"], world.cohort_id
    meet_every_rule_but_the_report(app, ana)
    approved_training(app, ana, cohort_id)
    with app.app_context():
        first = services.evaluate(ana.id, cohort_id)
        assert first is not None
        first_id = first.id
    monkeypatch.setattr(services, "latest_certificate", lambda user_id, cohort_id: None)
    with app.app_context():
        again = services.evaluate(ana.id, cohort_id)
        assert again is not None and again.id == first_id
    assert len(certificates_of(app, ana)) == 1
    assert audit_count(app, "certificate.issued") == 1


def test_admin_issues_by_hand_reissues_after_a_name_correction_and_revokes(app, world):
    jean, cohort_id = world.people["jean"], world.cohort_id
    admin_user = world.people["admin"]
    admin = client_for(app, admin_user)
    address = f"/certificates/issue/{cohort_id}/{jean.id}"

    refused = admin.submit(address, {"reason": "   "})
    assert refused.status_code == 400
    assert "Give the reason: it is kept in the audit log." in page(refused)
    assert certificates_of(app, jean) == []

    # Jean meets no rule: an admin may still certify him, with a reason.
    assert admin.submit(address, {"reason": "Certified by the country office in 2029."}
                        ).status_code == 302
    [manual] = certificates_of(app, jean)
    assert manual.issued_by_id == admin_user.id
    assert manual.issue_reason == "Certified by the country office in 2029."
    twice = admin.submit(address, {"reason": "Again"})
    assert "already holds a valid certificate" in page(twice)
    assert len(certificates_of(app, jean)) == 1

    with app.app_context():
        db.session.get(User, jean.id).name = "Jean-Marie Hakizimana"
        db.session.commit()
    detail = f"/certificates/{manual.id}"
    empty = admin.submit(f"{detail}/reissue", {"reissue-reason": ""})
    assert empty.status_code == 400 and "Give the reason" in page(empty)
    assert admin.submit(f"{detail}/reissue", {"reissue-reason": "Name misspelt."}
                        ).status_code == 302
    old, new = certificates_of(app, jean)
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by_id == new.id
    assert old.holder_name == "Jean Hakizimana"
    assert new.status == CertificateStatus.VALID and new.holder_name == "Jean-Marie Hakizimana"
    assert new.serial != old.serial and new.code != old.code

    assert admin.submit(f"{detail}/revoke", {"revoke-reason": "x"}).status_code == 302
    assert "Only a valid certificate" in page(admin.get(detail))  # the old one: superseded
    assert admin.submit(f"/certificates/{new.id}/revoke", {"revoke-reason": ""}
                        ).status_code == 400
    assert admin.submit(f"/certificates/{new.id}/revoke",
                        {"revoke-reason": "Issued by mistake."}).status_code == 302
    revoked = certificates_of(app, jean)[1]
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_by_id == admin_user.id
    assert revoked.revocation_reason == "Issued by mistake."

    with app.app_context():
        events = {event.action: event for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("certificate.%")))}
        assert events["certificate.issued"].details["reason"] == (
            "Certified by the country office in 2029.")
        assert events["certificate.issued"].actor_id == admin_user.id
        assert events["certificate.reissued"].details["replaces"] == old.id
        assert events["certificate.reissued"].details["new_name"] == "Jean-Marie Hakizimana"
        assert events["certificate.revoked"].details["reason"] == "Issued by mistake."
        assert events["certificate.revoked"].target_id == str(new.id)


def test_after_revocation_no_completing_event_issues_again(app, world):
    ana, cohort_id = world.people["ana"], world.cohort_id
    meet_every_rule_but_the_report(app, ana)
    report_id = submitted_training(app, ana, cohort_id)
    approve(client_for(app, world.people["focal_bi"]), report_id)
    [certificate] = certificates_of(app, ana)

    admin = client_for(app, world.people["admin"])
    assert admin.submit(f"/certificates/{certificate.id}/revoke",
                        {"revoke-reason": "Report found to be invented."}).status_code == 302
    second_report = submitted_training(app, ana, cohort_id)
    approve(client_for(app, world.people["focal_bi"]), second_report)
    text = page(client_for(app, ana).get("/certificates/mine"))

    [still] = certificates_of(app, ana)
    assert still.status == CertificateStatus.REVOKED
    assert "Report found to be invented." in text
    # The holder no longer downloads a revoked certificate.
    assert client_for(app, ana).get(f"/certificates/{certificate.id}.pdf").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Notification.kind).where(
            Notification.user_id == ana.id, Notification.kind == "certificate_revoked"))


@pytest.mark.parametrize("status", ["nominated", "withdrawn"])
def test_only_enrolled_people_are_certified_automatically(app, world, status):
    person = world.people["jean" if status == "nominated" else "withdrawn"]
    meet_every_rule_but_the_report(app, person)
    approved_training(app, person, world.cohort_id)
    with app.app_context():
        issued = services.evaluate(person.id, world.cohort_id)
    assert (issued is not None) == (status == "nominated")
    with app.app_context():
        count = len(list(db.session.scalars(select(Certificate.id))))
    assert count == (1 if status == "nominated" else 0)
