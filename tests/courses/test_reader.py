"""The course reader as a participant uses it: pages, progress, reflections, resuming."""

from __future__ import annotations

import html
from datetime import date, timedelta

from sqlalchemy import func, select

from learning.accounts.models import Role
from learning.cohorts.models import Cohort, CohortCountry, Enrolment
from learning.core.models import WriteReceipt
from learning.courses.catalogue import get_catalogue
from learning.courses.models import ReflectionAnswer, SectionProgress
from learning.db import db

JSON = {"Accept": "application/json"}
UNIT = "module-1-defining-supervision"


def _post_json(client, url: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(url, data=data, headers={**JSON, "X-CSRFToken": client.token()})


def _rows(app, model):  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(select(model)))


def test_my_learning_lists_every_unit_with_the_deadline(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    with app.app_context():
        cohort = Cohort(name="Gitega ToT", slug="gitega", start_date=date.today() + timedelta(30),
                        end_date=date.today() + timedelta(34),
                        precourse_deadline=date.today() + timedelta(9),
                        countries=[CohortCountry(country_code="BI")])
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Enrolment(cohort_id=cohort.id, user_id=person.id))
        db.session.commit()
        titles = [unit.title.en for unit in get_catalogue().units]
    login(person)
    page = html.unescape(client.get("/learn").get_data(as_text=True))
    for title in titles:
        assert title in page
    assert "9 days left" in page
    assert "0 of " in page


def test_facilitator_notes_are_for_facilitators_only(app, client, make_user, login):
    with app.app_context():
        notes = next(s for s in get_catalogue().all_sections() if s.facilitator_only)
    login(make_user(Role.PARTICIPANT))
    assert client.get(f"/learn/sections/{notes.id}").status_code == 404
    unit_page = client.get(f"/learn/units/{notes.unit_id}").get_data(as_text=True)
    assert notes.id not in unit_page
    client.post("/logout", data={"csrf_token": client.token()})
    login(make_user(Role.FACILITATOR, country=None))
    assert client.get(f"/learn/sections/{notes.id}").status_code == 200


