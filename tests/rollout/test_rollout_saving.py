"""The report form saves as the trainer types: a retried save is applied once, a save from an
older version is refused with the differences (never a silent overwrite), and a report under
review cannot be changed."""

from __future__ import annotations

from sqlalchemy import select

from learning.db import db
from learning.rollout.models import ReportStatus, Training
from tests.conftest import in_french
from tests.rollout.conftest import complete_report, page

JSON = {"Accept": "application/json"}


def _autosave(client, training_id: int, data: dict):  # type: ignore[no-untyped-def]
    return client.post(f"/trainings/{training_id}/edit", data=data,
                       headers={**JSON, "X-CSRFToken": client.token()})


def _training(app, training_id: int) -> Training:  # type: ignore[no-untyped-def]
    with app.app_context():
        training = db.session.get(Training, training_id)
        db.session.expunge(training)
        return training


def test_saves_carry_the_version_and_a_retry_is_applied_once(app, client, world, login,
                                                             record_training):
    training_id, _report = record_training(world.people["trainer"], world.cohort_id)
    login(world.people["trainer"])
    first = _autosave(client, training_id, complete_report(
        base_revision="1", key="autosave-key-01", challenges="Heavy rain on day one."))
    assert first.status_code == 200
    assert (first.json["ok"], first.json["version"], first.json["revision"]) == (True, 2, 2)
    # The answer was lost; the script sends the same save again.
    again = _autosave(client, training_id, complete_report(
        base_revision="1", key="autosave-key-01", challenges="Heavy rain on day one."))
    assert again.status_code == 200
    assert again.json["version"] == 2 and again.json["replayed"] is True
    # The next save continues from the version the first one made.
    following = _autosave(client, training_id, complete_report(
        base_revision="2", key="autosave-key-02",
        challenges="Heavy rain on day one; the venue changed."))
    assert following.json["version"] == 3
    training = _training(app, training_id)
    assert (training.version, training.challenges) == (
        3, "Heavy rain on day one; the venue changed.")


def test_a_save_from_an_older_version_is_refused_with_what_differs(app, client, world, login,
                                                                   record_training):
    training_id, _report = record_training(world.people["trainer"], world.cohort_id)
    login(world.people["trainer"])
    # Tab one saves; tab two still shows version 1.
    _autosave(client, training_id, complete_report(base_revision="1", key="tab-one-key-1",
                                                   adaptations="Tab one's adaptations"))
    stale = _autosave(client, training_id, complete_report(
        base_revision="1", key="tab-two-key-1", adaptations="Tab two's adaptations"))
    assert stale.status_code == 409
    assert stale.json["ok"] is False
    assert stale.json["error"] == in_french(
        "This training was changed in another tab or device since you opened it. "
        "Reload the page to see the saved version; copy your text first.")
    assert stale.json["conflict"]["version"] == 2
    assert stale.json["conflict"]["fields"] == [in_french("Adaptations made for the context")]
    assert _training(app, training_id).adaptations == "Tab one's adaptations"

    # Without JavaScript: the page again, with the person's text and what differs.
    plain = client.post(f"/trainings/{training_id}/edit", data={
        "csrf_token": client.token(), "base_revision": "1",
        **complete_report(adaptations="Tab two's adaptations", days="2")})
    assert plain.status_code == 409
    shown = page(plain)
    assert in_french("This training was changed in another tab or device since you opened it.") \
        in shown
    assert f"<li>{in_french('Number of training days')}</li>" in shown
    assert "Tab two&#39;s adaptations" in plain.get_data(as_text=True)
    assert 'name="base_revision" type="hidden" value="2"' in shown
    assert _training(app, training_id).adaptations == "Tab one's adaptations"
    # Saving again from that page keeps this version, on purpose.
    kept = client.post(f"/trainings/{training_id}/edit", data={
        "csrf_token": client.token(), "base_revision": "2",
        **complete_report(adaptations="Tab two's adaptations")})
    assert kept.status_code == 302
    assert _training(app, training_id).adaptations == "Tab two's adaptations"


def test_a_report_under_review_cannot_be_changed(app, client, world, login, record_training):
    training_id, _report = record_training(world.people["trainer"], world.cohort_id,
                                           status=ReportStatus.SUBMITTED)
    login(world.people["trainer"])
    refused = _autosave(client, training_id, complete_report(base_revision="1",
                                                             key="late-save-key-1",
                                                             region_city="Ngozi"))
    assert refused.status_code == 409
    assert refused.json == {"ok": False, "error": in_french(
        "This report is with the focal point for review: it can be changed again if it is "
        "returned to you.")}
    assert _training(app, training_id).region_city == "Gitega"


def test_only_the_trainer_changes_a_training(app, client, world, login, record_training):
    training_id, _report = record_training(world.people["trainer"], world.cohort_id)
    login(world.people["teammate"])
    assert _autosave(client, training_id, complete_report(
        base_revision="1", key="teammate-key-1", region_city="Ngozi")).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Training.region_city)).all() == ["Gitega"]


def test_only_team_members_record_trainings(client, world, login):
    login(world.people["withdrawn"])  # enrolled, but withdrawn: no longer in the team
    assert client.get(f"/cohorts/{world.cohort_id}/trainings/new").status_code == 404
    assert "You are not in a country team" in page(client.get("/trainings"))
