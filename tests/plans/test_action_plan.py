"""The participant's own action plan: adding and editing items that are never lost or
duplicated, with or without JavaScript, and its printable page and PDF."""

from __future__ import annotations

import html
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from learning.accounts.models import Role
from learning.core.models import WriteReceipt
from learning.db import db
from learning.plans.models import ActionPlanItem, PlanFunction, PlanStatus

JSON = {"Accept": "application/json"}
MODULE_1 = "module-1-defining-supervision"
MODULE_3 = "module-3-skills"


def _post_json(client, url: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(url, data=data, headers={**JSON, "X-CSRFToken": client.token()})


def _items(app) -> list[ActionPlanItem]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(select(ActionPlanItem).order_by(ActionPlanItem.id)))


def _page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(client.get(url).get_data(as_text=True))


def _new_item(key: str = "new-item-key-1", **fields: str) -> dict[str, str]:
    return {"unit_id": MODULE_1, "key": key, "function": "supportive",
            "action": "Hold a monthly supervision slot with each caseworker", **fields}


def test_a_retried_create_returns_the_same_item(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    first = _post_json(client, "/plan/items", _new_item(first_steps="Agree dates"))
    assert first.status_code == 201
    assert first.json["created"] is True and first.json["revision"] == 1
    # The retry arrives as a JSON body this time: same key, same item.
    retry = client.post("/plan/items", json=_new_item(first_steps="Agree dates"),
                        headers={**JSON, "X-CSRFToken": client.token()})
    assert retry.status_code == 200
    assert retry.json["created"] is False and retry.json["item"] == first.json["item"]
    items = _items(app)
    assert len(items) == 1
    assert (items[0].unit_id, items[0].function, items[0].status, items[0].first_steps) == (
        MODULE_1, PlanFunction.SUPPORTIVE, PlanStatus.PLANNED, "Agree dates")
    page = _page(client, "/plan")
    assert page.count("Hold a monthly supervision slot with each caseworker") == 1
    assert f'action="{first.json["url"]}"' in page


def test_two_tabs_the_later_save_wins_and_the_earlier_tab_is_told(app, client, make_user,
                                                                  login):
    login(make_user(Role.PARTICIPANT))
    url = _post_json(client, "/plan/items", _new_item()).json["url"]
    tab_two = _post_json(client, url, {"action": "Tab two's wording", "base_revision": "1",
                                       "key": "tab-two-save-1"})
    assert tab_two.json["revision"] == 2 and tab_two.json["replaced_newer"] is False
    tab_one = _post_json(client, url, {"action": "Tab one's wording", "base_revision": "1",
                                       "key": "tab-one-save-1"})
    assert tab_one.json["revision"] == 3 and tab_one.json["replaced_newer"] is True
    # The answer to tab one was lost and its script sends the same save again.
    replay = _post_json(client, url, {"action": "Tab one's wording", "base_revision": "1",
                                      "key": "tab-one-save-1"})
    assert replay.json["revision"] == 3 and replay.json["replayed"] is True
    [item] = _items(app)
    assert (item.action, item.revision) == ("Tab one's wording", 3)
    assert "Tab two's wording" not in _page(client, "/plan")


def test_a_status_change_keeps_the_notes(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    url = _post_json(client, "/plan/items", _new_item()).json["url"]
    started = _post_json(client, url, {"status": "started", "notes": "Two of five held",
                                       "base_revision": "1", "key": "status-save-1"})
    assert started.status_code == 200
    done = _post_json(client, url, {"status": "done", "base_revision": "2",
                                    "key": "status-save-2"})
    assert done.json["replaced_newer"] is False
    [item] = _items(app)
    assert (item.status, item.notes, item.action) == (
        PlanStatus.DONE, "Two of five held", "Hold a monthly supervision slot with each "
                                              "caseworker")
    page = _page(client, "/plan")
    assert "Done (1)" in page and "Two of five held" in page


def test_bad_text_is_refused_and_nothing_is_stored(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    for fields in [{"action": "null\x00byte"}, {"action": "x" * 1001},
                   {"first_steps": "y" * 4001}, {"action": "   "}]:
        refused = _post_json(client, "/plan/items", _new_item(key="refused-create", **fields))
        assert refused.status_code == 400 and refused.json["ok"] is False, fields
        assert refused.json["error"]
    assert _items(app) == []
    url = _post_json(client, "/plan/items", _new_item(action="a" * 1000)).json["url"]
    for fields in [{"notes": "z" * 4001}, {"support_needed": "nul\x00"},
                   {"status": "finished"}, {"target_date": "next week"}]:
        refused = _post_json(client, url, {**fields, "key": "refused-update", "base_revision": "1"})
        assert refused.status_code == 400 and refused.json["ok"] is False, fields
    [item] = _items(app)
    assert (item.revision, item.notes, item.status) == (1, "", PlanStatus.PLANNED)
    with app.app_context():
        assert db.session.scalars(select(WriteReceipt)).all() == []


def test_without_javascript_the_forms_add_and_save(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    page = _page(client, f"/plan?unit={MODULE_1}")
    key = re.search(rf'id="add-{MODULE_1}-key" name="key" type="hidden" value="([^"]+)"',
                    page).group(1)
    form = {"csrf_token": client.last_token, **_new_item(key=key, target_date="2030-06-30")}
    added = client.post("/plan/items", data=form)
    assert added.status_code == 302 and "/plan#item-" in added.headers["Location"]
    client.post("/plan/items", data=form)  # the button pressed twice
    [item] = _items(app)
    page = _page(client, "/plan")
    assert "The action is added to your plan." in page
    assert f'id="item-{item.id}" class="card plan-item" data-autosave' in page

    saved = client.post(f"/plan/items/{item.id}", data={
        "csrf_token": client.last_token, "function": "educational", "action": item.action,
        "status": "started", "notes": "First slot held\r\non Monday", "base_revision": "1",
        "target_date": "2030-06-30"})
    assert saved.status_code == 302
    assert "Your changes are saved." in _page(client, "/plan")
    [item] = _items(app)
    assert (item.function, item.status, item.notes, item.revision) == (
        PlanFunction.EDUCATIONAL, PlanStatus.STARTED, "First slot held\non Monday", 2)


def test_without_javascript_mistakes_are_shown_with_the_text_kept(app, client, make_user,
                                                                  login):
    login(make_user(Role.PARTICIPANT))
    client.get("/plan")
    response = client.post("/plan/items", data={
        "csrf_token": client.last_token, **_new_item(key="plain-form-key-1", action="",
                                                     first_steps="Ask my manager first")})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400  # refused: shown again with the messages
    assert "Describe the action." in page and "Ask my manager first" in page
    assert f'id="add-{MODULE_1}-action"' in page and "autofocus" in page
    assert _items(app) == []


def test_the_reader_link_opens_the_module_with_its_suggestions(client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    page = _page(client, f"/plan?unit={MODULE_1}")
    assert page.count('<details class="plan-add" open>') == 1
    opened = page.index('<details class="plan-add" open>')
    assert page.index(f'id="module-{MODULE_1}"') < opened < page.index('id="module-module-2')
    assert "Draft and discuss a written supervision agreement" in page
    assert re.search(rf'<textarea[^>]*autofocus[^>]*id="add-{MODULE_1}-action"', page)


def test_someone_else_cannot_change_my_item(app, client, make_user, login):
    owner = make_user(Role.PARTICIPANT)
    login(owner)
    url = _post_json(client, "/plan/items", _new_item()).json["url"]
    client.post("/logout", data={"csrf_token": client.token()})
    login(make_user(Role.PARTICIPANT))
    response = _post_json(client, url, {"action": "Taken over", "key": "intruder-save-1"})
    assert response.status_code == 404
    assert _items(app)[0].action.startswith("Hold")
    assert "Hold a monthly" not in _page(client, "/plan")


def test_items_of_a_module_that_left_the_course_are_kept(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    with app.app_context():
        db.session.add(ActionPlanItem(user_id=person.id, client_key="old-item-key",
                                      unit_id="module-9-retired", function=PlanFunction.WELLBEING,
                                      action="Keep the Friday check-in"))
        db.session.commit()
    login(person)
    page = _page(client, "/plan")
    assert "Other actions" in page and "Keep the Friday check-in" in page


def test_printable_page_and_pdf_in_the_participants_language(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT, name="Aïcha Nduwimana", language="fr"))
    _post_json(client, "/plan/items", _new_item(action="Réunion d’équipe sur le bien-être",
                                                first_steps="Fixer l’œuvre commune",
                                                target_date="2030-05-01"))
    _post_json(client, "/plan/items", {**_new_item(key="module-three-key"), "unit_id": MODULE_3,
                                       "action": "Donner un retour chaque semaine"})
    printable = _page(client, "/plan/print")
    for text in ["Aïcha Nduwimana", "Réunion d’équipe sur le bien-être", "Fixer l’œuvre commune",
                 "Module 1 — Définir la supervision", "1 mai 2030", "Statut"]:
        assert text in printable, text
    assert "<form" not in printable.split('<main id="main">')[1].split("</main>")[0]

    response = client.get("/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in ["Aïcha Nduwimana", "Réunion d’équipe sur le bien-être",
                     "Fixer l’œuvre commune", "Module 1 — Définir la supervision",
                     "Donner un retour chaque semaine", "1 mai 2030"]:
        assert expected in text, expected
    assert text.index("Module 1") < text.index("Module 3")
    assert reader.metadata.title.endswith("Aïcha Nduwimana")