def test_mark_as_done_without_javascript_moves_on_and_counts_once(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    login(person)
    with app.app_context():
        first, second = get_catalogue().unit(UNIT).sections[:2]
    client.get(f"/learn/sections/{first.id}")
    data = {"csrf_token": client.last_token, "event": "completed",
            "key": f"done-{person.id}-{first.id}"}
    response = client.post(f"/learn/sections/{first.id}/progress", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/learn/sections/{second.id}")
    client.post(f"/learn/sections/{first.id}/progress", data=data)  # a double submit
    rows = _rows(app, SectionProgress)
    assert [(row.section_id, row.completed_at is not None) for row in rows] == [(first.id, True)]
    unit_page = html.unescape(client.get(f"/learn/units/{UNIT}").get_data(as_text=True))
    with app.app_context():
        total = len(get_catalogue().unit(UNIT).visible_sections(include_facilitator_notes=False))
    assert f"1 of {total} sections done" in unit_page


def test_progress_only_moves_forward_and_retries_return_the_first_answer(app, client,
                                                                         make_user, login):
    login(make_user(Role.PARTICIPANT))
    url = "/learn/sections/m1-introduction/progress"
    done = _post_json(client, url, {"event": "completed", "key": "key-completed-1"})
    assert done.status_code == 200 and done.json["completed"] is True
    late_open = _post_json(client, url, {"event": "opened", "key": "key-opened-late"})
    assert late_open.json["completed"] is True
    retry = _post_json(client, url, {"event": "completed", "key": "key-completed-1"})
    assert retry.json["replayed"] is True
    assert retry.json["completed_at"] == done.json["completed_at"]
    assert len(_rows(app, SectionProgress)) == 1
    assert len(_rows(app, WriteReceipt)) == 2


def test_reflections_save_and_a_stale_tab_is_told(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    url = "/learn/reflections/m1-r-timeline"
    first = _post_json(client, url, {"text": "From tab one", "base_revision": "0",
                                     "key": "tab-one-save-1"})
    assert first.json["revision"] == 1 and first.json["replaced_newer"] is False
    second = _post_json(client, url, {"text": "From tab two", "base_revision": "1",
                                      "key": "tab-two-save-1"})
    assert second.json["revision"] == 2
    stale = _post_json(client, url, {"text": "Tab one again", "base_revision": "1",
                                     "key": "tab-one-save-2"})
    assert stale.json["revision"] == 3 and stale.json["replaced_newer"] is True
    answers = _rows(app, ReflectionAnswer)
    assert [(a.text, a.revision) for a in answers] == [("Tab one again", 3)]
    assert client.get(url, headers=JSON).json == {"reflection": "m1-r-timeline",
                                                  "text": "Tab one again", "revision": 3}
    page = client.get("/learn/sections/m1-timeline-exercise").get_data(as_text=True)
    assert "Tab one again" in page


def test_bad_reflections_are_refused_and_store_nothing(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    url = "/learn/reflections/m1-r-timeline"
    for data in [{"text": "null\x00byte", "key": "bad-text-nul-1"},
                 {"text": "x" * 20_001, "key": "bad-text-long-1"},
                 {"text": "fine", "key": "no"},
                 {"text": "fine", "base_revision": "abc", "key": "bad-revision-1"}]:
        response = _post_json(client, url, data)
        assert response.status_code == 400 and response.json["ok"] is False
    assert _rows(app, ReflectionAnswer) == [] and _rows(app, WriteReceipt) == []
    assert client.post("/learn/reflections/no-such-prompt",
                       data={"csrf_token": client.token(), "text": "x",
                             "key": "unknown-prompt-1"}).status_code == 404


def test_reflection_without_javascript_saves_and_returns_to_the_section(app, client, make_user,
                                                                        login):
    login(make_user(Role.PARTICIPANT))
    page = client.get("/learn/sections/m1-timeline-exercise")
    assert page.status_code == 200
    response = client.post("/learn/reflections/m1-r-timeline", data={
        "csrf_token": client.last_token, "text": "Typed on a basic phone",
        "base_revision": "0", "key": "nojs-save-0001"})
    assert response.status_code == 302
    assert "m1-timeline-exercise#reflection-m1-r-timeline" in response.headers["Location"]
    assert [a.text for a in _rows(app, ReflectionAnswer)] == ["Typed on a basic phone"]


def test_resume_returns_to_where_the_person_stopped(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    first_unit = None
    with app.app_context():
        first_unit = get_catalogue().units[0]
    assert client.get("/learn/resume").headers["Location"].endswith(
        f"/learn/sections/{first_unit.sections[0].id}")
    _post_json(client, "/learn/sections/m1-three-functions/progress",
               {"event": "opened", "key": "open-three-functions"})
    assert client.get("/learn/resume").headers["Location"].endswith(
        "/learn/sections/m1-three-functions")


def test_progress_on_sections_that_left_the_course_is_kept_but_not_counted(app, client,
                                                                           make_user, login):
    person = make_user(Role.PARTICIPANT)
    with app.app_context():
        from learning.db import utcnow

        for section_id in ("m1-introduction", "m1-retired-section"):
            db.session.add(SectionProgress(user_id=person.id, unit_id=UNIT, section_id=section_id,
                                           completed_at=utcnow()))
        db.session.commit()
    login(person)
    page = html.unescape(client.get(f"/learn/units/{UNIT}").get_data(as_text=True))
    with app.app_context():
        total = len(get_catalogue().unit(UNIT).visible_sections(include_facilitator_notes=False))
        assert db.session.scalar(select(func.count(SectionProgress.id))) == 2
    assert f"1 of {total} sections done" in page


def test_print_view_holds_the_whole_unit_on_one_page(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    page = html.unescape(client.get(f"/learn/units/{UNIT}/print").get_data(as_text=True))
    with app.app_context():
        unit = get_catalogue().unit(UNIT)
    for section in unit.sections:
        assert (f'id="section-{section.id}"' in page) is (not section.facilitator_only)
        if not section.facilitator_only:
            assert section.title.en in page


def test_section_pages_are_in_french_for_french_readers(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT, language="fr"))
    with app.app_context():
        section = get_catalogue().section("m1-introduction")
    page = html.unescape(client.get("/learn/sections/m1-introduction").get_data(as_text=True))
    assert section.title.fr in page


def test_unit_folders_serve_images_only(client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    assert client.get(f"/content/{UNIT}/01-introduction.en.md").status_code == 404
    assert client.get(f"/content/{UNIT}/unit.yaml").status_code == 404
    assert client.get(f"/content/{UNIT}/../../README.png").status_code == 404
