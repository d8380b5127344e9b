"""Trainees' scores from a CSV file: every line checked, averages taken only when every line
is right (nothing half-imported), the lines to correct listed with the reason."""

from __future__ import annotations

import io
from decimal import Decimal

from learning.db import db
from learning.rollout.models import Training
from learning.rollout.scores import parse_scores
from tests.conftest import in_french
from tests.rollout.conftest import page


def _upload(client, training_id: int, text: str):  # type: ignore[no-untyped-def]
    client.get(f"/trainings/{training_id}/scores")
    return client.post(f"/trainings/{training_id}/scores", data={
        "csrf_token": client.last_token,
        "file": (io.BytesIO(text.encode("utf-8")), "scores.csv")},
        content_type="multipart/form-data")


def _averages(app, training_id: int) -> tuple:  # type: ignore[no-untyped-def]
    with app.app_context():
        training = db.session.get(Training, training_id)
        return (training.pre_test_average, training.post_test_average, training.tested_trainees,
                training.version)


def test_a_french_excel_file_sets_the_averages(app, client, world, login, record_training):
    training_id, _report = record_training(world.people["trainer"], world.cohort_id)
    login(world.people["trainer"])
    # BOM, semicolons and decimal commas, as French Excel saves it.
    text = "\ufeffNom;Pré-test;Post-test\nA. Ndikumana;40;80\nB. Irakoze;55,5;90\nP-07;70;75,5 %\n"
    response = _upload(client, training_id, text)
    assert response.status_code == 302
    # (40 + 55.5 + 70) / 3 = 55.1666…; (80 + 90 + 75.5) / 3 = 81.8333…
    assert _averages(app, training_id) == (Decimal("55.17"), Decimal("81.83"), 3, 2)
    shown = page(client.get(response.headers["Location"]))
    # The trainer reads French: numbers as French people write them.
    assert in_french("Scores of %(num)d trainee imported: pre-test average %(pre)s, "
                     "post-test average %(post)s.",
                     "Scores of %(num)d trainees imported: pre-test average %(pre)s, "
                     "post-test average %(post)s.", 3,
                     pre="55,17\xa0%", post="81,83\xa0%") in shown
    assert 'value="55.17"' in shown


def test_bad_lines_are_listed_and_nothing_is_imported(app, client, world, login,
                                                      record_training):
    training_id, _report = record_training(world.people["trainer"], world.cohort_id,
                                           pre_test_average=Decimal("50"),
                                           post_test_average=Decimal("70"), tested_trainees=12)
    login(world.people["trainer"])
    text = ("id,pre,post\n"
            "T01,45,80\n"
            "T02,60,\n"
            "T03,fifty,70\n"
            "T04,45,120\n"
            ",30,60\n"
            "t01,50,50\n"
            "T07,35,65\n")
    response = _upload(client, training_id, text)
    assert response.status_code == 200
    shown = page(response)
    assert in_french("Nothing was imported: %(num)d line has to be corrected.",
                     "Nothing was imported: %(num)d lines have to be corrected.", 5) in shown
    for problem in (
            in_french("The post-test score is missing (keep only trainees who took both "
                      "tests)."),
            in_french("The pre-test score “%(value)s” is not a number.", value="fifty"),
            in_french("The post-test score “%(value)s” is not between 0 and 100.", value="120"),
            in_french("The trainee's name or id is missing."),
            in_french("Same trainee as line %(line)d.", line=2)):
        assert problem in shown
    assert "T07" not in shown  # good lines are not listed as problems
    assert _averages(app, training_id) == (Decimal("50.00"), Decimal("70.00"), 12, 1)


def test_the_columns_must_be_named():
    report = parse_scores("trainee,score\nA,50\n")
    assert report.rows == [] and not report.usable
    assert report.file_errors == [
        "These columns are missing: pre, post. The first line must name the columns: name "
        "(or id), pre, post."]
    assert parse_scores("name,pre,post\n").file_errors == [
        "The file has a heading line but no trainees."]


def test_a_file_that_is_not_utf8_is_refused(app, client, world, login, record_training):
    training_id, _report = record_training(world.people["teammate"], world.cohort_id)
    login(world.people["teammate"])
    client.get(f"/trainings/{training_id}/scores")
    response = client.post(f"/trainings/{training_id}/scores", data={
        "csrf_token": client.last_token,
        "file": (io.BytesIO("nom;pré;post\nA;40;60\n".encode("latin-1")), "scores.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "The file is not in UTF-8." in page(response)
    assert _averages(app, training_id) == (None, None, None, 1)
